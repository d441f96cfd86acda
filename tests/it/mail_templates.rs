//! E-mail templates as office staff edit them: texts in the shared layout, previewed by the code
//! that sends (what is sent is what the preview showed), checked before anything is saved,
//! escaped in HTML, raw HTML only in advanced mode, and the German default in German.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::catalog::german_page;
use crate::common::{Browser, TestApp, eventually, exec};
use admit::domain::EmailAddress;
use admit::domain::directory::Language;
use admit::storage::outbox::{self, MailboxMessage};
use admit::usecases::mail::{self, Outgoing};

/// A portal named and placed as the preview's sample data has it, in `language`.
async fn sample_portal(app: &TestApp, language: &str) -> i64 {
    let api = app.api(&app.api_key().await);
    let portal = api
        .create(
            "/api/v1/portals",
            &json!({"name": "Customer portal", "kind": "customer",
                    "base_url": "https://portal.example.com",
                    "registration_mode": "invitation_only", "default_language": language}),
        )
        .await;
    portal["id"].as_i64().unwrap()
}

async fn admin(app: &TestApp) -> (Browser, String) {
    let b = app
        .staff_browser("admin@example.test", "administrator", &[])
        .await;
    let csrf = b.csrf().await;
    (b, csrf)
}

/// The texts of an "approved" e-mail as the editor's fields send them.
fn approved_form<'a>(csrf: &'a str, second: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        (
            "subject",
            "Welcome to {{ portal_name }}, {{ recipient_name }}",
        ),
        ("greeting", "Dear {{ recipient_name }},"),
        ("paragraph", "good news: you may now use {{ portal_name }}."),
        ("paragraph", second),
        ("button_label", "Open the portal"),
        ("button_link", "login_url"),
        (
            "closing",
            "{% if message %}{{ message }}{% endif %}\n\nYour service team",
        ),
    ]
}

/// A page's HTML with the escapes of its attributes and texts undone, as a browser reads them.
fn unescaped(body: &str) -> String {
    body.replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#38;", "&")
}

