//! The portal pages: accept an invitation, log in (and be told why not), log out.

use crate::common;

use common::{PASSWORD, TestApp, eventually, exec, hidden, mails};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Grants access by API and returns (portal id, account, the invitation's token).
async fn invited(app: &TestApp, role: &str, email: &str) -> (i64, Value, String) {
    let api = app.api(&app.api_key().await);
    let (_, org) = api
        .post(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": "Nordlicht GmbH"}),
        )
        .await;
    let (_, contact) = api
        .post("/api/v1/contacts", &json!({"organization_id": org["id"], "name": "Erika Muster", "email": email, "language": "en"}))
        .await;
    let (_, portal) = match api.get("/api/v1/portals").await.1.as_array().unwrap().first() {
        Some(p) => (StatusCode::OK, p.clone()),
        None => {
            api.post(
                "/api/v1/portals",
                &json!({"name": "Customer portal", "kind": "customer", "base_url": "https://portal.example.com", "registration_mode": "invitation_only", "default_language": "en"}),
            )
            .await
        }
    };
    let (status, account) = api
        .post(
            "/api/v1/accounts",
            &json!({"contact_id": contact["id"], "portal_id": portal["id"], "role": role}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{account}");
    let token_of = |mails: Vec<(String, String)>| {
        mails
            .into_iter()
            .filter(|(to, _)| to == email)
            .find_map(|(_, text)| {
                let start = text.find("token=")? + 6;
                Some(text[start..start + 64].to_string())
            })
    };
    assert!(eventually(10, || async { token_of(mails(app).await).is_some() }).await);
    let token = token_of(mails(app).await).unwrap();
    (portal["id"].as_i64().unwrap(), account, token)
}

async fn an_invited_person_sets_a_password_and_logs_in(app: TestApp) {
    let (pid, account, token) = invited(&app, "user", "erika@nordlicht.example").await;
    let b = app.browser();
    let accept = format!("/portal/{pid}/accept?token={token}");
    let page = b.get(&accept).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("erika@nordlicht.example") && page.body.contains("Nordlicht GmbH"));
    let csrf = hidden(&page.body, "csrf");
    let form = |password: &'static str, again: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("token", token.clone()),
            ("password", password.to_string()),
            ("confirmation", again.to_string()),
        ]
    };
    // Too short, then not the same twice: the form says so, the link stays good.
    let page = b
        .client
        .post(app.url(&format!("/portal/{pid}/accept")))
        .form(&form("short", "short"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().await.unwrap().contains("id=\"password-error\""));
    let page = b
        .client
        .post(app.url(&format!("/portal/{pid}/accept")))
        .form(&form(PASSWORD, "something else entirely"))
        .send()
        .await
        .unwrap();
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("id=\"confirmation-error\"")
    );
    let page = b
        .client
        .post(app.url(&format!("/portal/{pid}/accept")))
        .form(&form(PASSWORD, PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    // The link works once.
    let again = b.get(&accept).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert!(again.body.contains("no longer works"));
    let api = app.api(&app.api_key().await);
    assert_eq!(
        api.get(&format!("/api/v1/accounts/{}", account["id"]))
            .await
            .1["registration"],
        "registered"
    );

    // A wrong password and an unknown address: one answer.
    let login = b.get(&format!("/portal/{pid}/login")).await;
    let csrf = hidden(&login.body, "csrf");
    let post = |email: &'static str, password: &'static str| {
        b.client
            .post(app.url(&format!("/portal/{pid}/login")))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", email),
                ("password", password),
            ])
            .send()
    };
    let wrong = post("erika@nordlicht.example", "not the right password")
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let unknown = post("nobody@nordlicht.example", "not the right password")
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("Wrong e-mail or password")
    );
    assert!(
        unknown
            .text()
            .await
            .unwrap()
            .contains("Wrong e-mail or password")
    );

    let ok = post("erika@nordlicht.example", PASSWORD).await.unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let home = b.get(&format!("/portal/{pid}/")).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        home.body.contains("Welcome, Erika Muster")
            && home.body.contains("erika@nordlicht.example")
    );

    // Switching access off (staff, by API) ends the session at its next request, tells the
    // person by e-mail, and the login says why, in German too.
    let status = |body: Value| {
        let api = &api;
        let id = account["id"].clone();
        async move {
            api.post(&format!("/api/v1/accounts/{id}/status"), &body)
                .await
        }
    };
    let mails_before = mails(&app).await.len();
    let (code, changed) = status(json!({"action": "switch_off"})).await;
    assert_eq!(code, StatusCode::OK, "{changed}");
    assert_eq!(changed["access_granted"], false);
    assert_eq!(
        b.get(&format!("/portal/{pid}/")).await.status,
        StatusCode::SEE_OTHER
    );
    let refused = post("erika@nordlicht.example", PASSWORD).await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.text().await.unwrap().contains("User deactivated."));
    let german = b
        .client
        .post(app.url(&format!("/portal/{pid}/login")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "erika@nordlicht.example"),
            ("password", PASSWORD),
            ("lang", "de"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        german
            .text()
            .await
            .unwrap()
            .contains("Benutzer deaktiviert.")
    );
    // A wrong password still says only that.
    let wrong = post("erika@nordlicht.example", "not the right password")
        .await
        .unwrap();
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("Wrong e-mail or password")
    );
    assert!(eventually(10, || async { mails(&app).await.len() == mails_before + 1 }).await);
    assert!(mails(&app).await.last().unwrap().1.contains("switched off"));
    // Switching off twice changes nothing and is refused.
    assert_eq!(
        status(json!({"action": "switch_off"})).await.0,
        StatusCode::CONFLICT
    );
    assert_eq!(
        status(json!({"action": "switch_on"})).await.0,
        StatusCode::OK
    );

    // Past its valid-until day: "User deactivated" too; the day itself still works.
    let day = |offset: i64| {
        (chrono::Utc::now().date_naive() + chrono::Duration::days(offset))
            .format("%Y-%m-%d")
            .to_string()
    };
    assert_eq!(
        status(json!({"action": "set_valid_until", "valid_until": day(-1)}))
            .await
            .0,
        StatusCode::OK
    );
    assert!(
        post("erika@nordlicht.example", PASSWORD)
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("User deactivated.")
    );
    assert_eq!(
        status(json!({"action": "set_valid_until", "valid_until": day(0), "notify": false}))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        post("erika@nordlicht.example", PASSWORD)
            .await
            .unwrap()
            .status(),
        StatusCode::SEE_OTHER
    );
    let (code, body) =
        status(json!({"action": "set_valid_until", "valid_until": "31.12.2026"})).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "valid_until");
    assert_eq!(
        status(json!({"action": "set_valid_until", "valid_until": null}))
            .await
            .0,
        StatusCode::OK
    );
    // Declined (also after approval), deactivated: each says so.
    assert_eq!(status(json!({"action": "decline"})).await.0, StatusCode::OK);
    assert!(
        post("erika@nordlicht.example", PASSWORD)
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("declined")
    );
    assert_eq!(status(json!({"action": "approve"})).await.0, StatusCode::OK);
    assert_eq!(
        status(json!({"action": "approve"})).await.0,
        StatusCode::CONFLICT
    );
    assert_eq!(
        status(json!({"action": "deactivate"})).await.0,
        StatusCode::OK
    );
    assert!(
        post("erika@nordlicht.example", PASSWORD)
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("User deactivated.")
    );
    assert_eq!(
        status(json!({"action": "reactivate"})).await.0,
        StatusCode::OK
    );
    assert_eq!(
        status(json!({"action": "explode"})).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Back on: in again, and out.
    exec(
        &app,
        &format!(
            "UPDATE portal_accounts SET access_granted = TRUE WHERE id = {}",
            account["id"]
        ),
    )
    .await;
    assert_eq!(
        post("erika@nordlicht.example", PASSWORD)
            .await
            .unwrap()
            .status(),
        StatusCode::SEE_OTHER
    );
    let home = b.get(&format!("/portal/{pid}/")).await;
    let page = b
        .post(
            &format!("/portal/{pid}/logout"),
            &[("csrf", &hidden(&home.body, "csrf"))],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        b.get(&format!("/portal/{pid}/")).await.status,
        StatusCode::SEE_OTHER
    );
}
both!(
    accept_and_log_in,
    an_invited_person_sets_a_password_and_logs_in
);

