//! The current password asked before a change (the password, the e-mail address; on the
//! portal and in the console) is counted like a login: many wrong ones at once reach the
//! password check exactly as often as a login would.

use std::sync::Arc;

use crate::common;
use crate::throttling::{audit, browser_from, registered};

use common::{Browser, Engine, PASSWORD, TestApp, hidden};
use reqwest::StatusCode;
use tokio::sync::Barrier;

const NEW_PASSWORD: &str = "a brand new passphrase for me";

/// `n` POSTs of `form` to `path` at once from browser `b`: their statuses.
async fn at_once(
    b: &Browser,
    path: &str,
    form: Vec<(&'static str, String)>,
    n: usize,
) -> Vec<StatusCode> {
    let gate = Arc::new(Barrier::new(n));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (client, url, form, gate) = (
            b.client.clone(),
            format!("{}{path}", b.base),
            form.clone(),
            gate.clone(),
        );
        tasks.spawn(async move {
            gate.wait().await;
            client.post(url).form(&form).send().await.unwrap().status()
        });
    }
    tasks.join_all().await
}

fn tally(statuses: &[StatusCode]) -> (usize, usize) {
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    (statuses.len() - refused, refused)
}

async fn current_password_checks_are_counted_like_logins(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let pid = registered(&app, "erika@nordlicht.example").await;
    registered(&app, "anna@nordlicht.example").await;

    // The password form: 50 wrong current passwords at once, five checked.
    let erika = browser_from(&app, "127.0.0.2");
    erika
        .portal_logged_in(pid, "erika@nordlicht.example", PASSWORD)
        .await;
    let csrf = hidden(
        &erika.get(&format!("/portal/{pid}/account")).await.body,
        "csrf",
    );
    let wrong = vec![
        ("csrf", csrf.clone()),
        ("current_password", "not my password at all".to_string()),
        ("password", NEW_PASSWORD.to_string()),
        ("confirmation", NEW_PASSWORD.to_string()),
    ];
    let statuses = at_once(
        &erika,
        &format!("/portal/{pid}/account/password"),
        wrong,
        50,
    )
    .await;
    assert_eq!(tally(&statuses), (5, 45), "{statuses:?}");
    assert!(statuses.contains(&StatusCode::UNPROCESSABLE_ENTITY));
    let failed = audit(&app, "account.password_check_failed").await;
    assert_eq!(failed.len(), 5);
    assert!(failed.iter().all(|e| e["client_addr"] == "127.0.0.2"));
    // The right one is refused now too, and the change of address counts with it.
    let right = erika
        .post(
            &format!("/portal/{pid}/account/password"),
            &[
                ("csrf", &csrf),
                ("current_password", PASSWORD),
                ("password", NEW_PASSWORD),
                ("confirmation", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
    let email = erika
        .post(
            &format!("/portal/{pid}/account/email"),
            &[
                ("csrf", &csrf),
                ("new_email", "erika.new@nordlicht.example"),
                ("current_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(email.status, StatusCode::TOO_MANY_REQUESTS);

    // The e-mail form on its own: 50 at once, five checked.
    let anna = browser_from(&app, "127.0.0.3");
    anna.portal_logged_in(pid, "anna@nordlicht.example", PASSWORD)
        .await;
    let csrf = hidden(
        &anna.get(&format!("/portal/{pid}/account")).await.body,
        "csrf",
    );
    let wrong = vec![
        ("csrf", csrf),
        ("new_email", "anna.new@nordlicht.example".to_string()),
        ("current_password", "not my password at all".to_string()),
    ];
    let statuses = at_once(&anna, &format!("/portal/{pid}/account/email"), wrong, 50).await;
    assert_eq!(tally(&statuses), (5, 45), "{statuses:?}");
    assert_eq!(audit(&app, "account.password_check_failed").await.len(), 10);
    let sent = app
        .count_where(
            "SELECT COUNT(*) FROM outbox_messages WHERE recipient = $1",
            "anna.new@nordlicht.example",
        )
        .await;
    assert_eq!(sent, 0, "no link was sent");

    // The console's own password: 50 at once, five checked.
    app.create_staff("admin@example.test", "administrator", &[], PASSWORD)
        .await;
    let admin = browser_from(&app, "127.0.0.4");
    admin.login("admin@example.test", PASSWORD).await;
    let csrf = admin.csrf().await;
    let wrong = vec![
        ("csrf", csrf.clone()),
        ("current_password", "wrong wrong wrong".to_string()),
        ("new_password", NEW_PASSWORD.to_string()),
    ];
    let statuses = at_once(&admin, "/console/account/password", wrong, 50).await;
    assert_eq!(tally(&statuses), (5, 45), "{statuses:?}");
    assert_eq!(audit(&app, "staff.password_check_failed").await.len(), 5);
    let right = admin
        .post(
            "/console/account/password",
            &[
                ("csrf", &csrf),
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}
on_both!(
    current_password,
    current_password_checks_are_counted_like_logins
);
