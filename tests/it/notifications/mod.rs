//! Notifications: the tasks API and its bad input, and digest preferences, here; below, the
//! schedule (three time zones, a process that was down at 08:00, once per person and period),
//! the customer scope of what a digest lists, Admit's own tasks for staff and organization
//! admins, and two processes on one database. The e-mails go to a real SMTP server.

use crate::common;
use crate::common::org;

use admit::clock::ManualClock;
use admit::storage::tasks::Owner;
use admit::usecases::notifications::{self as uc, PreferencesInput};
use chrono::{TimeZone, Utc};
use common::{Engine, SmtpSink, TestApp, exec, header, id_of};
use reqwest::StatusCode;
use serde_json::{Value, json};

mod links;
mod own_tasks;
mod processes;
mod schedule;
mod scope;
mod tallies;

/// The app's own scheduler looks first an hour after start: these tests run it themselves.
const QUIET: u64 = 3600;

fn quiet(c: &mut admit::config::Config) {
    c.digest_poll_seconds = QUIET;
}

fn utc(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .timestamp_millis()
}

fn at(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .unwrap()
        .format("%Y-%m-%dT%H:%MZ")
        .to_string()
}

pub struct World {
    api: common::Api,
    portal: i64,
    partner: i64,
    /// Customers of the partnership.
    c: [i64; 3],
    partnership: i64,
    /// A customer organization of its own, with accounts of its own.
    pub acme: i64,
}

