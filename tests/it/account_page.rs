//! A portal account's console page: sections with an in-page menu, the actions its state calls
//! for at the top, and its history in words, in the staff member's language.

use crate::common::{Engine, exec, outbox_quiet};
use crate::undo::{ANNA, desk};

/// Where `needle` first is in `body` (for "above" and "below").
fn at(body: &str, needle: &str) -> usize {
    body.find(needle)
        .unwrap_or_else(|| panic!("{needle} on the page: {body}"))
}

async fn the_page_is_in_sections_with_the_state_s_actions_first(engine: Engine) {
    let d = desk(engine, |_| {}).await;
    let body = d.b.get(&d.page()).await.body;
    for section in [
        "details",
        "access",
        "notifications",
        "sessions",
        "emails",
        "history",
    ] {
        assert!(
            body.contains(&format!("<a href=\"#{section}\">"))
                && body.contains(&format!("<section id=\"{section}\"")),
            "the menu leads to the section {section}: {body}"
        );
    }
    // Awaiting approval: Approve and Decline come before everything else.
    assert!(body.contains("Awaiting approval"), "{body}");
    assert!(at(&body, "value=\"approve\"") < at(&body, "id=\"details\""));
    assert!(at(&body, "value=\"decline\"") < at(&body, "id=\"details\""));
    assert!(!body.contains("Link a contact"));

    // Active: switching off, deactivating, ending sessions and a new-password link at the top,
    // and no Approve.
    exec(
        &d.app,
        &format!(
            "UPDATE portal_accounts SET approval = 'approved' WHERE id = {}",
            d.id
        ),
    )
    .await;
    let body = d.b.get(&d.page()).await.body;
    assert!(body.contains("Active: can log in"), "{body}");
    for action in ["switch_off", "deactivate", "end_sessions", "password_link"] {
        assert!(
            at(&body, &format!("value=\"{action}\"")) < at(&body, "id=\"details\""),
            "{action} at the top"
        );
    }
    assert!(!body.contains("value=\"approve\""), "{body}");
    // Awaiting a contact: linking one comes first.
    exec(
        &d.app,
        &format!(
            "UPDATE portal_accounts SET contact_id = NULL WHERE id = {}",
            d.id
        ),
    )
    .await;
    let body = d.b.get(&d.page()).await.body;
    assert!(body.contains("Awaiting a contact"), "{body}");
    assert!(at(&body, "href=\"#assign\"") < at(&body, "id=\"details\""));
    assert!(at(&body, "<section id=\"assign\"") < at(&body, "id=\"details\""));
}
on_both!(
    account_page_sections,
    the_page_is_in_sections_with_the_state_s_actions_first
);

async fn the_history_reads_in_words_in_english_and_german(engine: Engine) {
    let d = desk(engine, |_| {}).await;
    d.act("decline").await;
    assert!(outbox_quiet(&d.app, 20).await, "the e-mail is sent");
    let body = d.b.get(&d.page()).await.body;
    assert!(
        body.contains(&format!("Declined by Maria Keller — e-mail sent to {ANNA}")),
        "{body}"
    );
    assert!(
        body.contains("Invited (access granted) by API key"),
        "{body}"
    );
    assert!(!body.contains("<code>account.decline</code>"), "{body}");
    // The audit log says it in words too, above its code.
    let audit = format!(
        "/console/audit?target_kind=portal_account&target_id={}",
        d.id
    );
    let body = d.b.get(&audit).await.body;
    assert!(
        body.contains(&format!(
            "Declined — e-mail to {ANNA}<br><code class=\"hint\">account.decline</code>"
        )),
        "{body}"
    );

    // A German-speaking staff member reads it in German.
    exec(
        &d.app,
        "UPDATE staff_users SET language = 'de' WHERE email = 'maria@admit.example'",
    )
    .await;
    let body = d.b.get(&d.page()).await.body;
    assert!(
        body.contains("<section id=\"history\" lang=\"de\">"),
        "{body}"
    );
    assert!(body.contains("<h2>Verlauf</h2>"), "{body}");
    assert!(
        body.contains(&format!(
            "Abgelehnt von Maria Keller — E-Mail an {ANNA} gesendet"
        )),
        "{body}"
    );
    assert!(
        body.contains("Eingeladen (Zugang gewährt) von API-Schlüssel "),
        "{body}"
    );
    assert!(!body.contains("API key"), "{body}");
    assert!(!body.contains("Declined by"), "{body}");
    let body = d.b.get(&audit).await.body;
    assert!(
        body.contains(&format!("Abgelehnt — E-Mail an {ANNA}")),
        "{body}"
    );
}
on_both!(
    account_history_words,
    the_history_reads_in_words_in_english_and_german
);
