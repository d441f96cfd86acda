//! An organization's admin manages its team on the portal pages: invites colleagues (many at
//! once, with role, modules and customers), resends and cancels invitations, edits access,
//! deactivates, reactivates and removes, within its organization only and never taking away
//! the last admin; everyone sees their own access.

use crate::common;
use crate::common::org;

use common::{PASSWORD, TestApp, eventually, exec, hidden, id_of, mails};
use reqwest::StatusCode;
use serde_json::json;

pub(crate) struct World {
    pub(crate) api: common::Api,
    pub(crate) portal: i64,
    partner: i64,
    north: i64,
    south: i64,
    /// Customers One and Two in North, Two and Three in South.
    c: [i64; 3],
    other: i64,
}

pub(crate) async fn world(app: &TestApp) -> World {
    let api = app.api(&app.api_key().await);
    let (partner, c) = common::partner_and_customers(&api).await;
    let other = id_of(
        &api,
        "/api/v1/organizations",
        org("partner", "Other Partner"),
    )
    .await;
    let (north, south) = common::north_and_south(&api, partner, c).await;
    let portal = id_of(
        &api,
        "/api/v1/portals",
        json!({"name": "Partner portal", "kind": "partner", "base_url": "https://partners.example.com",
               "registration_mode": "invitation_only", "default_language": "en",
               "modules": [{"name": "Customers"}, {"name": "Tasks"},
                           {"name": "Partner kit", "marketing": true},
                           {"name": "Pricing", "admin_only": true}]}),
    )
    .await;
    World {
        api,
        portal,
        partner,
        north,
        south,
        c,
        other,
    }
}

/// The token of the newest link mailed to `to`, once it has arrived.
async fn token_for(app: &TestApp, to: &str, nth: usize) -> String {
    let tokens = |mails: Vec<(String, String)>| -> Vec<String> {
        mails
            .into_iter()
            .filter(|(r, _)| r == to)
            .filter_map(|(_, text)| {
                let start = text.find("token=")? + 6;
                Some(text[start..start + 64].to_string())
            })
            .collect()
    };
    assert!(
        eventually(10, || async { tokens(mails(app).await).len() >= nth }).await,
        "no link number {nth} to {to}"
    );
    tokens(mails(app).await)[nth - 1].clone()
}

