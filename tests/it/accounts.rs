//! Portal accounts: granting access sends an invitation whose single-use link is made when it
//! is sent, and stored only as a hash.

use crate::common;

use common::{TestApp, eventually, texts};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn setup(app: &TestApp) -> (common::Api, Value, Value, Value) {
    let api = app.api(&app.api_key().await);
    let (_, area) = api.post("/api/v1/areas", &json!({"name": "North"})).await;
    let (_, org) = api
        .post(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": "Nordlicht GmbH", "area_id": area["id"]}),
        )
        .await;
    let (_, contact) = api
        .post("/api/v1/contacts", &json!({"organization_id": org["id"], "name": "Erika Muster", "email": "erika@nordlicht.example", "language": "de"}))
        .await;
    let (status, portal) = api
        .post(
            "/api/v1/portals",
            &json!({"name": "Customer portal", "kind": "customer", "base_url": "https://portal.example.com", "registration_mode": "invitation_only",
                    "modules": [{"name": "Invoices"}, {"name": "Pricing", "admin_only": true}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    for (collection, written) in [
        ("/api/v1/areas", &area),
        ("/api/v1/organizations", &org),
        ("/api/v1/contacts", &contact),
        ("/api/v1/portals", &portal),
    ] {
        api.assert_reads_back(collection, written).await;
    }
    (api, area, contact, portal)
}

async fn mailbox_texts(app: &TestApp) -> Vec<(String, String)> {
    let sql = "SELECT recipient, text_body FROM mailbox_messages ORDER BY id";
    match &app.cx.db {
        admit::storage::Db::Sqlite(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
        admit::storage::Db::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
    }
}

async fn granting_access_sends_an_invitation(app: TestApp) {
    let (api, area, contact, portal) = setup(&app).await;
    let grant = json!({"contact_id": contact["id"], "portal_id": portal["id"], "role": "user", "modules": ["invoices"]});
    let (status, account) = api.post("/api/v1/accounts", &grant).await;
    assert_eq!(status, StatusCode::CREATED, "{account}");
    assert_eq!(account["email"], "erika@nordlicht.example");
    assert_eq!(account["registration"], "invited");
    assert_eq!(account["approval"], "approved");
    assert_eq!(account["modules"], json!(["Invoices"]));
    assert_eq!(account["portal_kind"], "customer");
    assert_eq!(account["organization_name"], "Nordlicht GmbH");
    api.assert_reads_back("/api/v1/accounts", &account).await;

    assert!(eventually(10, || async { mailbox_texts(&app).await.len() == 1 }).await);
    let (to, text) = mailbox_texts(&app).await.remove(0);
    assert_eq!(to, "erika@nordlicht.example");
    assert!(
        text.contains("Customer portal") && text.contains("Nordlicht GmbH"),
        "{text}"
    );
    assert!(
        text.starts_with("Hallo Erika Muster"),
        "in the contact's language: {text}"
    );
    let start = text.find("token=").expect("the invitation has a link") + "token=".len();
    let token: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    assert_eq!(token.len(), 64);
    assert!(
        text.contains(&format!(
            "{}/portal/{}/accept?token=",
            app.base, portal["id"]
        )),
        "{text}"
    );
    // The token is stored only as its hash, and nowhere in the outbox.
    let hash = admit::security::tokens::hash_token(&token);
    let found = app
        .count_where(
            "SELECT COUNT(*) FROM account_tokens WHERE token_hash = $1 AND purpose = 'invitation'",
            &hash,
        )
        .await;
    let clear = app
        .count_where(
            "SELECT COUNT(*) FROM account_tokens WHERE token_hash = $1",
            &token,
        )
        .await;
    let in_outbox = app
        .count_where(
            "SELECT COUNT(*) FROM outbox_messages WHERE variables_json LIKE $1",
            &format!("%{token}%"),
        )
        .await;
    assert_eq!((found, clear, in_outbox), (1, 0, 0));

    // Granting again returns the account and sends nothing.
    let (status, again) = api.post("/api/v1/accounts", &grant).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["id"], account["id"]);
    assert_eq!(app.count("outbox_messages").await, 1);
    let (_, read) = api
        .get(&format!("/api/v1/accounts/{}", account["id"]))
        .await;
    assert_eq!(read["id"], account["id"]);
    api.assert_reads_back("/api/v1/accounts", &again).await;

    // Bad input changes nothing.
    let accounts = app.count("portal_accounts").await;
    let (status, body) = api.post("/api/v1/accounts", &json!({"contact_id": contact["id"], "portal_id": portal["id"], "role": "boss", "modules": ["Cake"]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = texts(&body["fields"], "field");
    assert_eq!(fields, vec!["role", "modules"]);
    let (status, _) = api
        .post(
            "/api/v1/accounts",
            &json!({"contact_id": 999, "portal_id": portal["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, nomail) = api
        .post(
            "/api/v1/contacts",
            &json!({"organization_id": contact["organization_id"], "name": "No Mail"}),
        )
        .await;
    api.assert_reads_back("/api/v1/contacts", &nomail).await;
    let (status, body) = api
        .post(
            "/api/v1/accounts",
            &json!({"contact_id": nomail["id"], "portal_id": portal["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "contact_id");
    assert_eq!(app.count("portal_accounts").await, accounts);

    // The invitation can go to another address; a key of another area does not reach the contact.
    let (_, second) = api
        .post("/api/v1/portals", &json!({"name": "Installer portal", "kind": "installer", "base_url": "https://i.example.com", "registration_mode": "invitation_only"}))
        .await;
    api.assert_reads_back("/api/v1/portals", &second).await;
    let (status, office) = api
        .post("/api/v1/accounts", &json!({"contact_id": contact["id"], "portal_id": second["id"], "send_to": "office@nordlicht.example"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    api.assert_reads_back("/api/v1/accounts", &office).await;
    assert!(eventually(10, || async { mailbox_texts(&app).await.len() == 2 }).await);
    assert_eq!(mailbox_texts(&app).await[1].0, "office@nordlicht.example");
    let (_, south) = api.post("/api/v1/areas", &json!({"name": "South"})).await;
    api.assert_reads_back("/api/v1/areas", &south).await;
    let other = app.api(&app.area_key(&[south["id"].as_i64().unwrap()]).await);
    assert_eq!(
        other.post("/api/v1/accounts", &grant).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other
            .get(&format!("/api/v1/accounts/{}", account["id"]))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let north = app.api(&app.area_key(&[area["id"].as_i64().unwrap()]).await);
    assert_eq!(
        north
            .get(&format!("/api/v1/accounts/{}", account["id"]))
            .await
            .0,
        StatusCode::OK
    );
}
both!(grant, granting_access_sends_an_invitation);

async fn a_notifications_only_account_gets_no_invitation(app: TestApp) {
    let (api, _, contact, portal) = setup(&app).await;
    let grant =
        json!({"contact_id": contact["id"], "portal_id": portal["id"], "role": "notifications"});
    let (status, account) = api.post("/api/v1/accounts", &grant).await;
    assert_eq!(status, StatusCode::CREATED, "{account}");
    assert_eq!(account["role"], "notifications");
    // It never logs in: no invitation, no link to accept, none to send again.
    assert_eq!(app.count("outbox_messages").await, 0);
    assert_eq!(app.count("account_tokens").await, 0);
    let (status, refused) = api
        .post(
            &format!("/api/v1/accounts/{}/resend", account["id"]),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(refused.to_string().contains("never logs in"), "{refused}");
    assert_eq!(app.count("outbox_messages").await, 0);

    // The console says so, in the staff member's words.
    let b = app
        .staff_browser("office@example.com", "administrator", &[])
        .await;
    let (_, org) = api
        .post(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": "Südwind KG"}),
        )
        .await;
    let (_, other) = api
        .post("/api/v1/contacts", &json!({"organization_id": org["id"], "name": "Otto Wind", "email": "otto@suedwind.example"}))
        .await;
    let shown = flash_after(
        &b,
        &format!("/console/contacts/{}", other["id"]),
        &format!("/console/contacts/{}/grant", other["id"]),
        &[
            ("portal_id", &portal["id"].to_string()),
            ("role", "notifications"),
        ],
    )
    .await;
    assert!(
        shown.contains("otto@suedwind.example will receive e-mail notifications"),
        "{shown}"
    );
    assert_eq!(app.count("outbox_messages").await, 0);

    // Many at once from the organization's page: none is invited, and the page says so.
    let shown = flash_after(
        &b,
        &format!("/console/organizations/{}", org["id"]),
        &format!("/console/organizations/{}/invite", org["id"]),
        &[
            ("portal_id", &portal["id"].to_string()),
            ("role", "notifications"),
            ("emails", "ada@suedwind.example\nbea@suedwind.example"),
        ],
    )
    .await;
    assert!(
        shown.contains("2 people will receive e-mail notifications; no invitation is sent"),
        "{shown}"
    );
    assert_eq!(app.count("outbox_messages").await, 0);
}

/// Posts `form` (with the form token of the page at `page`) to `to`, and gives the page it
/// leads to, with its flash.
async fn flash_after(b: &common::Browser, page: &str, to: &str, form: &[(&str, &str)]) -> String {
    let csrf = b.get(page).await.csrf();
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend_from_slice(form);
    let posted = b.post(to, &fields).await;
    b.get(&posted.location.unwrap_or_default()).await.body
}
both!(
    notifications_only,
    a_notifications_only_account_gets_no_invitation
);

fn token_in(text: &str) -> String {
    let start = text.find("token=").unwrap() + "token=".len();
    text[start..start + 64].to_string()
}

async fn resend_cancel_and_remove(app: TestApp) {
    let (api, _, contact, portal) = setup(&app).await;
    let grant = json!({"contact_id": contact["id"], "portal_id": portal["id"]});
    let (_, account) = api.post("/api/v1/accounts", &grant).await;
    api.assert_reads_back("/api/v1/accounts", &account).await;
    let id = account["id"].clone();
    assert!(eventually(10, || async { mailbox_texts(&app).await.len() == 1 }).await);
    let first = token_in(&mailbox_texts(&app).await[0].1);

    // Resend: a new link, the old one stops working.
    let (status, _) = api
        .post(&format!("/api/v1/accounts/{id}/resend"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(eventually(10, || async { mailbox_texts(&app).await.len() == 2 }).await);
    let second = token_in(&mailbox_texts(&app).await[1].1);
    assert_ne!(first, second);
    let b = app.browser();
    let pid = portal["id"].as_i64().unwrap();
    assert_eq!(
        b.status(&format!("/portal/{pid}/accept?token={first}"))
            .await,
        StatusCode::GONE
    );
    assert_eq!(
        b.status(&format!("/portal/{pid}/accept?token={second}"))
            .await,
        StatusCode::OK
    );

    // Cancel the open invitation: no mail; the address can be invited again.
    let res = api
        .client
        .delete(app.url(&format!("/api/v1/accounts/{id}")))
        .bearer_auth(&api.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.count("portal_accounts").await, 0);
    assert_eq!(app.count("contacts").await, 1, "the contact stays");
    assert_eq!(
        b.status(&format!("/portal/{pid}/accept?token={second}"))
            .await,
        StatusCode::GONE
    );
    let (status, again) = api.post("/api/v1/accounts", &grant).await;
    assert_eq!(status, StatusCode::CREATED);
    api.assert_reads_back("/api/v1/accounts", &again).await;
    assert!(eventually(10, || async { mailbox_texts(&app).await.len() == 3 }).await);
    let token = token_in(&mailbox_texts(&app).await[2].1);

    // Register, then remove: the person is told that their access was revoked.
    let page = b.get(&format!("/portal/{pid}/accept?token={token}")).await;
    let marker = "name=\"csrf\" value=\"";
    let start = page.body.find(marker).unwrap() + marker.len();
    let csrf = page.body[start..start + 64].to_string();
    let res = b.accept(pid, &csrf, &token, common::PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        api.post(
            &format!("/api/v1/accounts/{}/resend", again["id"]),
            &json!({})
        )
        .await
        .0,
        StatusCode::CONFLICT
    );
    let res = api
        .client
        .delete(app.url(&format!("/api/v1/accounts/{}", again["id"])))
        .bearer_auth(&api.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(eventually(10, || async { mailbox_texts(&app).await.len() == 4 }).await);
    let (to, text) = mailbox_texts(&app).await.remove(3);
    assert_eq!(to, "erika@nordlicht.example");
    assert!(
        text.contains("wurde entzogen"),
        "German, the contact's language: {text}"
    );
    let (_, events) = api.get("/api/v1/audit-events?action=account.*").await;
    let actions: Vec<&str> = texts(&events, "action");
    for a in [
        "account.removed",
        "account.invitation_cancelled",
        "account.link_resent",
        "account.invitation_accepted",
        "account.granted",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}
both!(resend_and_remove, resend_cancel_and_remove);

async fn many_people_are_invited_at_once(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let (_, portal) = api
        .post(
            "/api/v1/portals",
            &json!({"name": "Customer portal", "kind": "customer", "base_url": "https://portal.example.com",
                    "registration_mode": "invitation_only", "default_language": "de",
                    "modules": [{"name": "Invoices"}, {"name": "Orders"}]}),
        )
        .await;
    let (_, org) = api
        .post(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": "Nordlicht GmbH"}),
        )
        .await;
    let (_, erika) = api
        .post(
            "/api/v1/contacts",
            &json!({"organization_id": org["id"], "name": "Erika Muster", "email": "erika@nordlicht.example"}),
        )
        .await;
    api.assert_reads_back("/api/v1/portals", &portal).await;
    api.assert_reads_back("/api/v1/organizations", &org).await;
    api.assert_reads_back("/api/v1/contacts", &erika).await;
    let path = format!("/api/v1/organizations/{}/invitations", org["id"]);
    // One bad line: nothing is written, and the line is named.
    let (status, body) = api
        .post(
            &path,
            &json!({"portal_id": portal["id"], "modules": ["Invoices"],
                    "emails": ["max@nordlicht.example", "not an address"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("line 2"), "{body}");
    assert_eq!(app.count("portal_accounts").await, 0);
    assert_eq!(app.count("contacts").await, 1);

    let (status, body) = api
        .post(
            &path,
            &json!({"portal_id": portal["id"], "role": "user", "modules": ["Invoices"],
                    "contact_ids": [erika["id"]],
                    "emails": ["max@nordlicht.example", "ERIKA@nordlicht.example", "", "lena@nordlicht.example"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let invited = body.as_array().unwrap();
    assert_eq!(invited.len(), 3, "Erika once, Max and Lena: {body}");
    assert!(invited.iter().all(|i| i["outcome"] == "created"
        && i["account"]["modules"] == json!(["Invoices"])
        && i["account"]["organization_name"] == "Nordlicht GmbH"));
    for i in invited {
        api.assert_reads_back("/api/v1/accounts", &i["account"])
            .await;
    }
    assert_eq!(app.count("contacts").await, 3, "two new contacts");
    assert!(
        common::eventually(10, || async {
            let m = common::mails(&app).await;
            ["erika", "max", "lena"].iter().all(|p| {
                m.iter()
                    .any(|(to, _)| to == &format!("{p}@nordlicht.example"))
            })
        })
        .await
    );
    // Again: nobody is invited twice.
    let (_, body) = api
        .post(
            &path,
            &json!({"portal_id": portal["id"], "emails": ["max@nordlicht.example"]}),
        )
        .await;
    assert_eq!(body[0]["outcome"], "unchanged");

    // From the organization's page: a checkbox per contact, by a staff member with a name.
    admit::usecases::staff::create_staff(
        &app.cx,
        &admit::usecases::Actor::cli(),
        &admit::usecases::staff::NewStaff {
            email: "admin@example.test".into(),
            name: "Max Keller".into(),
            role: "administrator".into(),
            area_ids: vec![],
            password: common::PASSWORD.into(),
        },
    )
    .await
    .unwrap();
    let b = app.browser();
    b.login("admin@example.test", common::PASSWORD).await;
    let (_, jonas) = api
        .post(
            "/api/v1/contacts",
            &json!({"organization_id": org["id"], "name": "Jonas Berg", "email": "jonas@nordlicht.example"}),
        )
        .await;
    api.assert_reads_back("/api/v1/contacts", &jonas).await;
    let page = b
        .get(&format!("/console/organizations/{}", org["id"]))
        .await;
    assert!(page.body.contains("Grant access to Jonas Berg"));
    let done = b
        .post(
            &format!("/console/organizations/{}/invite", org["id"]),
            &[
                ("csrf", &page.csrf()),
                ("contact_ids", &jonas["id"].to_string()),
                ("portal_id", &portal["id"].to_string()),
                ("role", "admin"),
                ("modules", "Orders"),
                ("emails", ""),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let (_, list) = api.get("/api/v1/accounts?q=jonas").await;
    assert_eq!(list["items"][0]["role"], "admin");
    assert_eq!(list["items"][0]["modules"], json!(["Orders"]));
    // The invitation and its page name who invited Jonas, by name, not by address.
    let token = common::token_sent_to(&app, "jonas@nordlicht.example").await;
    let (_, mail) = common::mails(&app)
        .await
        .into_iter()
        .rfind(|(to, _)| to == "jonas@nordlicht.example")
        .unwrap();
    assert!(mail.contains("Max Keller"), "{mail}");
    assert!(!mail.contains("admin@example.test"), "{mail}");
    let accept = app
        .browser()
        .get(&format!(
            "/portal/{}/accept?token={token}&lang=en",
            portal["id"]
        ))
        .await;
    assert!(
        accept
            .body
            .contains("Invited by <strong id=\"inviter\">Max Keller</strong>"),
        "{}",
        accept.body
    );
    assert!(
        !accept.body.contains("admin@example.test"),
        "{}",
        accept.body
    );
}
both!(invite_many, many_people_are_invited_at_once);
