//! The sample application's HTTP client: one HTTP/1.1 exchange at a time with a plain `http`
//! URL (the sample runs beside the demo on the same machine), bounded in time and size.

use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use axum::http::{Method, Request, StatusCode, Uri, header};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpStream;

const TIMEOUT: Duration = Duration::from_secs(10);
const MAX_ANSWER: usize = 1 << 20;

/// A successful answer's JSON; else an error with the status and the answer's `error`.
pub fn json_of((status, body): (StatusCode, Bytes)) -> anyhow::Result<Value> {
    let value: Value =
        serde_json::from_slice(&body).map_err(|_| anyhow!("the answer ({status}) is not JSON"))?;
    if !status.is_success() {
        bail!(
            "the answer is {status}: {} {}",
            value["error"].as_str().unwrap_or_default(),
            value["error_description"]
                .as_str()
                .or(value["message"].as_str())
                .unwrap_or_default()
        );
    }
    Ok(value)
}

/// One HTTP/1.1 exchange with a plain `http` URL: the status and the body.
pub async fn fetch(
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> anyhow::Result<(StatusCode, Bytes)> {
    tokio::time::timeout(TIMEOUT, exchange(method, url, headers, body))
        .await
        .map_err(|_| anyhow!("{url} did not answer in time"))?
}

async fn exchange(
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> anyhow::Result<(StatusCode, Bytes)> {
    let uri: Uri = url.parse()?;
    if uri.scheme_str() != Some("http") {
        bail!("the sample application speaks plain http only, not to {url}");
    }
    let host = uri.host().context("a URL without a host")?.to_string();
    let port = uri.port_u16().unwrap_or(80);
    let tcp = TcpStream::connect((host.trim_matches(['[', ']']), port)).await?;
    let mut request = Request::builder()
        .method(method)
        .uri(uri.path_and_query().map_or("/", |p| p.as_str()))
        .header(
            header::HOST,
            uri.authority().map_or(host.as_str(), |a| a.as_str()),
        )
        .header(header::ACCEPT, "application/json")
        .header(header::USER_AGENT, "admit-sample-app");
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let request = request.body(Full::new(Bytes::from(body.unwrap_or_default())))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let response = sender.send_request(request).await?;
    let status = response.status();
    let body = http_body_util::Limited::new(response.into_body(), MAX_ANSWER)
        .collect()
        .await
        .map_err(|e| anyhow!("reading the answer: {e}"))?
        .to_bytes();
    Ok((status, body))
}
