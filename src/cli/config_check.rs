//! `admit config check`: is this configuration what Admit will accept, and what is in effect.

use std::path::PathBuf;

use anyhow::bail;
use clap::Subcommand;

use super::common::ConfigArg;
use crate::config::check;

#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Check a configuration file and the `ADMIT_` environment variables: names that are no
    /// setting (with the one likely meant) and values out of range. Prints the settings in
    /// effect, secrets masked; exits non-zero on an error.
    Check {
        #[command(flatten)]
        config: ConfigArg,
    },
}

pub fn run(command: ConfigCommand) -> anyhow::Result<()> {
    let ConfigCommand::Check { config } = command;
    let file: Option<PathBuf> = config.config;
    match &file {
        Some(f) => println!(
            "Checking {} and the ADMIT_ environment variables.",
            f.display()
        ),
        None => println!("Checking the ADMIT_ environment variables (no --config file)."),
    }
    let report = check::check(file.as_deref(), std::env::vars().map(|(k, _)| k));
    if let Some(config) = &report.config {
        println!("Settings in effect:");
        for (name, value) in check::effective(config) {
            match value {
                Some(v) => println!("  {name} = {v}"),
                None => println!("  {name} (not set)"),
            }
        }
        if config.smtp_host.is_none() && config.mail_mode != "mailbox" {
            println!(
                "note: no smtp_host: e-mail goes to the built-in mailbox, with a warning; set smtp_host, or mail_mode = \"mailbox\" if that is meant"
            );
        }
    }
    for e in &report.errors {
        eprintln!("error: {e}");
    }
    match report.errors.len() {
        0 => {
            println!("The configuration is valid.");
            Ok(())
        }
        1 => bail!("the configuration has an error"),
        n => bail!("the configuration has {n} errors"),
    }
}
