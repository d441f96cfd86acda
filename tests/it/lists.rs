//! The console's lists as a staff member uses them: how many rows ("1–50 of 1,055"), previous
//! and next with the filters and the order kept, sorting by a column heading (names in the
//! language's order on both engines), contacts with their portal access, and the CSV downloads
//! (quoting, no formulas, UTF-8 with a byte order mark, only what the staff member may see).

use crate::common;

use admit::domain::staff::Scope;
use admit::storage::directory::{self, ORGANIZATION_COLUMNS, OrganizationFilter};
use admit::storage::listing::{Order, Window, column};
use common::{TestApp, exec};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The `href` of the link marked `rel="{rel}"`, unescaped.
fn link(body: &str, rel: &str) -> Option<String> {
    let at = body.find(&format!("rel=\"{rel}\""))?;
    let start = body[..at].rfind("href=\"")? + 6;
    let end = start + body[start..].find('"')?;
    Some(body[start..end].replace("&amp;", "&").replace("&#38;", "&"))
}

/// Where each of `names` first appears on the page (panics when one is missing).
fn positions(body: &str, names: &[&str]) -> Vec<usize> {
    names
        .iter()
        .map(|n| {
            body.find(&format!(">{n}<"))
                .unwrap_or_else(|| panic!("{n} is not on the page"))
        })
        .collect()
}

fn ascending(v: &[usize]) -> bool {
    v.windows(2).all(|w| w[0] < w[1])
}

const NAMES: [&str; 5] = [
    "Arzt Müller",
    "Ärzte am Markt",
    "Bäckerei Wolf",
    "Bodensee Fisch",
    "Zander GmbH",
];

async fn organizations_are_counted_paged_and_sorted(app: TestApp) {
    let api = app.api(&app.api_key().await);
    for name in [NAMES[3], NAMES[4], NAMES[1], NAMES[2], NAMES[0]] {
        api.create(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": name}),
        )
        .await;
    }
    // A thousand and fifty more, straight into the table.
    exec(
        &app,
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1050) \
         INSERT INTO organizations (kind, name, search_text, created_at, updated_at) \
         SELECT 'partner', 'Filler ' || i, 'filler ' || i, 0, 0 FROM n",
    )
    .await;
    let b = app
        .staff_browser("admin@example.test", "administrator", &[])
        .await;

    let first = b.get("/console/organizations?sort=name").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(first.body.contains("1–50 of 1,055"), "{}", first.body);
    assert!(ascending(&positions(&first.body, &NAMES[..4])));
    assert!(first.body.contains("aria-sort=\"ascending\""));
    assert_eq!(first.body.matches("aria-sort=").count(), 1);
    assert_eq!(link(&first.body, "prev"), None);
    let next = link(&first.body, "next").expect("a next page");
    assert_eq!(next, "/console/organizations?sort=name&page=2");
    let second = b.get(&next).await;
    assert!(second.body.contains("51–100 of 1,055"), "{}", second.body);
    assert_eq!(
        link(&second.body, "prev").as_deref(),
        Some("/console/organizations?sort=name")
    );
    assert!(!second.body.contains(">Arzt Müller<"));

    // Descending, from the heading; the last page; the filters kept.
    let heading = "<a class=\"sort\" href=\"/console/organizations?sort=name&#38;dir=desc\">Name";
    assert!(first.body.contains(heading), "{}", first.body);
    let down = b.get("/console/organizations?sort=name&dir=desc").await;
    assert!(down.body.contains("aria-sort=\"descending\""));
    let mine = b
        .get("/console/organizations?kind=customer&sort=name&dir=desc")
        .await;
    assert!(mine.body.contains("1–5 of 5"), "{}", mine.body);
    let mut reversed = NAMES.to_vec();
    reversed.reverse();
    assert!(ascending(&positions(&mine.body, &reversed)));
    let last = b.get("/console/organizations?kind=partner&page=22").await;
    assert!(last.body.contains(">0 of 1,050<"), "{}", last.body);
    assert_eq!(
        link(&last.body, "prev").as_deref(),
        Some("/console/organizations?kind=partner&page=21")
    );
    let last = b.get("/console/organizations?kind=partner&page=21").await;
    assert!(last.body.contains("1,001–1,050 of 1,050"), "{}", last.body);
    assert_eq!(
        link(&last.body, "prev").as_deref(),
        Some("/console/organizations?kind=partner&page=20")
    );
    assert_eq!(link(&last.body, "next"), None);

    // An order the list does not have is its own order, never SQL.
    let odd = b
        .get("/console/organizations?sort=name%3B%20DROP%20TABLE%20organizations&dir=up")
        .await;
    assert_eq!(odd.status, StatusCode::OK);
    assert!(odd.body.contains("1–50 of 1,055"));
    assert_eq!(app.count("organizations").await, 1055);

    // A German staff member reads the numbers the German way.
    exec(
        &app,
        "UPDATE staff_users SET language = 'de' WHERE email = 'admin@example.test'",
    )
    .await;
    let de = b.get("/console/organizations").await;
    assert!(de.body.contains("1–50 von 1.055"), "{}", de.body);
}
both!(
    organizations_paged,
    organizations_are_counted_paged_and_sorted
);

