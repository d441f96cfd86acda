//! The test harness: each test starts Admit on port 0 with a database of its own, on SQLite
//! or on PostgreSQL (`ADMIT_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`).
//! A missing PostgreSQL fails the test; it is never skipped.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use admit::app::Application;
use admit::clock::SystemClock;
use admit::config::Config;
use admit::storage::Db;
use admit::usecases::{self, Actor, Ctx};
use reqwest::{Client, RequestBuilder, Response, StatusCode};
use serde_json::Value;
use tokio::sync::oneshot;

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
    pub engine: Engine,
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
                    engine,
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
                    engine,
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
    pub addr: SocketAddr,
    pub base: String,
    pub cx: Ctx,
    pub engine: Engine,
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
        let cx = app.state().cx.clone();
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            app.run_until(async {
                let _ = rx.await;
            })
            .await
            .expect("the server runs");
        });
        TestApp {
            addr,
            base: format!("http://{addr}"),
            cx,
            engine,
            db_url: db.url.clone(),
            shutdown: Some(tx),
            server: Some(server),
            _db: db,
        }
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

/// The JSON API with a key.
pub struct Api {
    pub base: String,
    pub key: String,
    pub client: Client,
}

impl Api {
    fn req(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.key)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        read(self.req(reqwest::Method::GET, path).send().await.unwrap()).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        read(
            self.req(reqwest::Method::POST, path)
                .json(body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn put(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        read(
            self.req(reqwest::Method::PUT, path)
                .json(body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        read(
            self.req(reqwest::Method::DELETE, path)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// A GET with `If-None-Match: etag`: its status.
    pub async fn get_if_none_match(&self, path: &str, etag: &str) -> StatusCode {
        self.req(reqwest::Method::GET, path)
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap()
            .status()
    }

    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        read(
            self.req(method, path)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }
}

pub async fn read(res: Response) -> (StatusCode, Value) {
    let status = res.status();
    let text = res.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

/// A console session in a cookie-keeping client.
pub struct Browser {
    pub base: String,
    pub client: Client,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    /// The value of the first hidden `csrf` field.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.body.find(marker).expect("the page has a CSRF field") + marker.len();
        let end = self.body[start..].find('"').unwrap() + start;
        self.body[start..end].to_string()
    }
}

impl Browser {
    pub async fn get(&self, path: &str) -> Page {
        page(
            self.client
                .get(format!("{}{}", self.base, path))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        page(
            self.client
                .post(format!("{}{}", self.base, path))
                .form(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Logs in through the form; returns the answer to the POST.
    pub async fn login(&self, email: &str, password: &str) -> Page {
        let form = self.get("/console/login").await;
        let csrf = form.csrf();
        self.post(
            "/console/login",
            &[
                ("email", email),
                ("password", password),
                ("csrf", &csrf),
                ("next", "/console/organizations"),
            ],
        )
        .await
    }

    /// The CSRF token of the session, read from a console page.
    pub async fn csrf(&self) -> String {
        self.get("/console/organizations").await.csrf()
    }
}

async fn page(res: Response) -> Page {
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    Page {
        status,
        location,
        body: res.text().await.unwrap(),
    }
}

pub const PASSWORD: &str = "correct horse battery staple";

/// A real SMTP server (aiosmtpd, `tests/support/smtp_sink.py`) that writes what it accepts to a
/// folder. In CI a missing aiosmtpd fails the test.
pub struct SmtpSink {
    pub port: u16,
    pub dir: tempfile::TempDir,
    child: std::process::Child,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        Self::start_with_delay(0)
    }

    pub fn start_with_delay(delay_ms: u64) -> SmtpSink {
        use std::io::BufRead;
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py");
        let mut child = std::process::Command::new("python3")
            .args([script, "--port", &port.to_string(), "--dir"])
            .arg(dir.path())
            .args(["--delay-ms", &delay_ms.to_string()])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs the SMTP test server (aiosmtpd: ./scripts/test installs it)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(
            line.trim(),
            "ready",
            "the SMTP test server started (is aiosmtpd installed?)"
        );
        SmtpSink { port, dir, child }
    }

    /// Points a configuration at this server.
    pub fn configure(&self, config: &mut Config) {
        config.smtp_host = Some("127.0.0.1".into());
        config.smtp_port = self.port;
        config.smtp_security = "none".into();
        config.mail_from = "Admit Test <admit@example.test>".into();
    }

    /// The raw messages received so far, in order.
    pub fn messages(&self) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }

    /// Waits until at least `n` messages arrived (at most `secs` seconds).
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<String> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let m = self.messages();
            if m.len() >= n || std::time::Instant::now() > deadline {
                return m;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of a header in a raw message.
pub fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    let head = raw.split("\r\n\r\n").next().unwrap_or(raw);
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
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

/// Starts `admit serve` on `db_url`, sending mail to `sink`, with more `ADMIT_` settings;
/// its log goes to `log`.
pub fn serve(
    db_url: &str,
    sink: &SmtpSink,
    log: &std::path::Path,
    settings: &[(&str, &str)],
) -> std::process::Child {
    use std::process::{Command, Stdio};
    let log = std::fs::File::create(log).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_admit"));
    for (k, _) in std::env::vars() {
        if k.starts_with("ADMIT_") {
            cmd.env_remove(k);
        }
    }
    cmd.arg("serve")
        .env("ADMIT_DATABASE_URL", db_url)
        .env("ADMIT_LISTEN", format!("127.0.0.1:{}", free_port()))
        .env("ADMIT_SMTP_HOST", "127.0.0.1")
        .env("ADMIT_SMTP_PORT", sink.port.to_string())
        .env("ADMIT_SMTP_SECURITY", "none")
        .env("ADMIT_MAIL_FROM", "Admit <admit@example.test>")
        .env("ADMIT_SMTP_CONNECTIONS", "4");
    for (k, v) in settings {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("admit serve starts")
}

/// Stops an `admit serve` with SIGTERM and checks that it exits cleanly within 10 s.
pub fn terminate(mut child: std::process::Child) {
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    for _ in 0..200 {
        if let Ok(Some(status)) = child.try_wait() {
            assert!(
                status.success(),
                "admit serve exits cleanly on SIGTERM: {status}"
            );
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("admit serve did not stop within 10 s of SIGTERM");
}
