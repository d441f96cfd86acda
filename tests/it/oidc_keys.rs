//! The keys that sign OpenID Connect tokens: made at first start (one ES256, one RS256, once
//! however many processes start at once), published in the JWKS, verifying what they signed;
//! rotated with the old keys kept for the overlap; sealed at rest under the keys secret.

use std::sync::Arc;

use admit::app::Application;
use admit::clock::ManualClock;
use admit::config::Config;
use admit::security::jwt::{Alg, JwtError};
use admit::usecases::Actor;
use admit::usecases::oidc::{key_rotation, keys};
use serde_json::{Value, json};

use crate::common::{Engine, KEYS_SECRET, TestApp, TestDb, system_clock};

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

const HOUR: i64 = 3_600_000;

/// The kids of a JWKS.
fn kids(jwks: &Value) -> Vec<String> {
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect()
}

/// A rotation signs with the new keys at once; the old ones stay in the JWKS and verify for the
/// overlap, then leave it (housekeeping retires them).
async fn rotation_keeps_the_old_keys_for_the_overlap(engine: Engine) {
    let clock = ManualClock::new(1_800_000_000_000);
    let app = TestApp::spawn_clocked(engine, clock.clone(), |_| {}).await;
    let before = keys::jwks(&app.cx).await.unwrap();
    let old_kids = kids(&before);
    let old_tokens: Vec<String> = {
        let mut v = Vec::new();
        for alg in Alg::ALL {
            v.push(keys::sign(&app.cx, alg, "JWT", &claims()).await.unwrap());
        }
        v
    };
    // Only an administrator rotates.
    let staff = Actor {
        admin: false,
        ..Actor::system("a supervisor")
    };
    assert!(key_rotation::rotate(&app.cx, &staff).await.is_err());
    assert_eq!(app.count("oidc_keys").await, 2);

    let rotation = key_rotation::rotate(&app.cx, &Actor::cli()).await.unwrap();
    assert_eq!(rotation.created.len(), 2);
    let mut retiring = rotation.retiring.clone();
    retiring.sort();
    let mut expected = old_kids.clone();
    expected.sort();
    assert_eq!(retiring, expected);
    assert!(rotation.retired.is_empty());

    let during = keys::jwks(&app.cx).await.unwrap();
    let during_kids = kids(&during);
    assert_eq!(during_kids.len(), 4);
    // The new keys first.
    assert_eq!(&during_kids[..2].len(), &2);
    for kid in &rotation.created {
        assert!(during_kids[..2].contains(kid), "{during_kids:?}");
    }
    for kid in &old_kids {
        assert!(during_kids.contains(kid));
    }
    for token in &old_tokens {
        assert!(keys::verify(&app.cx, token).await.is_ok());
    }
    for alg in Alg::ALL {
        let token = keys::sign(&app.cx, alg, "JWT", &claims()).await.unwrap();
        let verified = keys::verify(&app.cx, &token).await.unwrap();
        assert!(rotation.created.contains(&verified.kid));
    }
    let listed = key_rotation::list(&app.cx, &Actor::cli()).await.unwrap();
    let states: Vec<String> = listed.iter().map(|k| k.state.to_string()).collect();
    assert_eq!(states, ["retiring", "retiring", "active", "active"]);
    assert_eq!(
        app.count_where(
            "SELECT COUNT(*) FROM audit_events WHERE action = $1",
            "oidc.keys_rotated"
        )
        .await,
        1
    );

    // Just before the end of the overlap, nothing changes; after it, housekeeping retires them.
    let policy = admit::usecases::staff::SessionPolicy {
        idle_ms: 30 * 60_000,
        absolute_ms: 12 * HOUR,
    };
    clock.advance(24 * HOUR - 1);
    let swept = admit::jobs::maintenance::sweep(&app.cx, &policy)
        .await
        .unwrap();
    assert_eq!(swept.keys_retired, 0);
    assert_eq!(kids(&keys::jwks(&app.cx).await.unwrap()).len(), 4);
    clock.advance(1);
    let swept = admit::jobs::maintenance::sweep(&app.cx, &policy)
        .await
        .unwrap();
    assert_eq!(swept.keys_retired, 2);
    let after = kids(&keys::jwks(&app.cx).await.unwrap());
    let mut after_sorted = after.clone();
    after_sorted.sort();
    let mut created = rotation.created.clone();
    created.sort();
    assert_eq!(after_sorted, created);
    for token in &old_tokens {
        assert_eq!(
            keys::verify(&app.cx, token).await,
            Err(JwtError::UnknownKey)
        );
    }
    let listed = key_rotation::list(&app.cx, &Actor::cli()).await.unwrap();
    let states: Vec<String> = listed.iter().map(|k| k.state.to_string()).collect();
    assert_eq!(states, ["retired", "retired", "active", "active"]);

    // A second rotation a day later retires what the first one left retiring.
    let second = key_rotation::rotate(&app.cx, &Actor::cli()).await.unwrap();
    assert_eq!(second.retiring.len(), 2);
    assert!(second.retired.is_empty());
    clock.advance(24 * HOUR);
    let third = key_rotation::rotate(&app.cx, &Actor::cli()).await.unwrap();
    let mut retired = third.retired.clone();
    retired.sort();
    assert_eq!(retired, created);
    assert_eq!(kids(&keys::jwks(&app.cx).await.unwrap()).len(), 4);
}
on_both!(rotation, rotation_keeps_the_old_keys_for_the_overlap);