async fn a_notifications_account_never_logs_in(app: TestApp) {
    let (pid, _, token) = invited(&app, "notifications", "alerts@nordlicht.example").await;
    let b = app.browser();
    let page = b.get(&format!("/portal/{pid}/accept?token={token}")).await;
    let csrf = hidden(&page.body, "csrf");
    let res = b
        .client
        .post(app.url(&format!("/portal/{pid}/accept")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("token", token.as_str()),
            ("password", PASSWORD),
            ("confirmation", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let login = b.get(&format!("/portal/{pid}/login")).await;
    let res = b
        .client
        .post(app.url(&format!("/portal/{pid}/login")))
        .form(&[
            ("csrf", hidden(&login.body, "csrf").as_str()),
            ("email", "alerts@nordlicht.example"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("cannot log in"));
    // A bad or forged link is "no longer works", never an error.
    assert_eq!(
        b.get(&format!("/portal/{pid}/accept?token=abc"))
            .await
            .status,
        StatusCode::GONE
    );
    assert_eq!(
        b.get(&format!("/portal/{pid}/accept?token={}", "0".repeat(64)))
            .await
            .status,
        StatusCode::GONE
    );
    assert_eq!(
        b.get("/portal/999/login").await.status,
        StatusCode::NOT_FOUND
    );
}
both!(notifications_role, a_notifications_account_never_logs_in);

/// Accepts the invitation with `password` and returns the browser, logged out.
async fn registered(app: &TestApp, email: &'static str) -> (i64, Value, common::Browser) {
    let (pid, account, token) = invited(app, "user", email).await;
    let b = app.browser();
    let page = b.get(&format!("/portal/{pid}/accept?token={token}")).await;
    let res = b
        .client
        .post(app.url(&format!("/portal/{pid}/accept")))
        .form(&[
            ("csrf", hidden(&page.body, "csrf").as_str()),
            ("token", token.as_str()),
            ("password", PASSWORD),
            ("confirmation", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    (pid, account, b)
}

async fn login_status(
    app: &TestApp,
    b: &common::Browser,
    pid: i64,
    email: &str,
    password: &str,
) -> StatusCode {
    let page = b.get(&format!("/portal/{pid}/login")).await;
    b.client
        .post(app.url(&format!("/portal/{pid}/login")))
        .form(&[
            ("csrf", hidden(&page.body, "csrf").as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
        .status()
}

fn last_token(mails: &[(String, String)], to: &str) -> Option<String> {
    mails
        .iter()
        .rev()
        .filter(|(r, _)| r == to)
        .find_map(|(_, text)| {
            let start = text.find("/password?token=")? + "/password?token=".len();
            Some(text[start..start + 64].to_string())
        })
}

async fn forgotten_passwords_are_reset_by_link(app: TestApp) {
    let (pid, account, b) = registered(&app, "erika@nordlicht.example").await;
    assert_eq!(
        login_status(&app, &b, pid, "erika@nordlicht.example", PASSWORD).await,
        StatusCode::SEE_OTHER
    );
    let phone = app.browser();
    assert_eq!(
        login_status(&app, &phone, pid, "erika@nordlicht.example", PASSWORD).await,
        StatusCode::SEE_OTHER
    );

    // The same answer for a known and an unknown address; only the known one gets mail.
    let forgot = |email: &'static str| {
        let b = app.browser();
        let url = app.url(&format!("/portal/{pid}/forgot"));
        async move {
            let page = b.get(&format!("/portal/{pid}/forgot")).await;
            let res = b
                .client
                .post(url)
                .form(&[
                    ("csrf", hidden(&page.body, "csrf").as_str()),
                    ("email", email),
                ])
                .send()
                .await
                .unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let before = mails(&app).await.len();
    let (s1, known) = forgot("erika@nordlicht.example").await;
    let (s2, unknown) = forgot("nobody@nordlicht.example").await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
    assert!(known.contains("If an account with this address exists"));
    assert_eq!(known.replace("erika", ""), unknown.replace("nobody", ""));
    assert!(eventually(10, || async { mails(&app).await.len() == before + 1 }).await);
    let token = last_token(&mails(&app).await, "erika@nordlicht.example").expect("a reset link");

    // Set the new password: every session ends, the person is told, the link works once.
    let page = b
        .get(&format!("/portal/{pid}/password?token={token}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let new_password = "an entirely new passphrase";
    let res = b
        .client
        .post(app.url(&format!("/portal/{pid}/password")))
        .form(&[
            ("csrf", hidden(&page.body, "csrf").as_str()),
            ("token", token.as_str()),
            ("password", new_password),
            ("confirmation", new_password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        phone.get(&format!("/portal/{pid}/")).await.status,
        StatusCode::SEE_OTHER,
        "the other session ended"
    );
    assert_eq!(
        b.get(&format!("/portal/{pid}/password?token={token}"))
            .await
            .status,
        StatusCode::GONE
    );
    assert_eq!(
        login_status(&app, &b, pid, "erika@nordlicht.example", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_status(&app, &b, pid, "erika@nordlicht.example", new_password).await,
        StatusCode::SEE_OTHER
    );
    assert!(
        eventually(10, || async {
            mails(&app)
                .await
                .last()
                .unwrap()
                .1
                .contains("has just been changed")
        })
        .await
    );

    // Staff send a new-password link, here to another address; the older link stops working.
    let api = app.api(&app.api_key().await);
    let (status, _) = api
        .post(
            &format!("/api/v1/accounts/{}/password-link", account["id"]),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        eventually(10, || async {
            last_token(&mails(&app).await, "erika@nordlicht.example") != Some(token.clone())
        })
        .await
    );
    let first = last_token(&mails(&app).await, "erika@nordlicht.example").unwrap();
    let (status, _) = api
        .post(
            &format!("/api/v1/accounts/{}/password-link", account["id"]),
            &json!({"send_to": "it@nordlicht.example"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        eventually(10, || async {
            last_token(&mails(&app).await, "it@nordlicht.example").is_some()
        })
        .await
    );
    assert_eq!(
        b.get(&format!("/portal/{pid}/password?token={first}"))
            .await
            .status,
        StatusCode::GONE,
        "replaced by the newer link"
    );
    let second = last_token(&mails(&app).await, "it@nordlicht.example").unwrap();
    assert_eq!(
        b.get(&format!("/portal/{pid}/password?token={second}"))
            .await
            .status,
        StatusCode::OK
    );
    let (status, body) = api
        .post(
            &format!("/api/v1/accounts/{}/password-link", account["id"]),
            &json!({"send_to": "nope"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}
both!(forgot_password, forgotten_passwords_are_reset_by_link);

async fn an_expired_link_offers_a_new_one(app: TestApp) {
    let (pid, _, token) = invited(&app, "user", "erika@nordlicht.example").await;
    // Move the link past its end: the page says so and offers a new one.
    exec(&app, "UPDATE account_tokens SET expires_at = 1").await;
    let b = app.browser();
    let page = b.get(&format!("/portal/{pid}/accept?token={token}")).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(
        page.body.contains(&format!("/portal/{pid}/new-link")),
        "{}",
        page.body
    );
    let ask = |email: &'static str| {
        let b = app.browser();
        let base = app.base.clone();
        async move {
            let page = b.get(&format!("/portal/{pid}/new-link")).await;
            let res = b
                .client
                .post(format!("{base}/portal/{pid}/new-link"))
                .form(&[
                    ("csrf", hidden(&page.body, "csrf").as_str()),
                    ("email", email),
                ])
                .send()
                .await
                .unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let before = mails(&app).await.len();
    let (s1, known) = ask("erika@nordlicht.example").await;
    let (s2, unknown) = ask("nobody@nordlicht.example").await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
    assert!(known.contains("If an invitation or registration for this address is open"));
    assert_eq!(known.replace("erika", ""), unknown.replace("nobody", ""));
    assert!(eventually(10, || async { mails(&app).await.len() == before + 1 }).await);
    let text = mails(&app).await.last().unwrap().1.clone();
    let start = text.find("token=").unwrap() + 6;
    let fresh = &text[start..start + 64];
    assert_ne!(fresh, token);
    assert_eq!(
        b.get(&format!("/portal/{pid}/accept?token={fresh}"))
            .await
            .status,
        StatusCode::OK
    );
}
both!(new_link, an_expired_link_offers_a_new_one);

async fn one_invitation_accepted_twice_at_once_registers_once(app: TestApp) {
    let (pid, account, token) = invited(&app, "user", "erika@nordlicht.example").await;
    let accept = |password: &'static str| {
        let cx = app.cx.clone();
        let token = token.clone();
        async move {
            admit::usecases::accounts::accept_invitation(&cx, pid, &token, password, password, None)
                .await
        }
    };
    let (a, b) = tokio::join!(
        accept("first person's long password"),
        accept("second person's long password")
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "exactly one succeeds: {:?} {:?}",
        a.as_ref().err(),
        b.as_ref().err()
    );
    let winner = if a.is_ok() {
        "first person's long password"
    } else {
        "second person's long password"
    };
    let loser = if a.is_ok() {
        "second person's long password"
    } else {
        "first person's long password"
    };
    let login = |password: &'static str| {
        let cx = app.cx.clone();
        async move {
            matches!(
                admit::usecases::accounts::portal_login(
                    &cx,
                    3_600_000,
                    pid,
                    "erika@nordlicht.example",
                    password,
                    None,
                    Some("198.51.100.9".into()),
                    None,
                )
                .await
                .unwrap(),
                admit::usecases::accounts::PortalLogin::LoggedIn { .. }
            )
        }
    };
    assert!(login(winner).await, "the winner's password is the one set");
    assert!(!login(loser).await);
    let (_, events) = app
        .api(&app.api_key().await)
        .get(&format!(
            "/api/v1/audit-events?action=account.invitation_accepted&target_id={}",
            account["id"]
        ))
        .await;
    assert_eq!(events.as_array().unwrap().len(), 1);
}
both!(
    accept_race,
    one_invitation_accepted_twice_at_once_registers_once
);
