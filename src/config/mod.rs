//! Configuration: defaults < TOML file (`--config`) < `ADMIT_` environment variables.

use std::fmt;
use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Deserializer, Serialize};

use crate::security::proxies::TrustedProxies;

pub mod check;

/// A list setting, given as a list (TOML) or as one string separated by commas or spaces (an
/// environment variable).
fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => s
            .split([',', ' '])
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_string)
            .collect(),
        OneOrMany::Many(v) => v,
    })
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address to listen on, `host:port`.
    pub listen: String,
    /// `sqlite://path/to/admit.db` or `postgres://user:pass@host/db`.
    pub database_url: String,
    /// Largest number of pooled database connections.
    pub database_max_connections: u32,
    /// The URL people use to reach Admit, for links; defaults to `http://{listen}`.
    pub public_url: Option<String>,
    /// Mark cookies `Secure`; defaults to true when `public_url` is https.
    pub secure_cookies: Option<bool>,
    /// The reverse proxies in front of Admit (addresses or CIDR ranges): from them, the client's
    /// address is the right-most `X-Forwarded-For` entry that is not one of them. None by default.
    #[serde(deserialize_with = "list")]
    pub trusted_proxies: Vec<String>,
    /// Removed (it believed the left-most `X-Forwarded-For` entry, which the client writes):
    /// any value stops the start with a message naming `trusted_proxies`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_forwarded_for: Option<toml::Value>,
    /// `text` or `json`.
    pub log_format: String,
    /// A console session ends after this many minutes without a request.
    pub session_idle_minutes: i64,
    /// A console session ends this many hours after login, whatever happens.
    pub session_absolute_hours: i64,
    /// The sender of every e-mail: `Name <address>` or an address.
    pub mail_from: String,
    /// `smtp` (default): mail goes to `smtp_host`; without one, to the built-in mailbox, with a
    /// warning at start and a banner in the console. `mailbox`: the built-in mailbox on purpose
    /// (a demo, a test system), without a warning.
    pub mail_mode: String,
    /// The SMTP server; without one, mail goes to the built-in mailbox (console: Mail).
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// `starttls` (default), `tls` or `none`.
    pub smtp_security: String,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    /// A PEM file of certificate authorities to trust for the SMTP server's certificate, beside
    /// the public ones (a company's own authority).
    pub smtp_ca_file: Option<String>,
    /// Pooled SMTP connections, and messages sent at once.
    pub smtp_connections: u32,
    pub smtp_timeout_seconds: u64,
    /// Attempts before a message is marked failed.
    pub mail_max_attempts: i64,
    /// The first retry waits this long; each next one twice as long, up to `mail_retry_max_seconds`.
    pub mail_retry_seconds: i64,
    pub mail_retry_max_seconds: i64,
    /// A worker's claim on a message lasts this long; a worker that dies leaves it to others then.
    pub mail_lease_seconds: i64,
    /// How often the scheduler looks for digests that are due.
    pub digest_poll_seconds: u64,
    // Server limits (README, Security: Timeouts).
    /// A client has this long to send a request's headers; an idle connection closes after it.
    pub header_timeout_seconds: u64,
    /// A request, its body included, is answered 408 after this long.
    pub request_timeout_seconds: u64,
    /// Connections served at once; more wait until one closes.
    pub max_connections: usize,
    /// Refuse new passwords found in known breaches, asking a k-anonymity range service (only
    /// the first 5 hex characters of the password's SHA-1 are sent). Off by default.
    pub breached_password_check: bool,
    /// The range endpoint of that service; the 5-character prefix is appended.
    pub breached_password_url: String,
    /// Seals the private keys that sign OpenID Connect tokens in the database (AES-256-GCM):
    /// 32 or more random bytes as hex or base64 (`openssl rand -base64 32`). Without it they
    /// are stored in clear, with a warning at start.
    pub keys_secret: Option<String>,
    /// Serves `/metrics` (Prometheus) on the main address to requests that carry this bearer
    /// token. Unset (and no `metrics_listen`): no metrics.
    pub metrics_token: Option<String>,
    /// Serves `/metrics` on this address of its own (`host:port`), without a token: bind it to
    /// an address only the scraper reaches.
    pub metrics_listen: Option<String>,
}

