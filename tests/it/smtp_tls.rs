//! E-mail over verified TLS, STARTTLS and TLS from the first byte, to a server whose certificate
//! comes from a certificate authority the test makes: trusted through `smtp_ca_file`; a wrong
//! host name or an unknown authority refused, with a clear error in the outbox and in
//! `admit mail test`.

use admit::storage::outbox;
use admit::usecases::Actor;
use admit::usecases::mail;

use crate::cli::admit_with;
use crate::common::{Engine, TestApp, TestCa, TlsMode, TlsSmtpServer, eventually};

const NOT_TRUSTED: &str = "not trusted: point smtp_ca_file";
const WRONG_NAME: &str = "does not name smtp_host";

async fn outcome(app: &TestApp, id: i64) -> outbox::OutboxMessage {
    let done = eventually(20, || async {
        let mut tx = app.cx.db.read().await.unwrap();
        let m = outbox::get(&mut tx, id).await.unwrap().unwrap();
        m.status.as_str() == "sent" || m.last_error.is_some()
    })
    .await;
    assert!(done, "message {id} was neither sent nor refused");
    let mut tx = app.cx.db.read().await.unwrap();
    outbox::get(&mut tx, id).await.unwrap().unwrap()
}

async fn verified_tls(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("Admit test authority");
    let stranger = TestCa::new("An authority nobody trusts");
    let ca_file = ca.write(dir.path());
    let stranger_file = stranger.write(dir.path());
    for mode in [TlsMode::StartTls, TlsMode::Implicit] {
        let right = TlsSmtpServer::start(&ca, "localhost", mode).await;
        let misnamed = TlsSmtpServer::start(&ca, "mail.example.test", mode).await;
        let cases = [
            (&right, Some(&ca_file), None),
            (&misnamed, Some(&ca_file), Some(WRONG_NAME)),
            (&right, Some(&stranger_file), Some(NOT_TRUSTED)),
            (&right, None, Some(NOT_TRUSTED)),
        ];
        for (server, ca, refusal) in cases {
            let case = format!("{mode:?}, CA {ca:?}, expecting {refusal:?}");
            let before = server.messages().len();
            let app = TestApp::spawn_with(engine, |c| {
                c.smtp_host = Some("localhost".into());
                c.smtp_port = server.port;
                c.smtp_security = mode.setting().into();
                c.smtp_ca_file = ca.cloned();
                c.smtp_timeout_seconds = 5;
                c.mail_from = "Admit Test <admit@example.test>".into();
            })
            .await;
            // Through the outbox.
            let id = mail::send_test(&app.cx, &Actor::cli(), "erika@example.test", None)
                .await
                .unwrap();
            let m = outcome(&app, id).await;
            match refusal {
                None => {
                    assert_eq!(m.status.as_str(), "sent", "{case}: {:?}", m.last_error);
                    assert_eq!(server.messages().len(), before + 1, "{case}");
                }
                Some(expected) => {
                    // Stored by its code: in words as the outbox page shows them.
                    let error = admit::domain::delivery::shown(
                        m.last_error.as_deref().unwrap_or_default(),
                        "en",
                    );
                    assert!(error.contains(expected), "{case}: {error}");
                    assert_ne!(m.status.as_str(), "sent", "{case}");
                }
            }
            // And with `admit mail test`.
            let port = server.port.to_string();
            let mut env = vec![
                ("ADMIT_SMTP_HOST", "localhost".to_string()),
                ("ADMIT_SMTP_PORT", port),
                ("ADMIT_SMTP_SECURITY", mode.setting().to_string()),
                ("ADMIT_SMTP_TIMEOUT_SECONDS", "5".to_string()),
            ];
            if let Some(file) = ca {
                env.push(("ADMIT_SMTP_CA_FILE", file.clone()));
            }
            let url = app.db_url.clone();
            let (ok, out, err) = tokio::task::spawn_blocking(move || {
                let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
                admit_with(
                    &url,
                    &["mail", "test", "--to", "erika@example.test"],
                    None,
                    &env,
                )
            })
            .await
            .unwrap();
            match refusal {
                None => {
                    assert!(ok, "{case}: {err}");
                    assert!(out.contains("accepted the message"), "{case}: {out}");
                    assert_eq!(server.messages().len(), before + 2, "{case}");
                }
                Some(expected) => {
                    assert!(!ok, "{case}: {out}");
                    assert!(err.contains(expected), "{case}: {err}");
                }
            }
            app.stop().await;
        }
        assert_eq!(misnamed.messages().len(), 0);
    }
}
on_both!(smtp_over_verified_tls, verified_tls);

#[test]
fn a_missing_or_empty_authority_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "no certificate here\n").unwrap();
    let missing = dir.path().join("missing.pem");
    for (file, expected) in [
        (&empty, "holds no PEM certificate"),
        (&missing, "no file at"),
    ] {
        let (ok, _, err) = admit_with(
            "sqlite::memory:",
            &["mail", "test", "--to", "erika@example.test"],
            None,
            &[
                ("ADMIT_SMTP_HOST", "localhost"),
                ("ADMIT_SMTP_CA_FILE", &file.display().to_string()),
            ],
        );
        assert!(!ok);
        assert!(
            err.contains("smtp_ca_file") && err.contains(expected),
            "{err}"
        );
    }
}
