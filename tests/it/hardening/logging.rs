//! Link tokens stay out of the log: an `admit serve` logging at debug level follows an
//! invitation link, a password link and an unsubscribe link, and no log line holds a token.

use crate::common;

use common::{Engine, PASSWORD, SmtpSink, TestApp, hidden, terminate};
use reqwest::StatusCode;

async fn link_tokens_appear_in_no_log_line(engine: Engine) {
    // The invitation is made by one server; a second one, a real process logging at debug
    // level, on the same database, serves the link.
    let app = TestApp::spawn(engine).await;
    let (pid, _, token) =
        common::invited_on_portal(&app, "customer", "erika@nordlicht.example").await;
    let sink = SmtpSink::start();
    let dir = tempfile::tempdir().unwrap();
    let server = common::serve(
        &app.db_url,
        &sink,
        &dir.path().join("admit.log"),
        &[("ADMIT_LOG", "debug")],
    )
    .await;
    let base = format!("http://{}", server.addr);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client
        .get(format!("{base}/portal/{pid}/accept?token={token}&lang=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let body = page.text().await.unwrap();
    let csrf = hidden(&body, "csrf");
    let res = client
        .post(format!("{base}/portal/{pid}/accept"))
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
    // Links that do not work are logged the same way.
    let other = "c0ffee".repeat(10) + "abcd";
    for path in [
        format!("/portal/{pid}/password?token={other}"),
        format!("/portal/{pid}/activate?lang=de&token={other}"),
        format!("/unsubscribe/{other}"),
    ] {
        let res = client.get(format!("{base}{path}")).send().await.unwrap();
        assert!(res.status().as_u16() < 500, "{path}: {}", res.status());
    }
    let log = server.log();
    terminate(server);
    assert!(
        log.contains("/portal/") && log.contains("[redacted]"),
        "requests are logged at debug level:\n{log}"
    );
    for secret in [&token, &other] {
        let lines: Vec<&str> = log
            .lines()
            .filter(|l| l.contains(secret.as_str()))
            .collect();
        assert!(lines.is_empty(), "a token in the log: {lines:#?}");
    }
}

on_both!(
    link_tokens_appear_in_no_log_line,
    link_tokens_appear_in_no_log_line
);
