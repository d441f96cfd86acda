//! The code flow as an application and a person go through it.

use super::*;

async fn discovery_names_the_portal_as_issuer(app: TestApp) {
    let w = world(&app).await;
    let (status, doc) = app
        .api("")
        .get(&format!(
            "/portal/{}/.well-known/openid-configuration",
            w.pid
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    let iss = app.url(&format!("/portal/{}", w.pid));
    assert_eq!(doc["issuer"], iss.as_str());
    assert_eq!(
        doc["authorization_endpoint"],
        format!("{iss}/oidc/authorize")
    );
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(doc["response_types_supported"], json!(["code"]));
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["ES256", "RS256"])
    );
    let (status, jwks) = app
        .api("")
        .get(&format!("/portal/{}/oidc/jwks", w.pid))
        .await;
    assert_eq!(status, StatusCode::OK);
    let algs: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["alg"].as_str().unwrap())
        .collect();
    assert!(algs.contains(&"ES256") && algs.contains(&"RS256"), "{jwks}");
    let (status, _) = app
        .api("")
        .get("/portal/999999/.well-known/openid-configuration")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
both!(discovery, discovery_names_the_portal_as_issuer);

async fn a_person_logs_in_through_the_portal_page_and_the_tokens_say_who(app: TestApp) {
    let w = world(&app).await;
    let (b, tokens) = tokens(&app, &w).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 300);
    let (header, id) = jwt(&s(&tokens, "id_token"));
    assert_eq!(header["alg"], "ES256");
    assert_eq!(id["iss"], app.url(&format!("/portal/{}", w.pid)).as_str());
    assert_eq!(id["aud"], w.rp.client_id.as_str());
    assert_eq!(id["sub"], w.account.to_string());
    assert_eq!(id["nonce"], "the-nonce");
    assert_eq!(id["email"], w.email);
    assert_eq!(id["email_verified"], true);
    assert_eq!(id["name"], "Erika Muster");
    assert_eq!(id["admit"]["organization"]["name"], "Nordlicht GmbH");
    assert_eq!(id["admit"]["organization"]["kind"], "customer");
    let api = app.api(&app.api_key().await);
    let (_, scope) = api
        .get(&format!("/api/v1/accounts/{}/scope", w.account))
        .await;
    assert_eq!(id["admit"]["scope_version"], scope["version"]);
    assert_eq!(id["admit"]["modules"], scope["modules"]);
    assert_eq!(id["admit"]["role"], scope["role"]);
    // The signature holds against the keys the JWKS publishes.
    let verified = admit::usecases::oidc::keys::verify(&app.cx, &s(&tokens, "id_token")).await;
    assert!(verified.is_ok());

    let (header, access) = jwt(&s(&tokens, "access_token"));
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(access["client_id"], w.rp.client_id.as_str());
    assert_eq!(access["sub"], w.account.to_string());
    assert_eq!(access["sid"], id["sid"]);

    let (status, info) = userinfo(&app, w.pid, &s(&tokens, "access_token")).await;
    assert_eq!(status, StatusCode::OK, "{info}");
    assert_eq!(info["sub"], w.account.to_string());
    assert_eq!(info["email"], w.email);
    assert_eq!(info["admit"]["organization"]["name"], "Nordlicht GmbH");

    // Single sign-on: a second application of the portal needs no login.
    let other = client(&app, w.pid, "public", "Pricing").await;
    let page = b.get(&authorize_path(&other, &[])).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let code = code_of(&page.location.unwrap());
    let (status, t2) = exchange(&app, &other, &code).await;
    assert_eq!(status, StatusCode::OK, "{t2}");
    assert_eq!(jwt(&s(&t2, "id_token")).1["sid"], id["sid"]);

    // prompt=login asks again even with a session.
    let page = b.get(&authorize_path(&w.rp, &[("prompt", "login")])).await;
    assert!(
        page.location
            .unwrap()
            .starts_with(&format!("/portal/{}/login", w.pid))
    );
}
both!(
    code_flow,
    a_person_logs_in_through_the_portal_page_and_the_tokens_say_who
);

async fn without_a_session_prompt_none_answers_login_required(app: TestApp) {
    let w = world(&app).await;
    let page = app
        .browser()
        .get(&authorize_path(&w.rp, &[("prompt", "none")]))
        .await;
    let to = page.location.expect("a redirect to the application");
    assert!(to.starts_with(REDIRECT), "{to}");
    assert_eq!(param(&to, "error").as_deref(), Some("login_required"));
    assert_eq!(param(&to, "state").as_deref(), Some("the-state"));
}
both!(
    prompt_none,
    without_a_session_prompt_none_answers_login_required
);