pub async fn world(app: &TestApp) -> World {
    let api = app.api(&app.api_key().await);
    let (partner, c) = common::partner_and_customers(&api).await;
    let partnership = id_of(
        &api,
        "/api/v1/partnerships",
        json!({"partner_id": partner, "name": "North", "customer_ids": c}),
    )
    .await;
    let acme = id_of(&api, "/api/v1/organizations", org("customer", "Acme")).await;
    let portal = id_of(
        &api,
        "/api/v1/portals",
        json!({"name": "Partner portal", "kind": "partner", "base_url": "https://partners.example.com",
               "registration_mode": "invitation_only", "modules": [{"name": "Tasks"}]}),
    )
    .await;
    let categories = format!("/api/v1/portals/{portal}/task-categories");
    let (status, v) = api
        .put(
            &categories,
            &json!({"categories": [
                {"key": "service_due", "name_en": "Service due", "name_de": "Wartung fällig",
                 "description_en": "Maintenance that is due"},
                {"key": "invoices", "name_en": "Unpaid invoices", "name_de": "Offene Rechnungen"}
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    api.assert_reads_back_at(&categories, &v).await;
    World {
        api,
        portal,
        partner,
        c,
        partnership,
        acme,
    }
}

/// A registered account of a new contact of `org` on the portal, living in `zone`.
pub async fn person(
    app: &TestApp,
    w: &World,
    org: i64,
    email: &str,
    role: &str,
    zone: &str,
) -> i64 {
    let id = common::account_of(&w.api, org, w.portal, email, role, None).await;
    exec(
        app,
        &format!(
            "UPDATE portal_accounts SET registration = 'registered', time_zone = '{zone}' WHERE id = {id}"
        ),
    )
    .await;
    id
}

pub async fn subscribe(w: &World, account: i64, frequency: &str, categories: &[&str]) -> Value {
    let path = format!("/api/v1/accounts/{account}/notifications");
    let (status, v) = w
        .api
        .put(
            &path,
            &json!({"frequency": frequency, "categories": categories}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    w.api.assert_reads_back_at(&path, &v).await;
    v
}

pub async fn task(w: &World, id: &str, customer: i64, category: &str, title: &str) -> StatusCode {
    let path = format!("/api/v1/portals/{}/tasks/{id}", w.portal);
    let (status, v) = w
        .api
        .put(
            &path,
            &json!({"customer_id": customer, "category": category, "title": title}),
        )
        .await;
    assert!(status.is_success(), "{status} {v}");
    w.api.assert_reads_back_at(&path, &v).await;
    status
}

/// A staff member (`role`, in `areas`) subscribed to daily digests of `categories`, or of
/// every category they may choose; their id and actor.
pub async fn subscribed_staff(
    app: &TestApp,
    email: &str,
    role: &str,
    areas: &[i64],
    categories: Option<&[&str]>,
) -> (i64, admit::usecases::Actor) {
    let id = app.create_staff(email, role, areas, common::PASSWORD).await;
    let mut tx = app.cx.db.read().await.unwrap();
    let user = admit::storage::staff::get_staff(&mut tx, id)
        .await
        .unwrap()
        .unwrap();
    drop(tx);
    let actor = admit::usecases::staff::staff_actor(&user, None);
    let categories: Vec<String> = match categories {
        Some(chosen) => chosen.iter().map(|c| c.to_string()).collect(),
        None => uc::preferences(&app.cx, &actor, Owner::Staff(id))
            .await
            .unwrap()
            .choices
            .into_iter()
            .map(|c| c.key)
            .collect(),
    };
    uc::set_preferences(
        &app.cx,
        &actor,
        Owner::Staff(id),
        &PreferencesInput {
            frequency: "daily".into(),
            categories,
        },
    )
    .await
    .unwrap();
    (id, actor)
}

/// Makes the digests that are due, once the outbox is quiet: on PostgreSQL the claim skips a
/// subscription whose unsubscribe link is being made for a digest in delivery (its row is
/// locked for the link's key), and the scheduler would take it only at its next look.
async fn run_due(app: &TestApp) -> uc::Made {
    assert!(common::outbox_quiet(app, 30).await, "the outbox settles");
    uc::run_due(&app.cx, 50).await.unwrap()
}

/// The digests made so far: (account, period, due, made, tasks), in the order made.
async fn digests(app: &TestApp) -> Vec<(i64, String, i64, i64, i64)> {
    let sql = "SELECT s.account_id, d.period, d.due_at, d.made_at, d.tasks FROM digests d \
               JOIN digest_subscriptions s ON s.id = d.subscription_id ORDER BY d.made_at, d.id";
    match &app.cx.db {
        admit::storage::Db::Sqlite(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
        admit::storage::Db::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
    }
}

/// The digest messages in the outbox: (recipient, variables).
async fn digest_messages(app: &TestApp) -> Vec<(String, Value)> {
    let sql =
        "SELECT recipient, variables_json FROM outbox_messages WHERE event = 'digest' ORDER BY id";
    let rows: Vec<(String, String)> = match &app.cx.db {
        admit::storage::Db::Sqlite(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
        admit::storage::Db::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
    };
    rows.into_iter()
        .map(|(r, v)| (r, serde_json::from_str(&v).unwrap()))
        .collect()
}

/// The digests that reached the SMTP server (the accounts' invitations go there too).
fn digest_mails(sink: &SmtpSink) -> Vec<String> {
    sink.messages()
        .into_iter()
        .filter(|m| header(m, "Subject").is_some_and(|s| s.contains("open task")))
        .collect()
}

fn titles(vars: &Value) -> Vec<String> {
    let mut out: Vec<String> = vars["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["lines"].as_array().unwrap().iter())
        .map(|l| l["title"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

// ---------------------------------------------------------------- the tasks API

async fn tasks_api(app: TestApp) {
    let w = world(&app).await;
    let path = format!("/api/v1/portals/{}/tasks/crm-1", w.portal);
    let body = json!({"customer_id": w.c[0], "category": "service_due", "title": "Boiler service",
                      "due_date": "2026-12-07", "link": "https://crm.example.com/t/1"});
    // Read with its headers (the outcome).
    let post = || {
        w.api
            .client
            .put(app.url(&path))
            .bearer_auth(&w.api.key)
            .json(&body)
            .send()
    };
    let res = post().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["admit-outcome"], "created");
    let t: Value = res.json().await.unwrap();
    assert_eq!(t["due_date"], "2026-12-07");
    assert_eq!(t["status"], "open");
    assert_eq!(t["customer_name"], "Customer One");
    w.api.assert_reads_back_at(&path, &t).await;

    // Posting it again changes nothing: no new task, no audit event.
    let events = app.count("audit_events").await;
    let res = post().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["admit-outcome"], "unchanged");
    assert_eq!(app.count("tasks").await, 1);
    assert_eq!(app.count("audit_events").await, events);

    // Closed by posting it with its status.
    let mut closed = body.clone();
    closed["status"] = json!("closed");
    let (status, t) = w.api.put(&path, &closed).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(t["status"], "closed");
    assert!(t["closed_at"].is_string());
    w.api.assert_reads_back_at(&path, &t).await;
    let (_, open) = w
        .api
        .get(&format!("/api/v1/tasks?portal_id={}&status=open", w.portal))
        .await;
    assert_eq!(open.as_array().unwrap().len(), 0);
    let (_, all) = w
        .api
        .get(&format!("/api/v1/tasks?customer_id={}", w.c[0]))
        .await;
    assert_eq!(all.as_array().unwrap().len(), 1);

    // Bad input: a clear 4xx naming the field, and nothing written.
    let before = (app.count("tasks").await, app.count("audit_events").await);
    for (change, field) in [
        (json!({"category": "nonsense"}), "category"),
        (json!({"category": "admit.approval"}), "category"),
        (json!({"title": "x".repeat(301)}), "title"),
        (json!({"title": "two\nlines"}), "title"),
        (json!({"due_date": "7.12.2026"}), "due_date"),
        (json!({"link": "javascript:alert(1)"}), "link"),
        (json!({"status": "done"}), "status"),
        (json!({"customer_id": 999_999}), "customer_id"),
        (json!({"customer_id": w.partner}), "customer_id"),
    ] {
        let mut b = body.clone();
        for (k, v) in change.as_object().unwrap() {
            b[k] = v.clone();
        }
        let (status, e) = w
            .api
            .put(&format!("/api/v1/portals/{}/tasks/crm-2", w.portal), &b)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{change}: {e}");
        assert!(
            e["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["field"] == field),
            "{change}: {e}"
        );
    }
    let (status, _) = w
        .api
        .put(
            &format!("/api/v1/portals/{}/tasks/crm-2", w.portal),
            &json!({"customer_id": w.c[0], "category": "service_due", "title": "x", "extra": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "an unknown field");
    let long_id = "x".repeat(201);
    let (status, _) = w
        .api
        .put(
            &format!("/api/v1/portals/{}/tasks/{long_id}", w.portal),
            &body,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an over-long id");
    let (status, _) = w.api.put("/api/v1/portals/9999/tasks/crm-2", &body).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an unknown portal");
    assert_eq!(
        (app.count("tasks").await, app.count("audit_events").await),
        before
    );

    // A key limited to an area reaches only the customers there.
    let area = id_of(&w.api, "/api/v1/areas", json!({"name": "North"})).await;
    let (status, moved) = w
        .api
        .put(
            &format!("/api/v1/organizations/{}", w.c[1]),
            &json!({"kind": "customer", "name": "Customer Two", "area_id": area}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(moved["area_id"], area);
    w.api
        .assert_reads_back("/api/v1/organizations", &moved)
        .await;
    let limited = app.api(&app.area_key(&[area]).await);
    let (status, e) = limited.put(&path, &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e.to_string().contains("not in your areas"), "{e}");
    let mut two = body.clone();
    two["customer_id"] = json!(w.c[1]);
    let crm3 = format!("/api/v1/portals/{}/tasks/crm-3", w.portal);
    let (status, t3) = limited.put(&crm3, &two).await;
    assert_eq!(status, StatusCode::CREATED);
    limited.assert_reads_back_at(&crm3, &t3).await;
    let (_, seen) = limited.get("/api/v1/tasks").await;
    assert_eq!(seen.as_array().unwrap().len(), 1, "{seen}");
    let (status, _) = limited.get(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "outside the key's areas");

    // A category that holds tasks stays; one without tasks goes.
    let categories = format!("/api/v1/portals/{}/task-categories", w.portal);
    let set = |list: Value| {
        let (api, path) = (&w.api, &categories);
        async move { api.put(path, &json!({ "categories": list })).await }
    };
    let (status, e) = set(json!([{"key": "invoices", "name_en": "Unpaid invoices"}])).await;
    assert_eq!(status, StatusCode::CONFLICT, "{e}");
    assert!(e.to_string().contains("still holds 2 tasks"), "{e}");
    let (status, cats) = set(json!([{"key": "service_due", "name_en": "Service due"}])).await;
    assert_eq!(status, StatusCode::OK, "{cats}");
    assert_eq!(cats.as_array().unwrap().len(), 1);
    w.api.assert_reads_back_at(&categories, &cats).await;
    let (status, e) = set(json!([{"key": "Bad Key", "name_en": ""}])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e.to_string().contains("categories[0].key"), "{e}");
    assert!(e.to_string().contains("categories[0].name_en"), "{e}");
}
both!(tasks_api, tasks_api);

// ---------------------------------------------------------------- preferences

async fn preferences(app: TestApp) {
    let w = world(&app).await;
    let admin = person(
        &app,
        &w,
        w.partner,
        "ada@partner.example",
        "admin",
        "Europe/Berlin",
    )
    .await;
    let user = person(&app, &w, w.partner, "ulf@partner.example", "user", "UTC").await;
    let marketing = person(
        &app,
        &w,
        w.partner,
        "mo@partner.example",
        "marketing",
        "UTC",
    )
    .await;
    let (status, p) = w
        .api
        .get(&format!("/api/v1/accounts/{admin}/notifications"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(p["frequency"], "off");
    let keys = |p: &Value| -> Vec<String> {
        p["choices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["key"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        keys(&p),
        [
            "admit.invitation_expiring",
            "admit.access_expiring",
            "service_due",
            "invoices"
        ],
        "an admin gets Admit's own tasks about its team"
    );
    let (_, pu) = w
        .api
        .get(&format!("/api/v1/accounts/{user}/notifications"))
        .await;
    assert_eq!(keys(&pu), ["service_due", "invoices"]);
    let (_, pm) = w
        .api
        .get(&format!("/api/v1/accounts/{marketing}/notifications"))
        .await;
    assert!(keys(&pm).is_empty(), "marketing sees no customer data");

    // Weekly: the next one is Monday 08:00 in Berlin.
    let now = app.cx.now();
    let p = subscribe(&w, admin, "weekly", &["service_due"]).await;
    assert_eq!(p["categories"], json!(["service_due"]));
    let next = utc(p["next_due_at"].as_str().unwrap());
    let local = Utc
        .timestamp_millis_opt(next)
        .unwrap()
        .with_timezone(&chrono_tz::Europe::Berlin);
    assert_eq!(local.format("%a %H:%M").to_string(), "Mon 08:00");
    assert!(next > now && next - now <= 7 * 86_400_000);

    // Bad input changes nothing.
    let events = app.count("audit_events").await;
    for body in [
        json!({"frequency": "hourly", "categories": []}),
        json!({"frequency": "daily", "categories": ["nonsense"]}),
        json!({"frequency": "daily", "categories": ["admit.approval"]}),
        json!({"frequency": "daily", "colour": "red"}),
    ] {
        let (status, e) = w
            .api
            .put(&format!("/api/v1/accounts/{admin}/notifications"), &body)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {e}");
    }
    let (_, still) = w
        .api
        .get(&format!("/api/v1/accounts/{admin}/notifications"))
        .await;
    assert_eq!(still["frequency"], "weekly");
    assert_eq!(app.count("audit_events").await, events);

    // An unknown time zone is refused at save; a new zone moves the next digest.
    let err = admit::usecases::profile::update_profile(
        &app.cx,
        admin,
        &admit::usecases::profile::ProfileInput {
            name: "Ada".into(),
            language: "en".into(),
            time_zone: "Mars/Olympus_Mons".into(),
        },
        None,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("time_zone"), "{err}");
    admit::usecases::profile::update_profile(
        &app.cx,
        admin,
        &admit::usecases::profile::ProfileInput {
            name: "Ada".into(),
            language: "en".into(),
            time_zone: "Asia/Kolkata".into(),
        },
        None,
    )
    .await
    .unwrap();
    let (_, moved) = w
        .api
        .get(&format!("/api/v1/accounts/{admin}/notifications"))
        .await;
    let next = utc(moved["next_due_at"].as_str().unwrap());
    let local = Utc
        .timestamp_millis_opt(next)
        .unwrap()
        .with_timezone(&chrono_tz::Asia::Kolkata);
    assert_eq!(local.format("%a %H:%M").to_string(), "Mon 08:00");
    assert_eq!(moved["time_zone"], "Asia/Kolkata");

    // Staff: their own, with Admit's own categories; an unknown zone is refused.
    let staff = app
        .create_staff(
            "sam@operator.example",
            "administrator",
            &[],
            common::PASSWORD,
        )
        .await;
    let mut tx = app.cx.db.read().await.unwrap();
    let sam = admit::storage::staff::get_staff(&mut tx, staff)
        .await
        .unwrap()
        .unwrap();
    drop(tx);
    let actor = admit::usecases::staff::staff_actor(&sam, None);
    assert!(
        uc::set_staff_locale(&app.cx, &actor, staff, "de", "Nowhere/City")
            .await
            .is_err()
    );
    uc::set_staff_locale(&app.cx, &actor, staff, "de", "America/New_York")
        .await
        .unwrap();
    let p = uc::set_preferences(
        &app.cx,
        &actor,
        Owner::Staff(staff),
        &PreferencesInput {
            frequency: "daily".into(),
            categories: vec!["admit.approval".into(), "service_due".into()],
        },
    )
    .await
    .unwrap();
    assert_eq!(p.time_zone, "America/New_York");
    assert_eq!(p.choices.len(), 7, "{:?}", p.choices);
    assert_eq!(p.choices[0].name, "Zugänge warten auf Freigabe");
}
both!(preferences, preferences);
