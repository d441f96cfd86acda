//! Notifications: the tasks API and its bad input, digest preferences, the scheduler across a
//! week in three time zones (with the daylight-saving changes of both Europe and America), a
//! process that was down at 08:00, once per person and period, the customer scope of what a
//! digest lists, Admit's own tasks for staff and organization admins, and the e-mails with
//! their one-click unsubscribe at a real SMTP server.

mod common;

use admit::clock::ManualClock;
use admit::storage::tasks::Owner;
use admit::usecases::Ctx;
use admit::usecases::notifications::{self as uc, PreferencesInput};
use chrono::{TimeZone, Utc};
use common::{Engine, SmtpSink, TestApp, exec, header};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn id_of(api: &common::Api, path: &str, body: Value) -> i64 {
    let (status, v) = api.post(path, &body).await;
    assert!(status.is_success(), "{path}: {status} {v}");
    v["id"].as_i64().unwrap()
}

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

struct World {
    api: common::Api,
    portal: i64,
    partner: i64,
    /// Customers of the partnership.
    c: [i64; 3],
    partnership: i64,
    /// A customer organization of its own, with accounts of its own.
    acme: i64,
}

async fn world(app: &TestApp) -> World {
    let api = app.api(&app.api_key().await);
    let org = |kind: &str, name: &str| json!({"kind": kind, "name": name});
    let partner = id_of(&api, "/api/v1/organizations", org("partner", "Partner Co")).await;
    let mut c = [0; 3];
    for (i, name) in ["Customer One", "Customer Two", "Customer Three"]
        .iter()
        .enumerate()
    {
        c[i] = id_of(&api, "/api/v1/organizations", org("customer", name)).await;
    }
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
    let (status, v) = api
        .put(
            &format!("/api/v1/portals/{portal}/task-categories"),
            &json!({"categories": [
                {"key": "service_due", "name_en": "Service due", "name_de": "Wartung fällig",
                 "description_en": "Maintenance that is due"},
                {"key": "invoices", "name_en": "Unpaid invoices", "name_de": "Offene Rechnungen"}
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
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
async fn person(app: &TestApp, w: &World, org: i64, email: &str, role: &str, zone: &str) -> i64 {
    let contact = id_of(
        &w.api,
        "/api/v1/contacts",
        json!({"organization_id": org, "name": email, "email": email}),
    )
    .await;
    let id = id_of(
        &w.api,
        "/api/v1/accounts",
        json!({"contact_id": contact, "portal_id": w.portal, "role": role}),
    )
    .await;
    exec(
        app,
        &format!(
            "UPDATE portal_accounts SET registration = 'registered', time_zone = '{zone}' WHERE id = {id}"
        ),
    )
    .await;
    id
}

async fn subscribe(w: &World, account: i64, frequency: &str, categories: &[&str]) -> Value {
    let (status, v) = w
        .api
        .put(
            &format!("/api/v1/accounts/{account}/notifications"),
            &json!({"frequency": frequency, "categories": categories}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

async fn task(w: &World, id: &str, customer: i64, category: &str, title: &str) -> StatusCode {
    let (status, v) = w
        .api
        .put(
            &format!("/api/v1/portals/{}/tasks/{id}", w.portal),
            &json!({"customer_id": customer, "category": category, "title": title}),
        )
        .await;
    assert!(status.is_success(), "{status} {v}");
    status
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
    let (_, area) = w.api.post("/api/v1/areas", &json!({"name": "North"})).await;
    let area = area["id"].as_i64().unwrap();
    let (status, _) = w
        .api
        .put(
            &format!("/api/v1/organizations/{}", w.c[1]),
            &json!({"kind": "customer", "name": "Customer Two", "area_id": area}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let limited = app.api(&app.area_key(&[area]).await);
    let (status, e) = limited.put(&path, &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e.to_string().contains("not in your areas"), "{e}");
    let mut two = body.clone();
    two["customer_id"] = json!(w.c[1]);
    let (status, _) = limited
        .put(&format!("/api/v1/portals/{}/tasks/crm-3", w.portal), &two)
        .await;
    assert_eq!(status, StatusCode::CREATED);
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

// ---------------------------------------------------------------- a week in three zones

/// Makes the digests due at each quarter hour from `from` to `to`.
async fn run_clock(cx: &Ctx, clock: &ManualClock, from: i64, to: i64) {
    let mut t = from;
    while t <= to {
        clock.set(t);
        uc::run_due(cx, 50).await.unwrap();
        t += 15 * 60_000;
    }
}

async fn a_week_in_three_zones(engine: Engine) {
    let sink = SmtpSink::start();
    let start = utc("2026-10-24T00:00:00Z"); // a Saturday
    let clock = ManualClock::new(start);
    let app = TestApp::spawn_clocked(engine, clock.clone(), |c| {
        sink.configure(c);
        c.digest_poll_seconds = QUIET;
    })
    .await;
    let w = world(&app).await;
    task(&w, "t-1", w.acme, "service_due", "Boiler service").await;
    let zones = ["Europe/Berlin", "America/New_York", "Asia/Kolkata"];
    let mut daily = Vec::new();
    let mut weekly = Vec::new();
    for z in zones {
        let city = z.split('/').nth(1).unwrap().to_lowercase();
        let d = person(
            &app,
            &w,
            w.acme,
            &format!("daily.{city}@acme.example"),
            "admin",
            z,
        )
        .await;
        let wk = person(
            &app,
            &w,
            w.acme,
            &format!("weekly.{city}@acme.example"),
            "admin",
            z,
        )
        .await;
        subscribe(&w, d, "daily", &["service_due"]).await;
        subscribe(&w, wk, "weekly", &["service_due"]).await;
        daily.push(d);
        weekly.push(wk);
    }
    // Someone with nothing to read gets nothing.
    let idle = person(&app, &w, w.partner, "idle@partner.example", "admin", "UTC").await;
    subscribe(&w, idle, "daily", &["invoices"]).await;

    run_clock(&app.cx, &clock, start, utc("2026-11-03T00:00:00Z")).await;

    let made = digests(&app).await;
    let times = |account: i64| -> Vec<String> {
        made.iter()
            .filter(|d| d.0 == account)
            .map(|d| {
                assert_eq!(d.2, d.3, "made the moment it was due");
                at(d.3)
            })
            .collect()
    };
    let days = |hour_before: &str, hour_after: &str, change: u32| -> Vec<String> {
        (24..=33)
            .map(|n: u32| {
                let (month, day) = if n <= 31 { (10, n) } else { (11, n - 31) };
                let hour = if n < change { hour_before } else { hour_after };
                format!("2026-{month:02}-{day:02}T{hour}Z")
            })
            .collect()
    };
    // Berlin leaves summer time on Sunday 25 October, New York on Sunday 1 November (day 32).
    assert_eq!(times(daily[0]), days("06:00", "07:00", 25), "Berlin");
    assert_eq!(times(daily[1]), days("12:00", "13:00", 32), "New York");
    assert_eq!(times(daily[2]), days("02:30", "02:30", 0), "Kolkata");
    assert_eq!(
        times(weekly[0]),
        ["2026-10-26T07:00Z", "2026-11-02T07:00Z"],
        "Berlin, Mondays"
    );
    assert_eq!(
        times(weekly[1]),
        ["2026-10-26T12:00Z", "2026-11-02T13:00Z"],
        "New York, Mondays"
    );
    assert_eq!(
        times(weekly[2]),
        ["2026-10-26T02:30Z", "2026-11-02T02:30Z"],
        "Kolkata, Mondays"
    );
    // The idle one's periods are marked, with nothing sent.
    assert!(made.iter().filter(|d| d.0 == idle).all(|d| d.4 == 0));
    let messages = digest_messages(&app).await;
    assert_eq!(messages.len(), 3 * 10 + 3 * 2);
    assert!(!messages.iter().any(|(r, _)| r == "idle@partner.example"));

    // Every one of them arrives at the SMTP server, with its one-click unsubscribe.
    assert!(
        common::eventually(30, || async { digest_mails(&sink).len() >= 36 }).await,
        "the digests arrive"
    );
    let mails = digest_mails(&sink);
    assert_eq!(mails.len(), 36);
    let weekly_berlin: Vec<&String> = mails
        .iter()
        .filter(|m| header(m, "To").is_some_and(|t| t.contains("weekly.berlin@acme.example")))
        .collect();
    assert_eq!(weekly_berlin.len(), 2);
    let m = weekly_berlin[0];
    assert_eq!(
        header(m, "Subject"),
        Some("1 open task on Partner portal"),
        "{m}"
    );
    assert!(m.contains("Boiler service"), "{m}");
    assert!(m.contains("week of 26 Oct 2026"), "{m}");
    let unsubscribe = header(m, "List-Unsubscribe").expect("List-Unsubscribe");
    assert!(
        unsubscribe.starts_with(&format!("<{}/unsubscribe/", app.base)),
        "{unsubscribe}"
    );
    assert_eq!(
        header(m, "List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    // Only the token's hash is kept.
    let token = unsubscribe
        .trim_start_matches('<')
        .trim_end_matches('>')
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(token.len(), 64);
    let stored = app
        .count(&format!("unsubscribe_tokens WHERE token_hash = '{token}'"))
        .await;
    assert_eq!(stored, 0, "the token itself is never stored");
    assert!(app.count("unsubscribe_tokens").await >= 36);

    // One click in the mail client: a POST without cookies or a login turns the digest off.
    let url = unsubscribe.trim_start_matches('<').trim_end_matches('>');
    let res = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (_, p) = w
        .api
        .get(&format!("/api/v1/accounts/{}/notifications", weekly[0]))
        .await;
    assert_eq!(p["frequency"], "off");
    assert!(p["next_due_at"].is_null());
    let made = digests(&app).await.len();
    run_clock(
        &app.cx,
        &clock,
        utc("2026-11-09T00:00:00Z"),
        utc("2026-11-09T12:00:00Z"),
    )
    .await;
    let later = digests(&app).await;
    assert!(
        !later[made..].iter().any(|d| d.0 == weekly[0]),
        "no more digests after unsubscribing"
    );
    assert!(
        later[made..].iter().any(|d| d.0 == weekly[2]),
        "the others go on"
    );
}
on_both!(a_week_in_three_zones, a_week_in_three_zones);

// ---------------------------------------------------------------- down at 08:00, and once

async fn missed_and_once(engine: Engine) {
    let monday = utc("2026-11-30T06:00:00Z"); // 07:00 in Berlin
    let clock = ManualClock::new(monday);
    let app = TestApp::spawn_clocked(engine, clock.clone(), quiet).await;
    let w = world(&app).await;
    task(&w, "t-1", w.acme, "service_due", "Boiler service").await;
    let erika = person(
        &app,
        &w,
        w.acme,
        "erika@acme.example",
        "admin",
        "Europe/Berlin",
    )
    .await;
    subscribe(&w, erika, "weekly", &["service_due"]).await;

    // Down from Monday 07:00 to Wednesday 10:00: the week's digest comes then, once.
    clock.set(utc("2026-12-02T09:00:00Z"));
    let m = uc::run_due(&app.cx, 50).await.unwrap();
    assert_eq!((m.due, m.sent), (1, 1));
    let m = uc::run_due(&app.cx, 50).await.unwrap();
    assert_eq!(m.due, 0, "not due again this week");
    let made = digests(&app).await;
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].1, "weekly:2026-11-30");
    assert_eq!(at(made[0].2), "2026-11-30T07:00Z", "it was due on Monday");
    assert_eq!(
        at(made[0].3),
        "2026-12-02T09:00Z",
        "made when the process came back"
    );

    // As after a crash between the digest and the next due time: the period's key keeps it
    // to one.
    exec(&app, "UPDATE digest_subscriptions SET next_due_at = 0").await;
    let m = uc::run_due(&app.cx, 50).await.unwrap();
    assert_eq!((m.due, m.sent, m.taken), (1, 0, 1));
    assert_eq!(digest_messages(&app).await.len(), 1);

    // The next Monday brings the next one.
    clock.set(utc("2026-12-07T07:00:00Z"));
    let m = uc::run_due(&app.cx, 50).await.unwrap();
    assert_eq!(m.sent, 1);
    assert_eq!(digest_messages(&app).await.len(), 2);

    // Off: nothing is due any more.
    subscribe(&w, erika, "off", &["service_due"]).await;
    clock.set(utc("2026-12-14T07:00:00Z"));
    assert_eq!(uc::run_due(&app.cx, 50).await.unwrap().due, 0);
}
on_both!(missed_and_once, missed_and_once);

// ---------------------------------------------------------------- what each person sees

async fn digests_keep_to_the_scope(engine: Engine) {
    let clock = ManualClock::new(utc("2026-11-30T06:00:00Z"));
    let app = TestApp::spawn_clocked(engine, clock.clone(), quiet).await;
    let w = world(&app).await;
    for (i, c) in w.c.iter().enumerate() {
        task(
            &w,
            &format!("t-{i}"),
            *c,
            "service_due",
            &format!("Task of customer {}", i + 1),
        )
        .await;
    }
    task(&w, "acme-1", w.acme, "service_due", "Task of Acme").await;
    let admin = person(&app, &w, w.partner, "ada@partner.example", "admin", "UTC").await;
    let user = person(&app, &w, w.partner, "ulf@partner.example", "user", "UTC").await;
    let notify = person(
        &app,
        &w,
        w.partner,
        "nora@partner.example",
        "notifications",
        "UTC",
    )
    .await;
    let marketing = person(
        &app,
        &w,
        w.partner,
        "mo@partner.example",
        "marketing",
        "UTC",
    )
    .await;
    // Ulf is assigned customers one and two, Nora customer three.
    let north = {
        let (_, v) = w.api.get(&format!("/api/v1/accounts/{user}/access")).await;
        v["scope"]["customers"].clone()
    };
    assert_eq!(
        north.as_array().unwrap().len(),
        3,
        "all of the partnership at first"
    );
    let partnership = w.partnership;
    for (account, customers) in [(user, vec![w.c[0], w.c[1]]), (notify, vec![w.c[2]])] {
        let list: Vec<Value> = customers
            .iter()
            .map(|c| json!({"partnership_id": partnership, "customer_id": c}))
            .collect();
        let (status, v) = w
            .api
            .put(
                &format!("/api/v1/accounts/{account}/access"),
                &json!({"customers": list}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
    }
    for a in [admin, user, notify, marketing] {
        let _ = w
            .api
            .put(
                &format!("/api/v1/accounts/{a}/notifications"),
                &json!({"frequency": "daily", "categories": ["service_due"]}),
            )
            .await;
    }
    clock.set(utc("2026-11-30T08:00:00Z"));
    let m = uc::run_due(&app.cx, 50).await.unwrap();
    assert_eq!(m.sent, 3, "marketing gets none: {m:?}");
    let messages = digest_messages(&app).await;
    let of = |email: &str| {
        messages
            .iter()
            .find(|(r, _)| r == email)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        titles(&of("ada@partner.example").unwrap()),
        [
            "Task of customer 1",
            "Task of customer 2",
            "Task of customer 3"
        ]
    );
    let ulf = of("ulf@partner.example").unwrap();
    assert_eq!(
        titles(&ulf),
        ["Task of customer 1", "Task of customer 2"],
        "only the two customers assigned to him"
    );
    assert_eq!(ulf["total"], 2);
    assert_eq!(
        titles(&of("nora@partner.example").unwrap()),
        ["Task of customer 3"]
    );
    assert!(of("mo@partner.example").is_none());

    // A notifications account never logs in.
    let hash = app.cx.hasher.hash(common::PASSWORD).await.unwrap();
    exec(
        &app,
        &format!("UPDATE portal_accounts SET password_hash = '{hash}' WHERE id = {notify}"),
    )
    .await;
    let b = app.browser();
    let page = b.get(&format!("/portal/{}/login", w.portal)).await;
    let res = b
        .client
        .post(app.url(&format!("/portal/{}/login", w.portal)))
        .form(&[
            ("csrf", common::hidden(&page.body, "csrf").as_str()),
            ("email", "nora@partner.example"),
            ("password", common::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), StatusCode::SEE_OTHER);
    let body = res.text().await.unwrap();
    assert!(body.contains("receives e-mail only"), "{body}");
}
on_both!(digests_keep_to_the_scope, digests_keep_to_the_scope);

// ---------------------------------------------------------------- Admit's own tasks

async fn admits_own_tasks(engine: Engine) {
    let now = utc("2026-11-30T06:00:00Z");
    let clock = ManualClock::new(now);
    let app = TestApp::spawn_clocked(engine, clock.clone(), quiet).await;
    let w = world(&app).await;
    let (_, area) = w.api.post("/api/v1/areas", &json!({"name": "North"})).await;
    let area = area["id"].as_i64().unwrap();
    let admin = person(&app, &w, w.acme, "ada@acme.example", "admin", "UTC").await;
    // An invitation whose link ends within 48 hours, an account ending within 7 days, one
    // waiting for approval, and a failed message.
    let invited = {
        let contact = id_of(
            &w.api,
            "/api/v1/contacts",
            json!({"organization_id": w.acme, "name": "Ivo", "email": "ivo@acme.example"}),
        )
        .await;
        id_of(
            &w.api,
            "/api/v1/accounts",
            json!({"contact_id": contact, "portal_id": w.portal, "role": "user"}),
        )
        .await
    };
    exec(
        &app,
        &format!(
            "INSERT INTO account_tokens (token_hash, account_id, purpose, created_at, expires_at) \
             VALUES ('{}', {invited}, 'invitation', {now}, {})",
            "ab".repeat(32),
            now + 30 * 3_600_000
        ),
    )
    .await;
    let ending = person(&app, &w, w.acme, "eva@acme.example", "user", "UTC").await;
    let today = now / 86_400_000;
    exec(
        &app,
        &format!(
            "UPDATE portal_accounts SET valid_until = {} WHERE id = {ending}",
            today + 3
        ),
    )
    .await;
    let waiting = person(&app, &w, w.partner, "wes@partner.example", "user", "UTC").await;
    exec(
        &app,
        &format!("UPDATE portal_accounts SET approval = 'pending' WHERE id = {waiting}"),
    )
    .await;
    exec(
        &app,
        &format!(
            "UPDATE organizations SET area_id = {area} WHERE id = {}",
            w.partner
        ),
    )
    .await;
    // The worker delivers to the built-in mailbox: a message it is sending when all are marked
    // failed would be marked sent after, so let it finish first.
    let settled = common::eventually(10, || async {
        app.count("outbox_messages WHERE status IN ('queued', 'sending', 'retrying')")
            .await
            == 0
    })
    .await;
    assert!(settled, "the outbox settles");
    exec(
        &app,
        &format!("UPDATE outbox_messages SET status = 'failed', updated_at = {now}"),
    )
    .await;
    let failed = app.count("outbox_messages WHERE status = 'failed'").await;
    assert!(failed > 0);

    // The organization admin: its team's invitation and end date.
    subscribe(
        &w,
        admin,
        "daily",
        &["admit.invitation_expiring", "admit.access_expiring"],
    )
    .await;
    // Staff: an administrator, and a supervisor of North (Acme is in no area).
    let mut actors = Vec::new();
    for (email, role, areas) in [
        ("root@operator.example", "administrator", vec![]),
        ("sue@operator.example", "supervisor", vec![area]),
    ] {
        let id = app
            .create_staff(email, role, &areas, common::PASSWORD)
            .await;
        let mut tx = app.cx.db.read().await.unwrap();
        let user = admit::storage::staff::get_staff(&mut tx, id)
            .await
            .unwrap()
            .unwrap();
        drop(tx);
        let actor = admit::usecases::staff::staff_actor(&user, None);
        let categories: Vec<String> = uc::preferences(&app.cx, &actor, Owner::Staff(id))
            .await
            .unwrap()
            .choices
            .into_iter()
            .map(|c| c.key)
            .collect();
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
        actors.push(actor);
    }
    clock.set(utc("2026-11-30T08:00:00Z"));
    uc::run_due(&app.cx, 50).await.unwrap();
    let messages = digest_messages(&app).await;
    let groups = |email: &str| -> Vec<(String, i64)> {
        let v = &messages.iter().find(|(r, _)| r == email).unwrap().1;
        v["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["name"].as_str().unwrap().to_string(),
                    g["count"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(
        groups("ada@acme.example"),
        [
            ("Invitations expiring within 48 hours".to_string(), 1),
            ("Access ending within 7 days".to_string(), 1)
        ]
    );
    let root = groups("root@operator.example");
    let names: Vec<&str> = root.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Accounts awaiting approval",
            "Invitations expiring within 48 hours",
            "Access ending within 7 days",
            "Messages that failed to send"
        ],
        "{root:?}"
    );
    assert_eq!(root[3].1, failed);
    assert_eq!(
        groups("sue@operator.example"),
        [("Accounts awaiting approval".to_string(), 1)],
        "a supervisor: only her area, and no outbox"
    );
    let ada = &messages
        .iter()
        .find(|(r, _)| r == "ada@acme.example")
        .unwrap()
        .1;
    let link = ada["groups"][0]["lines"][0]["link"].as_str().unwrap();
    assert!(
        link.ends_with(&format!("/portal/{}/team/{invited}", w.portal)),
        "{link}"
    );
    let _ = actors;
}
on_both!(admits_own_tasks, admits_own_tasks);

// ---------------------------------------------------------------- two processes, one PostgreSQL

/// `n` admins of Acme with daily digests, and a task for them to read.
async fn crowd(app: &TestApp, n: usize) {
    let w = world(app).await;
    task(&w, "t-1", w.acme, "service_due", "Boiler service").await;
    for i in 0..n {
        let email = format!("p{i}@acme.example");
        let a = person(app, &w, w.acme, &email, "admin", "UTC").await;
        subscribe(&w, a, "daily", &["service_due"]).await;
    }
}

/// The digests that reached the SMTP server (the accounts' invitations go there too).
fn digest_mails(sink: &SmtpSink) -> Vec<String> {
    sink.messages()
        .into_iter()
        .filter(|m| header(m, "Subject").is_some_and(|s| s.contains("open task")))
        .collect()
}

/// Two schedulers on one database (each with a pool of its own, as two processes have) make
/// each digest once.
async fn two_schedulers(engine: Engine) {
    let clock = ManualClock::new(utc("2026-11-30T06:00:00Z"));
    let app = TestApp::spawn_clocked(engine, clock.clone(), quiet).await;
    let n = 120;
    crowd(&app, n).await;
    let other_db = admit::storage::Db::connect(&app.db_url, 5).await.unwrap();
    let other = admit::app::context(other_db, std::sync::Arc::new(clock.clone()));
    clock.set(utc("2026-11-30T08:00:00Z"));
    let (a, b) = tokio::join!(uc::run_due(&app.cx, 10), uc::run_due(&other, 10));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, n, "{a:?} {b:?}");
    assert_eq!(digests(&app).await.len(), n);
    let messages = digest_messages(&app).await;
    assert_eq!(messages.len(), n);
    let mut to: Vec<&String> = messages.iter().map(|(r, _)| r).collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), n, "no one twice");
}
on_both!(two_schedulers, two_schedulers);

/// Two real `admit serve` processes on one database: every due digest is made once and
/// arrives once.
async fn two_processes(engine: Engine) {
    let app = TestApp::spawn_with(engine, quiet).await;
    let n = 60;
    crowd(&app, n).await;
    // Due now: the latest 08:00 (today's or yesterday's) is the period.
    exec(&app, "UPDATE digest_subscriptions SET next_due_at = 0").await;
    let sink = SmtpSink::start();
    let logs = tempfile::tempdir().unwrap();
    let settings = [("ADMIT_DIGEST_POLL_SECONDS", "1")];
    let a = common::serve(&app.db_url, &sink, &logs.path().join("a.log"), &settings);
    let b = common::serve(&app.db_url, &sink, &logs.path().join("b.log"), &settings);
    let arrived = common::eventually(60, || async { digest_mails(&sink).len() >= n }).await;
    // A moment more, for any second copy to show.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    common::terminate(a);
    common::terminate(b);
    let log = std::fs::read_to_string(logs.path().join("a.log")).unwrap_or_default();
    assert!(arrived, "every digest arrived; log:\n{log}");
    let mails = digest_mails(&sink);
    assert_eq!(mails.len(), n, "and none twice");
    assert_eq!(digests(&app).await.len(), n);
    let mut to: Vec<String> = mails
        .iter()
        .map(|m| header(m, "To").unwrap().to_string())
        .collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), n);
}
on_both!(two_processes, two_processes);