/// Follows the invitation's link, sets the password, logs in; returns the logged-in client.
async fn accept_and_log_in(app: &TestApp, pid: i64, email: &str, nth: usize) -> common::Browser {
    let token = token_for(app, email, nth).await;
    let b = app.browser();
    let page = b.get(&format!("/portal/{pid}/accept?token={token}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = hidden(&page.body, "csrf");
    let done = b
        .post(
            &format!("/portal/{pid}/accept"),
            &[
                ("csrf", &csrf),
                ("token", &token),
                ("password", PASSWORD),
                ("confirmation", PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    log_in(&b, pid, email).await;
    b
}

async fn log_in(b: &common::Browser, pid: i64, email: &str) {
    b.portal_logged_in(pid, email, PASSWORD).await;
}

/// Posts a form of the team pages with the session's CSRF token, read from `from`.
pub(crate) async fn post(
    b: &common::Browser,
    from: &str,
    to: &str,
    form: &[(&str, &str)],
) -> common::Page {
    let csrf = hidden(&b.get(from).await.body, "csrf");
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(form);
    b.post(to, &all).await
}

pub(crate) async fn account_id(w: &World, email: &str) -> Option<i64> {
    let (_, v) = w
        .api
        .get(&format!("/api/v1/accounts?q={}", email.replace('@', "%40")))
        .await;
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["email"] == email)
        .map(|a| a["id"].as_i64().unwrap())
}

/// An admin of the partner, invited by staff, with its password set and logged in.
pub(crate) async fn admin(app: &TestApp, w: &World) -> (common::Browser, i64) {
    let contact = id_of(
        &w.api,
        "/api/v1/contacts",
        json!({"organization_id": w.partner, "name": "Anna Admin", "email": "anna@partner.example", "language": "en"}),
    )
    .await;
    let anna = id_of(
        &w.api,
        "/api/v1/accounts",
        json!({"contact_id": contact, "portal_id": w.portal, "role": "admin"}),
    )
    .await;
    let b = accept_and_log_in(app, w.portal, "anna@partner.example", 1).await;
    (b, anna)
}

fn texts_to(all: &[(String, String)], to: &str) -> Vec<String> {
    all.iter()
        .filter(|(r, _)| r == to)
        .map(|(_, t)| t.clone())
        .collect()
}

async fn an_admin_manages_its_team(app: TestApp) {
    let w = world(&app).await;
    let pid = w.portal;
    let [c1, c2, c3] = w.c;
    let (anna_b, anna) = admin(&app, &w).await;
    let team = format!("/portal/{pid}/team");

    // The home page leads to the team; the team lists Anna herself.
    let home = anna_b.get(&format!("/portal/{pid}/")).await;
    assert!(home.body.contains(&format!("href=\"{team}\"")));
    let page = anna_b.get(&team).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("anna@partner.example") && page.body.contains("Partnership North"));

    // Bad input: a malformed address, a customer outside the organization's partnerships.
    let accounts_before = app.count("portal_accounts").await;
    let bad = post(
        &anna_b,
        &team,
        &format!("{team}/invite"),
        &[
            ("emails", "ben@partner.example\nnot an address"),
            ("role", "user"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("id=\"emails-error\"") && bad.body.contains("line 2: not an address")
    );
    let outside = format!("p{}:{}", w.north, w.other);
    let bad = post(
        &anna_b,
        &team,
        &format!("{team}/invite"),
        &[
            ("emails", "ben@partner.example"),
            ("role", "user"),
            ("customers", &outside),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"customers-error\""));
    let bad = post(
        &anna_b,
        &team,
        &format!("{team}/invite"),
        &[("emails", "ben@partner.example"), ("role", "owner")],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"role-error\""));
    assert_eq!(app.count("portal_accounts").await, accounts_before);

    // Two colleagues at once, as users with Tasks and one customer in each partnership.
    let one_north = format!("p{}:{c1}", w.north);
    let three_south = format!("p{}:{c3}", w.south);
    let done = post(
        &anna_b,
        &team,
        &format!("{team}/invite"),
        &[
            ("emails", "ben@partner.example, cara@partner.example"),
            ("role", "user"),
            ("modules", "Tasks"),
            ("customers", &one_north),
            ("customers", &three_south),
        ],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let listed = anna_b.get(done.location.as_deref().unwrap()).await;
    assert!(
        listed.body.contains("Invitations sent: 2."),
        "{}",
        listed.body
    );
    assert!(listed.body.contains("cara@partner.example") && listed.body.contains("Invited"));
    assert!(
        listed
            .body
            .contains("1 in Partnership North; 1 in Partnership South")
    );

    // The invitation names Anna; Ben accepts and sees exactly his two customers and his module.
    let token = token_for(&app, "ben@partner.example", 1).await;
    let accept = app
        .browser()
        .get(&format!("/portal/{pid}/accept?token={token}"))
        .await;
    assert!(accept.body.contains("Anna Admin"), "{}", accept.body);
    let ben_b = accept_and_log_in(&app, pid, "ben@partner.example", 1).await;
    let mine = ben_b.get(&format!("/portal/{pid}/access")).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("Customer One") && mine.body.contains("Customer Three"));
    assert!(!mine.body.contains("Customer Two"), "{}", mine.body);
    assert!(mine.body.contains("<li>Tasks</li>") && !mine.body.contains("<li>Pricing</li>"));
    let ben = account_id(&w, "ben@partner.example").await.unwrap();
    let (_, scope) = w.api.get(&format!("/api/v1/accounts/{ben}/scope")).await;
    assert_eq!(scope["customers"], json!([c1, c3]));

    // Ben is no admin: no team for him, and no acting on Anna.
    let denied = ben_b.get(&team).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert!(denied.body.contains("Only your organization"));
    let denied = post(
        &ben_b,
        &format!("/portal/{pid}/account"),
        &format!("{team}/{anna}/deactivate"),
        &[],
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);

    // Anna edits Ben: Customers instead of Tasks, Customer Two in North, all of South.
    let member = format!("{team}/{ben}");
    let two_north = format!("p{}:{c2}", w.north);
    let saved = post(
        &anna_b,
        &member,
        &format!("{member}/access"),
        &[
            ("role", "user"),
            ("modules", "Customers"),
            ("customers", &two_north),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (_, scope) = w.api.get(&format!("/api/v1/accounts/{ben}/scope")).await;
    assert_eq!(scope["customers"], json!([c2, c3]));
    assert_eq!(scope["modules"], json!(["Customers"]));
    // Not into another organization's partnership.
    let bad = post(
        &anna_b,
        &member,
        &format!("{member}/access"),
        &[("role", "user"), ("customers", &outside)],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Resending Cara's invitation ends the first link; cancelling it ends the second.
    let cara = account_id(&w, "cara@partner.example").await.unwrap();
    let first = token_for(&app, "cara@partner.example", 1).await;
    let resent = post(
        &anna_b,
        &format!("{team}/{cara}"),
        &format!("{team}/{cara}/resend"),
        &[],
    )
    .await;
    assert_eq!(resent.status, StatusCode::SEE_OTHER);
    let second = token_for(&app, "cara@partner.example", 2).await;
    let page = app
        .browser()
        .get(&format!("/portal/{pid}/accept?token={first}"))
        .await;
    assert_eq!(page.status, StatusCode::GONE);
    let confirm = anna_b.get(&format!("{team}/{cara}/remove")).await;
    assert!(confirm.body.contains("Cancel this invitation?"));
    let cancelled = post(
        &anna_b,
        &format!("{team}/{cara}"),
        &format!("{team}/{cara}/remove"),
        &[],
    )
    .await;
    assert_eq!(cancelled.status, StatusCode::SEE_OTHER);
    assert!(account_id(&w, "cara@partner.example").await.is_none());
    let page = app
        .browser()
        .get(&format!("/portal/{pid}/accept?token={second}"))
        .await;
    assert_eq!(page.status, StatusCode::GONE);

    // Deactivating Ben ends his session and tells him; reactivating lets him back.
    let off = post(&anna_b, &member, &format!("{member}/deactivate"), &[]).await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert_eq!(
        ben_b.get(&format!("/portal/{pid}/")).await.status,
        StatusCode::SEE_OTHER
    );
    let on = post(&anna_b, &member, &format!("{member}/reactivate"), &[]).await;
    assert_eq!(on.status, StatusCode::SEE_OTHER);
    log_in(&ben_b, pid, "ben@partner.example").await;

    // Removing Ben, after the confirmation page: he is told, his contact stays.
    let confirm = anna_b.get(&format!("{member}/remove")).await;
    assert!(
        confirm.body.contains("Remove this access?")
            && confirm.body.contains("ben@partner.example")
    );
    let removed = post(&anna_b, &member, &format!("{member}/remove"), &[]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(account_id(&w, "ben@partner.example").await.is_none());
    let (_, contacts) = w.api.get("/api/v1/contacts?q=ben%40partner.example").await;
    assert_eq!(contacts["items"].as_array().unwrap().len(), 1);
    assert!(
        eventually(10, || async {
            let all = mails(&app).await;
            let ben_mails = texts_to(&all, "ben@partner.example");
            ben_mails.iter().any(|t| t.contains("has been deactivated"))
                && ben_mails.iter().any(|t| t.contains("is active again"))
                && ben_mails.iter().any(|t| t.contains("has been revoked"))
        })
        .await,
        "{:?}",
        texts_to(&mails(&app).await, "ben@partner.example")
    );
    // Cara's cancelled invitation sent her nothing more.
    assert_eq!(
        texts_to(&mails(&app).await, "cara@partner.example").len(),
        2
    );

    // The last admin cannot remove, deactivate or demote herself; she still has access.
    let me = format!("{team}/{anna}");
    for (to, form) in [
        (format!("{me}/remove"), vec![]),
        (format!("{me}/deactivate"), vec![]),
        (format!("{me}/access"), vec![("role", "user")]),
    ] {
        let refused = post(&anna_b, &me, &to, &form).await;
        assert_eq!(
            refused.status,
            StatusCode::CONFLICT,
            "{to}: {}",
            refused.body
        );
        assert!(
            refused.body.contains("last active admin"),
            "{}",
            refused.body
        );
    }
    let (_, a) = w.api.get(&format!("/api/v1/accounts/{anna}")).await;
    assert_eq!(
        (a["role"].as_str(), a["lifecycle"].as_str()),
        (Some("admin"), Some("active"))
    );

    // Another organization's account is beyond her reach.
    let stranger_contact = id_of(
        &w.api,
        "/api/v1/contacts",
        json!({"organization_id": w.other, "name": "Olga", "email": "olga@other.example"}),
    )
    .await;
    let olga = id_of(
        &w.api,
        "/api/v1/accounts",
        json!({"contact_id": stranger_contact, "portal_id": pid, "role": "user"}),
    )
    .await;
    let stranger = anna_b.get(&format!("{team}/{olga}")).await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
    assert!(stranger.body.contains("not, or no longer, in your team"));
    let refused = post(&anna_b, &me, &format!("{team}/{olga}/remove"), &[]).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert!(account_id(&w, "olga@other.example").await.is_some());

    // In German.
    exec(
        &app,
        &format!("UPDATE portal_accounts SET language = 'de' WHERE id = {anna}"),
    )
    .await;
    let page = anna_b.get(&team).await;
    assert!(page.body.contains("Ihr Team") && page.body.contains("Partnerschaft North"));
    let refused = post(&anna_b, &me, &format!("{me}/remove"), &[]).await;
    assert!(
        refused.body.contains("letzte aktive Admin"),
        "{}",
        refused.body
    );
}
both!(admin_manages_team, an_admin_manages_its_team);

/// Adds `emails` as notifications-only colleagues from the team's page `team` (with `query`,
/// its language) and returns the page that says so.
async fn add_notified(b: &common::Browser, team: &str, query: &str, emails: &str) -> common::Page {
    let form = [("emails", emails), ("role", "notifications")];
    let to = format!("{team}/invite{query}");
    let added = post(b, &format!("{team}{query}"), &to, &form).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    b.get(added.location.as_deref().unwrap()).await
}

/// Notifications-only colleagues never log in: adding them sends no invitation, and the team's
/// page says so as the console does, in English and in German.
async fn notifications_only_colleagues_get_no_invitation(app: TestApp) {
    let w = world(&app).await;
    let (anna_b, _) = admin(&app, &w).await;
    let team = format!("/portal/{}/team", w.portal);
    let outbox = app.count("outbox_messages").await;
    let emails = "dan@partner.example, eva@partner.example";
    let shown = add_notified(&anna_b, &team, "", emails).await;
    let said = "2 people will receive e-mail notifications; no invitation is sent, as this role \
                never logs in.";
    assert!(shown.body.contains(said), "{}", shown.body);
    assert!(!shown.body.contains("Invitations sent"), "{}", shown.body);
    assert_eq!(app.count("outbox_messages").await, outbox);

    // In German: one more, and one who already had access.
    let emails = "dan@partner.example\nfritz@partner.example";
    let shown = add_notified(&anna_b, &team, "?lang=de", emails).await;
    let said = "1 Person erhält E-Mail-Benachrichtigungen; eine Einladung wird nicht gesendet, da \
                sich diese Rolle nie anmeldet. 1 Person hatte bereits Zugang.";
    assert!(shown.body.contains(said), "{}", shown.body);
    assert!(
        !shown.body.contains("Einladungen gesendet"),
        "{}",
        shown.body
    );
    assert_eq!(app.count("outbox_messages").await, outbox);
}
both!(
    notifications_only_team,
    notifications_only_colleagues_get_no_invitation
);

async fn staff_edit_access_in_the_console(app: TestApp) {
    let w = world(&app).await;
    let [c1, c2, _] = w.c;
    let contact = id_of(
        &w.api,
        "/api/v1/contacts",
        json!({"organization_id": w.partner, "name": "Dora", "email": "dora@partner.example"}),
    )
    .await;
    let dora = id_of(
        &w.api,
        "/api/v1/accounts",
        json!({"contact_id": contact, "portal_id": w.portal, "role": "user", "modules": ["Tasks"]}),
    )
    .await;
    app.create_staff("admin@example.test", "administrator", &[], PASSWORD)
        .await;
    let b = app.browser();
    b.login("admin@example.test", PASSWORD).await;
    let page = format!("/console/accounts/{dora}");
    let shown = b.get(&page).await;
    assert!(
        shown.body.contains("Partnership North")
            && shown.body.contains("Save role, modules and customers")
    );
    let csrf = shown.csrf();

    // A customer outside the partnership: the form comes back with the reason; nothing changed.
    let bad = format!("p{}:{}", w.north, w.other);
    let refused = b
        .post(
            &format!("{page}/access"),
            &[("csrf", &csrf), ("role", "user"), ("customers", &bad)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("id=\"customers-error\""));
    let (_, access) = w.api.get(&format!("/api/v1/accounts/{dora}/access")).await;
    assert_eq!(access["account"]["modules"], json!(["Tasks"]));

    // Customers One and Two in North, Customers instead of Tasks.
    let one = format!("p{}:{c1}", w.north);
    let two = format!("p{}:{c2}", w.north);
    let saved = b
        .post(
            &format!("{page}/access"),
            &[
                ("csrf", &csrf),
                ("role", "user"),
                ("modules", "Customers"),
                ("customers", &one),
                ("customers", &two),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (_, access) = w.api.get(&format!("/api/v1/accounts/{dora}/access")).await;
    assert_eq!(access["account"]["modules"], json!(["Customers"]));
    assert_eq!(access["customers"].as_array().unwrap().len(), 2);
    // The access list shows how many per partnership.
    let list = b.get("/console/access?q=dora").await;
    assert!(list.body.contains("North: 2"), "{}", list.body);
    // The audit log has the change.
    let (_, events) = w
        .api
        .get(&format!(
            "/api/v1/audit-events?target_kind=portal_account&target_id={dora}"
        ))
        .await;
    assert!(events.to_string().contains("account.access_changed"));

    // A supervisor outside the organization's area does not see the account.
    let north_area = id_of(&w.api, "/api/v1/areas", json!({"name": "North area"})).await;
    app.create_staff("sup@example.test", "supervisor", &[north_area], PASSWORD)
        .await;
    let sup = app.browser();
    sup.login("sup@example.test", PASSWORD).await;
    assert_eq!(sup.get(&page).await.status, StatusCode::NOT_FOUND);
    let csrf = sup.csrf().await;
    let refused = sup
        .post(
            &format!("{page}/access"),
            &[("csrf", &csrf), ("role", "admin")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let (_, a) = w.api.get(&format!("/api/v1/accounts/{dora}")).await;
    assert_eq!(a["role"], "user");
}
both!(console_access, staff_edit_access_in_the_console);
