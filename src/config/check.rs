//! Checking a configuration before it is used (`admit config check`): names that are no setting,
//! with the setting likely meant; values out of range; and the settings in effect, secrets masked.

use std::path::Path;

use super::{Config, FIELDS, redact_url, unknown_env_vars};

/// The settings whose values are never shown.
const SECRETS: &[&str] = &["smtp_password", "keys_secret", "metrics_token"];

/// What a check found.
#[derive(Debug, Default)]
pub struct Report {
    pub errors: Vec<String>,
    /// The configuration in effect, when it reads.
    pub config: Option<Config>,
}

/// Edit distance between two short names.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(here + 1);
            prev = here;
        }
    }
    row[b.len()]
}

/// The setting a misspelt name likely means: the nearest within a third of its length (at
/// least 2 edits), or one the name contains or is contained in.
pub fn likely_setting(name: &str) -> Option<&'static str> {
    let name = name.to_lowercase();
    let limit = (name.len() / 3).max(2);
    FIELDS
        .iter()
        .map(|f| (distance(&name, f), *f))
        .filter(|(d, f)| {
            *d <= limit || (name.len() >= 4 && (f.contains(&name) || name.contains(f)))
        })
        .min()
        .map(|(_, f)| f)
}

fn unknown(what: String, name: &str) -> String {
    match likely_setting(name) {
        Some(meant) => format!("{what} is no setting; did you mean `{meant}`?"),
        None => format!("{what} is no setting (`admit config check` lists them)"),
    }
}

/// The keys of a TOML file that name no setting.
fn unknown_keys(path: &Path, text: &str) -> Result<Vec<String>, String> {
    let table: toml::Table = text
        .parse()
        .map_err(|e| format!("{} is not valid TOML: {e}", path.display()))?;
    Ok(table
        .keys()
        .filter(|k| !FIELDS.contains(&k.as_str()))
        .map(|k| unknown(format!("`{k}` in {}", path.display()), k))
        .collect())
}

/// Checks the file (when given) and the `ADMIT_` variables of `env`, then reads the layered
/// configuration as `admit serve` would.
pub fn check(file: Option<&Path>, env: impl Iterator<Item = String>) -> Report {
    let mut report = Report::default();
    if let Some(path) = file {
        match std::fs::read_to_string(path) {
            Ok(text) => match unknown_keys(path, &text) {
                Ok(found) => report.errors.extend(found),
                Err(e) => report.errors.push(e),
            },
            Err(e) => report
                .errors
                .push(format!("cannot read {}: {e}", path.display())),
        }
    }
    for var in unknown_env_vars(env) {
        let name = var.trim_start_matches("ADMIT_").to_string();
        let mut message = unknown(format!("the environment variable {var}"), &name);
        if let Some(meant) = likely_setting(&name) {
            message = message.replace(
                &format!("`{meant}`"),
                &format!("ADMIT_{}", meant.to_uppercase()),
            );
        }
        report.errors.push(message);
    }
    // Unknown keys were named above, with the likely setting: the reader's own message on them
    // would say less.
    if report.errors.is_empty() {
        match Config::extract(file) {
            Ok(config) => {
                report.errors.extend(config.problems());
                report.config = Some(config);
            }
            Err(e) => report.errors.push(format!("{e:#}")),
        }
    }
    report
}

/// Every setting and its value as it is in effect, secrets masked (`***`) and a password in
/// the database URL replaced; an unset optional setting is `None`.
pub fn effective(config: &Config) -> Vec<(&'static str, Option<String>)> {
    let value = serde_json::to_value(config).unwrap_or_default();
    FIELDS
        .iter()
        .map(|f| {
            let shown = match value.get(*f) {
                None | Some(serde_json::Value::Null) => None,
                Some(_) if SECRETS.contains(f) => Some("***".to_string()),
                Some(serde_json::Value::String(s)) if *f == "database_url" => Some(redact_url(s)),
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(other) => Some(other.to_string()),
            };
            (*f, shown)
        })
        .collect()
}

/// Logs the settings in effect at start, each as a field of one event (so that a JSON log
/// keeps them apart), secrets masked.
pub fn log_effective(c: &Config) {
    let masked = |s: &Option<String>| if s.is_some() { "***" } else { "" };
    let text = |s: &Option<String>| s.clone().unwrap_or_default();
    tracing::info!(
        listen = %c.listen,
        database_url = %redact_url(&c.database_url),
        database_max_connections = c.database_max_connections,
        public_url = %c.public_url(),
        secure_cookies = c.secure_cookies(),
        trusted_proxies = %c.trusted_proxies.join(", "),
        log_format = %c.log_format,
        session_idle_minutes = c.session_idle_minutes,
        session_absolute_hours = c.session_absolute_hours,
        mail_from = %c.mail_from,
        mail_mode = %c.mail_mode,
        smtp_host = %text(&c.smtp_host),
        smtp_port = c.smtp_port,
        smtp_security = %c.smtp_security,
        smtp_username = %text(&c.smtp_username),
        smtp_password = masked(&c.smtp_password),
        smtp_ca_file = %text(&c.smtp_ca_file),
        smtp_connections = c.smtp_connections,
        smtp_timeout_seconds = c.smtp_timeout_seconds,
        mail_max_attempts = c.mail_max_attempts,
        mail_retry_seconds = c.mail_retry_seconds,
        mail_retry_max_seconds = c.mail_retry_max_seconds,
        mail_lease_seconds = c.mail_lease_seconds,
        digest_poll_seconds = c.digest_poll_seconds,
        header_timeout_seconds = c.header_timeout_seconds,
        request_timeout_seconds = c.request_timeout_seconds,
        max_connections = c.max_connections,
        breached_password_check = c.breached_password_check,
        breached_password_url = %c.breached_password_url,
        keys_secret = masked(&c.keys_secret),
        metrics_token = masked(&c.metrics_token),
        metrics_listen = %text(&c.metrics_listen),
        "starting with these settings"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_name_finds_the_setting_meant() {
        assert_eq!(likely_setting("smtp_hots"), Some("smtp_host"));
        assert_eq!(likely_setting("LISTN"), Some("listen"));
        assert_eq!(likely_setting("databse_url"), Some("database_url"));
        assert_eq!(likely_setting("keys_secrets"), Some("keys_secret"));
        assert_eq!(likely_setting("colour"), None);
    }

    #[test]
    fn every_setting_is_shown_and_secrets_are_masked() {
        let config = Config {
            database_url: "postgres://admit:hunter2@db/admit".into(),
            smtp_password: Some("mailsecret".into()),
            keys_secret: Some("c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=".into()),
            metrics_token: Some("scrapetokenscrapetoken".into()),
            ..Config::default()
        };
        let shown = effective(&config);
        assert_eq!(shown.len(), FIELDS.len());
        let text = format!("{shown:?}");
        for secret in ["hunter2", "mailsecret", "c2VjcmV0", "scrapetoken"] {
            assert!(!text.contains(secret), "{text}");
        }
        let get = |k: &str| shown.iter().find(|(f, _)| *f == k).unwrap().1.clone();
        assert_eq!(get("smtp_password").as_deref(), Some("***"));
        assert_eq!(get("smtp_host"), None);
        assert_eq!(get("smtp_port").as_deref(), Some("587"));
        assert_eq!(get("mail_mode").as_deref(), Some("smtp"));
    }
}
