//! `admit demo`: an embedded database, filled once with realistic sample data, served at once,
//! with a sample customer portal application that logs its users in through Admit.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;

use crate::app::{self, Application};
use crate::clock::SystemClock;
use crate::config::Config;
use crate::usecases;

mod accounts;
mod http;
mod id_token;
pub mod relying_party;
pub mod sample_app;
pub mod sample_registration;
mod seed;

pub use seed::seed;

pub const ADMIN_EMAIL: &str = "admin@admit.example";
pub const ADMIN_PASSWORD: &str = "take a first look round";
pub const SUPERVISOR_EMAIL: &str = "supervisor.north@admit.example";
pub const SUPERVISOR_PASSWORD: &str = "only my own areas here";
/// The person who may log in to the customer portal, and to the sample application through it.
pub const PERSON_NAME: &str = "Mia Sommer";
pub const PERSON_EMAIL: &str = "mia.sommer@sonnenschein.example";
pub const PERSON_PASSWORD: &str = "warm rolls before sunrise";

pub async fn run(listen: &str, data: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(data).with_context(|| format!("creating {}", data.display()))?;
    let db_path = data.join("admit.db");
    let config = Config {
        listen: listen.to_string(),
        database_url: format!("sqlite://{}", db_path.display()),
        // The first digest on the Mail page within seconds.
        digest_poll_seconds: 5,
        keys_secret: Some(keys_secret(data)?),
        // Every e-mail lands on the console's Mail page, on purpose.
        mail_mode: "mailbox".into(),
        ..Config::default()
    };
    let db = app::open_database(&config).await?;
    let cx = app::context(db.clone(), Arc::new(SystemClock));
    let fresh = {
        let mut tx = db.read().await?;
        crate::storage::staff::count_staff(&mut tx).await? == 0
    };
    if fresh {
        seed(&cx).await.context("filling the demo database")?;
    }
    let app = Application::build_with(config, db, Arc::new(SystemClock)).await?;
    let url = format!("http://{}", app.local_addr());
    // The sample application is a guest: without it the demo still runs.
    let sample = sample_registration::start(
        &app.state().cx,
        sample_registration::beside(app.local_addr()),
        std::future::pending(),
    )
    .await
    .map(|s| s.url)
    .unwrap_or_else(|e| format!("not started ({e:#})"));
    println!();
    println!(
        "Admit demo {}",
        if fresh {
            "(new sample data)"
        } else {
            "(reusing its data)"
        }
    );
    println!("  database:   {}", db_path.display());
    println!("  console:    {url}/console");
    println!(
        "  mail:       {url}/console/mail (every e-mail lands here: no SMTP server in the demo)"
    );
    println!("  API docs:   {url}/api/docs");
    println!("  portal logins:");
    let portals = usecases::directory::list_portals(&app.state().cx)
        .await
        .map_err(describe)?;
    for p in &portals {
        println!(
            "    {:<17} {url}/portal/{}/login",
            format!("{}:", p.name),
            p.id
        );
    }
    println!("  administrator: {ADMIN_EMAIL} / {ADMIN_PASSWORD}");
    println!("  supervisor (area North): {SUPERVISOR_EMAIL} / {SUPERVISOR_PASSWORD}");
    println!("  sample app: {sample} (a customer portal application that logs in through Admit)");
    println!("  customer portal person: {PERSON_EMAIL} / {PERSON_PASSWORD}");
    println!(
        "  the other people with a password (accounts in every state: see Access): {}",
        accounts::PEOPLE_PASSWORD
    );
    println!("Stop with Ctrl-C.");
    app.run_until(app::shutdown_signal()).await
}

/// The secret that seals the demo's signing keys: made once, kept in the data folder (readable
/// by its owner only) beside the database it protects.
fn keys_secret(data: &Path) -> anyhow::Result<String> {
    let path = data.join("keys-secret");
    match std::fs::read_to_string(&path) {
        Ok(secret) => return Ok(secret.trim().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    }
    let secret = crate::security::tokens::random_hex(32);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&path)
        .with_context(|| format!("creating {}", path.display()))?;
    std::io::Write::write_all(&mut file, format!("{secret}\n").as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(secret)
}

fn describe(e: usecases::Error) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_passwords_pass() {
        use crate::security::password_policy::{PasswordContext, Weakness, check};
        let admin = PasswordContext::new()
            .name("Demo Administrator")
            .email(ADMIN_EMAIL);
        assert_eq!(check(ADMIN_PASSWORD, &admin), Ok(()));
        let supervisor = PasswordContext::new()
            .name("Demo Supervisor North")
            .email(SUPERVISOR_EMAIL);
        assert_eq!(check(SUPERVISOR_PASSWORD, &supervisor), Ok(()));
        let person = PasswordContext::new().name(PERSON_NAME).email(PERSON_EMAIL);
        assert_eq!(check(PERSON_PASSWORD, &person), Ok(()));
        assert_eq!(check("demo-admin-password", &admin), Err(Weakness::Context));
    }
}
