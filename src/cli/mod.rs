//! The `admit` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::app::{self, Application};

mod backup;
mod common;
mod config_check;
mod keys;
mod mail;
mod staff;

use common::{ConfigArg, init_logging, load};

/// The version and the commit it was built from (`build.rs`; `unknown` without git).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("BUILD_GIT_COMMIT"),
    ")"
);

#[derive(Parser)]
#[command(
    name = "admit",
    version = VERSION,
    about = "Who at your customers and partners may log in to your portals, and what they see"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the console, the API and the background jobs.
    Serve(ConfigArg),
    /// A first look: an embedded database with sample data, served at once.
    Demo {
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// The folder for the demo database (created when missing, reused after).
        #[arg(long, default_value = "admit-data")]
        data: PathBuf,
    },
    /// Apply the database migrations and exit.
    Migrate(ConfigArg),
    /// Staff users of the console.
    Staff {
        #[command(subcommand)]
        command: staff::StaffCommand,
    },
    /// API keys.
    Apikey {
        #[command(subcommand)]
        command: keys::ApiKeyCommand,
    },
    /// The keys that sign OpenID Connect tokens.
    Keys {
        #[command(subcommand)]
        command: keys::KeysCommand,
    },
    /// E-mail.
    Mail {
        #[command(subcommand)]
        command: mail::MailCommand,
    },
    /// Copy the SQLite database to a new file while Admit runs (PostgreSQL: pg_dump).
    Backup(backup::BackupArgs),
    /// Put a backup in place of the SQLite database; refused while any process uses it.
    Restore(backup::RestoreArgs),
    /// The configuration.
    Config {
        #[command(subcommand)]
        command: config_check::ConfigCommand,
    },
    /// Print the OpenAPI document of the API.
    Openapi,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(c) => {
            let config = load(&c)?;
            init_logging(&config.log_format);
            crate::config::check::log_effective(&config);
            let app = Application::build(config).await?;
            tracing::info!(address = %app.local_addr(), "listening");
            app.run_until(app::shutdown_signal()).await
        }
        Command::Demo { listen, data } => {
            init_logging("text");
            crate::demo::run(&listen, &data).await
        }
        Command::Migrate(c) => {
            let config = load(&c)?;
            init_logging(&config.log_format);
            let db = app::open_database(&config).await?;
            db.close().await;
            println!("The database is up to date.");
            Ok(())
        }
        Command::Staff { command } => staff::run(command).await,
        Command::Apikey { command } => keys::api_keys(command).await,
        Command::Keys { command } => keys::signing_keys(command).await,
        Command::Mail { command } => mail::run(command).await,
        Command::Backup(args) => backup::backup(args).await,
        Command::Restore(args) => backup::restore(args).await,
        Command::Config { command } => config_check::run(command),
        Command::Openapi => {
            print!("{}", crate::web::api::openapi_document());
            Ok(())
        }
    }
}
