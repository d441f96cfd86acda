//! The demo's sample customer portal: a small application of the operator's that logs its users
//! in through Admit with OpenID Connect (the code flow with PKCE, over HTTP, as any other
//! application would) and shows who logged in, what they may open, and what the decision API
//! answers for each module. Its sessions and pending logins live in memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::Value;
use tokio::net::TcpListener;

use super::relying_party::{Pending, RelyingParty, Settings};
use crate::security::tokens;

const SESSION_COOKIE: &str = "sample_session";
const LOGIN_COOKIE: &str = "sample_login";
/// How long a login may take between leaving for Admit and coming back.
const LOGIN_LIFETIME: Duration = Duration::from_secs(600);
/// A bound on the logins under way, so that a flood of them cannot fill the memory.
const MAX_PENDING: usize = 10_000;
/// A bound on the sessions kept in memory.
const MAX_SESSIONS: usize = 10_000;

struct Session {
    claims: Value,
    id_token: String,
}

struct App {
    rp: RelyingParty,
    pending: Mutex<HashMap<String, (Pending, Instant)>>,
    sessions: Mutex<HashMap<String, Session>>,
}

type Shared = Arc<App>;

/// Serves the sample application on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    settings: Settings,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = Arc::new(App {
        rp: RelyingParty::new(settings),
        pending: Mutex::new(HashMap::new()),
        sessions: Mutex::new(HashMap::new()),
    });
    let router = Router::new()
        .route("/", get(home))
        .route("/login", get(login))
        .route("/callback", get(callback))
        .route("/logout", post(logout))
        .with_state(app);
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

struct Decision {
    module: String,
    allow: bool,
    rule: String,
}

struct Person {
    name: String,
    email: String,
    organization: String,
    organization_kind: String,
    role: String,
    modules: Vec<String>,
    decisions: Vec<Decision>,
}

#[derive(Template, WebTemplate)]
#[template(path = "demo/sample_app.html")]
struct Page {
    person: Option<Person>,
    problem: Option<String>,
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The value of cookie `name` in the request.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn set_cookie(name: &str, value: &str, path: &str, max_age: Option<u64>) -> String {
    let mut c = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    c
}

fn problem(status: StatusCode, message: String) -> Response {
    (
        status,
        Page {
            person: None,
            problem: Some(message),
        },
    )
        .into_response()
}

async fn home(State(app): State<Shared>, headers: HeaderMap) -> Response {
    let claims = cookie(&headers, SESSION_COOKIE).and_then(|id| {
        let sessions = app.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.get(&id).map(|s| s.claims.clone())
    });
    let Some(claims) = claims else {
        return Page {
            person: None,
            problem: None,
        }
        .into_response();
    };
    let admit = &claims["admit"];
    let sub = text(&claims["sub"]);
    let mut decisions = Vec::new();
    for module in &app.rp.settings.modules {
        let (allow, rule) = match app.rp.decision(&sub, module).await {
            Ok(answer) => answer,
            Err(e) => (false, format!("no answer: {e}")),
        };
        decisions.push(Decision {
            module: module.clone(),
            allow,
            rule,
        });
    }
    Page {
        person: Some(Person {
            name: text(&claims["name"]),
            email: text(&claims["email"]),
            organization: text(&admit["organization"]["name"]),
            organization_kind: text(&admit["organization"]["kind"]),
            role: text(&admit["role"]),
            modules: admit["modules"]
                .as_array()
                .map(|m| m.iter().map(text).collect())
                .unwrap_or_default(),
            decisions,
        }),
        problem: None,
    }
    .into_response()
}

async fn login(State(app): State<Shared>) -> Response {
    let (pending, url) = match app.rp.start_login().await {
        Ok(started) => started,
        Err(e) => {
            tracing::warn!(error = %e, "the sample application cannot reach Admit");
            return problem(
                StatusCode::BAD_GATEWAY,
                format!("Admit cannot be reached: {e}"),
            );
        }
    };
    let id = tokens::new_token();
    {
        let mut map = app.pending.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, (_, at)| at.elapsed() < LOGIN_LIFETIME);
        if map.len() >= MAX_PENDING {
            return problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "Too many logins are under way; try again in a few minutes.".into(),
            );
        }
        map.insert(id.clone(), (pending, Instant::now()));
    }
    (
        [(
            header::SET_COOKIE,
            set_cookie(
                LOGIN_COOKIE,
                &id,
                "/callback",
                Some(LOGIN_LIFETIME.as_secs()),
            ),
        )],
        Redirect::to(&url),
    )
        .into_response()
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

async fn callback(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Response {
    // The login's secrets, used up whatever happens next.
    let pending = cookie(&headers, LOGIN_COOKIE).and_then(|id| {
        let mut map = app.pending.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&id)
            .filter(|(_, at)| at.elapsed() < LOGIN_LIFETIME)
    });
    let Some((pending, _)) = pending else {
        return problem(
            StatusCode::BAD_REQUEST,
            "This login is unknown or took too long; please log in again.".into(),
        );
    };
    if !q
        .state
        .as_deref()
        .is_some_and(|s| tokens::constant_time_eq(s, &pending.state))
    {
        return problem(
            StatusCode::BAD_REQUEST,
            "The answer does not belong to this login; please log in again.".into(),
        );
    }
    if let Some(error) = q.error {
        return problem(
            StatusCode::BAD_REQUEST,
            format!(
                "Admit did not log you in ({error}): {}",
                q.error_description.unwrap_or_default()
            ),
        );
    }
    let Some(code) = q.code else {
        return problem(StatusCode::BAD_REQUEST, "Admit sent no code.".into());
    };
    let logged_in = match app.rp.finish_login(&pending, &code).await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, "the sample application refused a login");
            return problem(
                StatusCode::BAD_GATEWAY,
                format!("The login could not be finished: {e}"),
            );
        }
    };
    let id = tokens::new_token();
    {
        let mut sessions = app.sessions.lock().unwrap_or_else(|e| e.into_inner());
        if sessions.len() >= MAX_SESSIONS {
            // A sample keeps it simple: when full, everyone logs in again.
            sessions.clear();
        }
        sessions.insert(
            id.clone(),
            Session {
                claims: logged_in.claims,
                id_token: logged_in.id_token,
            },
        );
    }
    let mut response = Redirect::to("/").into_response();
    let h = response.headers_mut();
    for c in [
        set_cookie(SESSION_COOKIE, &id, "/", None),
        set_cookie(LOGIN_COOKIE, "", "/callback", Some(0)),
    ] {
        if let Ok(v) = c.parse() {
            h.append(header::SET_COOKIE, v);
        }
    }
    response
}

async fn logout(State(app): State<Shared>, headers: HeaderMap) -> Response {
    // A form of another site may not log the person out.
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if origin.is_some_and(|o| o != app.rp.settings.base_url) {
        return problem(
            StatusCode::FORBIDDEN,
            "Log out from this site's own page.".into(),
        );
    }
    let session = cookie(&headers, SESSION_COOKIE).and_then(|id| {
        app.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id)
    });
    let target = match session {
        Some(s) => match app.rp.logout_url(&s.id_token).await {
            Ok(url) => url,
            Err(e) => {
                tracing::warn!(error = %e, "the sample application cannot reach Admit to log out");
                "/".into()
            }
        },
        None => "/".into(),
    };
    (
        [(
            header::SET_COOKIE,
            set_cookie(SESSION_COOKIE, "", "/", Some(0)),
        )],
        Redirect::to(&target),
    )
        .into_response()
}
