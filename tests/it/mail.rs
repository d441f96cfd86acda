//! E-mail through the outbox, delivered to a real SMTP server (aiosmtpd).

use crate::common;

use admit::domain::EmailAddress;
use admit::domain::directory::Language;
use admit::storage::outbox;
use admit::usecases::Actor;
use admit::usecases::mail::{self, Outgoing};
use common::{Engine, SmtpSink, TestApp, eventually, header};
use serde_json::json;

async fn status_of(app: &TestApp, id: i64) -> outbox::OutboxMessage {
    let mut tx = app.cx.db.read().await.unwrap();
    outbox::get(&mut tx, id).await.unwrap().unwrap()
}

async fn wait_status(app: &TestApp, id: i64, status: &str) -> outbox::OutboxMessage {
    let ok = eventually(20, || async {
        status_of(app, id).await.status.as_str() == status
    })
    .await;
    let m = status_of(app, id).await;
    assert!(
        ok,
        "message {id} should be {status}, is {} ({:?})",
        m.status, m.last_error
    );
    m
}

async fn spawn_with_sink(engine: Engine, sink: &SmtpSink) -> TestApp {
    TestApp::spawn_with(engine, |c| {
        sink.configure(c);
        c.mail_retry_seconds = 1;
        c.mail_retry_max_seconds = 2;
        // Retries a second apart, then two: the third and last attempt comes 3 s in.
        c.mail_max_attempts = 3;
    })
    .await
}