/// The same order straight from storage, on each engine: the collation itself.
async fn names_follow_the_language_on_both_engines(app: TestApp) {
    let api = app.api(&app.api_key().await);
    for name in [
        "Bodensee",
        "Zürich Bank",
        "Bäckerei",
        "Arztpraxis",
        "Ärzte",
        "Arzt",
        "apfel",
    ] {
        api.create(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": name}),
        )
        .await;
    }
    let mut tx = app.cx.db.read().await.unwrap();
    let order = Order {
        column: column(ORGANIZATION_COLUMNS, "name").unwrap(),
        descending: false,
    };
    let page = directory::organizations_in_order(
        &mut tx,
        &Scope::All,
        &OrganizationFilter::default(),
        &order,
        Window {
            offset: 0,
            limit: 10,
        },
    )
    .await
    .unwrap();
    let names: Vec<&str> = page.items.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "apfel",
            "Arzt",
            "Ärzte",
            "Arztpraxis",
            "Bäckerei",
            "Bodensee",
            "Zürich Bank"
        ]
    );
    assert_eq!(page.total, 7);
}
both!(collation, names_follow_the_language_on_both_engines);

/// The body of a download, and whether it began with the byte order mark.
pub async fn download(b: &common::Browser, path: &str) -> (StatusCode, bool, String) {
    let res = b
        .client
        .get(format!("{}{}", b.base, path))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.bytes().await.unwrap();
    let bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    (status, bom, text.trim_start_matches('\u{feff}').to_string())
}

struct Directory {
    north: i64,
    south: i64,
    account: Value,
}

/// North with "Nordlicht GmbH" (Anna, with an account; a contact whose name is a formula);
/// South with "Südwind AG" (Bob).
async fn directory(app: &TestApp) -> Directory {
    let api = app.api(&app.api_key().await);
    let north = api.create("/api/v1/areas", &json!({"name": "North"})).await["id"]
        .as_i64()
        .unwrap();
    let south = api.create("/api/v1/areas", &json!({"name": "South"})).await["id"]
        .as_i64()
        .unwrap();
    let org = |name: &str, area: i64| json!({"kind": "customer", "name": name, "area_id": area});
    let nord = api
        .create("/api/v1/organizations", &org("Nordlicht GmbH", north))
        .await;
    let sued = api
        .create("/api/v1/organizations", &org("Südwind AG", south))
        .await;
    let contact = |org: &Value, name: &str, email: &str| json!({"organization_id": org["id"], "name": name, "email": email});
    let anna = api
        .create(
            "/api/v1/contacts",
            &contact(&nord, "Müller, Anna", "anna@nord.example"),
        )
        .await;
    api.create(
        "/api/v1/contacts",
        &contact(
            &nord,
            "=HYPERLINK(\"http://evil.example\")",
            "f@nord.example",
        ),
    )
    .await;
    api.create(
        "/api/v1/contacts",
        &contact(&sued, "Bob Süd", "bob@sued.example"),
    )
    .await;
    let portal = api
        .create(
            "/api/v1/portals",
            &json!({"name": "Customer portal", "kind": "customer", "base_url": "https://p.example.com", "registration_mode": "invitation_only"}),
        )
        .await;
    let account = api
        .create(
            "/api/v1/accounts",
            &json!({"contact_id": anna["id"], "portal_id": portal["id"]}),
        )
        .await;
    Directory {
        north,
        south,
        account,
    }
}

