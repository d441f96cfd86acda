//! Secrets at rest: session cookies, API keys, link tokens, passwords and OpenID Connect client
//! secrets are stored only as hashes. Every column of every table is searched for each secret
//! handed out, but the built-in mailbox: without an SMTP server (the demo) it stands in for the
//! recipients' inboxes and holds the e-mails as delivered, links included (the README says so).
//! The outbox holds no link: a link is made when its message is sent. The private keys that
//! sign OpenID Connect tokens are sealed (AES-256-GCM under the configured keys secret).

use crate::common;

use admit::storage::Db;
use common::{PASSWORD, TestApp};
use reqwest::{Client, StatusCode};

/// The long cookie values a login answer sets (a session token, a form token).
async fn cookies_of_login(app: &TestApp, login_page: &str, form: &[(&str, &str)]) -> Vec<String> {
    let client = Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client.get(app.url(login_page)).send().await.unwrap();
    let mut values = set_cookies(&page);
    let body = page.text().await.unwrap();
    let csrf = common::hidden(&body, "csrf");
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend_from_slice(form);
    let res = client
        .post(app.url(login_page))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    values.extend(set_cookies(&res));
    values
}

fn set_cookies(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| {
            v.split(';')
                .next()?
                .split_once('=')
                .map(|(_, v)| v.to_string())
        })
        .filter(|v| v.len() >= 20)
        .collect()
}

/// Every (table, column) of the database.
async fn columns(db: &Db) -> Vec<(String, String)> {
    match db {
        Db::Sqlite(p) => sqlx::query_as(
            "SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
        )
        .fetch_all(p)
        .await
        .unwrap(),
        Db::Postgres(p) => sqlx::query_as(
            "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns \
             WHERE table_schema = current_schema()",
        )
        .fetch_all(p)
        .await
        .unwrap(),
    }
}

/// The columns in which `secret` appears.
async fn found_in(db: &Db, columns: &[(String, String)], secret: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (table, column) in columns {
        let sql = format!(
            "SELECT COUNT(*) FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE '%' || $1 || '%'"
        );
        let n: i64 = match db {
            Db::Sqlite(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(secret)
                .fetch_one(p)
                .await
                .unwrap(),
            Db::Postgres(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(secret)
                .fetch_one(p)
                .await
                .unwrap(),
        };
        if n > 0 {
            found.push(format!("{table}.{column}"));
        }
    }
    found
}

/// The PKCS#8 forms of the signing keys: sealed in the database, opened here with the test
/// apps' keys secret.
async fn signing_keys_in_clear(app: &TestApp) -> Vec<String> {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    let rows: Vec<(String, String)> = match &app.cx.db {
        Db::Sqlite(p) => sqlx::query_as("SELECT kid, private_key FROM oidc_keys")
            .fetch_all(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_as("SELECT kid, private_key FROM oidc_keys")
            .fetch_all(p)
            .await
            .unwrap(),
    };
    assert_eq!(rows.len(), 2, "an ES256 and an RS256 key");
    let sealer = admit::security::sealing::Sealer::from_secret(common::KEYS_SECRET).unwrap();
    let mut out = Vec::new();
    for (kid, stored) in rows {
        let der = sealer
            .open(&stored, &kid)
            .expect("sealed with the keys secret");
        out.push(STANDARD.encode(&der));
        out.push(URL_SAFE_NO_PAD.encode(&der));
        out.push(admit::security::tokens::hex(&der));
        // The key material after the fixed PKCS#8 header, alone.
        out.push(STANDARD.encode(&der[der.len() / 2..]));
    }
    out
}

async fn secrets_are_stored_only_as_hashes(app: TestApp) {
    let key = app.api_key().await;
    let (pid, _, invitation) =
        common::invited_on_portal(&app, "customer", "erika@nordlicht.example").await;
    admit::usecases::accounts::accept_invitation(
        &app.cx,
        pid,
        &invitation,
        PASSWORD,
        PASSWORD,
        None,
    )
    .await
    .expect("accepted");
    app.create_staff("ada@admit.example", "administrator", &[], PASSWORD)
        .await;
    let mut secrets = vec![key.clone(), invitation, PASSWORD.to_string()];
    // The part after the key's visible prefix, too.
    if let Some((_, rest)) = key.split_once('_') {
        secrets.push(rest.to_string());
    }
    let console = cookies_of_login(
        &app,
        "/console/login",
        &[("email", "ada@admit.example"), ("password", PASSWORD)],
    )
    .await;
    let portal = cookies_of_login(
        &app,
        &format!("/portal/{pid}/login"),
        &[("email", "erika@nordlicht.example"), ("password", PASSWORD)],
    )
    .await;
    assert!(
        console.len() >= 2 && portal.len() >= 2,
        "session and form cookies"
    );
    secrets.extend(console);
    secrets.extend(portal);
    // An OpenID Connect client's secret, as registered and as renewed.
    let api = app.api(&key);
    let (status, client) = api
        .post(
            &format!("/api/v1/portals/{pid}/clients"),
            &serde_json::json!({"name": "Invoices", "kind": "confidential",
                                "redirect_uris": ["https://invoices.example.com/cb"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{client}");
    let (status, renewed) = api
        .post(
            &format!("/api/v1/oidc-clients/{}/secret", client["client"]["id"]),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    for answer in [&client, &renewed] {
        secrets.push(answer["client_secret"].as_str().unwrap().to_string());
    }
    // The private keys that sign OpenID Connect tokens, as PKCS#8 in base64 and hex.
    secrets.extend(signing_keys_in_clear(&app).await);
    // The sessions exist, and the key works: the secrets are live.
    assert_eq!(app.count("staff_sessions").await, 1);
    assert_eq!(app.count("portal_sessions").await, 1);
    assert_eq!(app.api(&key).get("/api/v1/areas").await.0, StatusCode::OK);

    let columns: Vec<_> = columns(&app.cx.db)
        .await
        .into_iter()
        .filter(|(table, _)| table != "mailbox_messages")
        .collect();
    assert!(columns.len() > 50, "{} columns", columns.len());
    for secret in &secrets {
        let found = found_in(&app.cx.db, &columns, secret).await;
        assert!(found.is_empty(), "a secret is stored in clear in {found:?}");
    }
}
both!(only_hashes, secrets_are_stored_only_as_hashes);
