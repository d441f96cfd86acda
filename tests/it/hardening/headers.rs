//! Security headers on every kind of page: the console, the portal pages, the API, its
//! documentation (Swagger UI) and the console's files; HSTS when Admit is reached over https.

use crate::common;

use common::{Engine, PASSWORD, TestApp};
use reqwest::header::HeaderMap;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

async fn every_page_kind_carries_the_headers(engine: Engine) {
    for https in [false, true] {
        let app = TestApp::spawn_with(engine, |c| {
            if https {
                c.public_url = Some("https://admit.example.test".into());
                c.secure_cookies = Some(false);
            }
        })
        .await;
        let (pid, _, token) =
            common::invited_on_portal(&app, "customer", "erika@nordlicht.example").await;
        app.create_staff("admin@example.test", "administrator", &[], PASSWORD)
            .await;
        let b = app.browser();
        b.login("admin@example.test", PASSWORD).await;
        let key = app.api_key().await;
        let pages = [
            "/console/login".to_string(),
            "/console/organizations".to_string(),
            "/console/api-keys".to_string(),
            format!("/console/portals/{pid}/templates/invitation/en"),
            "/console/style.css".to_string(),
            "/console/script.js".to_string(),
            format!("/portal/{pid}/login"),
            format!("/portal/{pid}/accept?token={token}"),
            "/api/docs/".to_string(),
            "/api/docs/swagger-initializer.js".to_string(),
            "/api/docs/openapi.json".to_string(),
            "/api/openapi.json".to_string(),
            "/api/v1/organizations".to_string(),
            "/healthz".to_string(),
            "/no/such/page".to_string(),
        ];
        for path in &pages {
            let res = b
                .client
                .get(app.url(path))
                .bearer_auth(&key)
                .send()
                .await
                .unwrap();
            let h: HeaderMap = res.headers().clone();
            let status = res.status();
            let body = res.text().await.unwrap();
            assert_eq!(h["content-security-policy"], CSP, "{path} ({status})");
            assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(
                h.get("strict-transport-security")
                    .map(|v| v.to_str().unwrap()),
                https.then_some("max-age=31536000"),
                "{path}"
            );
            // No inline script and no inline event handler: the policy would block them.
            if h["content-type"].to_str().unwrap().starts_with("text/html") {
                assert!(
                    status.is_success() || status.as_u16() == 404,
                    "{path}: {status}"
                );
                for (i, _) in body.match_indices("<script") {
                    let tag = &body[i..i + body[i..].find('>').unwrap()];
                    assert!(tag.contains(" src="), "{path}: an inline script");
                }
                assert!(!body.contains(" onclick="), "{path}: an inline handler");
            }
        }
    }
}

on_both!(
    every_page_kind_carries_the_headers,
    every_page_kind_carries_the_headers
);
