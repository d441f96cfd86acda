//! A NUL character in a search or filter: PostgreSQL refuses it in text (`invalid byte
//! sequence`), SQLite's full-text search breaks on it. Every list refuses it before the
//! database, naming the parameter: the API with its JSON error (400), the console with its
//! message page; the same list answers normally afterwards.

use crate::common;

use common::{PASSWORD, TestApp};
use reqwest::StatusCode;

/// Each API list with the parameter that reaches the database.
const API: &[(&str, &str)] = &[
    ("/api/v1/organizations", "q"),
    ("/api/v1/contacts", "q"),
    ("/api/v1/accounts", "q"),
    ("/api/v1/outbox", "recipient"),
    ("/api/v1/outbox", "event"),
    ("/api/v1/audit-events", "actor"),
    ("/api/v1/audit-events", "action"),
    ("/api/v1/tasks", "category"),
    ("/api/v1/decision", "module"),
];

/// Each console list with the parameter that reaches the database.
const CONSOLE: &[(&str, &str)] = &[
    ("/console/organizations", "q"),
    ("/console/contacts", "q"),
    ("/console/access", "q"),
    ("/console/audit", "actor"),
    ("/console/outbox", "recipient"),
    ("/console/mail", "recipient"),
];

async fn nul_in_a_search_or_filter_is_refused_by_name(app: TestApp) {
    let (pid, account, _) =
        common::invited_on_portal(&app, "customer", "erika@nordlicht.example").await;
    let api = app.api(&app.api_key().await);
    let mut lists: Vec<(String, &str)> = API.iter().map(|(p, q)| (p.to_string(), *q)).collect();
    lists.push((
        format!("/api/v1/accounts/{}/candidates", account["id"]),
        "q",
    ));
    for (path, param) in &lists {
        for value in ["%00", "ab%00cd", "abc%00"] {
            let url = format!("{path}?{param}={value}");
            let (status, body) = api.get(&url).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{url}: {body}");
            assert_eq!(body["error"], "bad_request", "{url}: {body}");
            assert_eq!(body["fields"][0]["field"], *param, "{url}: {body}");
            assert!(body["message"].as_str().unwrap().contains(param), "{body}");
        }
    }
    // The same lists search as before.
    for (path, param) in &lists {
        if path.contains("decision") {
            continue;
        }
        let (status, body) = api.get(&format!("{path}?{param}=abcd")).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
    let (status, body) = api.get("/api/v1/organizations?q=Nordlicht").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["items"][0]["name"], "Nordlicht GmbH", "{body}");

    app.create_staff("admin@example.test", "administrator", &[], PASSWORD)
        .await;
    let b = app.browser();
    assert_eq!(
        b.login("admin@example.test", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let mut pages: Vec<(String, &str)> = CONSOLE.iter().map(|(p, q)| (p.to_string(), *q)).collect();
    pages.push((format!("/console/accounts/{}", account["id"]), "q"));
    for (path, param) in &pages {
        for value in ["%00", "ab%00cd"] {
            let url = format!("{path}?{param}={value}");
            let page = b.get(&url).await;
            assert_eq!(
                page.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{url}: {}",
                page.body
            );
            assert!(
                page.body.contains("Check your input"),
                "{url}: {}",
                page.body
            );
            assert!(
                page.body
                    .contains(&format!("{param}: must not contain a NUL character")),
                "{url}: {}",
                page.body
            );
        }
        let page = b.get(&format!("{path}?{param}=abcd")).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    }
    // A portal page says it in the page's language.
    let page = b
        .get(&format!("/portal/{pid}/accept?token=ab%00cd&lang=de"))
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(page.body.contains("lang=\"de\""), "{}", page.body);
    assert!(!page.body.contains("NUL"), "{}", page.body);
}

both!(
    nul_in_a_search_or_filter_is_refused_by_name,
    nul_in_a_search_or_filter_is_refused_by_name
);
