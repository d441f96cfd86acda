//! Refresh tokens: rotated at every use, a reused one ends the whole grant (also when two
//! uses race), and refresh stops once the account may no longer log in.

use super::*;

async fn each_refresh_rotates_and_a_reused_token_ends_the_grant(app: TestApp) {
    let w = world(&app).await;
    let (_, t) = tokens(&app, &w).await;
    let first = s(&t, "refresh_token");
    let (status, t2) = refresh(&app, &w.rp, &first).await;
    assert_eq!(status, StatusCode::OK, "{t2}");
    let second = s(&t2, "refresh_token");
    assert_ne!(first, second);
    assert_eq!(jwt(&s(&t2, "id_token")).1["sub"], w.account.to_string());
    let (status, t3) = refresh(&app, &w.rp, &second).await;
    assert_eq!(status, StatusCode::OK, "{t3}");
    // The first token again: a copy is abroad, the whole grant ends.
    let (status, e) = refresh(&app, &w.rp, &first).await;
    assert_eq!(
        (status, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let (status, _) = refresh(&app, &w.rp, &s(&t3, "refresh_token")).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the newest token ended with its grant"
    );
    let (status, _) = userinfo(&app, w.pid, &s(&t3, "access_token")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let ended = app
        .count_where(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'oidc.grant_ended' AND after_json LIKE '%' || $1 || '%'",
            "refresh_reused",
        )
        .await;
    assert_eq!(ended, 1);
}
both!(
    rotation,
    each_refresh_rotates_and_a_reused_token_ends_the_grant
);

async fn of_many_uses_at_once_of_one_token_at_most_one_succeeds(app: TestApp) {
    let w = world(&app).await;
    let (_, t) = tokens(&app, &w).await;
    let token = s(&t, "refresh_token");
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (app_url, rp, token) = (app.url(""), w.rp.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("{app_url}/portal/{}/oidc/token", rp.pid))
                .basic_auth(&rp.client_id, rp.secret.as_deref())
                .form(&[("grant_type", "refresh_token"), ("refresh_token", &token)])
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut ok = 0;
    for t in tasks {
        if t.await.unwrap() == StatusCode::OK {
            ok += 1;
        }
    }
    assert!(ok <= 1, "{ok} refreshes with one token succeeded");
    let rows = app
        .count_where(
            "SELECT COUNT(*) FROM oidc_refresh_tokens WHERE used_at IS NULL AND grant_id IN \
             (SELECT id FROM oidc_grants WHERE ended_at IS NULL AND $1 = $1)",
            "x",
        )
        .await;
    assert_eq!(
        rows, 0,
        "the reuse ended the grant: no usable refresh token is left"
    );
}
both!(
    concurrent_reuse,
    of_many_uses_at_once_of_one_token_at_most_one_succeeds
);

async fn refresh_stops_when_the_account_may_no_longer_log_in(app: TestApp) {
    let w = world(&app).await;
    let api = app.api(&app.api_key().await);
    for action in ["deactivate", "switch_off"] {
        let (_, t) = tokens(&app, &w).await;
        let (status, _) = api
            .post(
                &format!("/api/v1/accounts/{}/status", w.account),
                &json!({"action": action}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, e) = refresh(&app, &w.rp, &s(&t, "refresh_token")).await;
        assert_eq!(
            (status, e["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_grant")),
            "{action}"
        );
        let (status, _) = userinfo(&app, w.pid, &s(&t, "access_token")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{action}");
        let undo = if action == "deactivate" {
            "reactivate"
        } else {
            "switch_on"
        };
        api.post(
            &format!("/api/v1/accounts/{}/status", w.account),
            &json!({"action": undo}),
        )
        .await;
    }
    // A password reset ends every session, and so every grant.
    let (_, t) = tokens(&app, &w).await;
    admit::usecases::accounts::request_password_reset(&app.cx, w.pid, w.email, None)
        .await
        .unwrap();
    let invitation = common::last_token_to(&app, w.email).await;
    assert!(
        common::eventually(10, || async {
            common::last_token_to(&app, w.email).await != invitation
        })
        .await
    );
    let token = common::last_token_to(&app, w.email).await.unwrap();
    let new_password = "a brand new passphrase for her";
    admit::usecases::accounts::reset_password(
        &app.cx,
        w.pid,
        &token,
        new_password,
        new_password,
        None,
    )
    .await
    .unwrap();
    let (status, _) = refresh(&app, &w.rp, &s(&t, "refresh_token")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
both!(barred, refresh_stops_when_the_account_may_no_longer_log_in);

async fn introspection_says_what_is_active_and_revocation_ends_it(app: TestApp) {
    let w = world(&app).await;
    let (_, t) = tokens(&app, &w).await;
    let (status, i) = post(
        &app,
        &w.rp,
        "introspect",
        &[("token", &s(&t, "access_token"))],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{i}");
    assert_eq!(i["active"], true);
    assert_eq!(i["sub"], w.account.to_string());
    assert_eq!(i["client_id"], w.rp.client_id.as_str());
    let (_, i) = post(
        &app,
        &w.rp,
        "introspect",
        &[("token", &s(&t, "refresh_token"))],
    )
    .await;
    assert_eq!(i["active"], true);
    assert_eq!(i["token_type"], "refresh_token");
    let (_, i) = post(&app, &w.rp, "introspect", &[("token", "nonsense")]).await;
    assert_eq!(i, json!({"active": false}));
    // A public client may not introspect.
    let public = client(&app, w.pid, "public", "Pricing").await;
    let (status, _) = post(
        &app,
        &public,
        "introspect",
        &[("token", &s(&t, "access_token"))],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, _) = post(&app, &w.rp, "revoke", &[("token", &s(&t, "refresh_token"))]).await;
    assert_eq!(status, StatusCode::OK);
    let (_, i) = post(
        &app,
        &w.rp,
        "introspect",
        &[("token", &s(&t, "access_token"))],
    )
    .await;
    assert_eq!(i["active"], false);
    let (status, _) = refresh(&app, &w.rp, &s(&t, "refresh_token")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
both!(
    introspection,
    introspection_says_what_is_active_and_revocation_ends_it
);

async fn the_admit_claim_follows_every_change_of_modules_at_once(app: TestApp) {
    let w = world(&app).await;
    let api = app.api(&app.api_key().await);
    let (_, t) = tokens(&app, &w).await;
    let mut token = s(&t, "refresh_token");
    // What a refresh and userinfo say, beside the scope the API gives.
    let claims_now = async |token: &str| {
        let (status, t) = refresh(&app, &w.rp, token).await;
        assert_eq!(status, StatusCode::OK, "{t}");
        let access = jwt(&s(&t, "access_token")).1["admit"].clone();
        let (status, info) = userinfo(&app, w.pid, &s(&t, "access_token")).await;
        assert_eq!(status, StatusCode::OK, "{info}");
        let scope = api
            .get(&format!("/api/v1/accounts/{}/scope", w.account))
            .await
            .1;
        assert_eq!(access["scope_version"], scope["version"], "{access}");
        assert_eq!(info["admit"]["scope_version"], scope["version"]);
        assert_eq!(access["modules"], scope["modules"]);
        assert_eq!(info["admit"]["modules"], scope["modules"]);
        (s(&t, "refresh_token"), access)
    };
    let (next, before) = claims_now(&token).await;
    token = next;
    assert_eq!(before["modules"], json!([]));

    // The portal gains a module and the account is given it: the next refresh says so.
    let (_, shown) = api.get(&format!("/api/v1/portals/{}", w.pid)).await;
    let mut portal = json!({"modules": [{"name": "Invoices"}]});
    for field in [
        "name",
        "kind",
        "base_url",
        "registration_mode",
        "self_registration_creates_contact",
        "notify_staff_on_new_link",
        "invitation_lifetime_days",
        "default_language",
    ] {
        portal[field] = shown[field].clone();
    }
    let (status, body) = api
        .put(&format!("/api/v1/portals/{}", w.pid), &portal)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = api
        .put(
            &format!("/api/v1/accounts/{}/access", w.account),
            &json!({"modules": ["Invoices"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (next, granted) = claims_now(&token).await;
    token = next;
    assert_eq!(granted["modules"], json!(["Invoices"]));
    assert_ne!(granted["scope_version"], before["scope_version"]);

    // And taken away again.
    let (status, _) = api
        .put(
            &format!("/api/v1/accounts/{}/access", w.account),
            &json!({"modules": []}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, taken) = claims_now(&token).await;
    assert_eq!(taken["modules"], json!([]));
    assert_eq!(taken["scope_version"], before["scope_version"]);
}
both!(
    claim_follows_changes,
    the_admit_claim_follows_every_change_of_modules_at_once
);
