//! Self-registration's answers and links: an address registered twice answers the same, a
//! portal may ask staff to send the new link, and the whole way over a real SMTP server.

use super::*;

async fn registering_an_address_twice_answers_the_same(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let closed = portal(&api, "Partner portal", "invitation_only", false).await;
    let pid = portal(&api, "Customer portal", "self_automatic", true).await;
    let b = app.browser();

    // A portal that takes invitations only has no registration, and its login page no link.
    assert_eq!(
        b.get(&format!("/portal/{closed}/register")).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(
        !b.get(&format!("/portal/{closed}/login"))
            .await
            .body
            .contains("/register")
    );
    assert!(
        b.get(&format!("/portal/{pid}/login"))
            .await
            .body
            .contains(&format!("/portal/{pid}/register"))
    );

    let (_, first) = register(&b, pid, "Erika", "Nordlicht", "erika@n.example", PASSWORD).await;
    activate(&app, &b, pid, "erika@n.example").await;
    // Registered: registering again changes nothing, answers the same as for a new address,
    // and tells the owner of the address by e-mail.
    let (status, again) = register(
        &b,
        pid,
        "Erika",
        "Nordlicht",
        "erika@n.example",
        "another long password here",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, fresh) = register(&b, pid, "Erika", "Nordlicht", "new@n.example", PASSWORD).await;
    let strip = |s: &str| {
        s.replace("erika@n.example", "")
            .replace("new@n.example", "")
    };
    assert_eq!(strip(&again), strip(&fresh));
    assert_eq!(strip(&first), strip(&fresh));
    assert!(
        eventually(10, || async {
            mails(&app)
                .await
                .iter()
                .any(|(to, t)| to == "erika@n.example" && t.contains("You already have an account"))
        })
        .await
    );
    let (status, _) = login(&b, pid, "erika@n.example", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the password did not change");
    assert_eq!(app.count("portal_accounts").await, 2);
}
both!(twice, registering_an_address_twice_answers_the_same);

async fn a_portal_may_ask_staff_to_send_the_new_link(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let north = api.create("/api/v1/areas", &json!({"name": "North"})).await;
    let south = api.create("/api/v1/areas", &json!({"name": "South"})).await;
    app.create_staff("admin@example.test", "administrator", &[], PASSWORD)
        .await;
    app.create_staff(
        "north@example.test",
        "supervisor",
        &[north["id"].as_i64().unwrap()],
        PASSWORD,
    )
    .await;
    app.create_staff(
        "south@example.test",
        "supervisor",
        &[south["id"].as_i64().unwrap()],
        PASSWORD,
    )
    .await;
    let portal = api.create("/api/v1/portals",
            &json!({"name": "Partner portal", "kind": "partner", "base_url": "https://partner.example.com",
                    "registration_mode": "invitation_only", "notify_staff_on_new_link": true}),
        )
        .await;
    let pid = portal["id"].as_i64().unwrap();
    let org = api
        .create(
            "/api/v1/organizations",
            &json!({"kind": "partner", "name": "Nordlicht GmbH", "area_id": north["id"]}),
        )
        .await;
    let cid = contact(
        &api,
        org["id"].as_i64().unwrap(),
        "Erika Muster",
        "erika@nordlicht.example",
    )
    .await;
    let (_, account) = api
        .post(
            "/api/v1/accounts",
            &json!({"contact_id": cid, "portal_id": pid}),
        )
        .await;
    common::token_sent_to(&app, "erika@nordlicht.example").await;
    common::exec(&app, "UPDATE account_tokens SET expires_at = 1").await;
    let b = app.browser();
    let form = b.get(&format!("/portal/{pid}/new-link")).await;
    let page = b
        .post(
            &format!("/portal/{pid}/new-link"),
            &[
                ("csrf", &hidden(&form.body, "csrf")),
                ("email", "erika@nordlicht.example"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("If an invitation or registration for this address is open")
    );
    let console = format!("/console/accounts/{}", account["id"]);
    assert!(
        eventually(10, || async {
            let m = mails(&app).await;
            ["admin@example.test", "north@example.test"]
                .iter()
                .all(|s| {
                    m.iter().any(|(to, t)| {
                        to == s && t.contains(&console) && t.contains("erika@nordlicht.example")
                    })
                })
        })
        .await,
        "the administrator and the area's supervisor are told"
    );
    let m = mails(&app).await;
    assert!(!m.iter().any(|(to, _)| to == "south@example.test"));
    assert_eq!(
        m.iter()
            .filter(|(to, _)| to == "erika@nordlicht.example")
            .count(),
        1,
        "no new link went out by itself"
    );
}
both!(staff_told, a_portal_may_ask_staff_to_send_the_new_link);

/// The link with a token in a raw message as the SMTP server received it (quoted-printable
/// soft line breaks and `=3D` undone).
fn link_in(raw: &str) -> Option<String> {
    let plain = raw
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let start = plain.find("http://")?;
    let end = start + plain[start..].find(|c: char| c.is_whitespace() || c == '"' || c == '<')?;
    let link = &plain[start..end];
    link.contains("token=").then(|| link.to_string())
}

/// Registration, activation, approval and login, with every e-mail going through a real SMTP
/// server and its link followed from what that server received.
async fn the_whole_way_over_smtp(engine: common::Engine) {
    let sink = common::SmtpSink::start();
    let app = TestApp::spawn_with(engine, |c| sink.configure(c)).await;
    let api = app.api(&app.api_key().await);
    let pid = portal(&api, "Installer portal", "self_manual", true).await;
    organization(&api, "Nordlicht GmbH").await;
    let b = app.browser();
    let (status, _) = register(
        &b,
        pid,
        "Erika Muster",
        "Nordlicht GmbH",
        "erika@nordlicht.example",
        PASSWORD,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let got = sink.wait_for(1, 10).await;
    let raw = &got[0];
    assert_eq!(
        common::header(raw, "Subject"),
        Some("Confirm your e-mail address for Installer portal")
    );
    assert!(
        common::header(raw, "To")
            .unwrap()
            .contains("erika@nordlicht.example")
    );
    let link = link_in(raw).expect("an activation link");
    let path = link.trim_start_matches(&app.base).to_string();
    assert!(
        path.starts_with(&format!("/portal/{pid}/activate?token=")),
        "{path}"
    );
    let page = b.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    let token = hidden(&page.body, "token");
    let done = b
        .post(
            &format!("/portal/{pid}/activate"),
            &[("csrf", &hidden(&page.body, "csrf")), ("token", &token)],
        )
        .await;
    assert!(done.body.contains("awaits approval"), "{}", done.body);
    let account = account_of(&api, "erika@nordlicht.example").await;
    assert_eq!(
        account["organization_name"], "Nordlicht GmbH",
        "created in it"
    );
    api.post(
        &format!("/api/v1/accounts/{}/status", account["id"]),
        &json!({"action": "approve"}),
    )
    .await;
    let got = sink.wait_for(2, 10).await;
    assert_eq!(
        common::header(&got[1], "Subject"),
        Some("Your access to Installer portal is approved")
    );
    let (status, _) = login(&b, pid, "erika@nordlicht.example", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    app.stop().await;
}
on_both!(over_smtp, the_whole_way_over_smtp);