async fn preview(b: &Browser, url: &str, form: &[(&str, &str)]) -> Value {
    b.client
        .post(format!("{}{url}/preview", b.base))
        .form(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Sends the event's message to Erika with the preview's sample values, through the outbox to
/// the built-in mailbox, and returns it as delivered.
async fn send_sample(app: &TestApp, pid: i64, event: &str, language: Language, vars: Value) {
    let to = EmailAddress::parse("erika@example.test").unwrap();
    let mut tx = app.cx.db.write().await.unwrap();
    mail::enqueue(
        &mut tx,
        app.cx.now(),
        &app.cx.mail,
        &Outgoing {
            portal_id: Some(pid),
            event,
            language,
            recipient: &to,
            recipient_name: Some("Erika Mustermann"),
            variables: vars,
            link: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.cx.mail_wakeup.notify_one();
}

async fn delivered(app: &TestApp, n: usize) -> Vec<MailboxMessage> {
    let got = eventually(20, || async {
        app.count("mailbox_messages").await as usize >= n
    })
    .await;
    assert!(got, "{n} message(s) delivered");
    let mut tx = app.cx.db.read().await.unwrap();
    outbox::list_mailbox(&mut tx, None, 10).await.unwrap()
}

async fn texts_are_sent_as_the_preview_shows_them(app: TestApp) {
    let pid = sample_portal(&app, "en").await;
    let (b, csrf) = admin(&app).await;
    let url = format!("/console/portals/{pid}/templates/approved/en");
    let page = b.get(&url).await;
    assert_eq!(page.status, StatusCode::OK);
    // The editor offers the texts, the event's links for the button, and the variables.
    assert!(page.body.contains("name=\"paragraph\""), "{}", page.body);
    assert!(page.body.contains("<option value=\"login_url\" selected>"));
    assert!(page.body.contains("data-insert=\"message\""));
    assert!(page.body.contains("value=\"Log in\""), "the default button");

    let form = approved_form(&csrf, "Ask us anything & we answer.");
    let shown = preview(&b, &url, &form).await;
    assert_eq!(shown["errors"], json!([]), "{shown}");
    let mut saved = form.clone();
    saved.push(("action", "save"));
    let page = b.post(&url, &saved).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let page = b.get(&url).await;
    assert!(page.body.contains("edited for this portal"));
    assert!(unescaped(&page.body).contains(">Ask us anything & we answer.</textarea>"));

    send_sample(
        &app,
        pid,
        "approved",
        Language::En,
        json!({"login_url": "https://portal.example.com/login", "message": "Welcome aboard!"}),
    )
    .await;
    let sent = &delivered(&app, 1).await[0];
    assert_eq!(sent.subject, shown["subject"].as_str().unwrap());
    assert_eq!(sent.subject, "Welcome to Customer portal, Erika Mustermann");
    assert_eq!(sent.text_body, shown["text"].as_str().unwrap());
    let html = shown["html"].as_str().unwrap();
    assert_eq!(
        sent.html_body,
        html.strip_prefix("<base target=\"_blank\">").unwrap()
    );
    assert_eq!(
        sent.text_body,
        "Dear Erika Mustermann,\n\ngood news: you may now use Customer portal.\n\nAsk us anything & we answer.\n\nhttps://portal.example.com/login\n\nWelcome aboard!\n\nYour service team"
    );
    // A real button, and the text escaped in the HTML.
    let browser_html = sent.html_body.replace("&#x2f;", "/");
    assert!(
        browser_html
            .contains("<a href=\"https://portal.example.com/login\" style=\"background:#2456c7"),
        "{browser_html}"
    );
    assert!(browser_html.contains(">Open the portal</a>"));
    assert!(browser_html.contains("<p>Ask us anything &amp; we answer.</p>"));
}
both!(
    texts_are_sent_as_previewed,
    texts_are_sent_as_the_preview_shows_them
);

async fn an_unknown_variable_is_refused_and_nothing_changes(app: TestApp) {
    let pid = sample_portal(&app, "en").await;
    let (b, csrf) = admin(&app).await;
    let url = format!("/console/portals/{pid}/templates/approved/en");
    let mut good = approved_form(&csrf, "All set.");
    good.push(("action", "save"));
    assert_eq!(b.post(&url, &good).await.status, StatusCode::SEE_OTHER);
    let audit = app.count("audit_events").await;

    let mut bad = approved_form(&csrf, "Your password: {{ passwort }}");
    bad.push(("action", "save"));
    let page = b.post(&url, &bad).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("unknown variable `passwort`"),
        "{}",
        page.body
    );
    // Shown at the paragraph it is in, with what was typed kept.
    assert!(
        page.body
            .contains("id=\"paragraph-2-error\">unknown variable")
    );
    assert!(
        page.body
            .contains("Your password: {{ passwort }}</textarea>")
    );
    // The preview says the same.
    let shown = preview(&b, &url, &bad).await;
    assert_eq!(shown["errors"][0]["field"], "paragraph-2", "{shown}");
    // A button must open one of the event's links.
    let mut no_link = approved_form(&csrf, "All set.");
    no_link.retain(|(k, _)| *k != "button_link");
    no_link.push(("button_link", "portal_name"));
    no_link.push(("action", "save"));
    let page = b.post(&url, &no_link).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("id=\"button_link-error\">choose the link")
    );

    assert_eq!(app.count("mail_templates").await, 1);
    assert_eq!(app.count("audit_events").await, audit, "nothing recorded");
    let page = b.get(&url).await;
    assert!(page.body.contains("All set.</textarea>"));
    assert!(!page.body.contains("passwort"));
}
both!(
    unknown_variable_refused,
    an_unknown_variable_is_refused_and_nothing_changes
);

async fn script_is_escaped_in_the_html(app: TestApp) {
    let pid = sample_portal(&app, "en").await;
    let (b, csrf) = admin(&app).await;
    let url = format!("/console/portals/{pid}/templates/approved/en");
    // Typed by staff into a paragraph: shown as text.
    let mut form = approved_form(&csrf, "<script>alert('typed')</script>");
    let shown = preview(&b, &url, &form).await;
    let html = shown["html"].as_str().unwrap();
    assert!(
        html.contains("&lt;script&gt;alert('typed')&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>"));
    // `safe` would let a value through unescaped: refused outside advanced mode.
    form.push(("closing", "{{ message | safe }}"));
    form.retain(|(k, v)| *k != "closing" || v.contains("safe"));
    let shown = preview(&b, &url, &form).await;
    assert_eq!(shown["errors"][0]["field"], "closing", "{shown}");

    // A value holding a script, sent: escaped in the HTML, as it is in the text.
    let mut form = approved_form(&csrf, "All set.");
    form.push(("action", "save"));
    assert_eq!(b.post(&url, &form).await.status, StatusCode::SEE_OTHER);
    send_sample(
        &app,
        pid,
        "approved",
        Language::En,
        json!({"login_url": "https://portal.example.com/login",
               "message": "<script>alert(1)</script>"}),
    )
    .await;
    let sent = &delivered(&app, 1).await[0];
    assert!(!sent.html_body.contains("<script>"), "{}", sent.html_body);
    assert!(sent.html_body.contains("&lt;script&gt;alert(1)&lt;"));
    assert!(sent.text_body.contains("<script>alert(1)</script>"));
}
both!(script_escaped, script_is_escaped_in_the_html);

async fn the_advanced_switch_keeps_html(app: TestApp) {
    let pid = sample_portal(&app, "en").await;
    let (b, csrf) = admin(&app).await;
    let url = format!("/console/portals/{pid}/templates/test/en");
    let page = b.get(&url).await;
    assert!(
        !page
            .body
            .contains("id=\"advanced\" name=\"advanced\" value=\"1\" checked")
    );
    let html = "<table role=\"presentation\"><tr><td style=\"color:#b00\">Sent {{ sent_at }}</td></tr></table>";
    let page = b
        .post(
            &url,
            &[
                ("csrf", &csrf),
                ("action", "save"),
                ("advanced", "1"),
                ("subject", "Probe für {{ portal_name }}"),
                ("html_body", html),
                ("text_body", "Sent {{ sent_at }}"),
                // The texts' fields are sent too, and left alone.
                ("paragraph", "ignored"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let page = b.get(&url).await;
    assert!(
        page.body
            .contains("id=\"advanced\" name=\"advanced\" value=\"1\" checked")
    );
    assert!(page.body.contains("with its own HTML (advanced mode)"));
    assert!(unescaped(&page.body).contains(html), "{}", page.body);
    mail::send_test(
        &app.cx,
        &admit::usecases::Actor::cli(),
        "erika@example.test",
        Some(pid),
    )
    .await
    .unwrap();
    let sent = &delivered(&app, 1).await[0];
    assert!(
        sent.html_body
            .starts_with("<table role=\"presentation\"><tr><td style=\"color:#b00\">Sent "),
        "as written: {}",
        sent.html_body
    );
    assert_eq!(sent.subject, "Probe für Customer portal");
    // Leaving advanced mode: the texts again, read from the text body.
    let page = b.get(&url).await;
    assert!(page.body.contains("Sent {{ sent_at }}</textarea>"));
    let page = b.post(&url, &[("csrf", &csrf), ("action", "reset")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("mail_templates").await, 0);
}
both!(advanced_switch, the_advanced_switch_keeps_html);

async fn the_german_default_is_german(app: TestApp) {
    let pid = sample_portal(&app, "de").await;
    let (b, _) = admin(&app).await;
    let page = b
        .get(&format!("/console/portals/{pid}/templates/approved/de"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("Ihr Zugang zu {{ portal_name }} wurde freigegeben")
    );
    assert!(page.body.contains("value=\"Anmelden\""));
    // The preview, rendered on the page: German throughout.
    let page = unescaped(&page.body);
    for german in [
        "Hallo Erika Mustermann,",
        ">Anmelden</a>",
        "<html lang=\"de\">",
    ] {
        assert!(page.contains(german), "{german} in {page}");
    }
    for english in ["Hello", ">Log in<", "has been approved"] {
        assert!(!page.contains(english), "{english} in {page}");
    }
    // As sent.
    send_sample(
        &app,
        pid,
        "approved",
        Language::De,
        json!({"login_url": "https://portal.example.com/login", "message": ""}),
    )
    .await;
    let sent = &delivered(&app, 1).await[0];
    assert_eq!(
        sent.subject,
        "Ihr Zugang zu Customer portal ist freigegeben"
    );
    assert!(sent.html_body.contains("<html lang=\"de\">"));
    assert!(sent.html_body.contains(">Anmelden</a>"));
    assert!(
        sent.text_body
            .starts_with("Hallo Erika Mustermann,\n\nIhr Zugang")
    );
}
both!(german_default, the_german_default_is_german);

async fn a_template_saved_before_parts_keeps_working(app: TestApp) {
    let pid = sample_portal(&app, "en").await;
    // As saved by an Admit without parts: subject and bodies only.
    let sql = "INSERT INTO mail_templates (portal_id, event, language, subject, html_body, text_body, updated_at) \
               VALUES ($1, 'test', 'en', 'Old {{ portal_name }}', '<p><i>Old</i> {{ sent_at }}</p>', 'Hi,\n\nOld {{ sent_at }}\n', 0)";
    match &app.cx.db {
        admit::storage::Db::Sqlite(p) => sqlx::query(sql).bind(pid).execute(p).await.map(|_| ()),
        admit::storage::Db::Postgres(p) => sqlx::query(sql).bind(pid).execute(p).await.map(|_| ()),
    }
    .unwrap();
    mail::send_test(
        &app.cx,
        &admit::usecases::Actor::cli(),
        "erika@example.test",
        Some(pid),
    )
    .await
    .unwrap();
    let sent = &delivered(&app, 1).await[0];
    assert_eq!(sent.subject, "Old Customer portal");
    assert!(sent.html_body.starts_with("<p><i>Old</i> "));
    let (b, _) = admin(&app).await;
    let page = b
        .get(&format!("/console/portals/{pid}/templates/test/en"))
        .await;
    assert!(page.body.contains("with its own HTML (advanced mode)"));
    // The list of templates says which are the portal's own HTML.
    let sql = "INSERT INTO mail_templates (portal_id, event, language, subject, html_body, text_body, updated_at) \
               VALUES ($1, 'declined', 'de', 'Alt', '<p>Alt</p>', 'Alt', 0)";
    match &app.cx.db {
        admit::storage::Db::Sqlite(p) => sqlx::query(sql).bind(pid).execute(p).await.map(|_| ()),
        admit::storage::Db::Postgres(p) => sqlx::query(sql).bind(pid).execute(p).await.map(|_| ()),
    }
    .unwrap();
    let list = b.get(&format!("/console/portals/{pid}/templates")).await;
    assert_eq!(
        list.body.matches("edited (HTML)").count(),
        1,
        "{}",
        list.body
    );
    // Its texts, to start from when leaving advanced mode.
    assert!(page.body.contains("value=\"Hi,\""), "{}", page.body);
    assert!(page.body.contains("Old {{ sent_at }}</textarea>"));
}
both!(
    saved_before_parts,
    a_template_saved_before_parts_keeps_working
);

async fn without_a_script_a_paragraph_is_added_by_the_form(app: TestApp) {
    let pid = sample_portal(&app, "en").await;
    let (b, csrf) = admin(&app).await;
    let url = format!("/console/portals/{pid}/templates/approved/en");
    let mut form = approved_form(&csrf, "Second.");
    form.push(("action", "add_paragraph"));
    let page = b.post(&url, &form).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Second.</textarea>"));
    assert!(
        page.body
            .contains("id=\"paragraph-3\" name=\"paragraph\" rows=\"4\"></textarea>")
    );
    assert_eq!(app.count("mail_templates").await, 0, "nothing saved yet");
    // Saved with the new paragraph left empty: it is left out.
    let mut form = approved_form(&csrf, "Second.");
    form.push(("paragraph", ""));
    form.push(("action", "save"));
    assert_eq!(b.post(&url, &form).await.status, StatusCode::SEE_OTHER);
    let page = b.get(&url).await;
    assert!(page.body.contains("id=\"paragraph-2\""));
    assert!(!page.body.contains("id=\"paragraph-3\""));
}
both!(
    add_paragraph_without_script,
    without_a_script_a_paragraph_is_added_by_the_form
);

/// A template the engine cannot read is refused at its field with the line and the column:
/// in English in the engine's own words, in German explained from the catalog. A message its
/// template no longer renders says why it cannot be shown, in German too.
async fn a_broken_template_is_explained_in_the_reader_s_language(app: TestApp) {
    let pid = sample_portal(&app, "de").await;
    let (b, csrf) = admin(&app).await;
    let url = format!("/console/portals/{pid}/templates/approved/de");
    let broken = vec![
        ("csrf", csrf.as_str()),
        ("subject", "Willkommen, {{ recipient_name }}"),
        ("greeting", "Hallo {{ recipient_name }},"),
        ("paragraph", "Sie dürfen {{ portal_name }} nun nutzen."),
        ("paragraph", "Bis bald {{ message"),
        ("button_label", "Zum Portal"),
        ("button_link", "login_url"),
        ("closing", "Ihr Serviceteam"),
        ("action", "save"),
    ];
    let page = b.post(&url, &broken).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("id=\"paragraph-2-error\">line 1, column "),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("unexpected end of input"),
        "{}",
        page.body
    );
    exec(
        &app,
        "UPDATE staff_users SET language = 'de' WHERE email = 'admin@example.test'",
    )
    .await;
    // The portal's name is the business's own words, not the catalog's.
    exec(&app, "UPDATE portals SET name = 'Sonnenschein-Portal'").await;
    let page = b.post(&url, &broken).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    german_page(
        "the refused template",
        &page.body,
        "id=\"paragraph-2-error\">Zeile 1, Spalte ",
    );
    assert!(page.body.contains("Syntaxfehler"), "{}", page.body);
    assert!(!page.body.contains("unexpected"), "{}", page.body);
    assert_eq!(app.count("mail_templates").await, 0);

    // A message sent, whose data its template no longer fits.
    send_sample(
        &app,
        pid,
        "approved",
        Language::De,
        json!({"login_url": "https://portal.example.com/login", "message": ""}),
    )
    .await;
    delivered(&app, 1).await;
    exec(&app, "UPDATE outbox_messages SET variables_json = '{}'").await;
    let list = b.get("/console/outbox").await;
    let at = list.body.find("href=\"/console/outbox/").unwrap() + 6;
    let end = at + list.body[at..].find('"').unwrap();
    let shown = b.get(&list.body[at..end]).await;
    assert_eq!(shown.status, StatusCode::OK);
    german_page(
        "the message",
        &shown.body,
        "Diese Nachricht lässt sich nicht anzeigen: ",
    );
    assert!(
        shown.body.contains("ein Wert ist hier nicht definiert"),
        "{}",
        shown.body
    );
}
both!(
    broken_template_explained,
    a_broken_template_is_explained_in_the_reader_s_language
);