async fn a_login_hint_and_ui_locales_fill_in_the_login_page(app: TestApp) {
    let w = world(&app).await;
    let b = app.browser();
    let page = b
        .get(&authorize_path(
            &w.rp,
            &[("login_hint", w.email), ("ui_locales", "de-DE en")],
        ))
        .await;
    let to = page.location.unwrap();
    let login = b.get(&to).await;
    assert!(
        login.body.contains(&format!("value=\"{}\"", w.email)),
        "{}",
        login.body
    );
    assert!(login.body.contains("lang=\"de\""), "{}", login.body);
}
both!(
    login_hint,
    a_login_hint_and_ui_locales_fill_in_the_login_page
);

async fn an_account_that_may_not_log_in_sees_the_portal_refusal(app: TestApp) {
    let w = world(&app).await;
    let api = app.api(&app.api_key().await);
    let (status, _) = api
        .post(
            &format!("/api/v1/accounts/{}/status", w.account),
            &json!({"action": "switch_off"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let b = app.browser();
    b.get(&authorize_path(&w.rp, &[])).await;
    let login = b.portal_login(w.pid, w.email, PASSWORD).await;
    assert_eq!(login.status, StatusCode::FORBIDDEN, "{}", login.body);
    assert_eq!(app.count("oidc_codes").await, 0);
}
both!(
    refused_account,
    an_account_that_may_not_log_in_sees_the_portal_refusal
);

async fn a_client_token_asks_the_decision_api_for_its_own_portal_only(app: TestApp) {
    let w = world(&app).await;
    let (status, t) = post(
        &app,
        &w.rp,
        "token",
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    assert!(t.get("refresh_token").is_none() && t.get("id_token").is_none());
    let bearer = app.api(&s(&t, "access_token"));
    let (status, d) = bearer
        .get(&format!(
            "/api/v1/decision?account_id={}&module=nothing-such",
            w.account
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["allow"], false);
    let (status, scope) = bearer
        .get(&format!("/api/v1/accounts/{}/scope", w.account))
        .await;
    assert_eq!(status, StatusCode::OK, "{scope}");
    // Nothing else of the API.
    let (status, _) = bearer.get("/api/v1/accounts").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // An account of another portal is unknown to it.
    let api = app.api(&app.api_key().await);
    let (_, other) = api
        .post(
            "/api/v1/portals",
            &json!({"name": "Installers", "kind": "partner",
            "base_url": "https://i.example.com", "registration_mode": "invitation_only"}),
        )
        .await;
    let other_client = client(&app, other["id"].as_i64().unwrap(), "confidential", "Tools").await;
    let (_, t2) = post(
        &app,
        &other_client,
        "token",
        &[("grant_type", "client_credentials")],
    )
    .await;
    let (status, d) = app
        .api(&s(&t2, "access_token"))
        .get(&format!(
            "/api/v1/decision?account_id={}&module=x",
            w.account
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["rule"], "unknown_account");
    let (status, _) = app
        .api(&s(&t2, "access_token"))
        .get(&format!("/api/v1/accounts/{}/scope", w.account))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A person's access token is not a client's.
    let (_, person) = tokens(&app, &w).await;
    let (status, _) = app
        .api(&s(&person, "access_token"))
        .get(&format!(
            "/api/v1/decision?account_id={}&module=x",
            w.account
        ))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
both!(
    client_credentials,
    a_client_token_asks_the_decision_api_for_its_own_portal_only
);

async fn logging_out_from_an_application_ends_the_portal_session(app: TestApp) {
    let w = world(&app).await;
    let (b, t) = tokens(&app, &w).await;
    // Without an ID token naming the person: asked first.
    let page = b.get(&format!("/portal/{}/oidc/logout", w.pid)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Log out?"), "{}", page.body);
    // With one: logged out and sent back to the registered address with the state.
    let q: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("id_token_hint", s(&t, "id_token").as_str()),
            ("post_logout_redirect_uri", AFTER_LOGOUT),
            ("state", "bye"),
        ])
        .finish();
    let page = b.get(&format!("/portal/{}/oidc/logout?{q}", w.pid)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let to = page.location.unwrap();
    assert!(
        to.starts_with(AFTER_LOGOUT) && to.contains("state=bye"),
        "{to}"
    );
    let home = b.get(&format!("/portal/{}/", w.pid)).await;
    assert_eq!(
        home.status,
        StatusCode::SEE_OTHER,
        "the portal session ended"
    );
    let (status, e) = refresh(&app, &w.rp, &s(&t, "refresh_token")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(e["error"], "invalid_grant");
    let (status, _) = userinfo(&app, w.pid, &s(&t, "access_token")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // An unregistered address is refused on a page, not followed.
    let q: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("client_id", w.rp.client_id.as_str()),
            ("post_logout_redirect_uri", "https://evil.example.com/"),
        ])
        .finish();
    let page = b.get(&format!("/portal/{}/oidc/logout?{q}", w.pid)).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.location.is_none());
}
both!(
    rp_logout,
    logging_out_from_an_application_ends_the_portal_session
);
