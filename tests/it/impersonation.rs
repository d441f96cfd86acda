//! Impersonation: staff view a portal as one of its accounts, with a reason and a time limit,
//! through the console, the portal pages and OpenID Connect: the banner, exactly what the
//! person sees, read-only pages, `act` in the tokens, the end at the time limit (the clock is
//! moved), at "End", at the staff member's logout and when the account is barred; the person's
//! e-mail; the audit log; and every refusal (out of reach is "not found").

use crate::common;
use crate::oidc::{authorize_path, client, code_of, exchange, jwt, s, userinfo};

use admit::clock::ManualClock;
use common::{Browser, Engine, PASSWORD, TestApp, eventually, hidden, mails};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// 2026-11-23 09:00 UTC.
const START: i64 = 1_795_424_400_000;
const MINUTE: i64 = 60_000;
const REASON: &str = "Erika called: she cannot find her invoices";

struct World {
    api: common::Api,
    north: i64,
    south: i64,
    pid: i64,
    portal: Value,
    /// Erika, an admin of Nordlicht GmbH (in North), and Ben, a user there.
    erika: i64,
    ben: i64,
}

fn portal_body() -> Value {
    json!({"name": "Customer portal", "kind": "customer", "base_url": "https://portal.example.com",
           "registration_mode": "invitation_only", "default_language": "en",
           "modules": [{"name": "Invoices"}, {"name": "Schedule"}]})
}

