//! The SQLite and PostgreSQL migrations produce the same tables and columns. SQLite's FTS5
//! search tables (`*_search*`) are left out: PostgreSQL builds the same index with pg_trgm.

use crate::common;

use std::collections::BTreeMap;

use admit::storage::{Db, migrate};
use common::{Engine, TestDb};

async fn columns(db: &Db) -> BTreeMap<String, Vec<String>> {
    let rows: Vec<(String, String)> = match db {
        Db::Sqlite(p) => sqlx::query_as(
            "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
             AND m.name NOT LIKE '%\\_search%' ESCAPE '\\' ORDER BY m.name, c.name",
        )
        .fetch_all(p)
        .await
        .unwrap(),
        Db::Postgres(p) => sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' ORDER BY table_name, column_name",
        )
        .fetch_all(p)
        .await
        .unwrap(),
    };
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (table, column) in rows {
        map.entry(table).or_default().push(column);
    }
    map
}

#[tokio::test]
async fn both_engines_have_the_same_tables_and_columns() {
    let sqlite = TestDb::new(Engine::Sqlite).await;
    let postgres = TestDb::new(Engine::Postgres).await;
    let a = Db::connect(&sqlite.url, 2).await.unwrap();
    let b = Db::connect(&postgres.url, 2).await.unwrap();
    assert_eq!(migrate::run(&a).await.unwrap(), migrate::MIGRATIONS.len());
    assert_eq!(migrate::run(&b).await.unwrap(), migrate::MIGRATIONS.len());
    // Running again applies nothing.
    assert_eq!(migrate::run(&a).await.unwrap(), 0);
    assert_eq!(migrate::run(&b).await.unwrap(), 0);
    let (ca, cb) = (columns(&a).await, columns(&b).await);
    assert!(ca.len() >= 12, "{ca:?}");
    assert_eq!(ca, cb);
    a.close().await;
    b.close().await;
}

/// Whether the database refuses the statement `sql`.
async fn refused(db: &Db, sql: &'static str) -> bool {
    match db {
        Db::Sqlite(p) => sqlx::query(sql).execute(p).await.is_err(),
        Db::Postgres(p) => sqlx::query(sql).execute(p).await.is_err(),
    }
}

#[tokio::test]
async fn the_audit_log_is_append_only() {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let t = TestDb::new(engine).await;
        let db = Db::connect(&t.url, 2).await.unwrap();
        migrate::run(&db).await.unwrap();
        admit::usecases::directory::create_area(
            &admit::app::context(db.clone(), common::system_clock()),
            &admit::usecases::Actor::cli(),
            &admit::domain::directory::AreaInput {
                name: "North".into(),
            },
        )
        .await
        .unwrap();
        let update = refused(&db, "UPDATE audit_events SET action = 'x'").await;
        let delete = refused(&db, "DELETE FROM audit_events").await;
        assert!(
            update && delete,
            "{engine:?}: audit events cannot be changed or deleted"
        );
        db.close().await;
    }
}
