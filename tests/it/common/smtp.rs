//! A real SMTP server for the tests, and what arrived there.

use admit::config::Config;

/// A real SMTP server (aiosmtpd, `tests/support/smtp_sink.py`) that writes what it accepts to a
/// folder. In CI a missing aiosmtpd fails the test.
pub struct SmtpSink {
    pub port: u16,
    pub dir: tempfile::TempDir,
    child: std::process::Child,
}

/// A port on 127.0.0.1 where nothing answers: bound (port 0 picks it) but never listening, so a
/// connection is refused; it stays taken until the socket is dropped.
pub fn closed_port() -> (tokio::net::TcpSocket, u16) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = socket.local_addr().unwrap().port();
    (socket, port)
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        Self::start_with_delay(0)
    }

    pub fn start_with_delay(delay_ms: u64) -> SmtpSink {
        use std::io::BufRead;
        let dir = tempfile::tempdir().unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py");
        let mut child = std::process::Command::new("python3")
            .args([script, "--dir"])
            .arg(dir.path())
            .args(["--delay-ms", &delay_ms.to_string()])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs the SMTP test server (aiosmtpd: ./scripts/test installs it)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        // It binds port 0 and names the port it got: `ready PORT`.
        let port = line
            .trim()
            .strip_prefix("ready ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| {
                panic!("the SMTP test server started (is aiosmtpd installed?): {line:?}")
            });
        SmtpSink { port, dir, child }
    }

    /// Points a configuration at this server.
    pub fn configure(&self, config: &mut Config) {
        config.smtp_host = Some("127.0.0.1".into());
        config.smtp_port = self.port;
        config.smtp_security = "none".into();
        config.mail_from = "Admit Test <admit@example.test>".into();
    }

    /// The raw messages received so far, in order.
    pub fn messages(&self) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }

    /// Waits until at least `n` messages arrived (at most `secs` seconds).
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<String> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let m = self.messages();
            if m.len() >= n || std::time::Instant::now() > deadline {
                return m;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of a header in a raw message.
pub fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    let head = raw.split("\r\n\r\n").next().unwrap_or(raw);
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}