/// The settings, as named in the TOML file and (upper-cased, with `ADMIT_`) in the environment.
pub const FIELDS: &[&str] = &[
    "listen",
    "database_url",
    "database_max_connections",
    "public_url",
    "secure_cookies",
    "trusted_proxies",
    "trust_forwarded_for",
    "log_format",
    "session_idle_minutes",
    "session_absolute_hours",
    "mail_from",
    "mail_mode",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
    "smtp_password",
    "smtp_ca_file",
    "smtp_connections",
    "smtp_timeout_seconds",
    "mail_max_attempts",
    "mail_retry_seconds",
    "mail_retry_max_seconds",
    "mail_lease_seconds",
    "digest_poll_seconds",
    "header_timeout_seconds",
    "request_timeout_seconds",
    "max_connections",
    "breached_password_check",
    "breached_password_url",
    "keys_secret",
    "metrics_token",
    "metrics_listen",
];

/// `ADMIT_` variables that name no setting (`ADMIT_CONFIG` and `ADMIT_LOG` are read elsewhere;
/// `ADMIT_TEST_*` belong to the test suite).
pub fn unknown_env_vars(keys: impl Iterator<Item = String>) -> Vec<String> {
    keys.filter(|k| {
        let Some(rest) = k.strip_prefix("ADMIT_") else {
            return false;
        };
        let rest = rest.to_lowercase();
        !(FIELDS.contains(&rest.as_str())
            || rest == "config"
            || rest == "log"
            || rest.starts_with("test_")
            || rest == "bin")
    })
    .collect()
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            database_url: "sqlite://admit.db".into(),
            database_max_connections: 10,
            public_url: None,
            secure_cookies: None,
            trusted_proxies: Vec::new(),
            trust_forwarded_for: None,
            log_format: "text".into(),
            session_idle_minutes: 120,
            session_absolute_hours: 12,
            mail_from: "Admit <admit@localhost.localdomain>".into(),
            mail_mode: "smtp".into(),
            smtp_host: None,
            smtp_port: 587,
            smtp_security: "starttls".into(),
            smtp_username: None,
            smtp_password: None,
            smtp_ca_file: None,
            smtp_connections: 4,
            smtp_timeout_seconds: 30,
            mail_max_attempts: 8,
            mail_retry_seconds: 30,
            mail_retry_max_seconds: 3600,
            mail_lease_seconds: 120,
            digest_poll_seconds: 30,
            header_timeout_seconds: 30,
            request_timeout_seconds: 60,
            max_connections: 2048,
            breached_password_check: false,
            breached_password_url: crate::security::breached::DEFAULT_URL.into(),
            keys_secret: None,
            metrics_token: None,
            metrics_listen: None,
        }
    }
}

