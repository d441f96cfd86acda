//! An invitation never reveals or touches an account out of the inviter's reach: inviting an
//! address that has an account on the portal in another organization answers as any invitation
//! that cannot be made (the same words for every inviter), returns nothing of that account, and
//! writes nothing (no contact, no audit event), whether an area-limited key, a full key or an
//! organization's admin on the portal pages asks.

use crate::common;

use common::{PASSWORD, TestApp, hidden, id_of, token_sent_to};
use reqwest::StatusCode;
use serde_json::{Value, json};

const TAKEN: &str = "erika@nordlicht.example";
const REFUSAL: &str = "erika@nordlicht.example cannot be invited to this portal";

async fn invitations_stay_in_reach(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let north = id_of(&api, "/api/v1/areas", json!({"name": "North"})).await;
    let south = id_of(&api, "/api/v1/areas", json!({"name": "South"})).await;
    let portal = id_of(
        &api,
        "/api/v1/portals",
        json!({"name": "Customer portal", "kind": "customer", "base_url": "https://portal.example.com",
               "registration_mode": "invitation_only", "default_language": "en"}),
    )
    .await;
    let nordlicht = id_of(
        &api,
        "/api/v1/organizations",
        json!({"kind": "customer", "name": "Nordlicht GmbH", "area_id": north}),
    )
    .await;
    let sued = id_of(
        &api,
        "/api/v1/organizations",
        json!({"kind": "customer", "name": "Südwind AG", "area_id": south}),
    )
    .await;
    let erika = id_of(
        &api,
        "/api/v1/contacts",
        json!({"organization_id": nordlicht, "name": "Erika Muster", "email": TAKEN}),
    )
    .await;
    let account = id_of(
        &api,
        "/api/v1/accounts",
        json!({"contact_id": erika, "portal_id": portal}),
    )
    .await;
    // Südwind's own contact with the same address, and its admin on the portal.
    let namesake = id_of(
        &api,
        "/api/v1/contacts",
        json!({"organization_id": sued, "name": "Erika Namesake", "email": TAKEN}),
    )
    .await;
    let anna = id_of(
        &api,
        "/api/v1/contacts",
        json!({"organization_id": sued, "name": "Anna Admin", "email": "anna@suedwind.example"}),
    )
    .await;
    api.create(
        "/api/v1/accounts",
        &json!({"contact_id": anna, "portal_id": portal, "role": "admin"}),
    )
    .await;
    let token = token_sent_to(&app, "anna@suedwind.example").await;
    admit::usecases::accounts::accept_invitation(&app.cx, portal, &token, PASSWORD, PASSWORD, None)
        .await
        .expect("accepted");

    let south_key = app.api(&app.area_key(&[south]).await);
    let b = app.browser();
    b.portal_logged_in(portal, "anna@suedwind.example", PASSWORD)
        .await;
    let before = (
        app.count("contacts").await,
        app.count("portal_accounts").await,
        app.count("audit_events").await,
    );
    let refused = |status: StatusCode, body: &Value, who: &str| {
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{who}: {body}");
        let text = body.to_string();
        assert!(text.contains(REFUSAL), "{who}: {text}");
        assert!(
            !text.contains("Nordlicht"),
            "{who}: nothing of the account: {text}"
        );
        assert!(
            !text.contains(&format!("\"id\":{account}")),
            "{who}: {text}"
        );
    };
    // An area-limited key, inviting many and granting one.
    let invitations = format!("/api/v1/organizations/{sued}/invitations");
    let many = json!({"portal_id": portal, "emails": ["new@suedwind.example", TAKEN]});
    let (status, body) = south_key.post(&invitations, &many).await;
    refused(status, &body, "area key, invitations");
    let one = json!({"contact_id": namesake, "portal_id": portal});
    let (status, body) = south_key.post("/api/v1/accounts", &one).await;
    refused(status, &body, "area key, grant");
    // A key that reaches both areas gets the same answer: the account is another organization's.
    let (status, body) = api.post(&invitations, &many).await;
    refused(status, &body, "full key, invitations");
    let (status, body) = api.post("/api/v1/accounts", &one).await;
    refused(status, &body, "full key, grant");
    // Südwind's admin on the portal's team page.
    let team = format!("/portal/{portal}/team");
    let csrf = hidden(&b.get(&team).await.body, "csrf");
    let page = b
        .post(
            &format!("{team}/invite"),
            &[
                ("csrf", &csrf),
                ("emails", &format!("new@suedwind.example\n{TAKEN}")),
                ("role", "user"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains(&format!("line 2: {REFUSAL}")),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Nordlicht"));
    // Nothing was written by any of them: no contact, no account, no event.
    let after = (
        app.count("contacts").await,
        app.count("portal_accounts").await,
        app.count("audit_events").await,
    );
    assert_eq!(after, before);

    // Inviting the account's own organization again changes nothing, and says so.
    let (status, body) = api
        .post(
            &format!("/api/v1/organizations/{nordlicht}/invitations"),
            &json!({"portal_id": portal, "emails": [TAKEN]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body[0]["outcome"], "unchanged");
    assert_eq!(body[0]["account"]["id"], account);
}
both!(reach, invitations_stay_in_reach);
