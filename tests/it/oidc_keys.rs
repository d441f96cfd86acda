//! The keys that sign OpenID Connect tokens: made at first start (one ES256, one RS256, once
//! however many processes start at once), published in the JWKS, verifying what they signed.

use admit::config::Config;
use admit::security::jwt::{Alg, JwtError};
use admit::usecases::oidc::keys;
use serde_json::{Value, json};

use crate::common::{Engine, TestApp, TestDb, system_clock};

fn claims() -> Value {
    json!({"iss": "https://admit.example/portal/1", "sub": "7", "aud": "app"})
}

/// The `alg` of each key in a JWKS, in order.
fn algs(jwks: &Value) -> Vec<String> {
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["alg"].as_str().unwrap().to_string())
        .collect()
}

async fn keys_are_made_at_first_start(app: TestApp) {
    assert_eq!(app.count("oidc_keys").await, 2);
    let jwks = keys::jwks(&app.cx).await.unwrap();
    let mut found = algs(&jwks);
    found.sort();
    assert_eq!(found, ["ES256", "RS256"]);
    for key in jwks["keys"].as_array().unwrap() {
        assert_eq!(key["use"], "sig");
        assert!(key.get("d").is_none(), "{key}");
    }
    for alg in Alg::ALL {
        let token = keys::sign(&app.cx, alg, "JWT", &claims()).await.unwrap();
        let verified = keys::verify(&app.cx, &token).await.unwrap();
        assert_eq!(verified.alg, alg);
        assert_eq!(verified.claims, claims());
        assert_eq!(verified.header["typ"], "JWT");
        assert!(
            jwks["keys"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["kid"] == verified.kid.as_str())
        );
    }
    let token = keys::sign(&app.cx, Alg::Es256, "at+jwt", &claims())
        .await
        .unwrap();
    let (signed, _) = token.rsplit_once('.').unwrap();
    let forged = format!("{signed}.AAAA");
    assert_eq!(
        keys::verify(&app.cx, &forged).await,
        Err(JwtError::BadSignature)
    );
    // Starting again makes no more keys.
    keys::ensure(&app.cx).await.unwrap();
    assert_eq!(app.count("oidc_keys").await, 2);
    assert_eq!(keys::jwks(&app.cx).await.unwrap(), jwks);
    // The creation is in the audit log.
    assert_eq!(
        app.count_where(
            "SELECT COUNT(*) FROM audit_events WHERE action = $1",
            "oidc.key_created"
        )
        .await,
        2
    );
}
both!(made_at_first_start, keys_are_made_at_first_start);

/// Several processes starting at once on one database make one key per algorithm.
async fn concurrent_first_start_makes_one_key_per_alg(engine: Engine) {
    let db = TestDb::new(engine).await;
    let config = Config {
        database_url: db.url.clone(),
        database_max_connections: 5,
        ..Config::default()
    };
    let database = admit::app::open_database(&config).await.unwrap();
    // Each its own pool and cache, as separate processes have.
    let mut contexts = Vec::new();
    for _ in 0..4 {
        let pool = admit::storage::Db::connect(&db.url, 5).await.unwrap();
        contexts.push(admit::app::context_with(pool, system_clock(), &config));
    }
    let runs: Vec<_> = contexts
        .iter()
        .cloned()
        .map(|cx| tokio::spawn(async move { keys::ensure(&cx).await }))
        .collect();
    for run in runs {
        run.await.unwrap().unwrap();
    }
    let count = |alg: &'static str| {
        let database = database.clone();
        async move {
            let mut tx = database.read().await.unwrap();
            let n: i64 = admit::on_tx!(&mut tx, |c| sqlx::query_scalar(
                "SELECT COUNT(*) FROM oidc_keys WHERE alg = $1 AND state = 'active'"
            )
            .bind(alg)
            .fetch_one(c)
            .await)
            .unwrap();
            n
        }
    };
    assert_eq!(count("ES256").await, 1);
    assert_eq!(count("RS256").await, 1);
    // Every process signs with the same keys, and verifies the others' tokens.
    let first = keys::jwks(&contexts[0]).await.unwrap();
    for cx in &contexts {
        assert_eq!(keys::jwks(cx).await.unwrap(), first);
        let token = keys::sign(cx, Alg::Rs256, "JWT", &claims()).await.unwrap();
        assert!(keys::verify(&contexts[0], &token).await.is_ok());
    }
    for cx in contexts {
        cx.db.close().await;
    }
    database.close().await;
}
on_both!(
    concurrent_first_start,
    concurrent_first_start_makes_one_key_per_alg
);
