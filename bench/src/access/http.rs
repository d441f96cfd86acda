//! Decisions over HTTP on loopback, through Admit's router, on keep-alive connections.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use admit::usecases::access::DecisionQuery;
use anyhow::Context;

use super::decide::DecisionRun;

/// A minimal HTTP/1.1 client on one keep-alive connection: GET, then the status and body
/// (`Content-Length` framing, as Admit answers).
struct HttpClient {
    stream: tokio::net::TcpStream,
    buf: Vec<u8>,
    head: String,
}

impl HttpClient {
    async fn connect(addr: SocketAddr, key: &str) -> anyhow::Result<Self> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(HttpClient {
            stream,
            buf: Vec::with_capacity(4096),
            head: format!("Host: {addr}\r\nAuthorization: Bearer {key}\r\n\r\n"),
        })
    }

    async fn get(&mut self, path: &str) -> anyhow::Result<(u16, Vec<u8>)> {
        let request = format!("GET {path} HTTP/1.1\r\n{}", self.head);
        let mut out = request.as_bytes();
        while !out.is_empty() {
            self.stream.writable().await?;
            match self.stream.try_write(out) {
                Ok(n) => out = &out[n..],
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e.into()),
            }
        }
        let mut chunk = [0u8; 8192];
        loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&self.buf[..end])?;
                let status: u16 = head
                    .split(' ')
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .context("an HTTP status line")?;
                let length: usize = head
                    .lines()
                    .filter_map(|l| l.split_once(':'))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.trim().parse().ok())
                    .context("a Content-Length")?;
                let total = end + 4 + length;
                while self.buf.len() < total {
                    self.read(&mut chunk).await?;
                }
                let body = self.buf[end + 4..total].to_vec();
                self.buf.drain(..total);
                return Ok((status, body));
            }
            self.read(&mut chunk).await?;
        }
    }

    async fn read(&mut self, chunk: &mut [u8]) -> anyhow::Result<()> {
        loop {
            self.stream.readable().await?;
            match self.stream.try_read(chunk) {
                Ok(0) => anyhow::bail!("the server closed the connection"),
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// The path of a decision's request.
pub(super) fn decision_path(q: &DecisionQuery) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    s.append_pair("account_id", &q.account_id.to_string());
    if let Some(c) = q.customer_id {
        s.append_pair("customer_id", &c.to_string());
    }
    if let Some(m) = &q.module {
        s.append_pair("module", m);
    }
    format!("/api/v1/decision?{}", s.finish())
}

/// Decisions over HTTP, each of `connections` keep-alive connections asking one after the
/// other, for `seconds`.
pub(super) async fn decide_over_http(
    addr: SocketAddr,
    key: &str,
    paths: &Arc<Vec<String>>,
    seconds: f64,
    connections: usize,
) -> anyhow::Result<DecisionRun> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::new();
    for _ in 0..connections.max(1) {
        clients.push(HttpClient::connect(addr, key).await?);
    }
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut handles = Vec::new();
    for mut client in clients {
        let paths = paths.clone();
        let next = next.clone();
        handles.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut allowed = 0usize;
            while Instant::now() < deadline {
                let i = next.fetch_add(1, Ordering::Relaxed) % paths.len();
                let t = Instant::now();
                let (status, body) = client.get(&paths[i]).await?;
                times.push((i, t.elapsed().as_secs_f64() * 1000.0));
                anyhow::ensure!(
                    status == 200,
                    "GET {} answered {status}: {}",
                    paths[i],
                    String::from_utf8_lossy(&body)
                );
                allowed += usize::from(body.starts_with(br#"{"allow":true"#));
            }
            anyhow::Ok((times, allowed))
        }));
    }
    let mut run = DecisionRun {
        times: Vec::new(),
        secs: 0.0,
        allowed: 0,
        rules: Default::default(),
    };
    for h in handles {
        let (times, allowed) = h.await??;
        run.times.extend(times);
        run.allowed += allowed;
    }
    run.secs = start.elapsed().as_secs_f64();
    Ok(run)
}
