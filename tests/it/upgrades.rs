//! The upgrade path the README names: migrations run forward at each start; several Admit
//! processes may start at once on one database (one migrates, the others wait for it and find
//! nothing left to do); an older Admit refuses a database that a newer one has migrated, and
//! changes nothing in it.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use admit::storage::{Db, migrate};

use crate::cli::admit;
use crate::common::{Engine, TestDb};

async fn versions(db: &Db) -> Vec<i64> {
    let sql = "SELECT version FROM admit_migrations ORDER BY version";
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await,
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await,
    }
    .unwrap()
}

/// `admit serve` on `db_url`: whether it exited (within 60 s) and its standard error. A server
/// that came up is stopped and counts as not exited.
fn serve_exits(db_url: &str) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_admit"))
        .arg("serve")
        .env("ADMIT_DATABASE_URL", db_url)
        .env("ADMIT_LISTEN", "127.0.0.1:0")
        .env("ADMIT_MAIL_MODE", "mailbox")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("admit runs");
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            return (!status.success(), err);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    (false, String::new())
}

async fn upgrades_go_forward(engine: Engine) {
    let db = TestDb::new(engine).await;
    // Four processes start at once on an empty database: each succeeds, every migration is
    // applied once.
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let url = db.url.clone();
            std::thread::spawn(move || admit(&url, &["migrate"], None))
        })
        .collect();
    for h in handles {
        let (ok, out, err) = h.join().unwrap();
        assert!(ok, "{out}{err}");
    }
    let pool = Db::connect(&db.url, 2).await.unwrap();
    let all: Vec<i64> = migrate::MIGRATIONS.iter().map(|m| m.version).collect();
    assert_eq!(versions(&pool).await, all);
    let (ok, out, err) = admit(&db.url, &["migrate"], None);
    assert!(ok && out.contains("up to date"), "{out}{err}");

    // A newer Admit has migrated the database: this one refuses it, at `migrate` and at the
    // start of `admit serve`, and names what to do; nothing is changed.
    let newer = all.last().unwrap() + 1000;
    let sql = format!(
        "INSERT INTO admit_migrations (version, name, checksum, applied_at) \
         VALUES ({newer}, '9999_from_the_future', 'x', 0)"
    );
    match &pool {
        Db::Sqlite(p) => sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(p)
            .await
            .map(drop),
        Db::Postgres(p) => sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(p)
            .await
            .map(drop),
    }
    .unwrap();
    let (ok, _, err) = admit(&db.url, &["migrate"], None);
    assert!(!ok);
    assert!(
        err.contains(&format!("migration {newer}")) && err.contains("newer Admit"),
        "{err}"
    );
    let url = db.url.clone();
    let (exited, err) = tokio::task::spawn_blocking(move || serve_exits(&url))
        .await
        .unwrap();
    assert!(exited, "admit serve refuses to start");
    assert!(err.contains("newer Admit"), "{err}");
    let mut expected = all.clone();
    expected.push(newer);
    assert_eq!(versions(&pool).await, expected);
    pool.close().await;
}
on_both!(upgrades, upgrades_go_forward);
