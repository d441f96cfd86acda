//! What a German reader is told when something did not go through: why an e-mail or an
//! application's logout notice was not delivered (stored by its code, the other side's words
//! kept as they are, older rows as they were stored), and the portal's answers to an unknown
//! portal and to a form from another site, in the browser's language, else the portal's.

use reqwest::StatusCode;

use crate::catalog::{first_link, first_row_link, german_desk, german_page};
use crate::common::{Engine, eventually, exec};

async fn a_german_administrator_reads_why_a_delivery_failed(engine: Engine) {
    let d = german_desk(engine).await;

    // Delivered to the built-in mailbox: said in German.
    let sent =
        d.b.post(
            "/console/outbox/test",
            &[("csrf", d.csrf.as_str()), ("to", "erika@example.test")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let message = sent.location.clone().unwrap();
    let delivered = "in das eingebaute Postfach zugestellt";
    assert!(
        eventually(10, || async {
            d.b.get(&message).await.body.contains(delivered)
        })
        .await
    );
    let shown = d.b.get(&message).await;
    assert!(!shown.body.contains("built-in mailbox"), "{}", shown.body);

    // Failed: the catalog's words in German, the other side's words as they are.
    exec(
        &d.app,
        "UPDATE outbox_messages SET status = 'failed', \
         last_error = 'connect-failed: mail.example.test:25: Connection refused'",
    )
    .await;
    let german = "keine Verbindung zu mail.example.test:25: Connection refused";
    let outbox = d.b.get("/console/outbox").await;
    german_page("the outbox", &outbox.body, german);
    // The message itself is in its own language (English): its page around it in German.
    let page = d.b.get(&message).await;
    assert!(page.body.contains(german), "{}", page.body);
    assert!(!page.body.contains("cannot connect"), "{}", page.body);
    // Given up after an interruption, with the error before it, in German too.
    exec(
        &d.app,
        "UPDATE outbox_messages SET last_error = 'gave-up-after: no-subscription'",
    )
    .await;
    let page = d.b.get(&message).await;
    assert!(
        page.body.contains(
            "aufgegeben: der letzte Versuch wurde unterbrochen; letzter Fehler: nicht gesendet: \
             das Abonnement der Zusammenfassung gibt es nicht mehr"
        ),
        "{}",
        page.body
    );
    // Stored in words before codes: shown as stored.
    exec(
        &d.app,
        "UPDATE outbox_messages SET last_error = 'not sent: the account no longer exists'",
    )
    .await;
    let page = d.b.get(&message).await;
    assert!(
        page.body.contains("not sent: the account no longer exists"),
        "{}",
        page.body
    );

    // An application's logout notice the application refused: in German on its page; the
    // JSON API gives it in English.
    let portal = first_row_link(&d.b.get("/console/portals").await.body, "portals");
    let registered =
        d.b.post(
            &format!("{portal}/clients"),
            &[
                ("csrf", d.csrf.as_str()),
                ("name", "Rechnungen"),
                ("kind", "confidential"),
                ("redirect_uris", "https://app.example.com/cb"),
                ("scopes", "openid"),
            ],
        )
        .await;
    assert_eq!(registered.status, StatusCode::OK, "{}", registered.body);
    let client = first_link(&registered.body, "oidc-clients");
    exec(
        &d.app,
        "INSERT INTO oidc_logouts (client_id, account_id, sid, reason, status, attempts, \
         next_attempt_at, last_error, created_at, updated_at) \
         SELECT id, 1, 'sid-1', 'logout', 'failed', 3, 0, \
         'client-answered: 500 Internal Server Error', 0, 0 FROM oidc_clients",
    )
    .await;
    let page = d.b.get(&client).await;
    assert_eq!(page.status, StatusCode::OK);
    german_page(
        "the application",
        &page.body,
        "die Anwendung antwortete 500 Internal Server Error",
    );
}
on_both!(
    german_delivery_errors,
    a_german_administrator_reads_why_a_delivery_failed
);

/// A plain answer (status and text) to `path`, with the headers given.
async fn answer(
    d: &crate::undo::Desk,
    post: bool,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, String) {
    let url = format!("{}{path}", d.b.base);
    let mut req = if post {
        d.b.client
            .post(url)
            .form(&[("email", "erika@example.test")])
    } else {
        d.b.client.get(url)
    };
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let res = req.send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn the_portal_answers_in_the_reader_s_language(engine: Engine) {
    let d = german_desk(engine).await;
    let de = [("accept-language", "de-DE,de;q=0.9,en;q=0.5")];

    // No such portal: in the browser's language, else in English.
    let (status, body) = answer(&d, false, "/portal/999999/login", &de).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    german_page("no such portal", &body, "Dieses Portal gibt es nicht.");
    let (status, body) = answer(&d, false, "/portal/999999/login", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("There is no such portal."), "{body}");

    // A form from another site: on the portal's page, in the browser's language, else in the
    // portal's; refused all the same.
    let portal = first_row_link(&d.b.get("/console/portals").await.body, "portals");
    let login = format!("{}/login", portal.replace("/console/portals", "/portal"));
    let evil = ("origin", "https://evil.example");
    let (status, body) = answer(&d, true, &login, &[evil, de[0]]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    german_page(
        "a form from another site",
        &body,
        "Dieses Formular kam von einer anderen Website.",
    );
    assert!(body.contains("Sonnenschein-Portal"), "{body}");
    let (status, body) = answer(&d, true, &login, &[evil]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("This form came from another site."), "{body}");
    exec(&d.app, "UPDATE portals SET default_language = 'de'").await;
    let (status, body) = answer(&d, true, &login, &[evil]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    german_page(
        "a form from another site, by the portal's language",
        &body,
        "Dieses Formular kam von einer anderen Website.",
    );
}
on_both!(
    german_portal_answers,
    the_portal_answers_in_the_reader_s_language
);
