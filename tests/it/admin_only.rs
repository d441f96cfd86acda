//! A module only admins see is given to admins only: an organization's admin on the portal's
//! team page is refused at save, in the page's language, with the form as it was filled in;
//! staff in the console and the API are refused by the same rule.

use crate::common::{TestApp, exec};
use crate::team::{account_id, admin, post, world};
use reqwest::StatusCode;
use serde_json::json;

async fn an_admin_only_module_is_refused_to_a_user(app: TestApp) {
    let w = world(&app).await;
    let pid = w.portal;
    let (anna_b, anna) = admin(&app, &w).await;
    let team = format!("/portal/{pid}/team");
    exec(
        &app,
        &format!("UPDATE portal_accounts SET language = 'de' WHERE id = {anna}"),
    )
    .await;

    // Inviting a user with Pricing is refused, in German, and nobody is invited.
    let accounts = app.count("portal_accounts").await;
    let refused = post(
        &anna_b,
        &team,
        &format!("{team}/invite"),
        &[
            ("emails", "ben@partner.example"),
            ("role", "user"),
            ("modules", "Tasks"),
            ("modules", "Pricing"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let german = "„Pricing“ ist nur für Admins: Machen Sie das Konto zum Admin, oder lassen Sie das Modul weg.";
    assert!(refused.body.contains(german), "{}", refused.body);
    assert!(refused.body.contains(r#"value="Pricing" checked"#));
    assert!(refused.body.contains(r#"value="Tasks" checked"#));
    assert_eq!(app.count("portal_accounts").await, accounts);

    // A user edited on the team page: refused, the ticks kept, nothing stored.
    let invited = post(
        &anna_b,
        &team,
        &format!("{team}/invite"),
        &[
            ("emails", "ben@partner.example"),
            ("role", "user"),
            ("modules", "Tasks"),
        ],
    )
    .await;
    assert_eq!(invited.status, StatusCode::SEE_OTHER, "{}", invited.body);
    let ben = account_id(&w, "ben@partner.example").await.unwrap();
    let member = format!("{team}/{ben}");
    let refused = post(
        &anna_b,
        &member,
        &format!("{member}/access"),
        &[
            ("role", "user"),
            ("modules", "Tasks"),
            ("modules", "Pricing"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(german), "{}", refused.body);
    assert!(refused.body.contains(r#"value="Pricing" checked"#));
    let (_, a) = w.api.get(&format!("/api/v1/accounts/{ben}")).await;
    assert_eq!(a["modules"], json!(["Tasks"]));

    // In English, the same rule's English words.
    exec(
        &app,
        &format!("UPDATE portal_accounts SET language = 'en' WHERE id = {anna}"),
    )
    .await;
    let refused = post(
        &anna_b,
        &member,
        &format!("{member}/access"),
        &[("role", "marketing"), ("modules", "Pricing")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains(
            "“Pricing” is for admins only: make the account an admin, or leave the module out."
        ),
        "{}",
        refused.body
    );

    // Made an admin, Ben may have it.
    let saved = post(
        &anna_b,
        &member,
        &format!("{member}/access"),
        &[("role", "admin"), ("modules", "Pricing")],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    // Staff are held to the same rule, in the console and in the API.
    let (status, body) = w
        .api
        .put(
            &format!("/api/v1/accounts/{ben}/access"),
            &json!({"role": "user"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("is for admins only"), "{body}");
    let staff = app
        .staff_browser("ada@admit.example", "administrator", &[])
        .await;
    let page = format!("/console/accounts/{ben}");
    let csrf = staff.get(&page).await.csrf();
    let refused = staff
        .post(
            &format!("{page}/access"),
            &[("csrf", &csrf), ("role", "user"), ("modules", "Pricing")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("is for admins only"),
        "{}",
        refused.body
    );
}
both!(
    admin_only_modules,
    an_admin_only_module_is_refused_to_a_user
);
