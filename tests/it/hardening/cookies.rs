//! With secure cookies (an https `public_url`), every cookie is a `__Host-` cookie: `Secure`,
//! `Path=/`, no `Domain`; a portal's cookies name their portal. A cookie without the prefix
//! is not taken.

use crate::common;

use common::{Engine, PASSWORD, TestApp, hidden};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The `Set-Cookie` values of an answer, and `name=value` of the one called `name`.
fn set_cookies(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

fn pair<'a>(set: &'a [String], name: &str) -> &'a str {
    set.iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no cookie {name} in {set:?}"))
        .split(';')
        .next()
        .unwrap()
}

async fn secure_cookies_are_host_cookies(engine: Engine) {
    let app = TestApp::spawn_with(engine, |c| {
        c.public_url = Some("https://admit.example.test".into());
    })
    .await;
    let (pid, _, token) =
        common::invited_on_portal(&app, "customer", "erika@nordlicht.example").await;
    admit::usecases::accounts::accept_invitation(&app.cx, pid, &token, PASSWORD, PASSWORD, None)
        .await
        .expect("accepted");
    app.create_staff("admin@example.test", "administrator", &[], PASSWORD)
        .await;
    let client = no_redirects();

    // The console: the login form's cookie, then the session's.
    let res = client.get(app.url("/console/login")).send().await.unwrap();
    let set = set_cookies(&res);
    let body = res.text().await.unwrap();
    for c in &set {
        assert!(c.starts_with("__Host-"), "{c}");
        assert!(c.contains("; Path=/;") && c.ends_with("; Secure"), "{c}");
        assert!(!c.to_lowercase().contains("domain="), "{c}");
    }
    let login = pair(&set, "__Host-admit_login").to_string();
    let res = client
        .post(app.url("/console/login"))
        .header(COOKIE, &login)
        .form(&[
            ("email", "admin@example.test"),
            ("password", PASSWORD),
            ("csrf", hidden(&body, "csrf").as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let set = set_cookies(&res);
    let session = pair(&set, "__Host-admit_console").to_string();
    let res = client
        .get(app.url("/console/organizations"))
        .header(COOKIE, &session)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the __Host- cookie is the session"
    );
    // The same value under the plain name is not taken.
    let plain = session.trim_start_matches("__Host-");
    let res = client
        .get(app.url("/console/organizations"))
        .header(COOKIE, plain)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "a plain cookie is ignored"
    );

    // A portal: its cookies name it, and count on its pages only.
    let res = client
        .get(app.url(&format!("/portal/{pid}/login")))
        .send()
        .await
        .unwrap();
    let set = set_cookies(&res);
    let form = pair(&set, &format!("__Host-admit_portal_form-{pid}")).to_string();
    let body = res.text().await.unwrap();
    let res = client
        .post(app.url(&format!("/portal/{pid}/login")))
        .header(COOKIE, &form)
        .form(&[
            ("csrf", hidden(&body, "csrf").as_str()),
            ("email", "erika@nordlicht.example"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let set = set_cookies(&res);
    let session = pair(&set, &format!("__Host-admit_portal-{pid}")).to_string();
    let account = |cookie: String, portal: i64| {
        let client = client.clone();
        let url = app.url(&format!("/portal/{portal}/account"));
        async move {
            client
                .get(url)
                .header(COOKIE, cookie)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(account(session.clone(), pid).await, StatusCode::OK);
    let elsewhere = session.replace(&format!("-{pid}="), &format!("-{}=", pid + 1));
    assert_ne!(
        account(elsewhere, pid).await,
        StatusCode::OK,
        "another portal's cookie is not this portal's"
    );
}

on_both!(
    secure_cookies_are_host_cookies,
    secure_cookies_are_host_cookies
);