/// Sets the portal's impersonation settings through the API.
async fn settings(api: &common::Api, pid: i64, allowed: bool, actions: bool) -> Value {
    let (status, portal) = api
        .put(
            &format!("/api/v1/portals/{pid}/impersonation"),
            &json!({"impersonation_allowed": allowed, "impersonation_actions": actions}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{portal}");
    portal
}

async fn world(app: &TestApp) -> World {
    let api = app.api(&app.api_key().await);
    let north = common::id_of(&api, "/api/v1/areas", json!({"name": "North"})).await;
    let south = common::id_of(&api, "/api/v1/areas", json!({"name": "South"})).await;
    let (status, portal) = api.post("/api/v1/portals", &portal_body()).await;
    assert_eq!(status, StatusCode::CREATED, "{portal}");
    assert_eq!(
        portal["impersonation_allowed"], false,
        "off for a new portal"
    );
    let pid = portal["id"].as_i64().unwrap();
    let portal = settings(&api, pid, true, false).await;
    assert_eq!(portal["impersonation_allowed"], true);
    assert_eq!(portal["impersonation_notice"], true, "told by default");
    let org = common::id_of(
        &api,
        "/api/v1/organizations",
        json!({"kind": "customer", "name": "Nordlicht GmbH", "area_id": north}),
    )
    .await;
    let mut ids = Vec::new();
    for (email, name, role) in [
        ("erika@nordlicht.example", "Erika Muster", "admin"),
        ("ben@nordlicht.example", "Ben Berg", "user"),
    ] {
        let contact = common::id_of(
            &api,
            "/api/v1/contacts",
            json!({"organization_id": org, "name": name, "email": email, "language": "de"}),
        )
        .await;
        let (status, account) = api
            .post(
                "/api/v1/accounts",
                &json!({"contact_id": contact, "portal_id": pid, "role": role,
                        "modules": ["Invoices"]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{account}");
        let token = common::token_sent_to(app, email).await;
        admit::usecases::accounts::accept_invitation(
            &app.cx, pid, &token, PASSWORD, PASSWORD, None,
        )
        .await
        .expect("accepted");
        ids.push(account["id"].as_i64().unwrap());
    }
    World {
        api,
        north,
        south,
        pid,
        portal,
        erika: ids[0],
        ben: ids[1],
    }
}

/// A staff user logged in to the console in a browser of their own: (their id, the browser).
async fn staff(app: &TestApp, email: &str, role: &str, areas: &[i64]) -> (i64, Browser) {
    let id = app.create_staff(email, role, areas, PASSWORD).await;
    let b = app.browser();
    let page = b.login(email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    (id, b)
}

/// "View the portal as this person" from the account's console page.
async fn impersonate(b: &Browser, account: i64, reason: &str, minutes: &str) -> common::Page {
    let csrf = b.csrf().await;
    b.post(
        &format!("/console/accounts/{account}/impersonate"),
        &[("csrf", &csrf), ("reason", reason), ("minutes", minutes)],
    )
    .await
}

/// A page without what differs between two sessions of one person: the banner and the form
/// tokens.
fn as_the_person_sees_it(body: &str) -> String {
    let mut out = body.to_string();
    if let Some(start) = out.find("<div class=\"impersonation-banner\"") {
        let end = out[start..].find("</form>\n</div>").unwrap() + start + "</form>\n</div>".len();
        out.replace_range(start..end, "");
    }
    let marker = "name=\"csrf\" value=\"";
    let mut from = 0;
    while let Some(i) = out[from..].find(marker) {
        let start = from + i + marker.len();
        let end = start + out[start..].find('"').unwrap();
        out.replace_range(start..end, "CSRF");
        from = start;
    }
    out
}

async fn running(app: &TestApp) -> i64 {
    app.count("impersonations WHERE ended_at IS NULL").await
}

async fn end_reasons(app: &TestApp) -> Vec<String> {
    let sql = "SELECT end_reason FROM impersonations WHERE end_reason IS NOT NULL ORDER BY id";
    match &app.cx.db {
        admit::storage::Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
        admit::storage::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
    }
}

/// The audit events of an action: (actor label, after).
async fn events(app: &TestApp, action: &str) -> Vec<(String, Option<String>)> {
    let sql = "SELECT actor_label, after_json FROM audit_events WHERE action = $1 ORDER BY id";
    match &app.cx.db {
        admit::storage::Db::Sqlite(p) => {
            sqlx::query_as(sql).bind(action).fetch_all(p).await.unwrap()
        }
        admit::storage::Db::Postgres(p) => {
            sqlx::query_as(sql).bind(action).fetch_all(p).await.unwrap()
        }
    }
}

async fn a_supervisor_views_the_portal_as_a_person_of_their_area(engine: Engine) {
    let clock = ManualClock::new(START);
    let app = TestApp::spawn_clocked(engine, clock.clone(), |_| {}).await;
    let w = world(&app).await;
    let pid = w.pid;
    let (sup_id, sup) = staff(&app, "sup@operator.example", "supervisor", &[w.north]).await;
    let rp = client(&app, pid, "confidential", "Invoices").await;
    // Erika lives in Berlin: her e-mail gives her times there.
    common::exec(
        &app,
        &format!(
            "UPDATE portal_accounts SET time_zone = 'Europe/Berlin' WHERE id = {}",
            w.erika
        ),
    )
    .await;

    // The account's page offers it, with a reason and 15 minutes by default.
    let page = sup.get(&format!("/console/accounts/{}", w.erika)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("View the portal as this person"));
    assert!(
        page.body
            .contains("name=\"minutes\" type=\"number\" min=\"1\" max=\"60\" value=\"15\"")
    );

    let started = impersonate(&sup, w.erika, REASON, "").await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    assert_eq!(
        started.location.as_deref(),
        Some(&*format!("/portal/{pid}/"))
    );
    assert_eq!(running(&app).await, 1);
    let start = events(&app, "account.impersonation_started").await;
    assert_eq!(start.len(), 1);
    assert_eq!(start[0].0, "sup@operator.example");
    let after: Value = serde_json::from_str(start[0].1.as_deref().unwrap()).unwrap();
    assert_eq!(after["reason"], REASON);
    assert_eq!(after["minutes"], 15);

    // The banner, in the staff member's language, on the portal's pages; the pages as Erika
    // sees them (in German, her language).
    let erika = app.browser();
    erika
        .portal_logged_in(pid, "erika@nordlicht.example", PASSWORD)
        .await;
    for path in ["", "access", "team"] {
        let seen = sup.get(&format!("/portal/{pid}/{path}")).await;
        assert_eq!(seen.status, StatusCode::OK, "{path}: {}", seen.body);
        assert!(
            seen.body.contains("You are viewing this portal as"),
            "{}",
            seen.body
        );
        assert!(seen.body.contains("Erika Muster (erika@nordlicht.example)"));
        assert!(seen.body.contains("sup@operator.example"), "{}", seen.body);
        assert!(seen.body.contains("15 minutes left"), "{}", seen.body);
        assert!(seen.body.contains("impersonation/end"));
        let hers = erika.get(&format!("/portal/{pid}/{path}")).await;
        assert!(!hers.body.contains("impersonation-banner"));
        assert_eq!(
            as_the_person_sees_it(&seen.body),
            as_the_person_sees_it(&hers.body),
            "{path}"
        );
    }

    // Read-only: her password, and (on this portal) the team's actions, are refused.
    let csrf = hidden(
        &sup.get(&format!("/portal/{pid}/account")).await.body,
        "csrf",
    );
    let refused = sup
        .post(
            &format!("/portal/{pid}/account/password"),
            &[
                ("csrf", &csrf),
                ("current_password", PASSWORD),
                ("password", "a brand new passphrase here"),
                ("confirmation", "a brand new passphrase here"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("their password, e-mail address, sessions")
    );
    let refused = sup
        .post(
            &format!("/portal/{pid}/team/{}/deactivate", w.ben),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body.contains("only viewing"));
    assert_eq!(
        app.count(
            "audit_events WHERE action IN ('account.password_changed', 'account.deactivate')"
        )
        .await,
        0
    );
    // The refusals are in the audit log, naming the supervisor as Erika.
    let refusals = events(&app, "account.impersonation_change_refused").await;
    assert_eq!(refusals.len(), 2, "{refusals:?}");
    assert_eq!(
        refusals[0].0,
        "staff sup <sup@operator.example> as erika@nordlicht.example"
    );

    // An application opened meanwhile gets `act` naming the supervisor.
    let first = sup.get(&authorize_path(&rp, &[])).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let code = code_of(&first.location.unwrap());
    let (status, tokens) = exchange(&app, &rp, &code).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let (_, id) = jwt(&s(&tokens, "id_token"));
    assert_eq!(id["sub"], w.erika.to_string());
    assert_eq!(id["act"]["sub"], format!("staff:{sup_id}"));
    assert_eq!(id["act"]["email"], "sup@operator.example");
    let (_, access) = jwt(&s(&tokens, "access_token"));
    assert_eq!(access["act"]["email"], "sup@operator.example");
    let (status, info) = userinfo(&app, rp.pid, &s(&tokens, "access_token")).await;
    assert_eq!(status, StatusCode::OK, "{info}");
    assert_eq!(info["act"]["sub"], format!("staff:{sup_id}"));
    // Erika's own login carries no `act`.
    let hers = erika.get(&authorize_path(&rp, &[])).await;
    let (_, own) = exchange(&app, &rp, &code_of(&hers.location.unwrap())).await;
    assert!(jwt(&s(&own, "id_token")).1.get("act").is_none());
    let (_, info) = userinfo(&app, rp.pid, &s(&own, "access_token")).await;
    assert!(info.get("act").is_none(), "{info}");

    // The time limit ends it: the portal session, the application's grant, and Erika is told.
    clock.advance(16 * MINUTE);
    let after = sup.get(&format!("/portal/{pid}/access")).await;
    assert_eq!(after.status, StatusCode::GONE, "{}", after.body);
    assert!(
        after.body.contains("Impersonation ended") && after.body.contains("time limit reached")
    );
    assert_eq!(
        events(&app, "account.impersonation_session_refused")
            .await
            .len(),
        1,
        "the ended session's use is recorded"
    );
    // The cookie is gone with it: the login page next.
    let next = sup.get(&format!("/portal/{pid}/access")).await;
    assert!(next.location.unwrap().contains("/login"));
    assert_eq!(running(&app).await, 0);
    assert_eq!(end_reasons(&app).await, vec!["time_limit"]);
    assert!(app.count("oidc_grants WHERE ended_at IS NOT NULL").await >= 1);
    let told = |mails: Vec<(String, String)>| {
        mails
            .into_iter()
            .filter(|(to, text)| to == "erika@nordlicht.example" && text.contains(REASON))
            .map(|(_, text)| text)
            .collect::<Vec<_>>()
    };
    assert!(eventually(10, || async { !told(mails(&app).await).is_empty() }).await);
    let mail = told(mails(&app).await).remove(0);
    // In her language, with the staff member, when and how long.
    assert!(mail.contains("sup aus unserem Team"), "{mail}");
    assert!(
        mail.contains("Montag, 23.11.2026, 10:00 Uhr bis Montag, 23.11.2026, 10:16 Uhr"),
        "{mail}"
    );
    assert!(mail.contains("16 Minuten"), "{mail}");
    let end = events(&app, "account.impersonation_ended").await;
    assert_eq!(end.len(), 1);
    assert!(end[0].1.as_deref().unwrap().contains("time_limit"));

    // Where the portal allows actions, a team action is recorded as the supervisor acting as
    // Erika; "End" ends it.
    settings(&w.api, pid, true, true).await;
    let again = impersonate(&sup, w.erika, REASON, "5").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    let page = sup.get(&format!("/portal/{pid}/team/{}", w.ben)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = hidden(&page.body, "csrf");
    let done = sup
        .post(
            &format!("/portal/{pid}/team/{}/deactivate", w.ben),
            &[("csrf", &csrf)],
        )
        .await;
    assert!(done.status.is_redirection(), "{}", done.body);
    let acted = events(&app, "account.deactivate").await;
    assert_eq!(acted.len(), 1, "{acted:?}");
    assert!(
        acted[0].0 == "staff sup <sup@operator.example> as Erika Muster",
        "{acted:?}"
    );
    // Her own credentials stay refused even so.
    let refused = sup
        .post(
            &format!("/portal/{pid}/account/profile"),
            &[("csrf", &csrf), ("name", "Someone Else")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let ended = sup
        .post(
            &format!("/portal/{pid}/impersonation/end"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
    assert!(ended.body.contains("Impersonation ended"));
    assert_eq!(running(&app).await, 0);
    assert_eq!(
        end_reasons(&app).await,
        vec!["time_limit", "ended_by_staff"]
    );
    assert_eq!(
        sup.get(&format!("/portal/{pid}/")).await.status,
        StatusCode::SEE_OTHER
    );
    // The account's page lists both.
    let page = sup.get(&format!("/console/accounts/{}", w.erika)).await;
    assert!(page.body.contains("time limit reached") && page.body.contains("(ended)"));
    let _ = (&w.portal, w.south);
}
on_both!(
    supervisor_views_as_person,
    a_supervisor_views_the_portal_as_a_person_of_their_area
);

async fn refusals_start_nothing_and_are_recorded(app: TestApp) {
    let w = world(&app).await;
    let pid = w.pid;
    let (_, south_sup) = staff(&app, "south@operator.example", "supervisor", &[w.south]).await;
    let (_, admin) = staff(&app, "admin@operator.example", "administrator", &[]).await;

    // Out of the supervisor's areas: not found, as elsewhere.
    let out = impersonate(&south_sup, w.erika, REASON, "15").await;
    assert_eq!(out.status, StatusCode::NOT_FOUND);
    // No reason, too short a reason, too long a time.
    for (reason, minutes) in [("", "15"), ("help", "15"), (REASON, "61"), (REASON, "zero")] {
        let bad = impersonate(&admin, w.erika, reason, minutes).await;
        assert_eq!(
            bad.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{reason} {minutes}"
        );
    }
    // A deactivated account cannot be impersonated, and its page says why.
    let (status, body) = w
        .api
        .post(
            &format!("/api/v1/accounts/{}/status", w.ben),
            &json!({"action": "deactivate"}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let page = admin.get(&format!("/console/accounts/{}", w.ben)).await;
    assert!(
        page.body.contains("This account cannot log in"),
        "{}",
        page.body
    );
    let barred = impersonate(&admin, w.ben, REASON, "15").await;
    assert_eq!(barred.status, StatusCode::CONFLICT, "{}", barred.body);
    assert!(barred.body.contains("cannot log in"));
    assert_eq!(app.count("impersonations").await, 0);
    assert_eq!(events(&app, "account.impersonation_refused").await.len(), 6);

    // Many starts at once: exactly one runs; a second while one runs is refused (no chaining).
    let csrf = admin.csrf().await;
    let path = format!("/console/accounts/{}/impersonate", w.erika);
    let gate = std::sync::Arc::new(tokio::sync::Barrier::new(6));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let b = Browser {
            base: admin.base.clone(),
            client: admin.client.clone(),
        };
        let (path, csrf, gate) = (path.clone(), csrf.clone(), gate.clone());
        tasks.spawn(async move {
            gate.wait().await;
            b.post(
                &path,
                &[("csrf", &csrf), ("reason", REASON), ("minutes", "10")],
            )
            .await
        });
    }
    let answers = tasks.join_all().await;
    let ok = answers
        .iter()
        .filter(|p| p.status == StatusCode::SEE_OTHER)
        .count();
    assert_eq!(
        ok,
        1,
        "{:?}",
        answers.iter().map(|p| p.status).collect::<Vec<_>>()
    );
    assert!(
        answers
            .iter()
            .all(|p| p.status == StatusCode::SEE_OTHER || p.status == StatusCode::CONFLICT)
    );
    assert_eq!(running(&app).await, 1);

    // A forged session is no impersonation: the login page.
    let forged = app.browser();
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = c
        .get(app.url(&format!("/portal/{pid}/access")))
        .header("cookie", format!("admit_portal={}", "ab".repeat(32)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let _ = forged;

    // The staff member's logout ends it.
    let csrf = admin.csrf().await;
    let out = admin.post("/console/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(running(&app).await, 0);
    assert_eq!(end_reasons(&app).await, vec!["staff_logged_out"]);
    let gone = admin.get(&format!("/portal/{pid}/")).await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert!(
        gone.body.contains("logged out of the console"),
        "{}",
        gone.body
    );

    // A portal with impersonation off refuses.
    settings(&w.api, pid, false, false).await;
    let (admin2, admin) = staff(&app, "admin2@operator.example", "administrator", &[]).await;
    let off = impersonate(&admin, w.erika, REASON, "15").await;
    assert_eq!(off.status, StatusCode::CONFLICT, "{}", off.body);
    assert!(off.body.contains("switched off for this portal"));
    assert_eq!(app.count("impersonations").await, 1);

    // The account barred while it runs ends it.
    settings(&w.api, pid, true, false).await;
    let action = |id: i64, action: &'static str| {
        let api = &w.api;
        async move {
            let (status, body) = api
                .post(
                    &format!("/api/v1/accounts/{id}/status"),
                    &json!({ "action": action }),
                )
                .await;
            assert!(status.is_success(), "{body}");
        }
    };
    action(w.ben, "reactivate").await;
    let on = impersonate(&admin, w.ben, REASON, "15").await;
    assert_eq!(on.status, StatusCode::SEE_OTHER, "{}", on.body);
    assert_eq!(running(&app).await, 1);
    action(w.ben, "deactivate").await;
    assert_eq!(running(&app).await, 0);
    let gone = admin.get(&format!("/portal/{pid}/")).await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert!(
        gone.body.contains("account can no longer log in"),
        "{}",
        gone.body
    );
    assert_eq!(
        end_reasons(&app).await,
        vec!["staff_logged_out", "account_barred"]
    );

    // The staff member losing their console session ends it too. (This one reads German: the
    // banner and the end speak the staff member's language.)
    common::exec(
        &app,
        &format!("UPDATE staff_users SET language = 'de' WHERE id = {admin2}"),
    )
    .await;
    let on = impersonate(&admin, w.erika, REASON, "15").await;
    assert_eq!(on.status, StatusCode::SEE_OTHER, "{}", on.body);
    let seen = admin.get(&format!("/portal/{pid}/")).await;
    assert!(
        seen.body
            .contains("Sie sehen dieses Portal als Erika Muster"),
        "{}",
        seen.body
    );
    assert!(seen.body.contains("15 Minuten verbleibend") && seen.body.contains(">Beenden<"));
    admit::usecases::sessions::end_all_of(
        &app.cx,
        &admit::usecases::Actor::cli(),
        admit::storage::sessions::Kind::Staff,
        admin2,
    )
    .await
    .unwrap();
    assert_eq!(running(&app).await, 0);
    let gone = admin.get(&format!("/portal/{pid}/")).await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert!(
        gone.body.contains("Konsolensitzung beendet"),
        "{}",
        gone.body
    );
    // Each end is in the audit log, and each person was told.
    assert_eq!(events(&app, "account.impersonation_ended").await.len(), 3);
    assert!(
        eventually(10, || async {
            let m = mails(&app).await;
            m.iter().filter(|(_, t)| t.contains(REASON)).count() == 3
        })
        .await
    );
}
both!(refusals, refusals_start_nothing_and_are_recorded);
