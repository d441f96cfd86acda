//! `admit mail test`: one message through the configured SMTP server, and its answer.

use anyhow::{Context, bail};
use clap::Subcommand;

use super::common::{ConfigArg, load};

#[derive(Subcommand)]
pub enum MailCommand {
    /// Send a test message through the configured SMTP server and show its answer.
    Test {
        /// The address to send it to.
        #[arg(long)]
        to: String,
        #[command(flatten)]
        config: ConfigArg,
    },
}

pub async fn run(command: MailCommand) -> anyhow::Result<()> {
    let MailCommand::Test { to, config } = command;
    let config = load(&config)?;
    let to = crate::domain::EmailAddress::parse(&to).map_err(|m| anyhow::anyhow!("--to {m}"))?;
    let mailer = crate::mail::Mailer::from_config(&config)?;
    let crate::mail::Transport::Smtp(smtp) = &mailer.transport else {
        bail!(
            "no SMTP server is configured (smtp_host, ADMIT_SMTP_HOST); without one, Admit delivers to its built-in mailbox"
        );
    };
    let template =
        crate::mail::defaults::default_text("test", crate::domain::directory::Language::En)
            .context("the test template")?;
    let now = chrono::Utc::now().timestamp_millis();
    let vars = serde_json::json!({
        "recipient_name": "",
        "portal_name": "Admit",
        "portal_url": config.public_url(),
        "sent_at": crate::clock::format_time(now),
    });
    let rendered = crate::mail::templates::render(&template, &vars).map_err(anyhow::Error::msg)?;
    let message_id = crate::mail::new_message_id(&mailer.domain);
    let message = mailer
        .build(&message_id, "Admit", to.as_str(), None, &rendered, None)
        .map_err(|e| anyhow::anyhow!(e.error.english()))?;
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
            e.error.english()
        ),
    }
}
