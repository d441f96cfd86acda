//! The set-ups many tests begin with: a partner with three customers, and a portal with an
//! invited account.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Api, TestApp, id_of, token_sent_to};

/// An organization of `kind` named `name`, as the API takes it.
pub fn org(kind: &str, name: &str) -> Value {
    json!({"kind": kind, "name": name})
}

/// "Partner Co" and three customers ("Customer One", "Two", "Three"): their ids.
pub async fn partner_and_customers(api: &Api) -> (i64, [i64; 3]) {
    let partner = id_of(api, "/api/v1/organizations", org("partner", "Partner Co")).await;
    let mut c = [0; 3];
    for (i, name) in ["Customer One", "Customer Two", "Customer Three"]
        .iter()
        .enumerate()
    {
        c[i] = id_of(api, "/api/v1/organizations", org("customer", name)).await;
    }
    (partner, c)
}

/// The app's first portal, or else a new invitation-only portal of `kind` (`partner` or
/// `customer`); an organization "Nordlicht GmbH" of that kind with Erika Muster at `email`, and
/// her account on the portal, invited. Returns (portal id, the account, the invitation's token).
pub async fn invited_on_portal(app: &TestApp, kind: &str, email: &str) -> (i64, Value, String) {
    let api = app.api(&app.api_key().await);
    let existing = api.get("/api/v1/portals").await.1[0].clone();
    let portal = if existing.is_null() {
        let (name, base_url) = match kind {
            "partner" => ("Partner portal", "https://partner.example.com"),
            _ => ("Customer portal", "https://portal.example.com"),
        };
        api.post(
            "/api/v1/portals",
            &json!({"name": name, "kind": kind, "base_url": base_url,
                    "registration_mode": "invitation_only", "default_language": "en"}),
        )
        .await
        .1
    } else {
        existing
    };
    let org = api
        .create("/api/v1/organizations", &org(kind, "Nordlicht GmbH"))
        .await;
    let contact = api
        .create(
            "/api/v1/contacts",
            &json!({"organization_id": org["id"], "name": "Erika Muster", "email": email}),
        )
        .await;
    let (status, account) = api
        .post(
            "/api/v1/accounts",
            &json!({"contact_id": contact["id"], "portal_id": portal["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{account}");
    let token = token_sent_to(app, email).await;
    (portal["id"].as_i64().unwrap(), account, token)
}

/// Two partnerships of `partner`: North (customers one and two) and South (two and three).
pub async fn north_and_south(api: &Api, partner: i64, c: [i64; 3]) -> (i64, i64) {
    let partnership = |name: &str, customers: [i64; 2]| json!({"partner_id": partner, "name": name, "customer_ids": customers});
    let north = id_of(
        api,
        "/api/v1/partnerships",
        partnership("North", [c[0], c[1]]),
    )
    .await;
    let south = id_of(
        api,
        "/api/v1/partnerships",
        partnership("South", [c[1], c[2]]),
    )
    .await;
    (north, south)
}

/// A contact of `org` named by its address `email`, with an account on `portal` (as `role`,
/// with `modules` when given): the account's id.
pub async fn account_of(
    api: &Api,
    org: i64,
    portal: i64,
    email: &str,
    role: &str,
    modules: Option<&[&str]>,
) -> i64 {
    let contact = id_of(
        api,
        "/api/v1/contacts",
        json!({"organization_id": org, "name": email, "email": email}),
    )
    .await;
    let mut account = json!({"contact_id": contact, "portal_id": portal, "role": role});
    if let Some(modules) = modules {
        account["modules"] = json!(modules);
    }
    id_of(api, "/api/v1/accounts", account).await
}
