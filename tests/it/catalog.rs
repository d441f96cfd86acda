//! The words of the console and the portal pages come from one catalog, in English and German:
//! every key is in both languages, every key the templates and the code ask for is in the
//! catalog, and a German staff member's pages (home, lists, an account with its confirmation
//! and result, an organization, a contact, an error) show none of the English texts, nor do a
//! German administrator's portals, task categories, staff and API keys, nor the audit log, the
//! outbox, the Mail page, the e-mail templates and the OpenID Connect clients, nor a refused
//! form (CSRF), nor a German admin's portal pages. An error with a code (a bad address on a
//! line of an invitation) reads in the page's language on the portal too.

use std::collections::BTreeSet;
use std::path::Path;

use admit::catalog;
use reqwest::StatusCode;

use crate::common::{Engine, TestApp, eventually, exec};
use crate::lists::download;
use crate::team::{admin, post, world};
use crate::undo::{Desk, desk};

#[test]
fn every_key_is_in_english_and_in_german() {
    let en = catalog::keys("en");
    let de = catalog::keys("de");
    let missing_de: Vec<_> = en.difference(de).collect();
    let missing_en: Vec<_> = de.difference(en).collect();
    assert!(missing_de.is_empty(), "not in German: {missing_de:?}");
    assert!(missing_en.is_empty(), "not in English: {missing_en:?}");
    for key in en {
        assert!(!catalog::tr("de", key).trim().is_empty(), "{key} is empty");
    }
}

/// The string literals that follow `marker` (`chrome.t("`) in `text`.
fn keys_after(text: &str, marker: &str, found: &mut BTreeSet<String>) {
    for (at, _) in text.match_indices(marker) {
        let rest = &text[at + marker.len()..];
        if let Some(end) = rest.find('"') {
            found.insert(rest[..end].to_string());
        }
    }
}

fn files(dir: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

#[test]
fn every_key_asked_for_is_in_the_catalog() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Vec::new();
    files(&root.join("templates"), "html", &mut sources);
    files(&root.join("src"), "rs", &mut sources);
    let mut asked = BTreeSet::new();
    for path in &sources {
        let text = std::fs::read_to_string(path).unwrap();
        for marker in [
            ".t(\"",
            ".t1(\"",
            ".t2(\"",
            ".h1(\"",
            ".h2(\"",
            "Message::new(\"",
            "said(language, \"",
        ] {
            keys_after(&text, marker, &mut asked);
        }
    }
    assert!(asked.len() > 150, "found only {} keys", asked.len());
    let en = catalog::keys("en");
    let missing: Vec<_> = asked.iter().filter(|k| !en.contains(*k)).collect();
    assert!(missing.is_empty(), "not in the catalog: {missing:?}");
}

/// The English catalog's texts of more than one word that German says otherwise: each text's
/// parts between its arguments, as a page shows them (HTML-escaped).
fn english_texts() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for key in catalog::keys("en") {
        let en = catalog::tr("en", key);
        let de = catalog::tr("de", key);
        if en == de || en.contains('<') {
            continue;
        }
        for part in en.split(['{', '}']).step_by(2) {
            let part = part.trim_matches(|c: char| c.is_whitespace() || ",.:;()“”".contains(c));
            if part.split_whitespace().count() < 2 || de.contains(part) {
                continue;
            }
            let escaped = part
                .replace('&', "&#38;")
                .replace('"', "&#34;")
                .replace('\'', "&#39;");
            out.push((key.clone(), escaped));
        }
    }
    out
}

/// The English texts, made once.
fn english() -> &'static [(String, String)] {
    static TEXTS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    TEXTS.get_or_init(|| {
        let texts = english_texts();
        assert!(texts.len() > 100, "only {} texts", texts.len());
        texts
    })
}