/// A rotation by one process reaches another: at once for a token naming a new key, within a
/// minute for signing.
async fn a_rotation_reaches_the_other_processes(engine: Engine) {
    let clock = ManualClock::new(1_800_000_000_000);
    let app = TestApp::spawn_clocked(engine, clock.clone(), |_| {}).await;
    let config = Config {
        database_url: app.db_url.clone(),
        keys_secret: Some(KEYS_SECRET.into()),
        ..Config::default()
    };
    let other_db = admit::storage::Db::connect(&app.db_url, 2).await.unwrap();
    let other = admit::app::context_with(other_db, Arc::new(clock.clone()), &config);
    let first = keys::sign(&other, Alg::Es256, "JWT", &claims())
        .await
        .unwrap();
    let rotation = key_rotation::rotate(&app.cx, &Actor::cli()).await.unwrap();
    let new = keys::sign(&app.cx, Alg::Es256, "JWT", &claims())
        .await
        .unwrap();
    // Within a few seconds of its last load, the other process does not reload for an unknown kid.
    assert_eq!(keys::verify(&other, &new).await, Err(JwtError::UnknownKey));
    clock.advance(6_000);
    let verified = keys::verify(&other, &new).await.unwrap();
    assert!(rotation.created.contains(&verified.kid));
    // It signs with the new key after its next reload (at most a minute).
    clock.advance(60_000);
    let again = keys::sign(&other, Alg::Es256, "JWT", &claims())
        .await
        .unwrap();
    let kid = keys::verify(&app.cx, &again).await.unwrap().kid;
    assert!(rotation.created.contains(&kid));
    assert!(keys::verify(&app.cx, &first).await.is_ok());
    other.db.close().await;
}
on_both!(
    rotation_reaches_others,
    a_rotation_reaches_the_other_processes
);

