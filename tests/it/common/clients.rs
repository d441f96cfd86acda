//! The HTTP clients of the tests: the JSON API with a key, and a cookie-keeping browser.

use reqwest::{Client, RequestBuilder, Response, StatusCode};
use serde_json::Value;

/// The JSON API with a key.
pub struct Api {
    pub base: String,
    pub key: String,
    pub client: Client,
}

impl Api {
    fn req(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.key)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        read(self.req(reqwest::Method::GET, path).send().await.unwrap()).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        read(
            self.req(reqwest::Method::POST, path)
                .json(body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn put(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        read(
            self.req(reqwest::Method::PUT, path)
                .json(body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        read(
            self.req(reqwest::Method::DELETE, path)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// A PUT that answers its outcome in the `admit-outcome` header: the status, that
    /// outcome and the body.
    pub async fn put_with_outcome(&self, path: &str, body: &Value) -> (StatusCode, String, Value) {
        let res = self
            .req(reqwest::Method::PUT, path)
            .json(body)
            .send()
            .await
            .unwrap();
        let outcome = res.headers()["admit-outcome"].to_str().unwrap().to_string();
        let (status, value) = read(res).await;
        (status, outcome, value)
    }

    /// A GET with `If-None-Match: etag`: its status.
    pub async fn get_if_none_match(&self, path: &str, etag: &str) -> StatusCode {
        self.req(reqwest::Method::GET, path)
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap()
            .status()
    }

    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        read(
            self.req(method, path)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }
}

pub async fn read(res: Response) -> (StatusCode, Value) {
    let status = res.status();
    let text = res.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

/// A console session in a cookie-keeping client.
pub struct Browser {
    pub base: String,
    pub client: Client,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    /// The value of the first hidden `csrf` field.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.body.find(marker).expect("the page has a CSRF field") + marker.len();
        let end = self.body[start..].find('"').unwrap() + start;
        self.body[start..end].to_string()
    }
}

impl Browser {
    pub async fn get(&self, path: &str) -> Page {
        page(
            self.client
                .get(format!("{}{}", self.base, path))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        page(
            self.client
                .post(format!("{}{}", self.base, path))
                .form(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Logs in through the form; returns the answer to the POST.
    pub async fn login(&self, email: &str, password: &str) -> Page {
        let form = self.get("/console/login").await;
        let csrf = form.csrf();
        self.post(
            "/console/login",
            &[
                ("email", email),
                ("password", password),
                ("csrf", &csrf),
                ("next", "/console/organizations"),
            ],
        )
        .await
    }

    /// Accepts the invitation `token` of portal `pid` with `password` (twice), sending `csrf`
    /// as the form's token.
    pub async fn accept(&self, pid: i64, csrf: &str, token: &str, password: &str) -> Page {
        self.post(
            &format!("/portal/{pid}/accept"),
            &[
                ("csrf", csrf),
                ("token", token),
                ("password", password),
                ("confirmation", password),
            ],
        )
        .await
    }

    /// The status of a GET of `path`.
    pub async fn status(&self, path: &str) -> StatusCode {
        self.get(path).await.status
    }

    /// Logs in to portal `pid` through its form (with the form's token); returns the answer to
    /// the POST.
    pub async fn portal_login(&self, pid: i64, email: &str, password: &str) -> Page {
        let form = self.get(&format!("/portal/{pid}/login")).await;
        let csrf = form.csrf();
        self.post(
            &format!("/portal/{pid}/login"),
            &[("csrf", &csrf), ("email", email), ("password", password)],
        )
        .await
    }

    /// Logs in to portal `pid` and checks that the login was taken (a redirect to the
    /// person's page).
    pub async fn portal_logged_in(&self, pid: i64, email: &str, password: &str) {
        let page = self.portal_login(pid, email, password).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    }

    /// The CSRF token of the session, read from a console page.
    pub async fn csrf(&self) -> String {
        self.get("/console/organizations").await.csrf()
    }
}

async fn page(res: Response) -> Page {
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    Page {
        status,
        location,
        body: res.text().await.unwrap(),
    }
}

impl Api {
    /// Creates a resource (POST `body` to `collection`), checks that it succeeded and reads
    /// back as written, and returns it.
    pub async fn create(&self, collection: &str, body: &Value) -> Value {
        let (status, v) = self.post(collection, body).await;
        assert!(status.is_success(), "{collection}: {status} {v}");
        self.assert_reads_back(collection, &v).await;
        v
    }

    /// Reads a resource of `collection` back after a write (`GET collection/{id}`) and checks
    /// that it holds what the write answered.
    pub async fn assert_reads_back(&self, collection: &str, written: &Value) {
        self.assert_reads_back_at(&format!("{collection}/{}", written["id"]), written)
            .await;
    }

    /// Reads `path` back after a write to it and checks that it holds what the write answered.
    pub async fn assert_reads_back_at(&self, path: &str, written: &Value) {
        let (status, stored) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {stored}");
        assert_eq!(&stored, written, "GET {path} reads back what was written");
    }
}

/// Creates a resource (POST `body` to `collection`), checks that it succeeded and reads back
/// as written, and returns its id.
pub async fn id_of(api: &Api, collection: &str, body: Value) -> i64 {
    api.create(collection, &body).await["id"].as_i64().unwrap()
}

/// The one-click unsubscribe of RFC 8058 at `url`: a form POST of `List-Unsubscribe=One-Click`.
pub async fn one_click(client: &Client, url: &str) -> Response {
    client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap()
}

/// The text of `field` in each item of the JSON list `list`, in order.
pub fn texts<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    let items = list.as_array().expect("a JSON list");
    items
        .iter()
        .map(|item| item[field].as_str().expect("a text field"))
        .collect()
}
