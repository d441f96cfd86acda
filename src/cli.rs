//! The `admit` command line.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};

use crate::app::{self, Application};
use crate::config::Config;
use crate::usecases::{self, Actor};

#[derive(Parser)]
#[command(
    name = "admit",
    version,
    about = "Who at your customers and partners may log in to your portals, and what they see"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct ConfigArg {
    /// A TOML configuration file; `ADMIT_` environment variables override it.
    #[arg(long, env = "ADMIT_CONFIG")]
    config: Option<PathBuf>,
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
        command: StaffCommand,
    },
    /// API keys.
    Apikey {
        #[command(subcommand)]
        command: ApiKeyCommand,
    },
    /// The keys that sign OpenID Connect tokens.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// E-mail.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Print the OpenAPI document of the API.
    Openapi,
}

#[derive(Subcommand)]
enum MailCommand {
    /// Send a test message through the configured SMTP server and show its answer.
    Test {
        /// The address to send it to.
        #[arg(long)]
        to: String,
        #[command(flatten)]
        config: ConfigArg,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Make a new signing key per algorithm (ES256, RS256). The keys they replace stay in the
    /// JWKS, verifying but no longer signing, for 24 hours; older replaced keys leave it.
    Rotate {
        #[command(flatten)]
        config: ConfigArg,
    },
    /// List the signing keys: key id, algorithm, state, when made (never a private key).
    List {
        #[command(flatten)]
        config: ConfigArg,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Create a staff user. Prints a generated password unless one comes on standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "")]
        name: String,
        /// An administrator: sees and does everything.
        #[arg(long, conflicts_with = "supervisor")]
        admin: bool,
        /// A supervisor: only the organizations and contacts of their areas.
        #[arg(long, requires = "area")]
        supervisor: bool,
        /// An area (name or id) of a supervisor; repeat for several.
        #[arg(long)]
        area: Vec<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        config: ConfigArg,
    },
}

