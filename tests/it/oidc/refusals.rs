//! Every refusal of the specifications: wrong clients and redirect URIs never redirect, a
//! missing or wrong PKCE verifier, a reused or expired code, a wrong secret (throttled), the
//! `none` algorithm, and another portal's tokens: each refused with the error the
//! specifications name, nothing issued.

use super::*;
use admit::clock::ManualClock;
use common::Engine;

async fn a_wrong_client_or_redirect_uri_shows_a_page_and_never_redirects(app: TestApp) {
    let w = world(&app).await;
    let b = app.browser();
    for extra in [
        [("client_id", "0123456789abcdef0123456789abcdef"), ("", "")],
        [
            ("redirect_uri", "https://evil.example.com/callback"),
            ("", ""),
        ],
        [("redirect_uri", ""), ("", "")],
        [("client_id", ""), ("", "")],
    ] {
        let extra: Vec<_> = extra.into_iter().filter(|(k, _)| !k.is_empty()).collect();
        let page = b.get(&authorize_path(&w.rp, &extra)).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{extra:?}");
        assert!(page.location.is_none(), "{extra:?}");
        assert!(page.body.contains("cannot log you in"), "{}", page.body);
    }
    // Once the client and address are known, errors go back to the application.
    for (extra, error) in [
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (vec![("scope", "email")], "invalid_scope"),
        (vec![("code_challenge_method", "plain")], "invalid_request"),
        (vec![("request", "eyJ")], "request_not_supported"),
    ] {
        let page = b.get(&authorize_path(&w.rp, &extra)).await;
        let to = page.location.unwrap();
        assert!(to.starts_with(REDIRECT), "{to}");
        assert_eq!(param(&to, "error").as_deref(), Some(error), "{extra:?}");
    }
    let public = client(&app, w.pid, "public", "Pricing").await;
    let page = b
        .get(&authorize_path(
            &public,
            &[("code_challenge", ""), ("code_challenge_method", "")],
        ))
        .await;
    assert_eq!(
        param(&page.location.unwrap(), "error").as_deref(),
        Some("invalid_request")
    );
    assert_eq!(app.count("oidc_codes").await, 0);
    assert!(
        app.count("audit_events WHERE action = 'oidc.authorize_refused'")
            .await
            >= 1
    );
}
both!(
    authorize,
    a_wrong_client_or_redirect_uri_shows_a_page_and_never_redirects
);

