//! `admit staff`: create staff users, list them, and recover access: a new password, switching
//! a staff user off or on.

use std::io::IsTerminal;

use anyhow::bail;
use clap::Subcommand;

use super::common::{ConfigArg, describe, load, open, password_from_stdin, resolve_areas};
use crate::usecases::{self, Actor};

#[derive(Subcommand)]
pub enum StaffCommand {
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
    /// List the staff users: e-mail, role, status, last login.
    List {
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Set a new password for a staff user, read from standard input (never echoed); every
    /// session of theirs ends.
    ResetPassword {
        #[arg(long)]
        email: String,
        /// Read the new password from standard input (required: the console has no reset link).
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Switch a staff user off: they can no longer log in, and their sessions end. The last
    /// active administrator cannot be switched off.
    Disable {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Switch a staff user on again.
    Enable {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        config: ConfigArg,
    },
}

pub async fn run(command: StaffCommand) -> anyhow::Result<()> {
    match command {
        StaffCommand::Create {
            email,
            name,
            admin,
            supervisor,
            area,
            password_stdin,
            config,
        } => {
            let config = load(&config)?;
            if !admin && !supervisor {
                bail!("say --admin or --supervisor --area AREA");
            }
            let password = if password_stdin {
                password_from_stdin()?
            } else {
                crate::security::tokens::random_hex(12)
            };
            let (db, cx) = open(&config).await?;
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
        StaffCommand::List { config } => {
            let (db, cx) = open(&load(&config)?).await?;
            let users = usecases::staff::list_staff(&cx, &Actor::cli())
                .await
                .map_err(describe)?;
            db.close().await;
            println!(
                "{:>5}  {:<14} {:<9} {:<20} email",
                "id", "role", "status", "last login"
            );
            for u in users {
                println!(
                    "{:>5}  {:<14} {:<9} {:<20} {}",
                    u.id,
                    u.role.as_str(),
                    if u.active { "active" } else { "disabled" },
                    u.last_login_at
                        .map(crate::clock::format_time)
                        .unwrap_or_else(|| "never".into()),
                    u.email
                );
            }
            Ok(())
        }
        StaffCommand::ResetPassword {
            email,
            password_stdin,
            config,
        } => {
            if !password_stdin {
                bail!(
                    "say --password-stdin and give the new password on standard input \
                     (for example: read -rs PW && printf '%s' \"$PW\" | admit staff reset-password --email {email} --password-stdin)"
                );
            }
            let config = load(&config)?;
            let password = password_from_stdin()?;
            let (db, cx) = open(&config).await?;
            let actor = Actor::cli();
            let user = usecases::staff_status::find_by_email(&cx, &actor, &email)
                .await
                .map_err(describe)?;
            usecases::staff::set_password(&cx, &actor, user.id, None, &password, None, None)
                .await
                .map_err(describe)?;
            db.close().await;
            println!(
                "New password set for {}; every session of theirs ended.",
                user.email
            );
            if !user.active {
                println!(
                    "{} is disabled: `admit staff enable --email {}` lets them log in.",
                    user.email, user.email
                );
            }
            Ok(())
        }
        StaffCommand::Disable { email, config } => switch(&email, false, &config).await,
        StaffCommand::Enable { email, config } => switch(&email, true, &config).await,
    }
}

async fn switch(email: &str, active: bool, config: &ConfigArg) -> anyhow::Result<()> {
    let (db, cx) = open(&load(config)?).await?;
    let result = usecases::staff_status::set_active(&cx, &Actor::cli(), email, active).await;
    db.close().await;
    let user = result.map_err(describe)?;
    if active {
        println!("Enabled {} {}.", user.role, user.email);
    } else {
        println!(
            "Disabled {} {}; their sessions ended.",
            user.role, user.email
        );
    }
    Ok(())
}
