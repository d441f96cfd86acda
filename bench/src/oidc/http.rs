//! The HTTP/1.1 client of the OpenID Connect benchmark: one keep-alive connection (hyper) per
//! worker, and a browser on it that keeps cookies, follows nothing by itself and fills in forms.

use std::net::SocketAddr;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;

/// An answer: status, the headers the benchmark reads, the body.
pub(super) struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub body: Bytes,
}

impl Answer {
    /// The body as text, shortened, for error messages.
    pub fn snippet(&self) -> String {
        let s = String::from_utf8_lossy(&self.body);
        s.chars().take(300).collect()
    }

    pub fn json(&self) -> anyhow::Result<serde_json::Value> {
        serde_json::from_slice(&self.body)
            .with_context(|| format!("a JSON answer, not {}: {}", self.status, self.snippet()))
    }
}

/// A URL of the server under test, split: `http://host:port` and the path with its query.
pub(super) struct Url<'a> {
    pub origin: &'a str,
    pub path: &'a str,
}

pub(super) fn split_url(url: &str) -> anyhow::Result<Url<'_>> {
    let rest = url
        .strip_prefix("http://")
        .with_context(|| format!("an http:// URL, not {url}"))?;
    let host_len = rest.find('/').unwrap_or(rest.len());
    let origin_len = "http://".len() + host_len;
    Ok(Url {
        origin: &url[..origin_len],
        path: if host_len == rest.len() {
            "/"
        } else {
            &url[origin_len..]
        },
    })
}

/// The address of an origin (`http://127.0.0.1:8080`).
pub(super) async fn resolve(origin: &str) -> anyhow::Result<SocketAddr> {
    let host = origin.strip_prefix("http://").unwrap_or(origin);
    tokio::net::lookup_host(host)
        .await?
        .next()
        .with_context(|| format!("no address for {origin}"))
}

/// `location` (absolute, or a path) against the page at `base`.
pub(super) fn join(base: &str, location: &str) -> anyhow::Result<String> {
    if location.starts_with("http://") || location.starts_with("https://") {
        return Ok(location.to_string());
    }
    let u = split_url(base)?;
    if location.starts_with('/') {
        return Ok(format!("{}{location}", u.origin));
    }
    let path = u.path.split(['?', '#']).next().unwrap_or("/");
    let dir = &path[..path.rfind('/').map(|i| i + 1).unwrap_or(0)];
    let dir = if dir.is_empty() { "/" } else { dir };
    Ok(format!("{}{dir}{location}", u.origin))
}

/// One keep-alive connection to the server, opened again when the server closed it.
pub(super) struct Conn {
    addr: SocketAddr,
    host: HeaderValue,
    sender: Option<SendRequest<Full<Bytes>>>,
}

/// A request: method, path (with its query), the headers besides `Host`, and a body.
pub(super) struct Req<'a> {
    pub method: Method,
    pub path: &'a str,
    pub headers: Vec<(header::HeaderName, String)>,
    pub body: Option<(&'static str, String)>,
}

impl Conn {
    pub fn new(addr: SocketAddr) -> anyhow::Result<Self> {
        Ok(Conn {
            addr,
            host: HeaderValue::from_str(&addr.to_string())?,
            sender: None,
        })
    }

    async fn ready(&mut self) -> anyhow::Result<&mut SendRequest<Full<Bytes>>> {
        if let Some(s) = &mut self.sender
            && (s.is_closed() || s.ready().await.is_err())
        {
            self.sender = None;
        }
        if self.sender.is_none() {
            let stream = tokio::net::TcpStream::connect(self.addr).await?;
            stream.set_nodelay(true)?;
            let (sender, conn) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            self.sender = Some(sender);
        }
        self.sender.as_mut().context("a connection")
    }

    pub async fn send(&mut self, req: Req<'_>) -> anyhow::Result<Answer> {
        let mut b = Request::builder()
            .method(req.method)
            .uri(req.path)
            .header(header::HOST, self.host.clone());
        for (k, v) in req.headers {
            b = b.header(k, v);
        }
        let body = match req.body {
            Some((content_type, body)) => {
                b = b.header(header::CONTENT_TYPE, content_type);
                Full::new(Bytes::from(body))
            }
            None => Full::new(Bytes::new()),
        };
        let request = b.body(body)?;
        let sender = self.ready().await?;
        let res = sender.send_request(request).await?;
        let status = res.status().as_u16();
        let location = res
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let set_cookies = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect();
        let body = res.into_body().collect().await?.to_bytes();
        Ok(Answer {
            status,
            location,
            set_cookies,
            body,
        })
    }
}

/// A browser on one connection: its cookies (by name; the paths of one issuer do not clash)
/// and the client address a trusted proxy would name.
pub(super) struct Browser {
    pub conn: Conn,
    cookies: Vec<(String, String)>,
    forwarded_for: Option<String>,
}

impl Browser {
    pub fn new(conn: Conn) -> Self {
        Browser {
            conn,
            cookies: Vec::new(),
            forwarded_for: None,
        }
    }

    /// A new person at the same keyboard: no cookies, this client address.
    pub fn reset(&mut self, forwarded_for: Option<String>) {
        self.cookies.clear();
        self.forwarded_for = forwarded_for;
    }