#[derive(Subcommand)]
enum ApiKeyCommand {
    /// Create an API key and print it, once.
    Create {
        #[arg(long)]
        name: String,
        /// Limit the key to an area (name or id), like a supervisor; repeat for several.
        #[arg(long)]
        area: Vec<String>,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// List the API keys (never their secrets).
    List {
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Revoke an API key: programs using it stop working at once.
    Revoke {
        /// The key's id, as `admit apikey list` shows it.
        #[arg(long)]
        id: i64,
        #[command(flatten)]
        config: ConfigArg,
    },
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

fn init_logging(format: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("ADMIT_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = if format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

fn load(config: &ConfigArg) -> anyhow::Result<Config> {
    Config::load(config.config.as_deref()).context("reading the configuration")
}

/// The database and a context with the configured keys secret, for the key commands.
async fn keys_context(config: &ConfigArg) -> anyhow::Result<(crate::storage::Db, usecases::Ctx)> {
    let config = load(config)?;
    let db = app::open_database(&config).await?;
    let cx = app::context_with(
        db.clone(),
        std::sync::Arc::new(crate::clock::SystemClock),
        &config,
    );
    Ok((db, cx))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(c) => {
            let config = load(&c)?;
            init_logging(&config.log_format);
            tracing::info!(?config, "starting");
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
        Command::Staff {
            command:
                StaffCommand::Create {
                    email,
                    name,
                    admin,
                    supervisor,
                    area,
                    password_stdin,
                    config,
                },
        } => {
            let config = load(&config)?;
            if !admin && !supervisor {
                bail!("say --admin or --supervisor --area AREA");
            }
            let password = if password_stdin {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .context("reading the password")?;
                s.trim_end_matches(['\n', '\r']).to_string()
            } else {
                crate::security::tokens::random_hex(12)
            };
            let db = app::open_database(&config).await?;
            let cx = app::context_with(
                db.clone(),
                std::sync::Arc::new(crate::clock::SystemClock),
                &config,
            );
            let area_ids = resolve_areas(&cx, &area).await?;
            let input = usecases::staff::NewStaff {
                email,
                name,
                role: if admin {
                    "administrator".into()
                } else {
                    "supervisor".into()
                },
                area_ids,
                password: password.clone(),
            };
            let user = usecases::staff::create_staff(&cx, &Actor::cli(), &input)
                .await
                .map_err(describe)?;
            db.close().await;
            println!("Created {} {} (id {}).", user.role, user.email, user.id);
            if !password_stdin {
                println!("Password: {password}");
                if !std::io::stdout().is_terminal() {
                    eprintln!("(the password above is shown once; store it safely)");
                }
            }
            Ok(())
        }
        Command::Apikey {
            command: ApiKeyCommand::Create { name, area, config },
        } => {
            let config = load(&config)?;
            let db = app::open_database(&config).await?;
            let cx = app::context(db.clone(), std::sync::Arc::new(crate::clock::SystemClock));
            let area_ids = resolve_areas(&cx, &area).await?;
            let created = usecases::apikeys::create(&cx, &Actor::cli(), &name, &area_ids)
                .await
                .map_err(describe)?;
            db.close().await;
            eprintln!(
                "Created API key {} ({}). It is shown once:",
                created.key.name, created.key.prefix
            );
            println!("{}", created.secret);
            Ok(())
        }
        Command::Apikey {
            command: ApiKeyCommand::List { config },
        } => {
            let config = load(&config)?;
            let db = app::open_database(&config).await?;
            let cx = app::context(db.clone(), std::sync::Arc::new(crate::clock::SystemClock));
            let keys = usecases::apikeys::list(&cx, &Actor::cli())
                .await
                .map_err(describe)?;
            db.close().await;
            println!(
                "{:>5}  {:<14} {:<10} {:<20} name",
                "id", "prefix", "status", "created"
            );
            for k in keys {
                let status = if k.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!(
                    "{:>5}  {:<14} {:<10} {:<20} {}",
                    k.id,
                    k.prefix,
                    status,
                    crate::clock::format_time(k.created_at),
                    k.name
                );
            }
            Ok(())
        }
        Command::Apikey {
            command: ApiKeyCommand::Revoke { id, config },
        } => {
            let config = load(&config)?;
            let db = app::open_database(&config).await?;
            let cx = app::context(db.clone(), std::sync::Arc::new(crate::clock::SystemClock));
            let key = usecases::apikeys::revoke(&cx, &Actor::cli(), id)
                .await
                .map_err(describe)?;
            db.close().await;
            println!("Revoked API key {} ({}).", key.name, key.prefix);
            Ok(())
        }
        Command::Keys {
            command: KeysCommand::Rotate { config },
        } => {
            let (db, cx) = keys_context(&config).await?;
            let rotation = usecases::oidc::key_rotation::rotate(&cx, &Actor::cli())
                .await
                .map_err(describe)?;
            db.close().await;
            for kid in &rotation.created {
                println!("New signing key {kid}.");
            }
            for kid in &rotation.retiring {
                println!("Retiring {kid}: in the JWKS for 24 hours more, no longer signing.");
            }
            for kid in &rotation.retired {
                println!("Retired {kid}: out of the JWKS.");
            }
            println!("Running servers sign with the new keys within a minute.");
            Ok(())
        }
        Command::Keys {
            command: KeysCommand::List { config },
        } => {
            let (db, cx) = keys_context(&config).await?;
            let keys = usecases::oidc::key_rotation::list(&cx, &Actor::cli())
                .await
                .map_err(describe)?;
            db.close().await;
            println!("{:<44} {:<6} {:<9} created", "kid", "alg", "state");
            for k in keys {
                println!(
                    "{:<44} {:<6} {:<9} {}",
                    k.kid,
                    k.alg,
                    k.state,
                    crate::clock::format_time(k.created_at)
                );
            }
            Ok(())
        }
        Command::Mail {
            command: MailCommand::Test { to, config },
        } => {
            let config = load(&config)?;
            let to =
                crate::domain::EmailAddress::parse(&to).map_err(|m| anyhow::anyhow!("--to {m}"))?;
            let mailer = crate::mail::Mailer::from_config(&config)?;
            let crate::mail::Transport::Smtp(smtp) = &mailer.transport else {
                bail!(
                    "no SMTP server is configured (smtp_host, ADMIT_SMTP_HOST); without one, Admit delivers to its built-in mailbox"
                );
            };
            let template = crate::mail::templates::default_text(
                "test",
                crate::domain::directory::Language::En,
            )
            .context("the test template")?;
            let now = chrono::Utc::now().timestamp_millis();
            let vars = serde_json::json!({
                "recipient_name": "",
                "portal_name": "Admit",
                "portal_url": config.public_url(),
                "sent_at": crate::clock::format_time(now),
            });
            let rendered =
                crate::mail::templates::render(&template, &vars).map_err(anyhow::Error::msg)?;
            let message_id = crate::mail::new_message_id(&mailer.domain);
            let message = mailer
                .build(&message_id, "Admit", to.as_str(), None, &rendered, None)
                .map_err(|e| anyhow::anyhow!(e.message))?;
            let host = config.smtp_host.clone().unwrap_or_default();
            match crate::mail::Mailer::send_smtp(smtp, &message).await {
                Ok(answer) => {
                    println!(
                        "{host}:{} accepted the message for {to}: {answer}",
                        config.smtp_port
                    );
                    Ok(())
                }
                Err(e) => bail!(
                    "{host}:{} did not take the message ({}): {}",
                    config.smtp_port,
                    if e.permanent {
                        "permanent failure"
                    } else {
                        "temporary failure"
                    },
                    e.message
                ),
            }
        }
        Command::Openapi => {
            print!("{}", crate::web::api::openapi_document());
            Ok(())
        }
    }
}

async fn resolve_areas(cx: &usecases::Ctx, names: &[String]) -> anyhow::Result<Vec<i64>> {
    let mut ids = Vec::new();
    let mut tx = cx.db.read().await?;
    for n in names {
        let found = match crate::storage::directory::find_area_by_name(&mut tx, n).await? {
            Some(a) => Some(a.id),
            None => match n.parse::<i64>() {
                Ok(id) => crate::storage::directory::get_area(&mut tx, id)
                    .await?
                    .map(|a| a.id),
                Err(_) => None,
            },
        };
        match found {
            Some(id) => ids.push(id),
            None => bail!("no area named {n}"),
        }
    }
    Ok(ids)
}

fn describe(e: usecases::Error) -> anyhow::Error {
    match e {
        usecases::Error::Invalid(f) | usecases::Error::Conflict(f) => anyhow::anyhow!("{f}"),
        other => anyhow::anyhow!("{other}"),
    }
}
