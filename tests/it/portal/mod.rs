//! The portal pages: accept an invitation, log in (and be told why not), log out.

use crate::common;

use common::{PASSWORD, TestApp, eventually, exec, hidden, mails};
use reqwest::StatusCode;
use serde_json::{Value, json};

mod forgot_timing;
mod links;
mod pages;

/// Grants access by API and returns (portal id, account, the invitation's token).
async fn invited(app: &TestApp, role: &str, email: &str) -> (i64, Value, String) {
    let api = app.api(&app.api_key().await);
    let org = api
        .create(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": "Nordlicht GmbH"}),
        )
        .await;
    let contact = api.create("/api/v1/contacts", &json!({"organization_id": org["id"], "name": "Erika Muster", "email": email, "language": "en"}))
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
    // On to the login page, which has the address filled in.
    let to = page.headers()["location"].to_str().unwrap().to_string();
    assert!(!to.contains("erika"), "no address in the link: {to}");
    let login = b.get(&to).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(
        login
            .body
            .contains("name=\"email\" type=\"email\" value=\"erika@nordlicht.example\""),
        "{}",
        login.body
    );
    // Only once: a later visit starts empty.
    let later = b.get(&format!("/portal/{pid}/login")).await;
    assert!(
        later
            .body
            .contains("name=\"email\" type=\"email\" value=\"\""),
        "{}",
        later.body
    );
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
    // A person who set a password as a user, then made notifications-only (a notifications
    // account granted as such gets no invitation at all: `accounts::notifications_only`).
    let (pid, account, token) = invited(&app, "user", "alerts@nordlicht.example").await;
    let b = app.browser();
    let page = b.get(&format!("/portal/{pid}/accept?token={token}")).await;
    let csrf = hidden(&page.body, "csrf");
    let res = b.accept(pid, &csrf, &token, PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let api = app.api(&app.api_key().await);
    let (status, changed) = api
        .put(
            &format!("/api/v1/accounts/{}/access", account["id"]),
            &json!({"role": "notifications"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    let b = app.browser();
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
        b.status(&format!("/portal/{pid}/accept?token=abc")).await,
        StatusCode::GONE
    );
    assert_eq!(
        b.status(&format!("/portal/{pid}/accept?token={}", "0".repeat(64)))
            .await,
        StatusCode::GONE
    );
    assert_eq!(
        b.get("/portal/999/login").await.status,
        StatusCode::NOT_FOUND
    );
}
both!(notifications_role, a_notifications_account_never_logs_in);
