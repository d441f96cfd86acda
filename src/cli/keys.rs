//! `admit apikey` (keys for the API) and `admit keys` (the keys that sign OpenID Connect tokens).

use clap::Subcommand;

use super::common::{ConfigArg, describe, load, open, resolve_areas};
use crate::usecases::{self, Actor};

#[derive(Subcommand)]
pub enum ApiKeyCommand {
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

#[derive(Subcommand)]
pub enum KeysCommand {
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

pub async fn api_keys(command: ApiKeyCommand) -> anyhow::Result<()> {
    match command {
        ApiKeyCommand::Create { name, area, config } => {
            let (db, cx) = open(&load(&config)?).await?;
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
        ApiKeyCommand::List { config } => {
            let (db, cx) = open(&load(&config)?).await?;
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
        ApiKeyCommand::Revoke { id, config } => {
            let (db, cx) = open(&load(&config)?).await?;
            let key = usecases::apikeys::revoke(&cx, &Actor::cli(), id)
                .await
                .map_err(describe)?;
            db.close().await;
            println!("Revoked API key {} ({}).", key.name, key.prefix);
            Ok(())
        }
    }
}

pub async fn signing_keys(command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Rotate { config } => {
            let (db, cx) = open(&load(&config)?).await?;
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
        KeysCommand::List { config } => {
            let (db, cx) = open(&load(&config)?).await?;
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
    }
}
