//! The `admit` binary's commands, run as a user would, on both databases.

use crate::common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{Engine, TestDb};

/// `admit staff create --email <email> <rest>`.
fn staff_create(
    db_url: &str,
    email: &str,
    rest: &[&str],
    stdin: Option<&str>,
) -> (bool, String, String) {
    let args = [&["staff", "create", "--email", email][..], rest].concat();
    admit(db_url, &args, stdin)
}

/// Runs `admit ARGS` on the database at `db_url`, with `stdin`: whether it succeeded, its
/// output and its errors.
pub fn admit(db_url: &str, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    admit_with(db_url, args, stdin, &[])
}

/// As [`admit`], with more environment variables.
pub fn admit_with(
    db_url: &str,
    args: &[&str],
    stdin: Option<&str>,
    env: &[(&str, &str)],
) -> (bool, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_admit"));
    // Only the settings given here: none from the environment the tests run in.
    for (k, _) in std::env::vars() {
        if k.starts_with("ADMIT_") {
            cmd.env_remove(k);
        }
    }
    cmd.args(args)
        .env("ADMIT_DATABASE_URL", db_url)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("admit runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn commands_work(engine: Engine) {
    let db = TestDb::new(engine).await;
    let (ok, out, err) = admit(&db.url, &["migrate"], None);
    assert!(ok, "{err}");
    assert!(out.contains("up to date"));

    // A generated password is printed once.
    let (ok, out, err) = staff_create(&db.url, "First@Example.test", &["--admin"], None);
    assert!(ok, "{err}");
    assert!(out.contains("administrator first@example.test"), "{out}");
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("Password: "))
        .expect("a password is printed");
    assert_eq!(password.len(), 24);

    // A password from standard input is not printed; a weak one is refused.
    let (ok, _, err) = staff_create(
        &db.url,
        "weak@example.test",
        &["--admin", "--password-stdin"],
        Some("short\n"),
    );
    assert!(!ok);
    assert!(err.contains("password"), "{err}");
    let (ok, out, err) = staff_create(
        &db.url,
        "second@example.test",
        &["--admin", "--password-stdin"],
        Some("correct horse battery staple\n"),
    );
    assert!(ok, "{err}");
    assert!(!out.contains("correct horse"));
    // The same address twice is refused.
    let (ok, _, err) = staff_create(&db.url, "second@example.test", &["--admin"], None);
    assert!(!ok);
    assert!(err.contains("email"), "{err}");
    // A supervisor needs an existing area.
    let (ok, _, err) = staff_create(
        &db.url,
        "sup@example.test",
        &["--supervisor", "--area", "Nowhere"],
        None,
    );
    assert!(!ok);
    assert!(err.contains("Nowhere"));

    // An API key is printed once, and works.
    let (ok, out, err) = admit(&db.url, &["apikey", "create", "--name", "CRM sync"], None);
    assert!(ok, "{err}");
    let key = out.trim();
    assert!(key.starts_with("admit_") && key.len() == 46, "{out}");
    let dbh = admit::storage::Db::connect(&db.url, 2).await.unwrap();
    let cx = admit::app::context(dbh.clone(), common::system_clock());
    assert!(
        admit::usecases::apikeys::authenticate(&cx, key, None)
            .await
            .unwrap()
            .is_some()
    );
    let (ok, out, _) = admit(&db.url, &["apikey", "list"], None);
    assert!(
        ok && out.contains("CRM sync") && out.contains("active"),
        "{out}"
    );
    assert!(!out.contains(key), "the secret is never listed");
    let id = out
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let (ok, out, err) = admit(&db.url, &["apikey", "revoke", "--id", &id], None);
    assert!(ok, "{err}");
    assert!(out.contains("Revoked"));
    assert!(
        admit::usecases::apikeys::authenticate(&cx, key, None)
            .await
            .unwrap()
            .is_none()
    );
    // Every change by the command line is audited.
    let mut tx = dbh.read().await.unwrap();
    let events = admit::storage::audit::list(
        &mut tx,
        &admit::storage::audit::AuditFilter {
            limit: 50,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    drop(tx);
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "api_key.revoked",
            "api_key.created",
            "staff.created",
            "staff.created"
        ]
    );
    assert!(events.iter().all(|e| e.actor_kind == "cli"));
    dbh.close().await;
}

#[tokio::test]
async fn commands_on_sqlite() {
    commands_work(Engine::Sqlite).await;
}

#[tokio::test]
async fn commands_on_postgres() {
    commands_work(Engine::Postgres).await;
}

#[test]
fn a_bad_configuration_is_a_clear_error() {
    let (ok, _, err) = admit("mysql://nope", &["migrate"], None);
    assert!(!ok);
    assert!(err.contains("database_url"), "{err}");
}

#[test]
fn the_version_names_the_commit() {
    let (ok, out, err) = admit("sqlite://admit.db", &["--version"], None);
    assert!(ok, "{err}");
    let version = out.trim();
    assert!(
        version.starts_with(&format!("admit {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    let commit = version
        .rsplit_once("(commit ")
        .and_then(|(_, c)| c.strip_suffix(')'))
        .unwrap();
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "{commit}"
    );
}
