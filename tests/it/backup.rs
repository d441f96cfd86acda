//! `admit backup` while the database is written to, `admit restore`, and what each refuses.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use admit::storage::Db;

use crate::cli::admit;
use crate::common::{Engine, TestDb};

async fn insert_area(db: &Db, n: i64) {
    let mut tx = db.write().await.unwrap();
    admit::exec_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO areas (name, created_at, updated_at) VALUES ($1, 0, 0)"
    )
    .bind(format!("area-{n:06}"))
    .execute(c)
    .await)
    .unwrap();
    tx.commit().await.unwrap();
}

/// The numbers of the `area-N` rows, in order.
async fn area_numbers(url: &str) -> Vec<i64> {
    let pool = sqlx::SqlitePool::connect(url).await.unwrap();
    let names: Vec<String> =
        sqlx::query_scalar("SELECT name FROM areas WHERE name LIKE 'area-%' ORDER BY name")
            .fetch_all(&pool)
            .await
            .unwrap();
    let check: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(check, ["ok"], "{url} passes the integrity check");
    pool.close().await;
    names
        .iter()
        .map(|n| n.trim_start_matches("area-").parse().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_during_writes_restores_every_row_committed_before_it() {
    let db = TestDb::new(Engine::Sqlite).await;
    let (ok, _, err) = admit(&db.url, &["migrate"], None);
    assert!(ok, "{err}");
    let live = Db::connect(&db.url, 4).await.unwrap();
    for n in 0..500 {
        insert_area(&live, n).await;
    }
    // A writer that goes on committing, and says how far it got.
    let committed = Arc::new(AtomicI64::new(499));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (live, committed, stop) = (live.clone(), committed.clone(), stop.clone());
        tokio::spawn(async move {
            let mut n = 500;
            while !stop.load(Ordering::SeqCst) {
                insert_area(&live, n).await;
                committed.store(n, Ordering::SeqCst);
                n += 1;
            }
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("admit-backup.db");
    let before = committed.load(Ordering::SeqCst);
    let (url, to) = (db.url.clone(), file.display().to_string());
    let (ok, out, err) =
        tokio::task::spawn_blocking(move || admit(&url, &["backup", "--to", &to], None))
            .await
            .unwrap();
    let after = committed.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    assert!(ok, "{err}");
    assert!(out.contains("passes the integrity check"), "{out}");
    assert!(after > before, "rows were written while the backup ran");

    // A backup never replaces a file, and needs its folder.
    let nowhere = dir.path().join("no-such-folder/admit.db");
    let (ok, _, err) = admit(
        &db.url,
        &["backup", "--to", &nowhere.display().to_string()],
        None,
    );
    assert!(!ok);
    assert!(err.contains("no folder"), "{err}");
    let (ok, _, err) = admit(
        &db.url,
        &["backup", "--to", &file.display().to_string()],
        None,
    );
    assert!(!ok);
    assert!(err.contains("exists"), "{err}");

    // Restored elsewhere: sound, and every row committed before the backup began is there,
    // with no gap.
    let target = TestDb::new(Engine::Sqlite).await;
    let (ok, out, err) = admit(
        &target.url,
        &["restore", "--from", &file.display().to_string()],
        None,
    );
    assert!(ok, "{err}");
    assert!(out.contains("Restored"), "{out}");
    let restored = area_numbers(&target.url).await;
    assert!(restored.len() as i64 > before, "{} rows", restored.len());
    assert!(
        restored.iter().enumerate().all(|(i, n)| *n == i as i64),
        "the rows are a prefix of those written"
    );
    // And Admit starts on it.
    let (ok, _, err) = admit(&target.url, &["migrate"], None);
    assert!(ok, "{err}");

    // Over the database in use: refused, and the database is unchanged.
    let rows = area_numbers(&db.url).await.len();
    let (ok, _, err) = admit(
        &db.url,
        &["restore", "--from", &file.display().to_string()],
        None,
    );
    assert!(!ok);
    assert!(err.contains("in use"), "{err}");
    insert_area(&live, 999_999).await;
    assert_eq!(area_numbers(&db.url).await.len(), rows + 1);
    // Once nothing uses it, the restore goes through.
    live.close().await;
    let (ok, _, err) = admit(
        &db.url,
        &["restore", "--from", &file.display().to_string()],
        None,
    );
    assert!(ok, "{err}");
    assert_eq!(area_numbers(&db.url).await, restored);
}

#[tokio::test]
async fn restore_refuses_what_is_not_a_sound_admit_database() {
    let db = TestDb::new(Engine::Sqlite).await;
    let (ok, _, err) = admit(&db.url, &["migrate"], None);
    assert!(ok, "{err}");
    let dir = tempfile::tempdir().unwrap();

    // Another program's SQLite database.
    let other = dir.path().join("other.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=rwc", other.display()))
        .await
        .unwrap();
    sqlx::query("CREATE TABLE notes (body TEXT)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    // A file that is no database, and one cut short.
    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, b"this is not a database at all, just some words").unwrap();
    let backup = dir.path().join("good.db");
    let (ok, _, err) = admit(
        &db.url,
        &["backup", "--to", &backup.display().to_string()],
        None,
    );
    assert!(ok, "{err}");
    let bytes = std::fs::read(&backup).unwrap();
    let cut = dir.path().join("cut.db");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();

    let before = std::fs::read(db.url.trim_start_matches("sqlite://")).unwrap();
    for (file, expected) in [
        (&other, "not an Admit database"),
        (&garbage, "not"),
        (&cut, "integrity"),
        (&dir.path().join("missing.db"), "cannot read"),
    ] {
        let (ok, _, err) = admit(
            &db.url,
            &["restore", "--from", &file.display().to_string()],
            None,
        );
        assert!(!ok, "{} is refused", file.display());
        assert!(err.contains(expected), "{}: {err}", file.display());
    }
    let after = std::fs::read(db.url.trim_start_matches("sqlite://")).unwrap();
    assert!(before == after, "a refused restore changes nothing");
    // A database in a folder that does not exist.
    let nowhere = format!("sqlite://{}/no-such-folder/admit.db", dir.path().display());
    let (ok, _, err) = admit(
        &nowhere,
        &["restore", "--from", &backup.display().to_string()],
        None,
    );
    assert!(!ok);
    assert!(err.contains("cannot write"), "{err}");
}

#[tokio::test]
async fn postgresql_is_backed_up_with_its_own_tools() {
    let db = TestDb::new(Engine::Postgres).await;
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("pg.db").display().to_string();
    let to = to.as_str();
    for args in [["backup", "--to", to], ["restore", "--from", to]] {
        let (ok, _, err) = admit(&db.url, &args, None);
        assert!(!ok);
        assert!(
            err.contains("pg_dump") && err.contains("pg_restore"),
            "{err}"
        );
    }
    assert!(!std::path::Path::new(to).exists());
}
