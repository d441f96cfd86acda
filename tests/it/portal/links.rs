//! The portal's links: a forgotten password reset by link, an expired link that offers a new
//! one, and one invitation accepted twice at once.

use super::*;

/// Accepts the invitation with `password` and returns the browser, logged out.
async fn registered(app: &TestApp, email: &'static str) -> (i64, Value, common::Browser) {
    let (pid, account, token) = invited(app, "user", email).await;
    let b = app.browser();
    let page = b.get(&format!("/portal/{pid}/accept?token={token}")).await;
    let res = b
        .accept(pid, &hidden(&page.body, "csrf"), &token, PASSWORD)
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
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
    let forgot = |email| email_form(&app, pid, "forgot", email);
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
    // The used link's page speaks of password links, and offers a new one, not an invitation.
    for (lang, new_link) in [
        ("en", "Ask for a new password link"),
        ("de", "Einen neuen Link zum Zurücksetzen anfordern"),
    ] {
        let used = b
            .get(&format!("/portal/{pid}/password?token={token}&lang={lang}"))
            .await;
        assert_eq!(used.status, StatusCode::GONE);
        assert!(
            used.body.contains(new_link) && used.body.contains(&format!("/portal/{pid}/forgot")),
            "{}",
            used.body
        );
        let lower = used.body.to_lowercase();
        assert!(
            !lower.contains("invitation") && !lower.contains("einladung"),
            "{}",
            used.body
        );
    }
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
        b.status(&format!("/portal/{pid}/password?token={first}"))
            .await,
        StatusCode::GONE,
        "replaced by the newer link"
    );
    let second = last_token(&mails(&app).await, "it@nordlicht.example").unwrap();
    assert_eq!(
        b.status(&format!("/portal/{pid}/password?token={second}"))
            .await,
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
    let ask = |email| email_form(&app, pid, "new-link", email);
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
        b.status(&format!("/portal/{pid}/accept?token={fresh}"))
            .await,
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

/// Posts `email` to the e-mail form `form` (`forgot`, `new-link`) of portal `pid` from a fresh
/// browser: the answer's status and page.
async fn email_form(app: &TestApp, pid: i64, form: &str, email: &str) -> (StatusCode, String) {
    let b = app.browser();
    let path = format!("/portal/{pid}/{form}");
    let page = b.get(&path).await;
    let res = b
        .post(
            &path,
            &[("csrf", &hidden(&page.body, "csrf")), ("email", email)],
        )
        .await;
    (res.status, res.body)
}