async fn contacts_show_their_portal_access_and_download_safely(app: TestApp) {
    let d = directory(&app).await;
    let admin = app
        .staff_browser("admin@example.test", "administrator", &[])
        .await;
    let page = admin.get("/console/contacts?sort=name").await;
    assert!(page.body.contains("1–3 of 3"), "{}", page.body);
    assert!(page.body.contains("<th>Portal access</th>"));
    assert!(
        page.body.contains("badge-warn\">no access yet<"),
        "{}",
        page.body
    );
    assert_eq!(page.body.matches(">no account<").count(), 2);
    exec(
        &app,
        &format!(
            "UPDATE portal_accounts SET registration = 'registered' WHERE id = {}",
            d.account["id"]
        ),
    )
    .await;
    let page = admin.get("/console/contacts").await;
    assert!(
        page.body.contains("badge-ok\">has access<"),
        "{}",
        page.body
    );

    // A supervisor of North downloads North's contacts only; each cell is safe for Excel.
    let north = app
        .staff_browser("north@example.test", "supervisor", &[d.north])
        .await;
    let (status, bom, csv) = download(&north, "/console/contacts.csv?sort=name").await;
    assert_eq!(status, StatusCode::OK);
    assert!(bom);
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "ID,Name,E-mail,Organization,Phone,Language,External id,Portal accounts,With access"
    );
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[1].contains(
            ",\"'=HYPERLINK(\"\"http://evil.example\"\")\",f@nord.example,Nordlicht GmbH,"
        ),
        "{csv}"
    );
    assert!(
        lines[2].contains(",\"Müller, Anna\",anna@nord.example,Nordlicht GmbH,"),
        "{csv}"
    );
    assert!(lines[2].ends_with(",1,1"), "{csv}");
    assert!(!csv.contains("Bob"));

    // The access list: the download carries the filters; South sees nothing of North.
    let (_, bom, csv) = download(&admin, "/console/access.csv?q=anna").await;
    assert!(bom);
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.contains(
        ",anna@nord.example,\"Müller, Anna\",Customer portal,Customer portal,Nordlicht GmbH,"
    ));
    let (_, _, csv) = download(&admin, "/console/access.csv?q=nobody").await;
    assert_eq!(csv.lines().count(), 1);
    let south = app
        .staff_browser("south@example.test", "supervisor", &[d.south])
        .await;
    let (_, _, csv) = download(&south, "/console/access.csv").await;
    assert_eq!(csv.lines().count(), 1, "{csv}");
    let (_, _, csv) = download(&south, "/console/organizations.csv").await;
    assert!(
        csv.contains("Südwind AG") && !csv.contains("Nordlicht"),
        "{csv}"
    );
    let list = admin.get("/console/access?q=anna&sort=name").await;
    assert!(
        list.body
            .contains("href=\"/console/access.csv?q=anna&#38;sort=name\""),
        "{}",
        list.body
    );

    // The audit log: administrators only; its filters kept.
    let (status, _, csv) = download(&south, "/console/audit.csv").await;
    assert_eq!(status, south.get("/console/audit").await.status);
    assert!(!status.is_success() && !csv.contains("contact"), "{status}");
    let (status, bom, csv) = download(&admin, "/console/audit.csv?target_kind=contact").await;
    assert_eq!(status, StatusCode::OK);
    assert!(bom);
    assert!(csv.starts_with(
        "ID,Time,Actor kind,Actor,Client address,Action,Target kind,Target id,Target,Before,After\r\n"
    ));
    assert!(csv.contains(",contact,"), "{csv}");
    assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
    assert!(!csv.contains(",organization,"), "{csv}");
}
both!(
    contacts_and_downloads,
    contacts_show_their_portal_access_and_download_safely
);

