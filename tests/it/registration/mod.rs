//! Self-registration: the portal's form, the activation link, approval per the portal's mode,
//! the contact found, created or left for staff to link (the assignment queue).

use crate::common;

use common::{
    Api, Browser, PASSWORD, TestApp, eventually, hidden, id_of, last_token_to, mails, texts,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

mod links;

async fn portal(api: &Api, name: &str, mode: &str, creates_contact: bool) -> i64 {
    let body = json!({"name": name, "kind": "customer", "base_url": "https://portal.example.com",
                      "registration_mode": mode, "self_registration_creates_contact": creates_contact,
                      "default_language": "en"});
    id_of(api, "/api/v1/portals", body).await
}

async fn organization(api: &Api, name: &str) -> i64 {
    let body = json!({"kind": "customer", "name": name});
    id_of(api, "/api/v1/organizations", body).await
}

async fn contact(api: &Api, org: i64, name: &str, email: &str) -> i64 {
    let body = json!({"organization_id": org, "name": name, "email": email, "language": "en"});
    id_of(api, "/api/v1/contacts", body).await
}

async fn register(
    b: &Browser,
    pid: i64,
    name: &str,
    company: &str,
    email: &str,
    password: &str,
) -> (StatusCode, String) {
    let form = b.get(&format!("/portal/{pid}/register")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let page = b
        .post(
            &format!("/portal/{pid}/register"),
            &[
                ("csrf", &hidden(&form.body, "csrf")),
                ("name", name),
                ("organization", company),
                ("email", email),
                ("phone", ""),
                ("password", password),
                ("confirmation", password),
            ],
        )
        .await;
    (page.status, page.body)
}

/// Follows the activation link mailed to `email`: the page, then its button.
async fn activate(app: &TestApp, b: &Browser, pid: i64, email: &str) -> (StatusCode, String) {
    assert!(
        eventually(10, || async { last_token_to(app, email).await.is_some() }).await,
        "an activation e-mail for {email}"
    );
    let token = last_token_to(app, email).await.unwrap();
    let page = b
        .get(&format!("/portal/{pid}/activate?token={token}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(email));
    let done = b
        .post(
            &format!("/portal/{pid}/activate"),
            &[("csrf", &hidden(&page.body, "csrf")), ("token", &token)],
        )
        .await;
    (done.status, done.body)
}

async fn login(b: &Browser, pid: i64, email: &str, password: &str) -> (StatusCode, String) {
    let page = b.portal_login(pid, email, password).await;
    (page.status, page.body)
}

async fn account_of(api: &Api, email: &str) -> Value {
    let (status, page) = api.get(&format!("/api/v1/accounts?q={email}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["email"] == email)
        .cloned()
        .unwrap_or_else(|| panic!("no account {email} in {page}"))
}

async fn manual_approval_with_a_matching_contact(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let pid = portal(&api, "Installer portal", "self_manual", false).await;
    let org = organization(&api, "Nordlicht GmbH").await;
    let cid = contact(&api, org, "Erika Muster", "erika@nordlicht.example").await;
    let b = app.browser();

    // Bad input: each field says what is wrong, and nothing is written.
    let (status, body) = register(&b, pid, "", "Nordlicht", "not-an-address", "short").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for id in ["name-error", "email-error", "password-error"] {
        assert!(body.contains(id), "{id} in {body}");
    }
    assert!(!body.contains("short"), "the password is not sent back");
    assert_eq!(app.count("portal_accounts").await, 0);

    let (status, body) = register(
        &b,
        pid,
        "Erika Muster",
        "Nordlicht GmbH",
        "Erika@Nordlicht.example",
        PASSWORD,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Please check your e-mail"));

    // Before the address is confirmed, the right password is told to confirm it first, with a
    // button that sends the link again.
    let (status, body) = login(&b, pid, "erika@nordlicht.example", PASSWORD).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("confirm your e-mail address first"), "{body}");
    assert!(body.contains("Send the confirmation e-mail again"));
    let first = common::token_sent_to(&app, "erika@nordlicht.example").await;
    let resend = b
        .post(
            &format!("/portal/{pid}/new-link"),
            &[
                ("csrf", &hidden(&body, "csrf")),
                ("email", "erika@nordlicht.example"),
            ],
        )
        .await;
    assert_eq!(resend.status, StatusCode::OK);
    assert!(
        eventually(10, || async {
            last_token_to(&app, "erika@nordlicht.example").await != Some(first.clone())
        })
        .await,
        "a new activation link"
    );
    assert_eq!(
        b.status(&format!("/portal/{pid}/activate?token={first}"))
            .await,
        StatusCode::GONE,
        "the old link stopped working"
    );

    let (status, body) = activate(&app, &b, pid, "erika@nordlicht.example").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("awaits approval"), "{body}");
    let account = account_of(&api, "erika@nordlicht.example").await;
    assert_eq!(account["registration"], "registered");
    assert_eq!(account["approval"], "pending");
    assert_eq!(
        account["contact_id"], cid,
        "the one contact with the address"
    );

    let (status, body) = login(&b, pid, "erika@nordlicht.example", PASSWORD).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("awaiting approval"), "{body}");

    // Staff approve, with a few words of their own in the e-mail.
    let (status, body) = api
        .post(
            &format!("/api/v1/accounts/{}/status", account["id"]),
            &json!({"action": "approve", "message": "Welcome to the installer portal!"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        eventually(10, || async {
            mails(&app)
                .await
                .iter()
                .any(|(_, t)| t.contains("Welcome to the installer portal!"))
        })
        .await
    );
    let (status, _) = login(&b, pid, "erika@nordlicht.example", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let home = b.get(&format!("/portal/{pid}/")).await;
    assert!(home.body.contains("erika@nordlicht.example"));
}
both!(manual_approval, manual_approval_with_a_matching_contact);

async fn without_a_contact_staff_link_one(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let pid = portal(&api, "Customer portal", "self_automatic", false).await;
    let org = organization(&api, "Nordlicht GmbH").await;
    let cid = contact(&api, org, "Erika Muster", "erika.muster@nordlicht.example").await;
    let b = app.browser();
    let (status, _) = register(
        &b,
        pid,
        "Erika Muster",
        "Nordlicht",
        "erika@home.example",
        PASSWORD,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = activate(&app, &b, pid, "erika@home.example").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("awaits approval"), "{body}");
    let account = account_of(&api, "erika@home.example").await;
    assert_eq!(
        account["approval"], "approved",
        "the portal approves at once"
    );
    assert!(account["contact_id"].is_null(), "nobody has that address");
    let (status, body) = login(&b, pid, "erika@home.example", PASSWORD).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("awaiting approval"), "{body}");

    // The queue: pending assignment.
    let (_, queue) = api.get("/api/v1/accounts?assignment=pending").await;
    assert_eq!(queue["items"].as_array().unwrap().len(), 1, "{queue}");

    // In the console, the account's page offers the contact of the same name first.
    let staff = app
        .staff_browser("admin@example.test", "administrator", &[])
        .await;
    // The access list's row menu offers it, and its actions come back to the list.
    let list = staff.get("/console/access?assignment=pending").await;
    assert!(list.body.contains("Actions for erika@home.example"));
    assert!(
        list.body
            .contains(&format!("/console/accounts/{}#assign", account["id"]))
    );
    let back = "/console/access?assignment=pending";
    let switched = staff
        .post(
            &format!("/console/accounts/{}/status", account["id"]),
            &[
                ("csrf", &list.csrf()),
                ("action", "switch_off"),
                ("confirmed", "1"),
                ("back", back),
            ],
        )
        .await;
    assert_eq!(switched.location.as_deref(), Some(back));
    let on = staff
        .post(
            &format!("/console/accounts/{}/status", account["id"]),
            &[
                ("csrf", &list.csrf()),
                ("action", "switch_on"),
                ("back", "https://elsewhere.example/"),
            ],
        )
        .await;
    assert_eq!(
        on.location,
        Some(format!("/console/accounts/{}", account["id"])),
        "never back to another site"
    );
    let page = staff
        .get(&format!("/console/accounts/{}", account["id"]))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Assignment pending"));
    assert!(page.body.contains("erika.muster@nordlicht.example"));
    assert!(page.body.contains("similar name"));
    assert!(page.body.contains("Nordlicht"), "the registration data");
    let linked = staff
        .post(
            &format!("/console/accounts/{}/contact", account["id"]),
            &[("csrf", &page.csrf()), ("contact_id", &cid.to_string())],
        )
        .await;
    assert_eq!(linked.status, StatusCode::SEE_OTHER, "{}", linked.body);
    let account = account_of(&api, "erika@home.example").await;
    assert_eq!(account["contact_id"], cid);
    let (status, _) = login(&b, pid, "erika@home.example", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "linked and approved: in");

    // Linking again is refused and changes nothing.
    let (status, _) = api
        .post(
            &format!("/api/v1/accounts/{}/contact", account["id"]),
            &json!({"contact_id": cid}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // The page shows its history, in words, and its e-mails.
    let page = staff
        .get(&format!("/console/accounts/{}", account["id"]))
        .await;
    for seen in [
        "Registered on the portal",
        "E-mail address confirmed",
        "Linked to a contact by",
        "Activation (confirm e-mail after registering)",
    ] {
        assert!(page.body.contains(seen), "{seen}");
    }
}
both!(link_contact, without_a_contact_staff_link_one);

async fn staff_create_a_contact_and_are_warned_of_duplicates(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let pid = portal(&api, "Customer portal", "self_manual", false).await;
    let org = organization(&api, "Nordlicht GmbH").await;
    // Two contacts share the address: nobody is linked automatically.
    contact(&api, org, "Erika Muster", "erika@nordlicht.example").await;
    contact(&api, org, "E. Muster", "erika@nordlicht.example").await;
    let b = app.browser();
    register(
        &b,
        pid,
        "Erika Muster",
        "Südwind AG",
        "erika@nordlicht.example",
        PASSWORD,
    )
    .await;
    activate(&app, &b, pid, "erika@nordlicht.example").await;
    let account = account_of(&api, "erika@nordlicht.example").await;
    assert!(account["contact_id"].is_null());
    let (_, candidates) = api
        .get(&format!("/api/v1/accounts/{}/candidates", account["id"]))
        .await;
    let reasons: Vec<&str> = texts(&candidates, "reason");
    assert_eq!(&reasons[..2], &["email", "email"], "{candidates}");

    let contacts_before = app.count("contacts").await;
    let (status, body) = api
        .post(
            &format!("/api/v1/accounts/{}/create-contact", account["id"]),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.to_string().contains("possible duplicate"), "{body}");
    assert_eq!(app.count("contacts").await, contacts_before);

    let (status, body) = api
        .post(
            &format!("/api/v1/accounts/{}/create-contact", account["id"]),
            &json!({"allow_duplicate": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["organization_name"], "Südwind AG",
        "a new organization"
    );
    assert_eq!(body["name"], "Erika Muster");
    assert_eq!(app.count("contacts").await, contacts_before + 1);
}
both!(
    create_contact,
    staff_create_a_contact_and_are_warned_of_duplicates
);

async fn the_portal_creates_the_contact_where_it_may(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let pid = portal(&api, "Customer portal", "self_automatic", true).await;
    let org = organization(&api, "Nordlicht GmbH").await;
    let b = app.browser();
    register(
        &b,
        pid,
        "Erika Muster",
        "nordlicht gmbh",
        "erika@nordlicht.example",
        PASSWORD,
    )
    .await;
    let (_, body) = activate(&app, &b, pid, "erika@nordlicht.example").await;
    assert!(body.contains("You can log in now"), "{body}");
    let account = account_of(&api, "erika@nordlicht.example").await;
    assert_eq!(
        account["organization_id"], org,
        "the organization of that name"
    );
    assert_eq!(account["approval"], "approved");
    let (status, _) = login(&b, pid, "erika@nordlicht.example", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    register(
        &b,
        pid,
        "Max Neu",
        "Brandneu AG",
        "max@brandneu.example",
        PASSWORD,
    )
    .await;
    activate(&app, &b, pid, "max@brandneu.example").await;
    let account = account_of(&api, "max@brandneu.example").await;
    assert_eq!(account["organization_name"], "Brandneu AG");
    assert_ne!(account["organization_id"], org);

    // The activation link works once.
    let token = last_token_to(&app, "max@brandneu.example").await.unwrap();
    let page = b
        .get(&format!("/portal/{pid}/activate?token={token}"))
        .await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.body.contains("new-link"));
}
both!(creates_contact, the_portal_creates_the_contact_where_it_may);
