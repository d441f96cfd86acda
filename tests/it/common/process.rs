//! Real `admit serve` processes, started and stopped as an operator would.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{SmtpSink, wait_until_answering};

/// A running `admit serve`: the process, the address it bound and its log.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    pub log: PathBuf,
}

impl Server {
    /// What it logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// Starts `admit serve` on `db_url`, sending mail to `sink`, with more `ADMIT_` settings; its
/// log goes to `log`. It listens on port 0: the address it got is read from its log line
/// `listening address=...`, and this returns once it answers there.
pub async fn serve(db_url: &str, sink: &SmtpSink, log: &Path, settings: &[(&str, &str)]) -> Server {
    let file = std::fs::File::create(log).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_admit"));
    for (k, _) in std::env::vars() {
        if k.starts_with("ADMIT_") {
            cmd.env_remove(k);
        }
    }
    cmd.arg("serve")
        .env("ADMIT_DATABASE_URL", db_url)
        .env("ADMIT_LISTEN", "127.0.0.1:0")
        .env("ADMIT_LOG_FORMAT", "text")
        .env("ADMIT_SMTP_HOST", "127.0.0.1")
        .env("ADMIT_SMTP_PORT", sink.port.to_string())
        .env("ADMIT_SMTP_SECURITY", "none")
        .env("ADMIT_MAIL_FROM", "Admit <admit@example.test>")
        .env("ADMIT_SMTP_CONNECTIONS", "4")
        .env("ADMIT_KEYS_SECRET", super::KEYS_SECRET);
    for (k, v) in settings {
        cmd.env(k, v);
    }
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(file)
        .spawn()
        .expect("admit serve starts");
    let mut server = Server {
        child,
        addr: "127.0.0.1:0".parse().unwrap(),
        log: log.to_path_buf(),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    server.addr = loop {
        if let Some(addr) = listening_address(&server.log()) {
            break addr;
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("admit serve exited ({status}); log:\n{}", server.log());
        }
        assert!(
            Instant::now() < deadline,
            "admit serve did not log its address within 60 s; log:\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    wait_until_answering(&format!("http://{}", server.addr)).await;
    server
}

/// The address in the log line `listening address=127.0.0.1:PORT`.
fn listening_address(log: &str) -> Option<SocketAddr> {
    let line = log.lines().find(|l| l.contains("listening"))?;
    let start = line.find("address=")? + "address=".len();
    line[start..].split_whitespace().next()?.parse().ok()
}

/// Stops an `admit serve` with SIGTERM and checks that it exits cleanly within 10 s.
pub fn terminate(mut server: Server) {
    let _ = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status();
    for _ in 0..200 {
        if let Ok(Some(status)) = server.child.try_wait() {
            assert!(
                status.success(),
                "admit serve exits cleanly on SIGTERM: {status}"
            );
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = server.child.kill();
    panic!("admit serve did not stop within 10 s of SIGTERM");
}
