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

/// With the cap reached, a further connection is not served; when the others go, it is, and
/// so is a new one.
async fn connections_over_the_cap_wait(engine: Engine) {
    let app = TestApp::spawn_with(engine, |c| {
        c.max_connections = 3;
        c.header_timeout_seconds = 30;
    })
    .await;
    // The harness's first requests have closed their connections.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect(&app).await);
    }
    let mut over = connect(&app).await;
    over.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (sent, _) = read_until_closed(&mut over, Duration::from_secs(2)).await;
    assert_eq!(sent, "", "no answer while three connections are open");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    assert!(client.get(app.url("/healthz")).send().await.is_err());

    drop(held);
    let (sent, closed) = read_until_closed(&mut over, Duration::from_secs(5)).await;
    assert!(sent.starts_with("HTTP/1.1 200"), "{sent}");
    assert!(closed);
    let res = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(res.status(), 200);
}

on_both!(connections_over_the_cap_wait, connections_over_the_cap_wait);