/// `body` is a German page (`what`): it says it is, it shows `german`, and it shows none of the
/// catalog's English texts.
pub fn german_page(what: &str, body: &str, german: &str) {
    assert!(body.contains("<html lang=\"de\">"), "{what}: {body}");
    assert!(
        body.contains(german),
        "{what} does not show {german:?}: {body}"
    );
    let found: Vec<_> = english()
        .iter()
        .filter(|(_, t)| body.contains(t.as_str()))
        .collect();
    assert!(found.is_empty(), "{what} shows English {found:?}: {body}");
}

/// The first `/console/{kind}/{id}` link of a page.
pub fn first_link(body: &str, kind: &str) -> String {
    let marker = format!("href=\"/console/{kind}/");
    let at = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no link to {kind}: {body}"))
        + 6;
    let end = at + body[at..].find('"').unwrap();
    body[at..end].to_string()
}

/// The desk of a German administrator, whose portal has a name that is no catalog text (the
/// business's own words).
pub async fn german_desk(engine: Engine) -> Desk {
    let d = desk(engine, |_| {}).await;
    exec(
        &d.app,
        "UPDATE staff_users SET language = 'de' WHERE email = 'maria@admit.example'",
    )
    .await;
    exec(&d.app, "UPDATE portals SET name = 'Sonnenschein-Portal'").await;
    d
}