    fn headers(&self) -> Vec<(header::HeaderName, String)> {
        let mut h = Vec::new();
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            h.push((header::COOKIE, jar.join("; ")));
        }
        if let Some(a) = &self.forwarded_for {
            h.push((
                header::HeaderName::from_static("x-forwarded-for"),
                a.clone(),
            ));
        }
        h
    }

    fn keep(&mut self, a: &Answer) {
        for c in &a.set_cookies {
            let Some((pair, attributes)) = c.split_once(';').or(Some((c.as_str(), ""))) else {
                continue;
            };
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let (name, value) = (name.trim(), value.trim());
            let attributes = attributes.to_ascii_lowercase();
            self.cookies.retain(|(k, _)| k != name);
            let gone = value.is_empty()
                || attributes.contains("max-age=0")
                || attributes.contains("expires=thu, 01 jan 1970");
            if !gone {
                self.cookies.push((name.to_string(), value.to_string()));
            }
        }
    }

    pub async fn get(&mut self, url: &str) -> anyhow::Result<Answer> {
        let u = split_url(url)?;
        let a = self
            .conn
            .send(Req {
                method: Method::GET,
                path: u.path,
                headers: self.headers(),
                body: None,
            })
            .await?;
        self.keep(&a);
        Ok(a)
    }

    /// Posts a form as a browser does from a page of the same site.
    pub async fn post_form(
        &mut self,
        url: &str,
        fields: &[(String, String)],
    ) -> anyhow::Result<Answer> {
        let u = split_url(url)?;
        let mut headers = self.headers();
        headers.push((header::ORIGIN, u.origin.to_string()));
        headers.push((
            header::HeaderName::from_static("sec-fetch-site"),
            "same-origin".into(),
        ));
        let a = self
            .conn
            .send(Req {
                method: Method::POST,
                path: u.path,
                headers,
                body: Some(("application/x-www-form-urlencoded", encode_form(fields))),
            })
            .await?;
        self.keep(&a);
        Ok(a)
    }
}

pub(super) fn encode_form<K: AsRef<str>, V: AsRef<str>>(fields: &[(K, V)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k.as_ref(), v.as_ref());
    }
    s.finish()
}

/// The value of `name` in a URL's query.
pub(super) fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A page's login form: the one with a password field. Its action (unescaped; the page's own
/// URL when empty) and its hidden fields.
pub(super) struct LoginForm {
    pub action: Option<String>,
    pub hidden: Vec<(String, String)>,
}

pub(super) fn login_form(html: &str) -> Option<LoginForm> {
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(start) = lower[from..].find("<form").map(|i| i + from) {
        let end = lower[start..]
            .find("</form>")
            .map(|i| i + start)
            .unwrap_or(lower.len());
        let form = &html[start..end];
        from = end.max(start + 5);
        if !form.to_ascii_lowercase().contains("type=\"password\"") {
            continue;
        }
        let head_end = form.find('>').unwrap_or(form.len());
        let action = attribute(&form[..head_end], "action").map(|a| unescape(&a));
        let mut hidden = Vec::new();
        let mut at = 0;
        while let Some(i) = form[at..].find("<input").map(|i| i + at) {
            let tag_end = form[i..].find('>').map(|j| i + j).unwrap_or(form.len());
            let tag = &form[i..tag_end];
            at = tag_end;
            if attribute(tag, "type").as_deref() == Some("hidden")
                && let Some(name) = attribute(tag, "name")
            {
                let value = attribute(tag, "value").unwrap_or_default();
                hidden.push((unescape(&name), unescape(&value)));
            }
        }
        return Some(LoginForm { action, hidden });
    }
    None
}

/// The value of a double-quoted attribute of a tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let i = tag.find(&needle)? + needle.len();
    let j = tag[i..].find('"')? + i;
    Some(tag[i..j].to_string())
}

/// HTML character references in an attribute: the named ones templates write, and numeric ones.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|e| *e < 12) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let ch = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_login_form_and_its_hidden_fields() {
        let html = r#"<form method="get" action="/x"><input type="hidden" name="a" value="1"></form>
<form method="post" action="/portal/1/login?next=a&amp;b=&#x2F;c" class="stack">
  <input type="hidden" name="csrf" value="t&amp;k">
  <input id="email" name="email" type="email">
  <input id="password" name="password" type="password" required>
</form>"#;
        let f = login_form(html).unwrap();
        assert_eq!(f.action.as_deref(), Some("/portal/1/login?next=a&b=/c"));
        assert_eq!(f.hidden, vec![("csrf".to_string(), "t&k".to_string())]);
    }

    #[test]
    fn joins_locations() {
        let base = "http://127.0.0.1:8/portal/1/login?x=1";
        assert_eq!(join(base, "/a?b").unwrap(), "http://127.0.0.1:8/a?b");
        assert_eq!(join(base, "c").unwrap(), "http://127.0.0.1:8/portal/1/c");
        assert_eq!(join(base, "http://h:9/cb").unwrap(), "http://h:9/cb");
        assert_eq!(split_url("http://h:9").unwrap().path, "/");
        assert_eq!(
            query_param("http://h/cb?code=a%2Fb&state=s", "code").as_deref(),
            Some("a/b")
        );
    }
}