async fn a_code_needs_its_verifier_and_is_used_once(app: TestApp) {
    let w = world(&app).await;
    let b = app.browser();
    let code = log_in(&app, &b, &w.rp, w.email).await;
    let wrong = post(
        &app,
        &w.rp,
        "token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            (
                "code_verifier",
                "another-verifier-of-forty-three-characters-000",
            ),
        ],
    )
    .await;
    assert_eq!(
        (wrong.0, wrong.1["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    // The code is spent by the failed try.
    let (status, e) = exchange(&app, &w.rp, &code).await;
    assert_eq!(
        (status, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );

    // A reused code ends what the first use issued.
    let page = b.get(&authorize_path(&w.rp, &[])).await;
    let code = code_of(&page.location.unwrap());
    let (status, t) = exchange(&app, &w.rp, &code).await;
    assert_eq!(status, StatusCode::OK, "{t}");
    let (status, e) = exchange(&app, &w.rp, &code).await;
    assert_eq!(
        (status, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let (status, _) = refresh(&app, &w.rp, &s(&t, "refresh_token")).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the first use's refresh token ended"
    );
    let (status, _) = userinfo(&app, w.pid, &s(&t, "access_token")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Another client's code is not this one's.
    let page = b.get(&authorize_path(&w.rp, &[])).await;
    let code = code_of(&page.location.unwrap());
    let other = client(&app, w.pid, "confidential", "Payments").await;
    let (status, e) = exchange(&app, &other, &code).await;
    assert_eq!(
        (status, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    assert!(
        app.count("audit_events WHERE action = 'oidc.token_refused'")
            .await
            >= 1
    );
    assert!(
        app.count("audit_events WHERE action = 'oidc.grant_ended'")
            .await
            >= 2
    );
}
both!(codes, a_code_needs_its_verifier_and_is_used_once);

async fn a_code_lapses_after_sixty_seconds(engine: Engine) {
    let clock = ManualClock::new(1_795_424_400_000);
    let app = TestApp::spawn_clocked(engine, clock.clone(), |_| {}).await;
    let w = world(&app).await;
    let b = app.browser();
    let code = log_in(&app, &b, &w.rp, w.email).await;
    clock.advance(61_000);
    let (status, e) = exchange(&app, &w.rp, &code).await;
    assert_eq!(
        (status, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    assert_eq!(e["error_description"], "the code has expired");
}
on_both!(expired_code, a_code_lapses_after_sixty_seconds);

/// The application's request is answered in the login's own write: when it lapsed while the
/// person was on the login page, the login still holds, and the page says why the
/// application gets nothing (no code is issued).
async fn a_request_that_lapsed_during_the_login_is_not_answered(engine: Engine) {
    let clock = ManualClock::new(1_795_424_400_000);
    let app = TestApp::spawn_clocked(engine, clock.clone(), |_| {}).await;
    let w = world(&app).await;
    let b = app.browser();
    let first = b.get(&authorize_path(&w.rp, &[])).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    clock.advance(admit::usecases::oidc::REQUEST_MS + 1_000);
    let login = b.portal_login(w.pid, w.email, PASSWORD).await;
    assert_eq!(login.status, StatusCode::BAD_REQUEST, "{}", login.body);
    assert!(
        login.body.contains("This login request has expired"),
        "{}",
        login.body
    );
    assert_eq!(app.count("oidc_codes").await, 0);
    // Logged in on the portal all the same.
    let home = b.get(&format!("/portal/{}/", w.pid)).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(home.body.contains("Erika Muster"), "{}", home.body);
}
on_both!(
    lapsed_request,
    a_request_that_lapsed_during_the_login_is_not_answered
);

async fn wrong_secrets_are_refused_and_throttled(app: TestApp) {
    let w = world(&app).await;
    let mut wrong = w.rp.clone();
    wrong.secret = Some("0".repeat(64));
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let (status, e) = post(
            &app,
            &wrong,
            "token",
            &[("grant_type", "client_credentials")],
        )
        .await;
        assert_eq!(e["error"], "invalid_client", "{e}");
        statuses.push(status);
    }
    assert_eq!(statuses[0], StatusCode::UNAUTHORIZED);
    assert_eq!(statuses[6], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    // Blocked: even the right secret waits (from this address).
    let (status, _) = post(
        &app,
        &w.rp,
        "token",
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        app.count("audit_events WHERE action = 'security.locked_out'")
            .await
            >= 1
    );
    // No secret at all, and an unknown client.
    let mut none = w.rp.clone();
    none.secret = None;
    let (status, e) = post(
        &app,
        &none,
        "token",
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(
        (status, e["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
}
both!(secrets, wrong_secrets_are_refused_and_throttled);

async fn wrong_secrets_many_at_once_are_refused_and_block_the_client(app: TestApp) {
    let w = world(&app).await;
    // Four times as many as the database has connections: a refusal must not hold one while
    // it waits for another to write its record with.
    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let (url, rp) = (app.url(""), w.rp.clone());
        tasks.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("{url}/portal/{}/oidc/token", rp.pid))
                .basic_auth(&rp.client_id, Some("0".repeat(64)))
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert!(
        statuses
            .iter()
            .all(|s| [StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS].contains(s)),
        "{statuses:?}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "40 refusals took {:?}",
        started.elapsed()
    );
    // The failures were counted: the right secret now waits too.
    let (status, _) = post(
        &app,
        &w.rp,
        "token",
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}
both!(
    secrets_at_once,
    wrong_secrets_many_at_once_are_refused_and_block_the_client
);

async fn forged_and_foreign_tokens_are_refused(app: TestApp) {
    let w = world(&app).await;
    let (_, t) = tokens(&app, &w).await;
    let access = s(&t, "access_token");
    // alg "none", with the same claims and no signature.
    use base64::Engine as _;
    let b64 = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    let claims = access.split('.').nth(1).unwrap();
    let none = format!("{}.{claims}.", b64(r#"{"alg":"none","typ":"at+jwt"}"#));
    let (status, _) = userinfo(&app, w.pid, &none).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A changed claim breaks the signature.
    let (_, mut c) = jwt(&access);
    c["sub"] = json!("999999");
    let parts: Vec<&str> = access.split('.').collect();
    let tampered = format!("{}.{}.{}", parts[0], b64(&c.to_string()), parts[2]);
    let (status, _) = userinfo(&app, w.pid, &tampered).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Another portal's clients do not take this portal's tokens.
    let api = app.api(&app.api_key().await);
    let (_, other) = api
        .post(
            "/api/v1/portals",
            &json!({"name": "Installers", "kind": "partner",
            "base_url": "https://i.example.com", "registration_mode": "invitation_only"}),
        )
        .await;
    let opid = other["id"].as_i64().unwrap();
    let foreign = client(&app, opid, "confidential", "Tools").await;
    let (status, _) = userinfo(&app, opid, &access).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, i) = post(&app, &foreign, "introspect", &[("token", &access)]).await;
    assert_eq!(i["active"], false);
    let (status, e) = refresh(&app, &foreign, &s(&t, "refresh_token")).await;
    assert_eq!(
        (status, e["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    // This portal's client at the other portal's endpoint is unknown there.
    let mut misplaced = w.rp.clone();
    misplaced.pid = opid;
    let (status, e) = refresh(&app, &misplaced, &s(&t, "refresh_token")).await;
    assert_eq!(
        (status, e["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
}
both!(foreign_tokens, forged_and_foreign_tokens_are_refused);
