//! The console's access list: the organization and valid-until filters, the text search on
//! e-mail and name, keyset pages, and a supervisor's scope, as a staff user sees them.

use crate::common;

use admit::domain::staff::Scope;
use admit::storage::accounts::{self, AccountFilter};
use admit::storage::directory::decode_cursor;
use common::{PASSWORD, TestApp, exec};
use reqwest::StatusCode;
use serde_json::{Value, json};

const NORA: &str = "nora@north.example";
const NILS: &str = "nils@north.example";
const SVEN: &str = "sven@south.example";
const OLGA: &str = "olga@other.example";
const ALL: [&str; 4] = [NORA, NILS, SVEN, OLGA];

struct World {
    north_area: i64,
    south_area: i64,
    north_co: i64,
    accounts: Vec<Value>,
}

/// Two areas, three organizations, four contacts, each with access to the customer portal.
async fn world(app: &TestApp) -> World {
    let api = app.api(&app.api_key().await);
    let north = api.create("/api/v1/areas", &json!({"name": "North"})).await;
    let south = api.create("/api/v1/areas", &json!({"name": "South"})).await;
    let org =
        |name: &str, area: &Value| json!({"kind": "customer", "name": name, "area_id": area["id"]});
    let north_co = api
        .create("/api/v1/organizations", &org("North Co", &north))
        .await;
    let south_co = api
        .create("/api/v1/organizations", &org("South Co", &south))
        .await;
    let other_co = api
        .create("/api/v1/organizations", &org("Other Co", &north))
        .await;
    let (status, portal) = api
        .post(
            "/api/v1/portals",
            &json!({"name": "Customer portal", "kind": "customer", "base_url": "https://p.example.com", "registration_mode": "invitation_only"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{portal}");
    let mut accounts = Vec::new();
    for (org, name, email) in [
        (&north_co, "Nora Nord", NORA),
        (&north_co, "Nils Nordmann", NILS),
        (&south_co, "Sven Süderberg", SVEN),
        (&other_co, "Olga Anders", OLGA),
    ] {
        let (status, contact) = api
            .post(
                "/api/v1/contacts",
                &json!({"organization_id": org["id"], "name": name, "email": email}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{contact}");
        let (status, account) = api
            .post(
                "/api/v1/accounts",
                &json!({"contact_id": contact["id"], "portal_id": portal["id"], "role": "user"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{account}");
        accounts.push(account);
    }
    // Nora's access ended in 2020; Sven's runs until 2999; Nils and Olga have no date.
    for (account, day) in [(&accounts[0], "2020-01-31"), (&accounts[2], "2999-12-31")] {
        let (status, body) = api
            .post(
                &format!("/api/v1/accounts/{}/status", account["id"]),
                &json!({"action": "set_valid_until", "valid_until": day, "notify": false}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        api.assert_reads_back("/api/v1/accounts", &body).await;
    }
    World {
        north_area: north["id"].as_i64().unwrap(),
        south_area: south["id"].as_i64().unwrap(),
        north_co: north_co["id"].as_i64().unwrap(),
        accounts,
    }
}

/// The addresses the access list shows at `path`, checked against all four.
async fn shown(b: &common::Browser, path: &str) -> Vec<&'static str> {
    let page = b.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    ALL.into_iter()
        .filter(|e| page.body.contains(&format!(">{e}<")))
        .collect()
}

async fn the_new_filters_and_the_search(app: TestApp) {
    let w = world(&app).await;
    app.create_staff("admin@example.test", "administrator", &[], PASSWORD)
        .await;
    let b = app.browser();
    b.login("admin@example.test", PASSWORD).await;

    assert_eq!(shown(&b, "/console/access").await, ALL);

    // The organization of the linked contact, reached from the organization's page.
    let org_page = b
        .get(&format!("/console/organizations/{}", w.north_co))
        .await;
    let link = format!("/console/access?organization_id={}", w.north_co);
    assert!(org_page.body.contains(&link), "{}", org_page.body);
    let page = b.get(&link).await;
    assert!(
        page.body
            .contains("Organization: <a href=\"/console/organizations/")
    );
    assert!(page.body.contains("North Co"));
    assert_eq!(shown(&b, &link).await, [NORA, NILS]);

    // Valid-until: set, none, past.
    assert_eq!(
        shown(&b, "/console/access?valid_until=set").await,
        [NORA, SVEN]
    );
    assert_eq!(
        shown(&b, "/console/access?valid_until=none").await,
        [NILS, OLGA]
    );
    assert_eq!(shown(&b, "/console/access?valid_until=past").await, [NORA]);
    let page = b.get("/console/access?valid_until=past").await;
    assert!(page.body.contains("<option value=\"past\" selected>"));
    // Role: everyone is a user here; then Nils becomes the notifications account.
    assert_eq!(shown(&b, "/console/access?role=user").await, ALL);
    exec(
        &app,
        &format!("UPDATE portal_accounts SET role = 'notifications' WHERE email = '{NILS}'"),
    )
    .await;
    assert_eq!(
        shown(&b, "/console/access?role=notifications").await,
        [NILS]
    );
    let (_, by_api) = app
        .api(&app.api_key().await)
        .get("/api/v1/accounts?role=notifications")
        .await;
    assert_eq!(by_api["items"][0]["email"], NILS);
    // Together with the organization, and with another filter.
    assert_eq!(
        shown(
            &b,
            &format!(
                "/console/access?organization_id={}&valid_until=none",
                w.north_co
            )
        )
        .await,
        [NILS]
    );
    assert_eq!(
        shown(&b, "/console/access?valid_until=set&q=sven").await,
        [SVEN]
    );

    // The search, on e-mail and on name, in any case, short terms too.
    assert_eq!(shown(&b, "/console/access?q=nils%40north").await, [NILS]);
    assert_eq!(shown(&b, "/console/access?q=NORDMANN").await, [NILS]);
    assert_eq!(shown(&b, "/console/access?q=s%C3%BCderberg").await, [SVEN]);
    assert_eq!(
        shown(&b, "/console/access?q=north.example").await,
        [NORA, NILS]
    );
    assert_eq!(shown(&b, "/console/access?q=ol").await, [OLGA]);
    // A whole address, and one made of the others' pieces.
    assert_eq!(
        shown(&b, "/console/access?q=NILS%40north.example").await,
        [NILS]
    );
    assert_eq!(
        shown(&b, "/console/access?q=sven%40north.example").await,
        Vec::<&str>::new()
    );
    assert_eq!(
        shown(&b, "/console/access?q=%22%25_").await,
        Vec::<&str>::new()
    );
    assert!(
        b.get("/console/access?q=nobody-at-all")
            .await
            .body
            .contains("No accounts match.")
    );

    // Removing an account takes it out of the search too.
    let api = app.api(&app.api_key().await);
    let res = api
        .client
        .delete(app.url(&format!("/api/v1/accounts/{}", w.accounts[1]["id"])))
        .bearer_auth(&api.key)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    assert_eq!(
        shown(&b, "/console/access?q=nordmann").await,
        Vec::<&str>::new()
    );
    assert_eq!(shown(&b, "/console/access?q=north.example").await, [NORA]);
}
both!(filters_and_search, the_new_filters_and_the_search);

async fn supervisors_see_only_their_areas(app: TestApp) {
    let w = world(&app).await;
    app.create_staff(
        "south@example.test",
        "supervisor",
        &[w.south_area],
        PASSWORD,
    )
    .await;
    app.create_staff(
        "north@example.test",
        "supervisor",
        &[w.north_area],
        PASSWORD,
    )
    .await;
    let south = app.browser();
    south.login("south@example.test", PASSWORD).await;
    assert_eq!(shown(&south, "/console/access").await, [SVEN]);
    assert_eq!(
        shown(&south, "/console/access?valid_until=set").await,
        [SVEN]
    );
    // Another area's organization: nothing, and not even its name.
    let link = format!("/console/access?organization_id={}", w.north_co);
    assert_eq!(shown(&south, &link).await, Vec::<&str>::new());
    assert!(!south.get(&link).await.body.contains("North Co"));
    assert_eq!(
        shown(&south, "/console/access?q=north.example").await,
        Vec::<&str>::new()
    );

    let north = app.browser();
    north.login("north@example.test", PASSWORD).await;
    assert_eq!(shown(&north, "/console/access").await, [NORA, NILS, OLGA]);
    assert_eq!(
        shown(&north, "/console/access?valid_until=past").await,
        [NORA]
    );
    assert_eq!(
        shown(&north, "/console/access?q=sven").await,
        Vec::<&str>::new()
    );
}
both!(supervisor_scope, supervisors_see_only_their_areas);

async fn pages_follow_the_email_order(app: TestApp) {
    world(&app).await;
    // Two at a time, in e-mail order: nils, nora | olga, sven.
    let mut seen = Vec::new();
    let mut filter = AccountFilter {
        limit: 2,
        ..Default::default()
    };
    let mut pages = 0;
    loop {
        let mut tx = app.cx.db.read().await.unwrap();
        let page = accounts::list(&mut tx, &Scope::All, &filter).await.unwrap();
        pages += 1;
        seen.extend(page.items.iter().map(|a| a.email.clone()));
        match page.next {
            Some(n) => filter.after = decode_cursor(&n),
            None => break,
        }
    }
    assert_eq!(pages, 2);
    assert_eq!(seen, [NILS, NORA, OLGA, SVEN]);

    // A search a page at a time, in pages of one, two and three: the addresses that begin with
    // the term first, then the others; each part in e-mail order, whichever way it is found.
    for (q, expected) in [
        ("example", vec![NILS, NORA, OLGA, SVEN]),
        ("NORTH.example", vec![NILS, NORA]),
        ("süderberg", vec![SVEN]),
        ("rt", vec![NILS, NORA]),
        ("olga@other.example", vec![OLGA]),
        ("nor", vec![NORA, NILS]),
        ("o", vec![OLGA, NILS, NORA, SVEN]),
        ("n", vec![NILS, NORA, OLGA, SVEN]),
    ] {
        for limit in 1..=3 {
            let mut filter = AccountFilter {
                q: Some(q.into()),
                limit,
                ..Default::default()
            };
            let mut seen = Vec::new();
            loop {
                let mut tx = app.cx.db.read().await.unwrap();
                let page = accounts::list(&mut tx, &Scope::All, &filter).await.unwrap();
                assert!(page.items.len() as i64 <= limit);
                seen.extend(page.items.iter().map(|a| a.email.clone()));
                match page.next {
                    Some(n) => filter.after = decode_cursor(&n),
                    None => break,
                }
            }
            assert_eq!(seen, expected, "{q}, pages of {limit}");
        }
    }
}
both!(keyset_pages, pages_follow_the_email_order);
