//! The demo's sample application, a relying party of the customer portal, against a served Admit
//! with the demo's data: "Log in with Admit", the portal's login page, back to the application
//! with the person's name, organization, role, modules and the decision API's answers (asked
//! with the application's own client-credentials token), then RP-initiated logout ending the
//! Admit session too.

use std::net::SocketAddr;

use admit::demo::{self, PERSON_EMAIL, PERSON_NAME, PERSON_PASSWORD, sample_registration};
use reqwest::{Client, StatusCode};

use crate::common::TestApp;

/// The value of attribute `name` in the tag that starts at the beginning of `tag`.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let end = tag.find('>')?;
    let tag = &tag[..end];
    let marker = format!("{name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let len = tag[start..].find('"')?;
    Some(tag[start..start + len].replace("&amp;", "&"))
}

/// The form that asks for a password: its action and its hidden fields.
fn password_form(page: &str) -> (String, Vec<(String, String)>) {
    let password = page
        .find("name=\"password\"")
        .unwrap_or_else(|| panic!("a password field in {page}"));
    let start = page[..password].rfind("<form").expect("the field's form");
    let end = page[start..].find("</form>").expect("the form's end") + start;
    let form = &page[start..end];
    let action = attribute(form, "action").expect("the form's action");
    let hidden = form
        .match_indices("<input")
        .map(|(i, _)| &form[i..])
        .filter(|tag| attribute(tag, "type").as_deref() == Some("hidden"))
        .filter_map(|tag| Some((attribute(tag, "name")?, attribute(tag, "value")?)))
        .collect();
    (action, hidden)
}

async fn logs_in_and_sees_the_decisions(app: TestApp) {
    demo::seed(&app.cx).await.expect("the demo's data");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let sample = sample_registration::start(
        &app.cx,
        "127.0.0.1:0".parse::<SocketAddr>().unwrap(),
        async {
            let _ = stopped.await;
        },
    )
    .await
    .expect("the sample application starts");
    let browser = Client::builder().cookie_store(true).build().unwrap();
    let get = |url: String| {
        let browser = browser.clone();
        async move {
            let res = browser.get(&url).send().await.unwrap();
            let (status, at) = (res.status(), res.url().to_string());
            (status, at, res.text().await.unwrap())
        }
    };

    let (status, _, home) = get(format!("{}/", sample.url)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("Log in with Admit"), "{home}");
    assert!(home.contains("not part of Admit"));

    // "Log in with Admit": on to the portal's login page.
    let (status, at, login) = get(format!("{}/login", sample.url)).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    assert!(at.starts_with(&app.url("/portal/")), "{at}");
    let (action, mut form) = password_form(&login);
    form.push(("email".into(), PERSON_EMAIL.into()));
    form.push(("password".into(), PERSON_PASSWORD.into()));
    let action = reqwest::Url::parse(&at).unwrap().join(&action).unwrap();
    let res = browser.post(action).form(&form).send().await.unwrap();
    let (status, at) = (res.status(), res.url().to_string());
    let page = res.text().await.unwrap();
    // The login's answer is a page that goes on by itself (a browser follows its refresh).
    assert_eq!(status, StatusCode::OK, "{page}");
    let onward = page
        .split("http-equiv=\"refresh\" content=\"0; url=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("a page that goes on in {page}"));
    // As the browser reads the attribute: straight back to the application, with the code.
    let onward = ["&amp;", "&#38;"]
        .iter()
        .fold(onward.to_string(), |u, e| u.replace(e, "&"))
        .replace("&#x2f;", "/");
    let onward = reqwest::Url::parse(&at).unwrap().join(&onward).unwrap();
    assert!(
        onward.as_str().starts_with(&sample.url),
        "the login goes on to the application: {onward}"
    );
    let (status, at, page) = get(onward.to_string()).await;

    // Back on the sample application, logged in.
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(at, format!("{}/", sample.url), "{page}");
    for shown in [
        PERSON_NAME,
        PERSON_EMAIL,
        "Bäckerei Sonnenschein (customer)",
        "<dd>user</dd>",
        "Log out",
    ] {
        assert!(page.contains(shown), "{shown} in {page}");
    }
    // Each module with the decision API's answer.
    for (module, allowed, rule) in [
        ("Schedule", "yes", "granted"),
        ("Invoices", "yes", "granted"),
        ("Pricing", "no", "admin_only"),
        ("Payment", "no", "admin_only"),
        ("User management", "no", "admin_only"),
    ] {
        let row = format!("<tr><td>{module}</td><td>{allowed}</td><td>{rule}</td></tr>");
        assert!(page.contains(&row), "{row} in {page}");
    }

    // A second login is single sign-on: no password asked.
    let (status, at, again) = get(format!("{}/login", sample.url)).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(at, format!("{}/", sample.url));
    assert!(again.contains(PERSON_NAME));

    // Logging out ends the session at Admit too: the next login asks for the password.
    let res = browser
        .post(format!("{}/logout", sample.url))
        .send()
        .await
        .unwrap();
    let at = res.url().to_string();
    let page = res.text().await.unwrap();
    assert_eq!(at, format!("{}/", sample.url), "{page}");
    assert!(page.contains("Log in with Admit"), "{page}");
    let (_, at, login) = get(format!("{}/login", sample.url)).await;
    assert!(at.starts_with(&app.url("/portal/")), "{at}");
    assert!(login.contains("name=\"password\""));

    // An answer that belongs to no login of this browser is refused.
    let stranger = Client::new();
    let res = stranger
        .get(format!("{}/callback?code=abc&state=def", sample.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    let _ = stop.send(());
    sample.task.await.unwrap().unwrap();
}
both!(sample_app_login, logs_in_and_sees_the_decisions);
