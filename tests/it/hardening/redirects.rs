//! A `Location` built from what a client sent stays one valid header with the address asked
//! for: no 500, no extra query parameters, no cookie before a refusal.

use crate::common;

use common::{PASSWORD, TestApp};
use reqwest::StatusCode;

/// The accept, password, activation and address-confirmation forms, posted with an expired
/// form token, send the browser back to their page with the posted token: encoded, as one
/// parameter, whatever it held (CR LF, `&`, `#`).
async fn link_forms_redirect_with_the_token_encoded(app: TestApp) {
    let (pid, _, _) = common::invited_on_portal(&app, "customer", "erika@nordlicht.example").await;
    let b = app.browser();
    let tricky = "abc\r\nSet-Cookie: evil=1&lang=de&token=other#x";
    for page in ["accept", "password", "activate", "confirm-email"] {
        let res = b
            .post(
                &format!("/portal/{pid}/{page}"),
                &[
                    ("csrf", "stale"),
                    ("token", tricky),
                    ("password", PASSWORD),
                    ("confirmation", PASSWORD),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{page}: {}", res.body);
        let location = res.location.expect("a Location");
        assert_eq!(
            location,
            format!(
                "/portal/{pid}/{page}?token=abc%0D%0ASet-Cookie%3A+evil%3D1%26lang%3Dde%26token%3Dother%23x"
            ),
            "{page}"
        );
        // Read back, the address holds exactly one parameter: the token as posted.
        let query = location.split_once('?').unwrap().1;
        let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        assert_eq!(params, vec![("token".to_string(), tricky.to_string())]);
    }
}

both!(
    link_forms_redirect_with_the_token_encoded,
    link_forms_redirect_with_the_token_encoded
);

/// `next` with a control character or a space after a good login: the session starts and the
/// browser goes to the page asked for, encoded (it was a 500 after the session cookie).
async fn login_next_with_control_characters_is_encoded(app: TestApp) {
    app.create_staff("admin@example.test", "administrator", &[], PASSWORD)
        .await;
    for (next, expected) in [
        ("/console/contacts?q=a\r\nb", "/console/contacts?q=a%0D%0Ab"),
        ("/console/contacts?q=\u{1}", "/console/contacts?q=%01"),
        (
            "/console/contacts?q=M\u{fc}ller x",
            "/console/contacts?q=M%C3%BCller%20x",
        ),
        ("//evil.example/console", "/console"),
    ] {
        let b = app.browser();
        let csrf = b.get("/console/login").await.csrf();
        let res = b
            .post(
                "/console/login",
                &[
                    ("email", "admin@example.test"),
                    ("password", PASSWORD),
                    ("csrf", &csrf),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{next:?}: {}", res.body);
        assert_eq!(res.location.as_deref(), Some(expected), "{next:?}");
        let page = b.get(expected).await;
        assert_eq!(page.status, StatusCode::OK, "{next:?} leads to a page");
    }
    // The login page with such a `next` is a page too, not a 500.
    let b = app.browser();
    let page = b.get("/console/login?next=%2Fconsole%2F%01%0D%0A").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("value=\"/console/%01%0D%0A\""),
        "{}",
        page.body
    );
}

both!(
    login_next_with_control_characters_is_encoded,
    login_next_with_control_characters_is_encoded
);

/// `/portal/{id}` without its slash redirects to the portal's page whatever the segment held.
async fn portal_address_without_slash_redirects_encoded(app: TestApp) {
    let b = app.browser();
    let res = b.get("/portal/1%0D%0Ax").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location.as_deref(), Some("/portal/1%0D%0Ax/"));
}

both!(
    portal_address_without_slash_redirects_encoded,
    portal_address_without_slash_redirects_encoded
);
