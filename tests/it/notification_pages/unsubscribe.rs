//! The unsubscribe link of a digest: without a login, one-click too, in the person's language.

use super::*;

async fn unsubscribe_links_work_without_a_login(app: TestApp) {
    let w = world(&app).await;
    let link = unsubscribe_link(&app, w.account, "weekly", "service_due").await;
    let path = link.as_str();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // GET asks, and changes nothing (link scanners fetch it).
    for _ in 0..2 {
        let res = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let body = res.text().await.unwrap();
        assert!(body.contains("Stop the digests to <strong id=\"unsubscribe-email\">erika@nordlicht.example</strong>?"), "{body}");
        assert!(body.contains(&format!("action=\"{path}\"")));
    }
    assert_eq!(account_prefs(&app, w.account).await.frequency, "weekly");

    // One click, as RFC 8058 has it: no cookies, no form token.
    let res = common::one_click(&client, &app.url(path)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("You will not get digests any more."),
        "{body}"
    );
    let p = account_prefs(&app, w.account).await;
    assert_eq!(p.frequency, "off");
    assert_eq!(p.categories, vec!["service_due"], "the choice is kept");

    // Again: fine, and the GET says it is off already.
    let res = common::one_click(&client, &app.url(path)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = client
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("You will not get digests any more."));
    assert!(!body.contains("<form"));

    // Unknown or garbled tokens.
    for bad in [
        format!("/unsubscribe/{}", "ab".repeat(32)),
        "/unsubscribe/not-a-token".to_string(),
    ] {
        let res = client.get(app.url(&bad)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("This link is unknown or has expired")
        );
        let res = client
            .post(app.url(&bad))
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
    let res = client
        .get(app.url(&format!("/unsubscribe/{}", "cd".repeat(32))))
        .header("accept-language", "de-DE,de;q=0.9")
        .send()
        .await
        .unwrap();
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("unbekannt oder abgelaufen")
    );
}
both!(unsubscribe, unsubscribe_links_work_without_a_login);

async fn the_unsubscribe_page_speaks_the_persons_language(app: TestApp) {
    let w = world(&app).await;
    exec(
        &app,
        &format!(
            "UPDATE portal_accounts SET language = 'de' WHERE id = {}",
            w.account
        ),
    )
    .await;
    let link = unsubscribe_link(&app, w.account, "daily", "invoices").await;
    let path = link.as_str();
    let page = app.browser().get(path).await;
    assert!(page.body.contains("<html lang=\"de\">"));
    assert!(page.body.contains("Die Zusammenfassungen an <strong id=\"unsubscribe-email\">erika@nordlicht.example</strong> abbestellen?"));
    let page = app.browser().post(path, &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("Sie bekommen keine Zusammenfassungen mehr.")
    );
    assert_eq!(account_prefs(&app, w.account).await.frequency, "off");
}
both!(
    unsubscribe_german,
    the_unsubscribe_page_speaks_the_persons_language
);

/// The unsubscribe path of `account` after it chose `frequency` digests of `category`.
async fn unsubscribe_link(app: &TestApp, account: i64, frequency: &str, category: &str) -> String {
    notify::set_preferences(
        &app.cx,
        &Actor::cli(),
        Owner::Account(account),
        &notify::PreferencesInput {
            frequency: frequency.into(),
            categories: vec![category.into()],
        },
    )
    .await
    .expect("saved");
    let sub = subscription(app, account).await;
    let link = notify::mint_unsubscribe(&app.cx, sub.id)
        .await
        .unwrap()
        .expect("a link");
    link[link.find("/unsubscribe/").expect("the path")..].to_string()
}
