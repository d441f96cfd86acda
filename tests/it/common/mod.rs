//! The test harness: each test starts Admit on port 0 with a database of its own, on SQLite
//! or on PostgreSQL (`ADMIT_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`).
//! A missing PostgreSQL fails the test; it is never skipped. A test begins once the server
//! answers.

mod clients;
mod process;
mod smtp;
mod tls_smtp;
mod world;

use std::sync::Arc;
use std::time::Duration;

use admit::app::Application;
use admit::clock::SystemClock;
use admit::config::Config;
use admit::storage::Db;
use admit::usecases::{self, Actor, Ctx};
use reqwest::{Client, StatusCode};
use tokio::sync::oneshot;

pub use clients::{Api, Browser, Page, id_of, one_click, read, texts};
pub use process::{Server, serve, terminate};
pub use smtp::{SmtpSink, closed_port, header};
pub use tls_smtp::{TestCa, TlsMode, TlsSmtpServer};
pub use world::{account_of, invited_on_portal, north_and_south, org, partner_and_customers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Runs an async test body once per engine: `both!(name, body_fn)` makes `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$body($crate::common::TestApp::spawn($crate::common::Engine::Sqlite).await)
                    .await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$body($crate::common::TestApp::spawn($crate::common::Engine::Postgres).await)
                    .await
            }
        }
    };
}

/// As [`both!`], for a body that starts its own app (on a clock of its own, say): it gets the engine.
#[macro_export]
macro_rules! on_both {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$body($crate::common::Engine::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$body($crate::common::Engine::Postgres).await
            }
        }
    };
}

pub fn postgres_admin_url() -> String {
    std::env::var("ADMIT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// A fresh, empty database on either engine; dropped (PostgreSQL) or deleted (SQLite) at the end.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    pub async fn new(engine: Engine) -> TestDb {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let url = format!("sqlite://{}", dir.path().join("admit.db").display());
                TestDb {
                    url,
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Engine::Postgres => {
                let admin = postgres_admin_url();
                let name = format!("admit_test_{}", admit::security::tokens::random_hex(8));
                let pool = sqlx::PgPool::connect(&admin).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL is needed at {admin} (set ADMIT_TEST_POSTGRES_URL): {e}")
                });
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&pool)
                    .await
                    .expect("creating the test database");
                pool.close().await;
                let url = match admin.rsplit_once('/') {
                    Some((base, _)) => format!("{base}/{name}"),
                    None => panic!("ADMIT_TEST_POSTGRES_URL must end with a database name"),
                };
                TestDb {
                    url,
                    _dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            let admin = postgres_admin_url();
            // A thread of its own: Drop cannot await, and the test's runtime may be ending.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        if let Ok(pool) = sqlx::PgPool::connect(&admin).await {
                            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            )))
                            .execute(&pool)
                            .await;
                            pool.close().await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

pub struct TestApp {
    pub base: String,
    /// `http://` and the address of `metrics_listen`, when set.
    pub metrics_base: Option<String>,
    pub cx: Ctx,
    pub db_url: String,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    // Last: the database goes after the server has stopped.
    _db: TestDb,
}

impl TestApp {
    pub async fn spawn(engine: Engine) -> TestApp {
        Self::spawn_with(engine, |_| {}).await
    }

    /// As [`TestApp::spawn`], with changes to the configuration (SMTP, say).
    pub async fn spawn_with(engine: Engine, change: impl FnOnce(&mut Config)) -> TestApp {
        Self::start(engine, change, None).await
    }

    /// As [`TestApp::spawn_with`], on a clock the test moves.
    pub async fn spawn_clocked(
        engine: Engine,
        clock: admit::clock::ManualClock,
        change: impl FnOnce(&mut Config),
    ) -> TestApp {
        Self::start(engine, change, Some(clock)).await
    }