async fn delivers_over_smtp(engine: Engine) {
    let sink = SmtpSink::start();
    let app = spawn_with_sink(engine, &sink).await;
    let id = mail::send_test(&app.cx, &Actor::cli(), "erika@example.test", None)
        .await
        .unwrap();
    let m = wait_status(&app, id, "sent").await;
    assert!(
        m.smtp_answer.as_deref().unwrap().starts_with("250"),
        "{:?}",
        m.smtp_answer
    );
    assert_eq!(m.attempts, 1);
    let got = sink.wait_for(1, 10).await;
    assert_eq!(got.len(), 1);
    let raw = &got[0];
    assert_eq!(
        header(raw, "Message-ID"),
        Some(format!("<{}>", m.message_id).as_str())
    );
    assert_eq!(header(raw, "Subject"), Some("Test message from Admit"));
    assert!(header(raw, "From").unwrap().contains("admit@example.test"));
    assert!(raw.contains("multipart/alternative"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivers_over_smtp_sqlite() {
    delivers_over_smtp(Engine::Sqlite).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivers_over_smtp_postgres() {
    delivers_over_smtp(Engine::Postgres).await;
}

async fn refusals_and_retries(engine: Engine) {
    let sink = SmtpSink::start();
    let app = spawn_with_sink(engine, &sink).await;
    let cli = Actor::cli();
    // A permanent refusal fails at once, with the server's reason.
    let rejected = mail::send_test(&app.cx, &cli, "reject@example.test", None)
        .await
        .unwrap();
    let m = wait_status(&app, rejected, "failed").await;
    assert_eq!(m.attempts, 1);
    assert!(
        m.last_error.as_deref().unwrap().contains("no such user"),
        "{:?}",
        m.last_error
    );
    // A temporary refusal is retried, and then goes through.
    let greylisted = mail::send_test(&app.cx, &cli, "tempfail-once@example.test", None)
        .await
        .unwrap();
    let m = wait_status(&app, greylisted, "sent").await;
    assert_eq!(m.attempts, 2);
    // Always temporary: retried until the last attempt, then failed with the reason.
    let stuck = mail::send_test(&app.cx, &cli, "tempfail@example.test", None)
        .await
        .unwrap();
    let m = wait_status(&app, stuck, "retrying").await;
    assert!(m.last_error.as_deref().unwrap().contains("try again later"));
    assert!(m.next_attempt_at > m.updated_at);
    // "Send again" is for failed messages only, and queues them with fresh attempts.
    assert!(mail::send_again(&app.cx, &cli, stuck).await.is_err());
    let m = wait_status(&app, stuck, "failed").await;
    assert_eq!(
        (m.attempts, m.max_attempts),
        (3, 3),
        "failed after the last attempt"
    );
    assert!(m.last_error.as_deref().unwrap().contains("try again later"));
    let again = mail::send_again(&app.cx, &cli, rejected).await.unwrap();
    assert_eq!((again.status.as_str(), again.attempts), ("queued", 0));
    let m = wait_status(&app, rejected, "failed").await;
    assert_eq!(m.attempts, 1);
    assert_eq!(
        sink.wait_for(1, 5).await.len(),
        1,
        "only the greylisted message arrived"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_and_retries_sqlite() {
    refusals_and_retries(Engine::Sqlite).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_and_retries_postgres() {
    refusals_and_retries(Engine::Postgres).await;
}

async fn an_unreachable_server_never_fails_the_action(engine: Engine) {
    let (_closed, port) = common::closed_port();
    let app = TestApp::spawn_with(engine, |c| {
        c.smtp_host = Some("127.0.0.1".into());
        c.smtp_port = port;
        c.smtp_security = "none".into();
        c.smtp_timeout_seconds = 2;
    })
    .await;
    let id = mail::send_test(&app.cx, &Actor::cli(), "erika@example.test", None)
        .await
        .expect("the action succeeds");
    let m = wait_status(&app, id, "retrying").await;
    assert!(m.last_error.is_some());
    // The console shows why.
    let b = app
        .staff_browser("admin@example.test", "administrator", &[])
        .await;
    let page = b.get(&format!("/console/outbox/{id}")).await;
    assert!(
        page.body.contains("retrying") && page.body.contains("Last error"),
        "{}",
        page.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_server_sqlite() {
    an_unreachable_server_never_fails_the_action(Engine::Sqlite).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_server_postgres() {
    an_unreachable_server_never_fails_the_action(Engine::Postgres).await;
}

async fn outbox_rows_follow_their_transaction(app: TestApp) {
    let to = EmailAddress::parse("erika@example.test").unwrap();
    let out = Outgoing {
        portal_id: None,
        event: "test",
        language: Language::En,
        recipient: &to,
        recipient_name: Some("Erika"),
        variables: json!({"sent_at": "now"}),
        link: None,
    };
    {
        let mut tx = app.cx.db.write().await.unwrap();
        mail::enqueue(&mut tx, app.cx.now(), &app.cx.mail, &out)
            .await
            .unwrap();
        // Dropped without commit: rolled back.
    }
    assert_eq!(app.count("outbox_messages").await, 0);
    let mut tx = app.cx.db.write().await.unwrap();
    mail::enqueue(&mut tx, app.cx.now(), &app.cx.mail, &out)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(app.count("outbox_messages").await, 1);
    // An event's unknown variable is a programming error, refused before anything is written.
    let bad = Outgoing {
        variables: json!({"password": "x"}),
        ..out
    };
    let mut tx = app.cx.db.write().await.unwrap();
    assert!(
        mail::enqueue(&mut tx, app.cx.now(), &app.cx.mail, &bad)
            .await
            .is_err()
    );
}
both!(transactional_outbox, outbox_rows_follow_their_transaction);

async fn names_cannot_inject_headers(engine: Engine) {
    let sink = SmtpSink::start();
    let app = spawn_with_sink(engine, &sink).await;
    let to = EmailAddress::parse("erika@example.test").unwrap();
    let mut tx = app.cx.db.write().await.unwrap();
    let id = mail::enqueue(
        &mut tx,
        app.cx.now(),
        &app.cx.mail,
        &Outgoing {
            portal_id: None,
            event: "test",
            language: Language::De,
            recipient: &to,
            recipient_name: Some("Erika\r\nBcc: victim@example.test"),
            variables: json!({"sent_at": "jetzt\r\nBcc: other@example.test"}),
            link: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.cx.mail_wakeup.notify_one();
    wait_status(&app, id, "sent").await;
    let raw = &sink.wait_for(1, 10).await[0];
    let head = raw.split("\r\n\r\n").next().unwrap();
    assert!(!head.to_ascii_lowercase().contains("\nbcc:"), "{head}");
    assert_eq!(
        header(raw, "Subject"),
        Some("Testnachricht von Admit"),
        "German, the recipient's language"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_injection_sqlite() {
    names_cannot_inject_headers(Engine::Sqlite).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_injection_postgres() {
    names_cannot_inject_headers(Engine::Postgres).await;
}

async fn templates_are_validated_at_save_and_used_when_sent(engine: Engine) {
    let sink = SmtpSink::start();
    let app = spawn_with_sink(engine, &sink).await;
    let api = app.api(&app.api_key().await);
    let portal = api.create("/api/v1/portals",
            &json!({"name": "Partner portal", "kind": "partner", "base_url": "https://partners.example.com", "registration_mode": "invitation_only", "default_language": "de"}),
        )
        .await;
    let pid = portal["id"].as_i64().unwrap();
    let b = app
        .staff_browser("admin@example.test", "administrator", &[])
        .await;
    let csrf = b.csrf().await;
    let url = format!("/console/portals/{pid}/templates/test/de");
    let page = b.get(&url).await;
    assert!(
        page.body.contains("Testnachricht von {{ portal_name }}"),
        "the default German text"
    );

    // An unknown variable is refused at save, with the line and the reason.
    let page = b
        .post(
            &url,
            &[
                ("csrf", &csrf),
                ("action", "save"),
                ("advanced", "1"),
                ("subject", "Hallo {{ recipient_name }}"),
                ("html_body", "<p>Hallo</p>\n<p>{{ passwort }}</p>"),
                ("text_body", "Hallo"),
            ],
        )
        .await;
    assert_eq!(page.status, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("line 2") && page.body.contains("passwort"),
        "{}",
        page.body
    );
    // As does a template that does not parse.
    let page = b
        .post(
            &url,
            &[
                ("csrf", &csrf),
                ("action", "save"),
                ("advanced", "1"),
                ("subject", "Hallo {{ recipient_name"),
                ("html_body", "<p>x</p>"),
                ("text_body", "x"),
            ],
        )
        .await;
    assert_eq!(page.status, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("mail_templates").await, 0);

    // The live preview renders sample data, escaped, with the portal's own name.
    let res = b
        .client
        .post(format!("{}{url}/preview", b.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("advanced", "1"),
            ("subject", "Hallo {{ recipient_name }}"),
            ("html_body", "<b>{{ portal_name }}</b>"),
            ("text_body", "t"),
        ])
        .send()
        .await
        .unwrap();
    let preview: serde_json::Value = res.json().await.unwrap();
    assert_eq!(preview["subject"], "Hallo Erika Mustermann");
    assert!(
        preview["html"]
            .as_str()
            .unwrap()
            .contains("<b>Partner portal</b>"),
        "{preview}"
    );

    let page = b
        .post(
            &url,
            &[
                ("csrf", &csrf),
                ("action", "save"),
                ("advanced", "1"),
                ("subject", "Probe für {{ portal_name }}"),
                ("html_body", "<p>{{ sent_at }}</p>"),
                ("text_body", "Gesendet {{ sent_at }}"),
            ],
        )
        .await;
    assert_eq!(page.status, reqwest::StatusCode::SEE_OTHER, "{}", page.body);
    // The portal's language is the fallback when the recipient has none.
    mail::send_test(&app.cx, &Actor::cli(), "erika@example.test", Some(pid))
        .await
        .unwrap();
    let raw = &sink.wait_for(1, 10).await[0];
    assert!(
        header(raw, "Subject").unwrap().contains("Partner portal"),
        "{raw}"
    );
    assert!(header(raw, "From").unwrap().contains("Partner portal"));
    // Back to the default.
    let page = b.post(&url, &[("csrf", &csrf), ("action", "reset")]).await;
    assert_eq!(page.status, reqwest::StatusCode::SEE_OTHER);
    assert_eq!(app.count("mail_templates").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn templates_sqlite() {
    templates_are_validated_at_save_and_used_when_sent(Engine::Sqlite).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn templates_postgres() {
    templates_are_validated_at_save_and_used_when_sent(Engine::Postgres).await;
}

async fn the_built_in_mailbox_shows_mail(app: TestApp) {
    let b = app
        .staff_browser("admin@example.test", "administrator", &[])
        .await;
    let csrf = b.csrf().await;
    let page = b
        .post(
            "/console/outbox/test",
            &[("csrf", &csrf), ("to", "not an address")],
        )
        .await;
    assert_eq!(page.status, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"to-error\""));
    let page = b
        .post(
            "/console/outbox/test",
            &[("csrf", &csrf), ("to", "erika@example.test")],
        )
        .await;
    assert_eq!(page.status, reqwest::StatusCode::SEE_OTHER);
    assert!(eventually(10, || async { app.count("mailbox_messages").await == 1 }).await);
    let list = b.get("/console/mail").await;
    assert!(
        list.body.contains("erika@example.test") && list.body.contains("Test message from Admit")
    );
    let page = b.get("/console/mail/1").await;
    assert!(page.body.contains("this is a test message"));
    // Its headers above it, and a frame that grows to the message.
    for header in ["From", "To", "Subject", "Date"] {
        assert!(
            page.body
                .contains(&format!("<th scope=\"row\">{header}</th>")),
            "{header}"
        );
    }
    assert!(page.body.contains("data-fit srcdoc="));
    // The API lists and reads the outbox.
    let api = app.api(&app.api_key().await);
    let (_, list) = api.get("/api/v1/outbox?status=sent").await;
    assert_eq!(list[0]["recipient"], "erika@example.test");
    assert_eq!(list[0]["smtp_answer"], "delivered to the built-in mailbox");
    let (status, one) = api.get(&format!("/api/v1/outbox/{}", list[0]["id"])).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert_eq!(one["event"], "test");
    assert_eq!(
        api.get("/api/v1/outbox?status=lost").await.0,
        reqwest::StatusCode::BAD_REQUEST
    );
}
both!(mailbox, the_built_in_mailbox_shows_mail);