async fn a_german_staff_member_reads_no_english(engine: Engine) {
    let d = german_desk(engine).await;

    let account = d.b.get(&d.page()).await;
    assert_eq!(account.status, StatusCode::OK);
    german_page("the account page", &account.body, ">Freigeben</button>");
    let organization = first_link(&account.body, "organizations");
    let contact = first_link(&account.body, "contacts");
    for path in [
        "/console",
        "/console/access",
        "/console/organizations",
        "/console/contacts",
        "/console/account",
        "/console/notifications",
        "/console/partnerships",
        "/console/partnerships/new",
        "/console/areas",
        &organization,
        &contact,
    ] {
        let page = d.b.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        german_page(path, &page.body, "Organisationen");
    }

    // Asked to confirm, in German.
    let status = format!("/console/accounts/{}/status", d.id);
    let back = d.page();
    let confirm =
        d.b.post(
            &status,
            &[("csrf", &d.csrf), ("action", "decline"), ("back", &back)],
        )
        .await;
    assert_eq!(confirm.status, StatusCode::OK);
    german_page("the confirmation", &confirm.body, "ablehnen?");

    // The result, in German.
    let done =
        d.b.post(
            &status,
            &[("csrf", &d.csrf), ("action", "approve"), ("back", &back)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let after = d.b.get(&d.page()).await;
    german_page("the result", &after.body, "Freigegeben: ");
    // The history says what happened, from the catalog, in German.
    german_page("the history", &after.body, ">Verlauf</h2>");
    assert!(after.body.contains("Freigegeben von "), "{}", after.body);

    // Many at once: asked, then done, in German.
    let id = d.id.to_string();
    let mut form = vec![
        ("csrf", d.csrf.as_str()),
        ("action", "switch_off"),
        ("back", "/console/access"),
        ("id", id.as_str()),
    ];
    let bulk = d.b.post("/console/access/bulk", &form).await;
    assert_eq!(bulk.status, StatusCode::OK);
    german_page("the bulk confirmation", &bulk.body, "abschalten?");
    form.push(("confirmed", "1"));
    let result = d.b.post("/console/access/bulk", &form).await;
    assert_eq!(result.status, StatusCode::OK);
    german_page("the bulk result", &result.body, "1 von 1");

    // An error, in German.
    let missing = d.b.get("/console/accounts/999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    german_page("the error", &missing.body, "Nicht gefunden");
}
on_both!(german_console, a_german_staff_member_reads_no_english);

/// The link of a list's first row to `/console/{kind}/{id}`.
pub fn first_row_link(body: &str, kind: &str) -> String {
    let at = body
        .find("<td><a href=")
        .unwrap_or_else(|| panic!("no row: {body}"));
    first_link(&body[at..], kind)
}

/// An administrator who is German: the pages only administrators see speak German too.
async fn a_german_administrator_reads_no_english(engine: Engine) {
    let d = german_desk(engine).await;

    let portals = d.b.get("/console/portals").await;
    assert_eq!(portals.status, StatusCode::OK);
    assert!(portals.body.contains("Neues Portal"), "{}", portals.body);
    assert!(
        portals.body.contains("Nur auf Einladung"),
        "{}",
        portals.body
    );
    let portal = first_row_link(&portals.body, "portals");
    let staff = d.b.get("/console/staff").await;
    assert!(staff.body.contains("Mitarbeitende"), "{}", staff.body);
    let member = first_row_link(&staff.body, "staff");
    for (path, german) in [
        ("/console/portals", "Basis-URL"),
        ("/console/portals/new", "Standardzeitzone"),
        (portal.as_str(), "Verlauf dieses Portals"),
        (&format!("{portal}/categories"), "Kategorien speichern"),
        ("/console/staff", "Letzte Anmeldung"),
        ("/console/staff/new", "Mitarbeitende Person anlegen"),
        (member.as_str(), "Alle Sitzungen beenden"),
        ("/console/api-keys", "API-Schlüssel anlegen"),
    ] {
        let page = d.b.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        german_page(path, &page.body, german);
    }

    // A new portal: its mistakes, then its confirmation, in German.
    let mut form = vec![
        ("csrf", d.csrf.as_str()),
        ("name", "Händlerportal"),
        ("kind", "partner"),
        ("base_url", "https://partner.example.com"),
        ("registration_mode", "invitation_only"),
        ("invitation_lifetime_days", "14"),
        ("default_language", "de"),
        ("default_time_zone", "Europe/Berlin"),
        ("modules", "Preise *\n\nPartnerpaket (marketing)"),
    ];
    let created = d.b.post("/console/portals/new", &form).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let shown = d.b.get(created.location.as_deref().unwrap()).await;
    german_page("the new portal", &shown.body, "Portal angelegt.");
    form[1] = ("name", "");
    let refused = d.b.post("/console/portals/new", &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("field-error"), "{}", refused.body);
    german_page("the refused portal", &refused.body, "ist erforderlich");
}
on_both!(german_admin_pages, a_german_administrator_reads_no_english);

/// The administrator's e-mail, audit and OpenID Connect pages, their flashes and mistakes, and
/// a refused form, in German.
async fn a_german_administrator_reads_mail_audit_and_clients_in_german(engine: Engine) {
    let d = german_desk(engine).await;
    let portal = first_row_link(&d.b.get("/console/portals").await.body, "portals");

    // A test message: its flash, then its page, in German.
    let sent =
        d.b.post(
            "/console/outbox/test",
            &[("csrf", d.csrf.as_str()), ("to", "erika@example.test")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let message = sent.location.clone().unwrap();
    let shown = d.b.get(&message).await;
    // The message itself is in its own language (English): the flash is in German.
    assert!(
        shown.body.contains("Testnachricht eingereiht."),
        "{}",
        shown.body
    );
    let refused =
        d.b.post(
            "/console/outbox/test",
            &[("csrf", d.csrf.as_str()), ("to", "kaputt@")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    german_page(
        "the refused test message",
        &refused.body,
        "Adresse: muss eine gültige",
    );

    // A client registered: its secret, then a mistake on a line, in German.
    let clients = format!("{portal}/clients");
    let mut form = vec![
        ("csrf", d.csrf.as_str()),
        ("name", "Rechnungen"),
        ("kind", "confidential"),
        ("redirect_uris", "https://app.example.com/cb"),
        ("scopes", "openid"),
    ];
    let registered = d.b.post(&clients, &form).await;
    assert_eq!(registered.status, StatusCode::OK, "{}", registered.body);
    german_page(
        "the new client",
        &registered.body,
        "Client-Secret von „Rechnungen“",
    );
    let client = first_link(&registered.body, "oidc-clients");
    form[3] = (
        "redirect_uris",
        "https://app.example.com/cb\nhttp://app.example.com/cb",
    );
    let refused = d.b.post(&clients, &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    german_page(
        "the refused client",
        &refused.body,
        "Weiterleitungs-URIs, Zeile 2: muss https:// verwenden",
    );

    // The e-mails themselves are in their own language (the test message in English): their
    // pages around them are in German.
    assert!(eventually(10, || async { d.app.count("mailbox_messages").await >= 1 }).await);
    let mail = first_row_link(&d.b.get("/console/mail").await.body, "mail");
    for (path, german, english) in [
        (message.as_str(), "So wird sie gesendet", "As it is sent"),
        (mail.as_str(), "Zurück zu den E-Mails", "Back to the mail"),
        ("/console/mail", "Empfangen", ">Received<"),
    ] {
        let page = d.b.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains(german), "{path}: {}", page.body);
        assert!(!page.body.contains(english), "{path}: {}", page.body);
        assert!(!page.body.contains(">Text body<"), "{path}: {}", page.body);
    }
    for (path, german) in [
        ("/console/audit?target_kind=staff", "Alle Ziele"),
        (
            "/console/audit?target_kind=oidc_client",
            "OpenID-Connect-Client: ",
        ),
        ("/console/outbox", "Testnachricht senden"),
        (&format!("{portal}/templates"), "Standard"),
        (
            &format!("{portal}/templates/invitation/de"),
            "Absatz 1 entfernen",
        ),
        (clients.as_str(), "Den Client registrieren"),
        (client.as_str(), "Back-Channel-Abmeldungen"),
    ] {
        let page = d.b.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        german_page(path, &page.body, german);
    }

    // A template's mistake in the live preview, in German; going back to the default text.
    let template = format!("{portal}/templates/invitation/de");
    let preview =
        d.b.post(
            &format!("{template}/preview"),
            &[("csrf", d.csrf.as_str()), ("subject", "{{ passwort }}")],
        )
        .await;
    assert!(
        preview.body.contains("unbekannte Variable `passwort`"),
        "{}",
        preview.body
    );
    let reset =
        d.b.post(&template, &[("csrf", d.csrf.as_str()), ("action", "reset")])
            .await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    let after = d.b.get(&template).await;
    assert!(
        after.body.contains("Der Standardtext gilt wieder."),
        "{}",
        after.body
    );

    // The audit log and its download: what was labelled in English words, said in German.
    let audit = d.b.get("/console/audit?target_kind=portal_account").await;
    assert!(
        audit
            .body
            .contains("anna@sonnenschein.example auf Customer portal"),
        "{}",
        audit.body
    );
    assert!(
        !audit.body.contains(" on Customer portal"),
        "{}",
        audit.body
    );
    let (status, _, csv) = download(&d.b, "/console/audit.csv?target_kind=portal_account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        csv.starts_with("ID,Zeit,Art des Akteurs,Akteur,Client-Adresse,Aktion,Art des Ziels,"),
        "{csv}"
    );
    assert!(csv.contains(",Portalkonto,"), "{csv}");
    assert!(
        csv.contains("anna@sonnenschein.example auf Customer portal"),
        "{csv}"
    );
    let (_, _, csv) = download(&d.b, "/console/access.csv").await;
    assert!(
        csv.starts_with("ID,E-Mail,Name,Portal,Quelle,Organisation,Rolle,Registrierungsstatus,"),
        "{csv}"
    );
    assert!(
        csv.contains(",Sonnenschein-Portal,Kundenportal,") && csv.contains(",Aktiv,"),
        "{csv}"
    );

    // A form too large: refused in German, on the console and on the portal pages.
    let queued = d.app.count("outbox_messages").await;
    let huge = "x".repeat(admit::web::BODY_LIMIT + 1024);
    let (status, body) = post_raw(
        &d.b,
        "/console/outbox/test",
        &format!("csrf={}&to={huge}", d.csrf),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    german_page("the form too large", &body, "Das Formular ist zu groß.");
    assert_eq!(d.app.count("outbox_messages").await, queued);
    let login = format!(
        "{}/login?lang=de",
        portal.replace("/console/portals", "/portal")
    );
    let (status, body) = post_raw(&d.b, &login, &format!("email={huge}")).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body.contains("Das Formular ist zu groß."), "{body}");

    // A form from a page that has expired: refused in German, nothing sent.
    let queued = d.app.count("outbox_messages").await;
    let expired =
        d.b.post(
            "/console/outbox/test",
            &[("csrf", "abgelaufen"), ("to", "erika@example.test")],
        )
        .await;
    assert_eq!(expired.status, StatusCode::FORBIDDEN);
    german_page(
        "the refused form",
        &expired.body,
        "Dieses Formular ist abgelaufen.",
    );
    assert_eq!(d.app.count("outbox_messages").await, queued);
}
on_both!(
    german_mail_pages,
    a_german_administrator_reads_mail_audit_and_clients_in_german
);

/// Posts `form` as it is (a form's encoding) to `path`: the answer's status and text.
async fn post_raw(b: &crate::common::Browser, path: &str, form: &str) -> (StatusCode, String) {
    let res = b
        .client
        .post(format!("{}{path}", b.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.to_string())
        .send()
        .await
        .expect("the answer, not a broken connection");
    (res.status(), res.text().await.unwrap())
}

async fn a_bad_address_reads_in_the_page_s_language(app: TestApp) {
    let w = world(&app).await;
    let (anna_b, _) = admin(&app, &w).await;
    let team = format!("/portal/{}/team", w.portal);
    let invite = format!("{team}/invite");
    let form = [("emails", "ben@partner.example\nkaputt@"), ("role", "user")];
    let en = post(&anna_b, &team, &invite, &form).await;
    assert_eq!(en.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        en.body
            .contains("line 2: kaputt@ must be a valid e-mail address, like name@example.com"),
        "{}",
        en.body
    );
    exec(
        &app,
        "UPDATE portal_accounts SET language = 'de' WHERE email = 'anna@partner.example'",
    )
    .await;
    let de = post(&anna_b, &team, &invite, &form).await;
    assert_eq!(de.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        de.body.contains(
            "Zeile 2: kaputt@ – muss eine gültige E-Mail-Adresse sein, wie name@example.com"
        ),
        "{}",
        de.body
    );
    assert!(!de.body.contains("line 2"), "{}", de.body);
}
both!(
    portal_line_error,
    a_bad_address_reads_in_the_page_s_language
);

/// A German admin's portal pages (home, access, team, a member, the account, notifications)
/// show none of the catalog's English texts.
async fn a_german_portal_admin_reads_no_english(app: TestApp) {
    let w = world(&app).await;
    let (anna_b, anna) = admin(&app, &w).await;
    // The portal's name is the business's own words, not the catalog's.
    exec(&app, "UPDATE portals SET name = 'Sonnenschein-Portal'").await;
    exec(
        &app,
        "UPDATE portal_accounts SET language = 'de' WHERE email = 'anna@partner.example'",
    )
    .await;
    let part = format!("/portal/{}", w.portal);
    for page in ["/", "/access", "/team", "/account", "/notifications"] {
        let shown = anna_b.get(&format!("{part}{page}")).await;
        assert_eq!(shown.status, StatusCode::OK, "{page}: {}", shown.body);
        german_page(page, &shown.body, "Abmelden");
    }
    let member = anna_b.get(&format!("{part}/team/{anna}")).await;
    german_page("a member's page", &member.body, "Rolle, Module und Kunden");
}
both!(german_portal, a_german_portal_admin_reads_no_english);
