//! A person's own account on the portal pages: profile, password, e-mail address, sessions.

use crate::common;

use common::{Browser, PASSWORD, TestApp, eventually, hidden, last_token_to, mails};
use reqwest::StatusCode;

const NEW_PASSWORD: &str = "a brand new passphrase for her";

/// A registered account for `email` on a fresh portal; returns the portal id.
async fn registered(app: &TestApp, email: &str) -> i64 {
    let (pid, _, token) = common::invited_on_portal(app, "partner", email).await;
    admit::usecases::accounts::accept_invitation(&app.cx, pid, &token, PASSWORD, PASSWORD, None)
        .await
        .expect("accepted");
    pid
}

async fn logged_in(app: &TestApp, pid: i64, email: &str, password: &str) -> Browser {
    let b = app.browser();
    b.portal_logged_in(pid, email, password).await;
    b
}

async fn post_account(b: &Browser, pid: i64, what: &str, form: &[(&str, &str)]) -> common::Page {
    let page = b.get(&format!("/portal/{pid}/account")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = hidden(&page.body, "csrf");
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend_from_slice(form);
    b.post(&format!("/portal/{pid}/account/{what}"), &fields)
        .await
}

async fn profile_is_saved_and_checked(app: TestApp) {
    let pid = registered(&app, "erika@nordlicht.example").await;
    let b = logged_in(&app, pid, "erika@nordlicht.example", PASSWORD).await;
    let bad = post_account(
        &b,
        pid,
        "profile",
        &[
            ("name", "Erika M."),
            ("language", "de"),
            ("time_zone", "Mars/Olympus"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("time_zone-error"));
    let api = app.api(&app.api_key().await);
    let (_, list) = api.get("/api/v1/accounts").await;
    assert_eq!(list["items"][0]["time_zone"], "UTC", "nothing changed");

    let ok = post_account(
        &b,
        pid,
        "profile",
        &[
            ("name", "Erika M."),
            ("language", "de"),
            ("time_zone", "Europe/Berlin"),
        ],
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let page = b.get(ok.location.as_deref().unwrap()).await;
    assert!(page.body.contains("Gespeichert."), "now in German");
    assert!(
        page.body
            .contains("<option selected>Europe/Berlin</option>")
    );
    let (_, list) = api.get("/api/v1/accounts").await;
    assert_eq!(list["items"][0]["name"], "Erika M.");
    assert_eq!(list["items"][0]["language"], "de");
}
both!(profile, profile_is_saved_and_checked);

async fn a_new_password_ends_every_session(app: TestApp) {
    let pid = registered(&app, "erika@nordlicht.example").await;
    let b = logged_in(&app, pid, "erika@nordlicht.example", PASSWORD).await;
    let other = logged_in(&app, pid, "erika@nordlicht.example", PASSWORD).await;
    let wrong = post_account(
        &b,
        pid,
        "password",
        &[
            ("current_password", "not my password at all"),
            ("password", NEW_PASSWORD),
            ("confirmation", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("current password is not right"));
    let done = post_account(
        &b,
        pid,
        "password",
        &[
            ("current_password", PASSWORD),
            ("password", NEW_PASSWORD),
            ("confirmation", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert!(done.location.unwrap().contains("/login?reset=1"));
    for browser in [&b, &other] {
        let home = browser.get(&format!("/portal/{pid}/")).await;
        assert_eq!(home.status, StatusCode::SEE_OTHER, "logged out everywhere");
    }
    assert_eq!(app.count("portal_sessions").await, 0);
    logged_in(&app, pid, "erika@nordlicht.example", NEW_PASSWORD).await;
    assert!(
        eventually(10, || async {
            mails(&app)
                .await
                .iter()
                .any(|(to, t)| to == "erika@nordlicht.example" && t.contains("password"))
        })
        .await
    );
}
both!(password, a_new_password_ends_every_session);

async fn a_new_address_is_confirmed_by_link(app: TestApp) {
    let pid = registered(&app, "erika@nordlicht.example").await;
    registered(&app, "taken@nordlicht.example").await;
    let b = logged_in(&app, pid, "erika@nordlicht.example", PASSWORD).await;
    let taken = post_account(
        &b,
        pid,
        "email",
        &[
            ("new_email", "taken@nordlicht.example"),
            ("current_password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.body.contains("new_email-error"));

    let asked = post_account(
        &b,
        pid,
        "email",
        &[
            ("new_email", "erika.new@nordlicht.example"),
            ("current_password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    // The old address is told; the new one gets the link.
    assert!(
        eventually(10, || async {
            let m = mails(&app).await;
            m.iter().any(|(to, t)| {
                to == "erika@nordlicht.example" && t.contains("erika.new@nordlicht.example")
            }) && m.iter().any(|(to, _)| to == "erika.new@nordlicht.example")
        })
        .await
    );
    // Until confirmed, the old address is still the user name.
    let page = b.get(&format!("/portal/{pid}/account")).await;
    assert!(page.body.contains("erika.new@nordlicht.example"));
    let token = last_token_to(&app, "erika.new@nordlicht.example")
        .await
        .unwrap();
    let anon = app.browser();
    let confirm = anon
        .get(&format!("/portal/{pid}/confirm-email?token={token}"))
        .await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    let done = anon
        .post(
            &format!("/portal/{pid}/confirm-email"),
            &[("csrf", &hidden(&confirm.body, "csrf")), ("token", &token)],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Log in with the new address"));
    assert_eq!(
        b.get(&format!("/portal/{pid}/")).await.status,
        StatusCode::SEE_OTHER,
        "every session ended"
    );
    logged_in(&app, pid, "erika.new@nordlicht.example", PASSWORD).await;
    assert_eq!(
        anon.status(&format!("/portal/{pid}/confirm-email?token={token}"))
            .await,
        StatusCode::GONE,
        "the link works once"
    );
}
both!(email, a_new_address_is_confirmed_by_link);

async fn sessions_are_listed_and_ended_by_their_owner(app: TestApp) {
    let pid = registered(&app, "erika@nordlicht.example").await;
    let b = logged_in(&app, pid, "erika@nordlicht.example", PASSWORD).await;
    let other = logged_in(&app, pid, "erika@nordlicht.example", PASSWORD).await;
    let page = b.get(&format!("/portal/{pid}/account")).await;
    // One button per session, and one for all the others.
    assert_eq!(page.body.matches("name=\"session\"").count(), 3);
    assert!(page.body.contains("(this session)"));
    // End the other one: find the session that is not this one.
    let rows: Vec<&str> = page.body.split("<tr>").skip(2).collect();
    let other_row = rows.iter().find(|r| !r.contains("(this session)")).unwrap();
    let marker = "name=\"session\" value=\"";
    let start = other_row.find(marker).unwrap() + marker.len();
    let id = &other_row[start..start + other_row[start..].find('"').unwrap()];
    let ended = post_account(&b, pid, "end-session", &[("session", id)]).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert_eq!(
        other.get(&format!("/portal/{pid}/")).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        b.get(&format!("/portal/{pid}/")).await.status,
        StatusCode::OK
    );
    // Another person's session cannot be ended by guessing its id.
    let bad = post_account(&b, pid, "end-session", &[("session", "0123abcd")]).await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND);
}
both!(sessions, sessions_are_listed_and_ended_by_their_owner);
