//! `admit config check` with good and bad files and variables, and the settings `admit serve`
//! logs at start: as fields in a JSON log, secrets masked.

use std::io::BufRead;
use std::process::{Command, Stdio};

use crate::cli::admit_with;
use crate::common::{Engine, TestDb};

fn check(file: &std::path::Path, env: &[(&str, &str)]) -> (bool, String, String) {
    admit_with(
        "sqlite://admit.db",
        &["config", "check", "--config", &file.display().to_string()],
        None,
        env,
    )
}

#[test]
fn a_good_file_is_valid_and_its_settings_are_shown_masked() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("admit.toml");
    std::fs::write(
        &file,
        r#"
listen = "0.0.0.0:8443"
public_url = "https://admit.example.test"
smtp_host = "mail.example.test"
smtp_port = 465
smtp_security = "tls"
smtp_username = "admit"
smtp_password = "mail-hunter2"
"#,
    )
    .unwrap();
    let (ok, out, err) = check(
        &file,
        &[("ADMIT_DATABASE_URL", "postgres://admit:db-hunter2@db/admit")],
    );
    assert!(ok, "{err}");
    assert!(out.contains("The configuration is valid."), "{out}");
    for line in [
        "listen = 0.0.0.0:8443",
        "smtp_port = 465",
        "smtp_password = ***",
        "database_url = postgres://admit:***@db/admit",
        "keys_secret (not set)",
        "mail_mode = smtp",
    ] {
        assert!(out.contains(line), "{line}: {out}");
    }
    assert!(
        !out.contains("hunter2") && !err.contains("hunter2"),
        "{out}"
    );
}

#[test]
fn a_bad_file_names_each_error_and_the_setting_meant() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("admit.toml");
    // Misspelt names: the setting likely meant is named, and the command fails.
    std::fs::write(
        &file,
        "smtp_hots = \"mail.example.test\"\nlistn = \"0.0.0.0:80\"\n",
    )
    .unwrap();
    let (ok, _, err) = check(&file, &[("ADMIT_SESION_IDLE_MINUTES", "5")]);
    assert!(!ok);
    for expected in [
        "`smtp_hots`",
        "did you mean `smtp_host`?",
        "did you mean `listen`?",
        "ADMIT_SESION_IDLE_MINUTES is no setting; did you mean ADMIT_SESSION_IDLE_MINUTES?",
        "3 errors",
    ] {
        assert!(err.contains(expected), "{expected}: {err}");
    }
    // Values out of range, and settings that cannot go together.
    for (text, expected) in [
        ("smtp_port = 70000", "smtp_port"),
        ("session_idle_minutes = 0", "session_idle_minutes"),
        ("smtp_security = \"ssl\"", "smtp_security"),
        ("mail_mode = \"outbox\"", "mail_mode"),
        (
            "mail_mode = \"mailbox\"\nsmtp_host = \"mail.example.test\"",
            "remove smtp_host",
        ),
        ("smtp_ca_file = \"/nowhere/ca.pem\"", "smtp_ca_file"),
        ("listen = [1, 2", "not valid TOML"),
    ] {
        std::fs::write(&file, text).unwrap();
        let (ok, out, err) = check(&file, &[]);
        assert!(!ok, "{text}: {out}");
        assert!(err.contains(expected), "{text}: {err}");
    }
    // Several at once: each is named.
    std::fs::write(
        &file,
        "session_idle_minutes = 0\nsmtp_security = \"ssl\"\nmail_mode = \"outbox\"\n",
    )
    .unwrap();
    let (ok, out, err) = check(&file, &[]);
    assert!(!ok);
    for expected in [
        "session_idle_minutes",
        "smtp_security",
        "mail_mode",
        "3 errors",
    ] {
        assert!(err.contains(expected), "{expected}: {err}");
    }
    assert!(
        out.contains("smtp_security = ssl"),
        "the settings read: {out}"
    );
    let (ok, _, err) = check(&dir.path().join("missing.toml"), &[]);
    assert!(!ok);
    assert!(err.contains("missing.toml"), "{err}");
}

/// Starts `admit serve` with `settings` and returns what it logged up to `listening`.
fn start_log(db_url: &str, settings: &[(&str, &str)]) -> Vec<String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_admit"));
    for (k, _) in std::env::vars() {
        if k.starts_with("ADMIT_") {
            cmd.env_remove(k);
        }
    }
    let mut child = cmd
        .arg("serve")
        .env("ADMIT_DATABASE_URL", db_url)
        .env("ADMIT_LISTEN", "127.0.0.1:0")
        .env("ADMIT_KEYS_SECRET", crate::common::KEYS_SECRET)
        .envs(settings.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    for line in std::io::BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        let done = line.contains("listening");
        lines.push(line);
        if done {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    lines
}

async fn the_start_is_logged(engine: Engine) {
    let db = TestDb::new(engine).await;
    let url = db.url.clone();
    let log = tokio::task::spawn_blocking(move || {
        start_log(
            &url,
            &[
                ("ADMIT_LOG_FORMAT", "json"),
                ("ADMIT_SMTP_PASSWORD", "mail-hunter2"),
            ],
        )
    })
    .await
    .unwrap();
    let text = log.join("\n");
    assert!(text.contains("listening"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    assert!(!text.contains(crate::common::KEYS_SECRET), "{text}");
    let events: Vec<serde_json::Value> = log
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(events.len(), log.len(), "every line is JSON: {text}");
    let start = events
        .iter()
        .find(|e| e["fields"]["message"] == "starting with these settings")
        .expect("the settings are logged");
    let fields = &start["fields"];
    // The logged list is written out by hand: it must name every setting there is (but the
    // removed one, which no start gets past).
    for name in admit::config::FIELDS
        .iter()
        .filter(|n| **n != "trust_forwarded_for")
    {
        assert!(!fields[*name].is_null(), "{name} is not logged: {start}");
    }
    assert_eq!(fields["smtp_password"], "***");
    assert_eq!(fields["keys_secret"], "***");
    assert_eq!(fields["listen"], "127.0.0.1:0");
    assert_eq!(fields["smtp_port"], 587);
    assert_eq!(fields["mail_mode"], "smtp");
    assert!(fields["database_url"].as_str().is_some());
    // No SMTP server, and the mailbox not chosen on purpose: a warning.
    let warning = events
        .iter()
        .find(|e| e["level"] == "WARN" && e["fields"]["message"].to_string().contains("smtp_host"))
        .unwrap_or_else(|| panic!("a warning about smtp_host: {text}"));
    assert!(
        warning["fields"]["message"]
            .to_string()
            .contains("built-in mailbox"),
        "{warning}"
    );

    // With the mailbox on purpose, no warning.
    let url = db.url.clone();
    let log = tokio::task::spawn_blocking(move || {
        start_log(
            &url,
            &[("ADMIT_LOG_FORMAT", "text"), ("ADMIT_MAIL_MODE", "mailbox")],
        )
    })
    .await
    .unwrap();
    let text = log.join("\n");
    assert!(text.contains("listening"), "{text}");
    assert!(text.contains("mail_mode=mailbox"), "{text}");
    assert!(!text.contains("WARN admit::app: smtp_host"), "{text}");
    assert!(!text.contains("built-in mailbox"), "{text}");
}
on_both!(start_log, the_start_is_logged);