    async fn start(
        engine: Engine,
        change: impl FnOnce(&mut Config),
        clock: Option<admit::clock::ManualClock>,
    ) -> TestApp {
        let db = TestDb::new(engine).await;
        let mut config = Config {
            listen: "127.0.0.1:0".into(),
            database_url: db.url.clone(),
            database_max_connections: 5,
            keys_secret: Some(KEYS_SECRET.into()),
            ..Config::default()
        };
        change(&mut config);
        let app = match clock {
            None => Application::build(config).await,
            Some(clock) => {
                let database = admit::app::open_database(&config)
                    .await
                    .expect("the database opens");
                Application::build_with(config, database, Arc::new(clock)).await
            }
        }
        .expect("the app builds");
        let addr = app.local_addr();
        let metrics_base = app.metrics_addr().map(|a| format!("http://{a}"));
        let cx = app.state().cx.clone();
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            app.run_until(async {
                let _ = rx.await;
            })
            .await
            .expect("the server runs");
        });
        let app = TestApp {
            base: format!("http://{addr}"),
            metrics_base,
            cx,
            db_url: db.url.clone(),
            shutdown: Some(tx),
            server: Some(server),
            _db: db,
        };
        wait_until_answering(&app.base).await;
        app
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// An unrestricted API key.
    pub async fn api_key(&self) -> String {
        usecases::apikeys::create(&self.cx, &Actor::cli(), "test", &[])
            .await
            .expect("an API key")
            .secret
    }

    /// An API key limited to areas, like a supervisor.
    pub async fn area_key(&self, areas: &[i64]) -> String {
        usecases::apikeys::create(&self.cx, &Actor::cli(), "area key", areas)
            .await
            .expect("an API key")
            .secret
    }

    pub fn api(&self, key: &str) -> Api {
        Api {
            base: self.base.clone(),
            key: key.to_string(),
            client: Client::new(),
        }
    }

    pub async fn create_staff(
        &self,
        email: &str,
        role: &str,
        areas: &[i64],
        password: &str,
    ) -> i64 {
        usecases::staff::create_staff(
            &self.cx,
            &Actor::cli(),
            &usecases::staff::NewStaff {
                email: email.into(),
                name: String::new(),
                role: role.into(),
                area_ids: areas.to_vec(),
                password: password.into(),
            },
        )
        .await
        .expect("a staff user")
        .id
    }

    /// A staff user of `role` in `areas` (password [`PASSWORD`]), logged in to the console in
    /// a browser of their own.
    pub async fn staff_browser(&self, email: &str, role: &str, areas: &[i64]) -> Browser {
        self.create_staff(email, role, areas, PASSWORD).await;
        let b = self.browser();
        let page = b.login(email, PASSWORD).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        b
    }

    /// Counts rows in a table, straight from the database.
    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match &self.cx.db {
            Db::Sqlite(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(p)
                .await
                .unwrap(),
            Db::Postgres(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(p)
                .await
                .unwrap(),
        }
    }

    /// The count that `sql` (a `SELECT COUNT(*)` with one parameter) answers for `bind`.
    pub async fn count_where(&self, sql: &'static str, bind: &str) -> i64 {
        match &self.cx.db {
            Db::Sqlite(p) => sqlx::query_scalar(sql).bind(bind).fetch_one(p).await,
            Db::Postgres(p) => sqlx::query_scalar(sql).bind(bind).fetch_one(p).await,
        }
        .unwrap()
    }

    /// A browser-like client that keeps cookies and does not follow redirects.
    pub fn browser(&self) -> Browser {
        Browser {
            base: self.base.clone(),
            client: Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

pub fn system_clock() -> Arc<SystemClock> {
    Arc::new(SystemClock)
}

pub const PASSWORD: &str = "correct horse battery staple";

/// The secret that seals the signing keys of every test app (as the README asks of a server).
pub const KEYS_SECRET: &str = "9f3c1e0a7b52d4e8a61f0c3b9d27e5a48c1f6b0e2d9a7c35b8e4f1a0d6c2b9e7";
/// Waits until the server at `base` answers `GET /healthz` with 200 (at most 30 s).
pub async fn wait_until_answering(base: &str) {
    let client = Client::new();
    let url = format!("{base}/healthz");
    let answers = eventually(30, || async {
        client
            .get(&url)
            .timeout(Duration::from_secs(2))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    })
    .await;
    assert!(answers, "the server at {base} answers GET /healthz");
}

/// Polls until `f` is true (at most `secs` seconds).
pub async fn eventually<F, Fut>(secs: u64, mut f: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < deadline {
        if f().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

/// Waits until the outbox is quiet: nothing queued, being sent or waiting for a retry (at
/// most `secs` seconds). Whether it got there.
pub async fn outbox_quiet(app: &TestApp, secs: u64) -> bool {
    eventually(secs, || async {
        app.count("outbox_messages WHERE status IN ('queued', 'sending', 'retrying')")
            .await
            == 0
    })
    .await
}

/// The messages of the built-in mailbox, oldest first: (recipient, text).
pub async fn mails(app: &TestApp) -> Vec<(String, String)> {
    let sql = "SELECT recipient, text_body FROM mailbox_messages ORDER BY id";
    match &app.cx.db {
        Db::Sqlite(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
    }
}

/// The token of the last link mailed to `to` (the built-in mailbox).
pub async fn last_token_to(app: &TestApp, to: &str) -> Option<String> {
    mails(app)
        .await
        .into_iter()
        .rev()
        .filter(|(r, _)| r == to)
        .find_map(|(_, text)| {
            let start = text.find("token=")? + 6;
            Some(text[start..start + 64].to_string())
        })
}

/// The link token of the last mail to `to`, once one has come.
pub async fn token_sent_to(app: &TestApp, to: &str) -> String {
    assert!(eventually(10, || async { last_token_to(app, to).await.is_some() }).await);
    last_token_to(app, to).await.unwrap()
}

/// The value of the hidden field `name` in a page.
pub fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field in {body}"))
        + marker.len();
    body[start..start + body[start..].find('"').unwrap()].to_string()
}

/// Runs a statement on the test's database (to move a stored time, say).
pub async fn exec(app: &TestApp, sql: &str) {
    match &app.cx.db {
        Db::Sqlite(p) => {
            sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
                .execute(p)
                .await
                .unwrap();
        }
        Db::Postgres(p) => {
            sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
                .execute(p)
                .await
                .unwrap();
        }
    }
}