impl Config {
    /// Loads the layered configuration. `file` is optional; a named file that does not exist is
    /// an error. `ADMIT_` variables that name no setting are warned about.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        for unknown in unknown_env_vars(std::env::vars().map(|(k, _)| k)) {
            eprintln!(
                "warning: ignoring the environment variable {unknown}: Admit has no such setting"
            );
        }
        Self::read(file)
    }

    /// As [`Config::load`], without the warnings (`admit config check` reports them itself).
    pub fn read(file: Option<&Path>) -> anyhow::Result<Self> {
        let config = Self::extract(file)?;
        config.validate().map_err(|e| anyhow::anyhow!(e))?;
        Ok(config)
    }

    /// The layered settings, read but not checked against each other ([`Config::problems`]).
    pub fn extract(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.exists() {
                anyhow::bail!("configuration file {} does not exist", path.display());
            }
            figment = figment.merge(Toml::file(path));
        }
        figment = figment.merge(Env::prefixed("ADMIT_").only(FIELDS));
        figment.extract().map_err(|e| anyhow::anyhow!("{e}"))
    }

    fn validate(&self) -> Result<(), String> {
        match self.problems().into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(()),
        }
    }

    /// Every setting that is out of range or does not go with another, in words naming it.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.trust_forwarded_for.is_some() {
            problems.push(
                "trust_forwarded_for: this setting was removed, since it believed an \
                        address the client writes; set trusted_proxies (ADMIT_TRUSTED_PROXIES) to \
                        the addresses or CIDR ranges of your reverse proxies instead"
                    .into(),
            );
        }
        if let Err(e) = TrustedProxies::parse(&self.trusted_proxies) {
            problems.push(e);
        }
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            problems.push(format!(
                "listen: `{}` is not an address like 127.0.0.1:8080",
                self.listen
            ));
        }
        if let Some(addr) = &self.metrics_listen
            && addr.parse::<std::net::SocketAddr>().is_err()
        {
            problems.push(format!(
                "metrics_listen: `{addr}` is not an address like 127.0.0.1:9090"
            ));
        }
        if self.metrics_token.as_ref().is_some_and(|t| t.len() < 16) {
            problems.push("metrics_token: must be at least 16 characters".into());
        }
        if !(self.database_url.starts_with("sqlite:")
            || self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://"))
        {
            problems.push("database_url: must start with sqlite: or postgres://".into());
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            problems.push("log_format: must be `text` or `json`".into());
        }
        if self.session_idle_minutes < 1 || self.session_absolute_hours < 1 {
            problems
                .push("session_idle_minutes and session_absolute_hours must be at least 1".into());
        }
        if let Err(e) = Security::parse(&self.smtp_security) {
            problems.push(e);
        }
        match (self.mail_mode.as_str(), &self.smtp_host) {
            ("smtp", _) => {}
            ("mailbox", None) => {}
            ("mailbox", Some(_)) => {
                problems.push(
                    "mail_mode = \"mailbox\" keeps every message in the built-in mailbox: remove smtp_host, or set mail_mode = \"smtp\"".into(),
                );
            }
            _ => problems.push("mail_mode must be `smtp` or `mailbox`".into()),
        }
        if let Some(file) = &self.smtp_ca_file
            && !Path::new(file).is_file()
        {
            problems.push(format!("smtp_ca_file: no file at {file}"));
        }
        if self.digest_poll_seconds < 1 {
            problems.push("digest_poll_seconds must be at least 1".into());
        }
        if self.smtp_connections < 1 || self.mail_max_attempts < 1 || self.mail_lease_seconds < 5 {
            problems.push("smtp_connections and mail_max_attempts must be at least 1, mail_lease_seconds at least 5".into());
        }
        if self.mail_retry_seconds < 1 || self.mail_retry_max_seconds < self.mail_retry_seconds {
            problems.push(
                "mail_retry_seconds must be at least 1 and at most mail_retry_max_seconds".into(),
            );
        }
        if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            problems.push(format!(
                "mail_from: `{}` is not an e-mail address",
                self.mail_from
            ));
        }
        if !(self.breached_password_url.starts_with("https://")
            || self.breached_password_url.starts_with("http://"))
        {
            problems.push("breached_password_url must be an http:// or https:// URL".into());
        }
        if let Some(secret) = &self.keys_secret
            && let Err(e) = crate::security::sealing::Sealer::from_secret(secret)
        {
            problems.push(format!("keys_secret: {e}"));
        }
        if self.database_max_connections < 1 {
            problems.push("database_max_connections must be at least 1".into());
        }
        if self.header_timeout_seconds < 1
            || self.request_timeout_seconds < 1
            || !(1..=1_000_000).contains(&self.max_connections)
        {
            problems.push("header_timeout_seconds and request_timeout_seconds must be at least 1, max_connections 1 to 1000000".into());
        }
        problems
    }

    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.listen),
        }
    }

    /// The trusted proxies (checked at start-up).
    pub fn proxies(&self) -> TrustedProxies {
        TrustedProxies::parse(&self.trusted_proxies).unwrap_or_default()
    }

    pub fn secure_cookies(&self) -> bool {
        self.secure_cookies
            .unwrap_or_else(|| self.public_url().starts_with("https://"))
    }
}

/// Replaces the password of a URL with `***`, for logs and `Debug`.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((userinfo, host)) = rest.rsplit_once('@')
    {
        let user = userinfo.split(':').next().unwrap_or("");
        if userinfo.contains(':') {
            return format!("{scheme}://{user}:***@{host}");
        }
    }
    url.to_string()
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database_url", &redact_url(&self.database_url))
            .field("database_max_connections", &self.database_max_connections)
            .field("public_url", &self.public_url)
            .field("secure_cookies", &self.secure_cookies)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("log_format", &self.log_format)
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field("session_absolute_hours", &self.session_absolute_hours)
            .field("mail_from", &self.mail_from)
            .field("mail_mode", &self.mail_mode)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_security", &self.smtp_security)
            .field("smtp_username", &self.smtp_username)
            .field("smtp_password", &self.smtp_password.as_ref().map(|_| "***"))
            .field("smtp_ca_file", &self.smtp_ca_file)
            .field("keys_secret", &self.keys_secret.as_ref().map(|_| "***"))
            .field("smtp_connections", &self.smtp_connections)
            .field("mail_max_attempts", &self.mail_max_attempts)
            .field("header_timeout_seconds", &self.header_timeout_seconds)
            .field("request_timeout_seconds", &self.request_timeout_seconds)
            .field("max_connections", &self.max_connections)
            .finish_non_exhaustive()
    }
}

