//! The signed-in portal pages: what the home page tells an organization admin, and the
//! language chosen with `?lang=`, which holds on every page (home, access, team,
//! notifications, account), in their links and after a form is saved.

use super::*;

const EMAIL: &str = "erika@nordlicht.example";

/// Every `href` of `body` to a page of portal `pid`.
fn portal_links(body: &str, pid: i64) -> Vec<String> {
    let prefix = format!("href=\"/portal/{pid}/");
    body.match_indices(&prefix)
        .map(|(i, _)| {
            let rest = &body[i + "href=\"".len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

/// The `action` of the first form of `body` that posts to `path` under portal `pid`.
fn action(body: &str, pid: i64, path: &str) -> String {
    let prefix = format!("action=\"/portal/{pid}/{path}");
    let i = body
        .find(&prefix)
        .unwrap_or_else(|| panic!("no {prefix} in {body}"));
    let rest = &body[i + "action=\"".len()..];
    rest[..rest.find('"').unwrap()].replace("&amp;", "&")
}

async fn signed_in_pages(app: TestApp) {
    // A portal with two modules; Erika is its organization's admin, English by profile.
    let api = app.api(&app.api_key().await);
    let (status, portal) = api
        .post(
            "/api/v1/portals",
            &json!({"name": "Customer portal", "kind": "customer", "base_url": "https://portal.example.com",
                    "registration_mode": "invitation_only", "default_language": "en",
                    "modules": [{"name": "Invoices"}, {"name": "Orders"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{portal}");
    let (pid, _, token) = invited(&app, "admin", EMAIL).await;
    assert_eq!(pid, portal["id"].as_i64().unwrap());
    admit::usecases::accounts::accept_invitation(&app.cx, pid, &token, PASSWORD, PASSWORD, None)
        .await
        .expect("accepted");
    let b = app.browser();
    b.portal_logged_in(pid, EMAIL, PASSWORD).await;

    // An admin sees every module: the home page lists them, not "none".
    let home = b.get(&format!("/portal/{pid}/")).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(home.body.contains("<html lang=\"en\""));
    assert!(
        home.body.contains("<td>Invoices, Orders</td>") && !home.body.contains(">none<"),
        "{}",
        home.body
    );

    // German by choice, on every page; the links to the other pages keep the choice.
    for path in ["", "access", "team", "notifications", "account"] {
        let page = b.get(&format!("/portal/{pid}/{path}?lang=de")).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert!(
            page.body.contains("<html lang=\"de\""),
            "{path}: {}",
            page.body
        );
        if path.is_empty() {
            assert!(
                page.body.contains("<td>Invoices, Orders</td>") && !page.body.contains(">keine<")
            );
        }
        let links = portal_links(&page.body, pid);
        assert!(!links.is_empty(), "{path}");
        for link in links {
            assert!(link.contains("lang=de"), "{path}: {link}");
            let next = b.get(&link.replace("&amp;", "&")).await;
            assert!(next.body.contains("<html lang=\"de\""), "{path} → {link}");
        }
    }

    // Saved from the German page: the page after it is German too.
    let page = b.get(&format!("/portal/{pid}/notifications?lang=de")).await;
    let to = action(&page.body, pid, "notifications");
    let saved = b
        .post(
            &to,
            &[
                ("csrf", hidden(&page.body, "csrf").as_str()),
                ("frequency", "weekly"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let back = saved.location.unwrap();
    let after = b.get(&back).await;
    assert!(
        after.body.contains("<html lang=\"de\"") && after.body.contains("id=\"saved\""),
        "{back}: {}",
        after.body
    );

    // Without a choice, the person's own language.
    let page = b.get(&format!("/portal/{pid}/access")).await;
    assert!(page.body.contains("<html lang=\"en\""), "{}", page.body);
}
both!(signed_in, signed_in_pages);