/// The private keys' column: sealed under the keys secret; in clear only without one; a wrong
/// or missing secret for sealed keys stops the start with a clear error; keys stored in clear
/// are sealed once a secret is set.
async fn private_keys_are_sealed(engine: Engine) {
    let app = TestApp::spawn_with(engine, |c| c.keys_secret = None).await;
    let stored = private_keys(&app).await;
    assert!(stored.iter().all(|s| s.starts_with("pkcs8:")), "{stored:?}");

    let config = |secret: Option<&str>| Config {
        listen: "127.0.0.1:0".into(),
        database_url: app.db_url.clone(),
        database_max_connections: 2,
        keys_secret: secret.map(str::to_string),
        ..Config::default()
    };
    // A secret set later seals the keys kept in clear.
    let started = Application::build(config(Some(KEYS_SECRET))).await.unwrap();
    drop(started);
    let sealed = private_keys(&app).await;
    assert!(
        sealed.iter().all(|s| s.starts_with("sealed:")),
        "{sealed:?}"
    );
    for (clear, sealed) in stored.iter().zip(&sealed) {
        let body = clear.strip_prefix("pkcs8:").unwrap();
        assert!(!sealed.contains(body));
        assert!(!sealed.contains(&body[body.len() / 2..]));
    }
    // The same keys: the JWKS is unchanged.
    let jwks = keys::jwks(&app.cx).await.unwrap();
    app.cx.keys.invalidate();
    // This app has no secret: it cannot read the sealed keys any more.
    assert!(keys::jwks(&app.cx).await.is_err());

    let wrong = "00".repeat(32);
    let err = Application::build(config(Some(&wrong)))
        .await
        .err()
        .expect("a wrong secret stops the start");
    let message = format!("{err:#}");
    assert!(message.contains("ADMIT_KEYS_SECRET"), "{message}");
    assert!(!message.contains(&wrong), "{message}");
    let err = Application::build(config(None))
        .await
        .err()
        .expect("no secret for sealed keys stops the start");
    assert!(format!("{err:#}").contains("ADMIT_KEYS_SECRET"), "{err:#}");
    let err = Application::build(config(Some("short")))
        .await
        .err()
        .expect("a short secret stops the start");
    assert!(format!("{err:#}").contains("keys_secret"), "{err:#}");
    // Nothing of these attempts was written.
    assert_eq!(private_keys(&app).await, sealed);

    let right = Application::build(config(Some(KEYS_SECRET))).await.unwrap();
    assert_eq!(keys::jwks(&right.state().cx).await.unwrap(), jwks);
}
on_both!(sealed_at_rest, private_keys_are_sealed);

async fn private_keys(app: &TestApp) -> Vec<String> {
    let mut tx = app.cx.db.read().await.unwrap();
    admit::on_tx!(&mut tx, |c| sqlx::query_scalar(
        "SELECT private_key FROM oidc_keys ORDER BY id"
    )
    .fetch_all(c)
    .await)
    .unwrap()
}

/// `admit keys rotate` and `admit keys list`, as an operator runs them.
async fn key_commands(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let before = kids(&keys::jwks(&app.cx).await.unwrap());
    let (ok, out, err) = admit_cli(&app.db_url, &["keys", "list"]);
    assert!(ok, "{err}");
    for kid in &before {
        assert!(out.contains(kid.as_str()), "{out}");
    }
    assert!(out.contains("ES256") && out.contains("RS256") && out.contains("active"));
    assert!(!out.contains("sealed:"), "{out}");

    let (ok, out, err) = admit_cli(&app.db_url, &["keys", "rotate"]);
    assert!(ok, "{err}");
    assert_eq!(out.matches("New signing key").count(), 2, "{out}");
    assert_eq!(out.matches("Retiring").count(), 2, "{out}");
    let (ok, out, _) = admit_cli(&app.db_url, &["keys", "list"]);
    assert!(ok);
    assert_eq!(out.matches("retiring").count(), 2, "{out}");
    assert_eq!(out.matches("active").count(), 2, "{out}");
    // The server sees the new keys once it reloads.
    app.cx.keys.invalidate();
    assert_eq!(kids(&keys::jwks(&app.cx).await.unwrap()).len(), 4);

    // Without the secret, the command refuses (it could not seal keys the servers can read).
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_admit"))
        .args(["keys", "rotate"])
        .env_remove("ADMIT_KEYS_SECRET")
        .env("ADMIT_DATABASE_URL", &app.db_url)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ADMIT_KEYS_SECRET"));
    assert_eq!(app.count("oidc_keys").await, 4);
}
on_both!(commands, key_commands);

fn admit_cli(db_url: &str, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_admit"))
        .args(args)
        .env("ADMIT_DATABASE_URL", db_url)
        .env("ADMIT_KEYS_SECRET", KEYS_SECRET)
        .output()
        .expect("admit runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