/// How to reach the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain text (only for a server on this machine or a trusted network).
    None,
    /// Plain connection upgraded with STARTTLS (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl Security {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "none" => Ok(Security::None),
            "starttls" => Ok(Security::StartTls),
            "tls" => Ok(Security::Tls),
            _ => Err("smtp_security must be none, starttls or tls".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_variables_are_named() {
        let keys = [
            "ADMIT_LISTEN",
            "ADMIT_LISTN",
            "ADMIT_TEST_POSTGRES_URL",
            "PATH",
            "ADMIT_LOG",
        ];
        assert_eq!(
            unknown_env_vars(keys.iter().map(|k| k.to_string())),
            vec!["ADMIT_LISTN"]
        );
    }

    #[test]
    fn trusted_proxies_from_a_list_or_a_string_and_the_old_setting_refused() {
        let toml = |text: &str| {
            Figment::from(Serialized::defaults(Config::default()))
                .merge(Toml::string(text))
                .extract::<Config>()
                .map_err(|e| e.to_string())
                .and_then(|c| c.validate().map(|_| c))
        };
        let c = toml("trusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\"]").unwrap();
        assert_eq!(c.trusted_proxies, ["127.0.0.1", "10.0.0.0/8"]);
        let c = toml("trusted_proxies = \"127.0.0.1, 10.0.0.0/8\"").unwrap();
        assert_eq!(c.trusted_proxies, ["127.0.0.1", "10.0.0.0/8"]);
        assert!(Config::default().trusted_proxies.is_empty());
        let e = toml("trusted_proxies = [\"10.0.0.0/40\"]").unwrap_err();
        assert!(e.contains("10.0.0.0/40"), "{e}");
        for old in ["trust_forwarded_for = true", "trust_forwarded_for = false"] {
            let e = toml(old).unwrap_err();
            assert!(e.contains("trusted_proxies"), "{e}");
        }
    }

    #[test]
    fn passwords_in_database_urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://admit:s3cret@db:5432/admit"),
            "postgres://admit:***@db:5432/admit"
        );
        assert_eq!(redact_url("sqlite://admit.db"), "sqlite://admit.db");
        let config = Config {
            database_url: "postgres://a:hunter2@h/d".into(),
            ..Config::default()
        };
        assert!(!format!("{config:?}").contains("hunter2"));
        let config = Config {
            smtp_password: Some("mailsecret".into()),
            ..Config::default()
        };
        assert!(!format!("{config:?}").contains("mailsecret"));
        let config = Config {
            keys_secret: Some("c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=".into()),
            ..Config::default()
        };
        assert!(!format!("{config:?}").contains("c2VjcmV0"));
    }

    /// The packaged example, /etc/admit/admit.toml (`debian/admit.toml`).
    const EXAMPLE: &str = include_str!("../../debian/admit.toml");

    #[test]
    fn the_packaged_example_documents_every_setting_with_its_default() {
        // A setting shown as `name = value`, set or commented out (`# name = value`).
        let shown = |line: &str| -> Option<(String, String)> {
            let line = line.strip_prefix("# ").unwrap_or(line);
            let (name, _) = line.split_once(" = ")?;
            (!name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
                .then(|| (name.to_string(), line.to_string()))
        };
        let lines: Vec<(String, String)> = EXAMPLE.lines().filter_map(shown).collect();
        for field in FIELDS {
            if *field == "trust_forwarded_for" {
                // Removed: named, and never shown as a line to uncomment.
                assert!(EXAMPLE.contains("# trust_forwarded_for: removed"));
                continue;
            }
            assert!(
                lines.iter().any(|(name, _)| name == field),
                "the example configuration does not document `{field}`"
            );
        }
        for (name, _) in &lines {
            assert!(
                FIELDS.contains(&name.as_str()) && name != "trust_forwarded_for",
                "the example configuration shows `{name}`, which is no setting"
            );
        }
        // A commented line shows the default, where the setting has one.
        let defaults = toml::Table::try_from(Config::default()).unwrap();
        for (name, line) in &lines {
            let Some(default) = defaults.get(name) else {
                continue;
            };
            if !EXAMPLE.lines().any(|l| l == format!("# {line}")) {
                continue;
            }
            let shown: toml::Table = line.parse().unwrap();
            assert_eq!(&shown[name], default, "`# {line}` is not the default");
        }
        // The settings it makes are valid as they stand.
        let config: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::string(EXAMPLE))
            .extract()
            .unwrap();
        assert_eq!(config.validate(), Ok(()));
        assert_eq!(config.database_url, "sqlite:///var/lib/admit/admit.db");
    }

    #[test]
    fn a_short_keys_secret_stops_the_start() {
        let short = Config {
            keys_secret: Some("tooshort".into()),
            ..Config::default()
        };
        let e = short.validate().unwrap_err();
        assert!(e.starts_with("keys_secret:"), "{e}");
        assert!(!e.contains("tooshort"), "{e}");
        let good = Config {
            keys_secret: Some(crate::security::tokens::random_hex(32)),
            ..Config::default()
        };
        assert!(good.validate().is_ok());
    }
}
