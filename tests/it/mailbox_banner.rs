//! Without an SMTP server, the console tells administrators that e-mail lands in the built-in
//! mailbox, unless `mail_mode = "mailbox"` says that is meant.

use admit::usecases::Actor;

use crate::common::{Engine, SmtpSink, TestApp};

const BANNER: &str = "class=\"banner-warning\"";

async fn banner_shown(app: &TestApp, email: &str, role: &str) -> bool {
    let areas = if role == "supervisor" {
        let area = admit::usecases::directory::create_area(
            &app.cx,
            &Actor::cli(),
            &admit::domain::directory::AreaInput {
                name: format!("Area of {email}"),
            },
        )
        .await
        .unwrap();
        vec![area.id]
    } else {
        vec![]
    };
    let b = app.staff_browser(email, role, &areas).await;
    let page = b.get("/console/organizations").await;
    assert!(page.status.is_success(), "{}", page.body);
    page.body.contains(BANNER)
}

async fn the_mailbox_banner(engine: Engine) {
    // No smtp_host: administrators see the banner, supervisors do not.
    let app = TestApp::spawn(engine).await;
    assert!(banner_shown(&app, "admin@example.test", "administrator").await);
    assert!(!banner_shown(&app, "sup@example.test", "supervisor").await);
    let b = app.browser();
    b.login("admin@example.test", crate::common::PASSWORD).await;
    let page = b.get("/console/outbox").await;
    assert!(page.body.contains(BANNER) && page.body.contains("mail_mode"));
    app.stop().await;

    // The mailbox on purpose, or an SMTP server: no banner.
    let app = TestApp::spawn_with(engine, |c| c.mail_mode = "mailbox".into()).await;
    assert!(!banner_shown(&app, "admin@example.test", "administrator").await);
    app.stop().await;
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(engine, |c| sink.configure(c)).await;
    assert!(!banner_shown(&app, "admin@example.test", "administrator").await);
    app.stop().await;
}
on_both!(mailbox_banner, the_mailbox_banner);