/// A download longer than one batch comes whole, each row once.
async fn long_downloads_come_whole(app: TestApp) {
    exec(
        &app,
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500) \
         INSERT INTO organizations (kind, name, search_text, created_at, updated_at) \
         SELECT 'customer', 'Org ' || i, 'org ' || i, 0, 0 FROM n",
    )
    .await;
    let b = app
        .staff_browser("admin@example.test", "administrator", &[])
        .await;
    let (_, _, csv) = download(&b, "/console/organizations.csv").await;
    let mut names: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(names.len(), 2500);
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 2500);
}
both!(long_downloads, long_downloads_come_whole);

/// The outbox: counted, paged, sorted by a heading, statuses as badges.
async fn the_outbox_is_counted_paged_and_sorted(app: TestApp) {
    exec(
        &app,
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 130) \
         INSERT INTO outbox_messages (message_id, event, language, recipient, variables_json, \
         status, attempts, max_attempts, next_attempt_at, last_error, created_at, updated_at) \
         SELECT 'm' || i, 'invitation', 'en', 'r' || (1000 + i) || '@x.example', '{}', \
         'failed', 8, 8, 0, 'mailbox unavailable', i, i FROM n",
    )
    .await;
    let b = app
        .staff_browser("admin@example.test", "administrator", &[])
        .await;
    let first = b.get("/console/outbox").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(first.body.contains("1–100 of 130"), "{}", first.body);
    assert!(
        first
            .body
            .contains("<span class=\"badge badge-bad\">failed</span>")
    );
    // Newest first: the last queued leads.
    assert!(first.body.find("r1130@").unwrap() < first.body.find("r1129@").unwrap());
    let next = link(&first.body, "next").unwrap();
    assert_eq!(next, "/console/outbox?page=2");
    let second = b.get(&next).await;
    assert!(second.body.contains("101–130 of 130"));
    assert!(second.body.contains("r1001@") && !second.body.contains("r1130@"));
    assert_eq!(
        link(&second.body, "prev").as_deref(),
        Some("/console/outbox")
    );
    let by_recipient = b.get("/console/outbox?status=failed&sort=recipient").await;
    assert!(by_recipient.body.contains("aria-sort=\"ascending\""));
    assert!(by_recipient.body.find("r1001@").unwrap() < by_recipient.body.find("r1002@").unwrap());
    assert!(!by_recipient.body.contains("r1130@"));
    assert_eq!(
        link(&by_recipient.body, "next").as_deref(),
        Some("/console/outbox?status=failed&sort=recipient&page=2")
    );
}
both!(outbox_paged, the_outbox_is_counted_paged_and_sorted);

/// The audit log: counted, paged newest first, sortable, the download in step with it.
async fn the_audit_log_is_counted_and_paged(app: TestApp) {
    exec(
        &app,
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120) \
         INSERT INTO audit_events (occurred_at, actor_kind, actor_label, action, target_kind, target_label) \
         SELECT i, 'cli', 'Zoë ' || i, 'test.event', 'contact', 'Target ' || (1000 + i) FROM n",
    )
    .await;
    let b = app
        .staff_browser("admin@example.test", "administrator", &[])
        .await;
    let page = b.get("/console/audit?action=test.event").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("1–100 of 120"), "{}", page.body);
    assert!(page.body.find("Target 1120").unwrap() < page.body.find("Target 1119").unwrap());
    let next = link(&page.body, "next").unwrap();
    assert_eq!(next, "/console/audit?action=test.event&page=2");
    let older = b.get(&next).await;
    assert!(older.body.contains("101–120 of 120"));
    assert!(older.body.contains("Target 1001") && !older.body.contains("Target 1120"));
    assert_eq!(
        link(&older.body, "prev").as_deref(),
        Some("/console/audit?action=test.event")
    );
    let by_target = b.get("/console/audit?action=test.event&sort=target").await;
    assert!(
        by_target.body.find("Target 1001").unwrap() < by_target.body.find("Target 1002").unwrap()
    );
    assert!(
        by_target
            .body
            .contains("href=\"/console/audit.csv?action=test.event&#38;sort=target\"")
    );
}
both!(audit_paged, the_audit_log_is_counted_and_paged);
