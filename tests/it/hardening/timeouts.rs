//! Server limits against slow clients: headers that never end, a body trickled a byte at a
//! time, more connections than the cap. Timeouts are set short here (1 and 2 seconds).

use std::time::{Duration, Instant};

use crate::common;

use common::{Engine, TestApp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Reads until the server closes the connection (or `limit` passes): what it sent, and
/// whether it closed.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (String, bool) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&got).into(), true),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&got).into(), false),
        }
    }
}

async fn slow_headers_and_bodies_are_cut_off(engine: Engine) {
    let app = TestApp::spawn_with(engine, |c| {
        c.header_timeout_seconds = 1;
        c.request_timeout_seconds = 2;
    })
    .await;
    // Headers begun and never finished, and a connection that sends nothing: closed after
    // the header timeout, with nothing served.
    let mut partial = connect(&app).await;
    partial
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let mut silent = connect(&app).await;
    let started = Instant::now();
    let (sent, closed) = read_until_closed(&mut partial, Duration::from_secs(10)).await;
    assert!(closed, "a connection with unfinished headers is closed");
    assert!(!sent.contains("200 OK"), "{sent}");
    let (_, closed) = read_until_closed(&mut silent, Duration::from_secs(10)).await;
    assert!(closed, "a connection that sends nothing is closed");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "closed after {waited:?}"
    );

    // A body trickled one byte at a time: answered 408 after the request timeout, and closed.
    let mut trickle = connect(&app).await;
    trickle
        .write_all(
            b"POST /console/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n",
        )
        .await
        .unwrap();
    let started = Instant::now();
    let reader = tokio::spawn(async move {
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            if Instant::now() - started > Duration::from_secs(10) {
                break (String::from_utf8_lossy(&got).to_string(), false, trickle);
            }
            // One byte every 200 ms; the server's answer and close end the loop.
            if trickle.write_all(b"a").await.is_err() {
                break (String::from_utf8_lossy(&got).to_string(), true, trickle);
            }
            match tokio::time::timeout(Duration::from_millis(200), trickle.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => {
                    break (String::from_utf8_lossy(&got).to_string(), true, trickle);
                }
                Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
                Err(_) => {}
            }
        }
    });
    let (sent, closed, _) = reader.await.unwrap();
    let waited = started.elapsed();
    assert!(sent.starts_with("HTTP/1.1 408"), "{sent}");
    assert!(
        sent.to_lowercase().contains("content-security-policy:"),
        "a timeout's answer carries the headers too: {sent}"
    );
    assert!(closed, "the trickling connection is closed");
    assert!(
        waited >= Duration::from_millis(1900) && waited < Duration::from_secs(6),
        "cut off after {waited:?}"
    );

    // A normal request is served as before.
    let res = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(res.status(), 200);
}

on_both!(
    slow_headers_and_bodies_are_cut_off,
    slow_headers_and_bodies_are_cut_off
);

/// 60 clients (each from its own loopback address) connect at once and ask, keeping their
/// connections open, with a cap of 50: exactly 50 are answered; the other 10 wait, unserved,
/// until the first ones go, and are answered then.
async fn connections_over_the_cap_wait(engine: Engine) {
    const CAP: usize = 50;
    const CLIENTS: usize = 60;
    let app = TestApp::spawn_with(engine, |c| {
        c.max_connections = CAP;
        c.header_timeout_seconds = 30;
    })
    .await;
    // The harness's first requests have closed their connections.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let addr: std::net::SocketAddr = app.base.trim_start_matches("http://").parse().unwrap();
    let asking = (0..CLIENTS).map(|i| async move {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket
            .bind(format!("127.0.0.{}:0", 10 + i).parse().unwrap())
            .unwrap();
        let mut stream = socket.connect(addr).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 1024];
        let answered =
            match tokio::time::timeout(Duration::from_secs(3), stream.read(&mut buf)).await {
                Ok(Ok(n)) => String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"),
                _ => false,
            };
        (answered, stream)
    });
    let results = futures_join_all(asking).await;
    let answered = results.iter().filter(|(a, _)| *a).count();
    assert_eq!(answered, CAP, "answered while {CAP} connections are open");

    // The answered clients go; the waiting ones are served.
    let (served, mut waiting): (Vec<_>, Vec<_>) = results.into_iter().partition(|(a, _)| *a);
    drop(served);
    let mut late = 0;
    for (_, stream) in waiting.iter_mut() {
        let (sent, _) = read_until_closed_or_answered(stream, Duration::from_secs(5)).await;
        if sent.starts_with("HTTP/1.1 200") {
            late += 1;
        }
    }
    assert_eq!(late, CLIENTS - CAP, "the waiting clients are answered");
    let res = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(res.status(), 200);
}

/// Reads until a whole answer to `/healthz` (its body `ok`) has come, or `limit` passes.
async fn read_until_closed_or_answered(stream: &mut TcpStream, limit: Duration) -> (String, bool) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&got).into(), true),
            Ok(Ok(n)) => {
                got.extend_from_slice(&buf[..n]);
                if got.ends_with(b"ok") {
                    return (String::from_utf8_lossy(&got).into(), false);
                }
            }
            Err(_) => return (String::from_utf8_lossy(&got).into(), false),
        }
    }
}

/// Runs the futures at once and collects their outputs in order.
async fn futures_join_all<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

on_both!(connections_over_the_cap_wait, connections_over_the_cap_wait);
