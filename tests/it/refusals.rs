//! A rule's refusal reads in the reader's language: a German staff member sees the console's
//! refusals (an admin-only module, the last active administrator, an Undo too late or after
//! a later change, a status that is already so, a link for a registered account, a contact for
//! a linked account, an area's name taken) in German, and so does a German organization admin
//! on the team page (the last admin); the API keeps answering in English.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{Engine, PASSWORD, TestApp, exec};
use crate::team::{account_id, admin, post, world};
use crate::undo::desk;

/// The flash message of a console page.
fn flash(body: &str) -> String {
    let marker = "<p class=\"flash\" role=\"status\">";
    let start = body.find(marker).map(|i| i + marker.len()).unwrap_or(0);
    let end = body[start..].find("</p>").unwrap_or(0) + start;
    body[start..end].to_string()
}

async fn a_german_staff_member_is_refused_in_german(app: TestApp) {
    let w = world(&app).await;
    let (anna_b, _) = admin(&app, &w).await;
    let team = format!("/portal/{}/team", w.portal);
    let invited = post(
        &anna_b,
        &team,
        &format!("{team}/invite"),
        &[("emails", "ben@partner.example"), ("role", "user")],
    )
    .await;
    assert_eq!(invited.status, StatusCode::SEE_OTHER, "{}", invited.body);
    let ben = account_id(&w, "ben@partner.example").await.unwrap();

    let ada = app
        .create_staff("ada@admit.example", "administrator", &[], PASSWORD)
        .await;
    exec(
        &app,
        "UPDATE staff_users SET language = 'de' WHERE email = 'ada@admit.example'",
    )
    .await;
    let b = app.browser();
    assert_eq!(
        b.login("ada@admit.example", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );

    // An admin-only module for a user: refused in German, nothing stored.
    let page = format!("/console/accounts/{ben}");
    let csrf = b.get(&page).await.csrf();
    let refused = b
        .post(
            &format!("{page}/access"),
            &[("csrf", &csrf), ("role", "user"), ("modules", "Pricing")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains(
            "„Pricing“ ist nur für Admins: Machen Sie das Konto zum Admin, oder lassen Sie das Modul weg."
        ),
        "{}",
        refused.body
    );
    assert!(
        !refused.body.contains("for admins only"),
        "{}",
        refused.body
    );
    // A module the portal lacks, and a role that is none: in German too.
    let refused = b
        .post(
            &format!("{page}/access"),
            &[("csrf", &csrf), ("role", "chef"), ("modules", "Wetter")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Partner portal hat kein Modul Wetter"),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("muss eines sein von: admin, user, marketing, notifications"),
        "{}",
        refused.body
    );
    let (_, a) = w.api.get(&format!("/api/v1/accounts/{ben}")).await;
    assert_eq!(a["modules"], json!([]));

    // The API answers the same rule in English, as before.
    let (status, body) = w
        .api
        .put(
            &format!("/api/v1/accounts/{ben}/access"),
            &json!({"role": "user", "modules": ["Pricing"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.to_string().contains(
            "“Pricing” is for admins only: make the account an admin, or leave the module out."
        ),
        "{body}"
    );

    // The last active administrator stays (here: switched off), said in German.
    let me = format!("/console/staff/{ada}");
    let csrf = b.get(&me).await.csrf();
    let refused = b
        .post(
            &me,
            &[
                ("csrf", csrf.as_str()),
                ("name", "Ada"),
                ("role", "administrator"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(
        refused.body.contains(
            "Dies ist der letzte aktive Administrator. Machen Sie zuerst einen anderen Mitarbeiter zum aktiven Administrator."
        ),
        "{}",
        refused.body
    );
    assert!(
        !refused.body.contains("last active administrator"),
        "{}",
        refused.body
    );
}
both!(
    german_staff_refusals,
    a_german_staff_member_is_refused_in_german
);

async fn a_german_team_admin_is_refused_in_german(app: TestApp) {
    let w = world(&app).await;
    let (anna_b, anna) = admin(&app, &w).await;
    exec(
        &app,
        &format!("UPDATE portal_accounts SET language = 'de' WHERE id = {anna}"),
    )
    .await;
    let team = format!("/portal/{}/team", w.portal);
    let me = format!("{team}/{anna}");
    let refused = post(&anna_b, &me, &format!("{me}/access"), &[("role", "user")]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("Dies ist der letzte aktive Admin Ihrer Organisation auf diesem Portal."),
        "{}",
        refused.body
    );
    assert!(
        !refused.body.contains("last active admin"),
        "{}",
        refused.body
    );
    let (_, a) = w.api.get(&format!("/api/v1/accounts/{anna}")).await;
    assert_eq!(a["role"], "admin");

    // Staff in the API hear the rule in English.
    let (status, body) = w
        .api
        .put(
            &format!("/api/v1/accounts/{anna}/access"),
            &json!({"role": "user"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body.to_string().contains(
            "This is the organization's last active admin on this portal. Make another of its accounts an active admin first."
        ),
        "{body}"
    );
}
both!(
    german_team_refusals,
    a_german_team_admin_is_refused_in_german
);

/// An Undo too late, or after a later change: refused in German for a German staff member.
async fn a_refused_undo_reads_in_german(engine: Engine) {
    let d = desk(engine, |_| {}).await;
    let late = d.act("decline").await;
    d.clock.advance(10 * 60_000 + 1);
    let changed = d.act("approve").await;
    d.act("switch_off").await;
    exec(
        &d.app,
        "UPDATE staff_users SET language = 'de' WHERE email = 'maria@admit.example'",
    )
    .await;
    for (token, german) in [
        (
            &late,
            "Nicht rückgängig gemacht: Eine Änderung kann 10 Minuten lang rückgängig gemacht werden",
        ),
        (
            &changed,
            "Nicht rückgängig gemacht: Das Konto wurde seitdem geändert",
        ),
    ] {
        let csrf = d.b.csrf().await;
        let sent =
            d.b.post(
                &format!("{}/undo", d.page()),
                &[("csrf", csrf.as_str()), ("undo", token.as_str())],
            )
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let said = flash(&d.b.get(&d.page()).await.body);
        assert!(said.starts_with(german), "{said}");
    }
    let a = d.account().await;
    assert_eq!(
        (a["approval"].clone(), a["access_granted"].clone()),
        (json!("approved"), json!(false))
    );
}
on_both!(german_undo_refusals, a_refused_undo_reads_in_german);

/// A status that is already so, a link for a registered account, a contact for a linked
/// account and an area's name taken: refused in German on the console, in English by the API.
async fn account_and_directory_refusals_read_in_german(engine: Engine) {
    let d = desk(engine, |_| {}).await;
    d.act("approve").await;
    exec(
        &d.app,
        "UPDATE staff_users SET language = 'de' WHERE email = 'maria@admit.example'",
    )
    .await;
    let page = d.page();
    let status = format!("{page}/status");
    for (path, form, german, english) in [
        (
            status.as_str(),
            vec![("action", "approve")],
            "Das Konto ist bereits freigegeben.",
            "already approved",
        ),
        (
            status.as_str(),
            vec![("action", "resend")],
            "Das Konto ist bereits registriert; senden Sie stattdessen einen Link für ein neues Passwort.",
            "already registered",
        ),
        (
            &format!("{page}/create-contact"),
            vec![],
            "Das Konto ist bereits mit einem Kontakt verknüpft.",
            "already linked",
        ),
    ] {
        let mut form = form;
        form.push(("csrf", d.csrf.as_str()));
        let refused = d.b.post(path, &form).await;
        assert_eq!(
            refused.status,
            StatusCode::CONFLICT,
            "{path}: {}",
            refused.body
        );
        assert!(refused.body.contains(german), "{path}: {}", refused.body);
        assert!(!refused.body.contains(english), "{path}: {}", refused.body);
    }

    // The API says the same in English.
    let (code, body) = d
        .api
        .post(
            &format!("/api/v1/accounts/{}/status", d.id),
            &json!({"action": "approve"}),
        )
        .await;
    assert_eq!(code, StatusCode::CONFLICT, "{body}");
    assert_eq!(
        body["message"], "The account is already approved.",
        "{body}"
    );

    // An area's name is taken: said beside the field, in German; the API in English.
    let area = [("csrf", d.csrf.as_str()), ("name", "Nord")];
    assert_eq!(
        d.b.post("/console/areas", &area).await.status,
        StatusCode::SEE_OTHER
    );
    let taken = d.b.post("/console/areas", &area).await;
    assert_eq!(
        taken.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        taken.body
    );
    assert!(
        taken
            .body
            .contains("Es gibt bereits einen Bereich mit diesem Namen"),
        "{}",
        taken.body
    );
    let (code, body) = d.api.post("/api/v1/areas", &json!({"name": "Nord"})).await;
    assert_eq!(code, StatusCode::CONFLICT, "{body}");
    assert!(
        body.to_string().contains("an area with this name exists"),
        "{body}"
    );
}
on_both!(
    german_account_refusals,
    account_and_directory_refusals_read_in_german
);
