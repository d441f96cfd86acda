//! The figures an operator scrapes at `/metrics`, kept in atomics: requests by route template
//! and status class with a latency histogram, logins by outcome, throttled requests (answered
//! 429), deliveries by result, digests made and each background job's last successful run. No
//! label carries an e-mail address, an account, a customer or a client id: routes are templates
//! (`/api/v1/accounts/{id}`), never the path a client sent.
//!
//! A request costs one map lookup under a read lock (no allocation once its route was seen),
//! one counter increment and one histogram observation.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Upper bounds of the latency histogram, in microseconds (1 ms to 10 s).
const BUCKETS_US: [u64; 13] = [
    1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000,
    5_000_000, 10_000_000,
];

/// Status classes, `1xx` to `5xx`.
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// Where someone logs in.
#[derive(Debug, Clone, Copy)]
pub enum LoginKind {
    /// A portal's login page.
    Portal = 0,
    /// The staff console.
    Console = 1,
    /// An OpenID Connect client exchanging an authorization code at the token endpoint.
    OidcCode = 2,
}

const LOGIN_KINDS: [&str; 3] = ["portal", "console", "oidc_code"];

/// How a login ended.
#[derive(Debug, Clone, Copy)]
pub enum LoginOutcome {
    Success = 0,
    /// Wrong credentials, or refused by a rule (an account not yet approved, a bad code).
    Failure = 1,
    /// Refused because of too many attempts.
    Throttled = 2,
}

const LOGIN_OUTCOMES: [&str; 3] = ["success", "failure", "throttled"];

/// What became of one delivery attempt of the outbox.
#[derive(Debug, Clone, Copy)]
pub enum Delivery {
    Sent = 0,
    /// Failed; tried again later.
    Retry = 1,
    /// Failed for good.
    Failed = 2,
}

const DELIVERIES: [&str; 3] = ["sent", "retry", "failed"];

/// The background jobs whose last successful run is shown.
#[derive(Debug, Clone, Copy)]
pub enum Job {
    Outbox = 0,
    Digests = 1,
    Housekeeping = 2,
    Backchannel = 3,
}

const JOBS: [&str; 4] = ["outbox", "digests", "housekeeping", "backchannel"];

#[derive(Default)]
struct Histogram {
    buckets: [AtomicU64; BUCKETS_US.len()],
    sum_us: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    fn observe(&self, us: u64) {
        if let Some(i) = BUCKETS_US.iter().position(|b| us <= *b) {
            self.buckets[i].fetch_add(1, Relaxed);
        }
        self.sum_us.fetch_add(us, Relaxed);
        self.count.fetch_add(1, Relaxed);
    }
}

#[derive(Default)]
struct Route {
    classes: [AtomicU64; CLASSES.len()],
    latency: Histogram,
}

/// The registry; one per running server (the use cases' [`crate::usecases::Ctx`] holds it).
#[derive(Default)]
pub struct Metrics {
    routes: RwLock<HashMap<Box<str>, Arc<Route>>>,
    logins: [[AtomicU64; LOGIN_OUTCOMES.len()]; LOGIN_KINDS.len()],
    throttled: AtomicU64,
    deliveries: [AtomicU64; DELIVERIES.len()],
    digests: AtomicU64,
    /// Unix seconds of each job's last successful run; 0 before the first.
    jobs: [AtomicI64; JOBS.len()],
}

/// The outbox as read at scrape time.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutboxGauge {
    /// Messages not yet sent nor failed for good.
    pub pending: i64,
    /// Age of the oldest of them, in seconds (0 when there is none).
    pub oldest_age_seconds: i64,
}

impl Metrics {
    /// Counts one answered request: `route` is the matched route's template (`None`: no route
    /// matched), `status` the status code, `took` the time to answer.
    pub fn request(&self, route: Option<&str>, status: u16, took: Duration) {
        let route = route.unwrap_or("unmatched");
        let known = self
            .routes
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(route)
            .cloned();
        let stats = match known {
            Some(s) => s,
            None => self
                .routes
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .entry(route.into())
                .or_default()
                .clone(),
        };
        if status == 429 {
            self.throttled.fetch_add(1, Relaxed);
        }
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        stats.classes[class].fetch_add(1, Relaxed);
        stats
            .latency
            .observe(u64::try_from(took.as_micros()).unwrap_or(u64::MAX));
    }

    pub fn login(&self, kind: LoginKind, outcome: LoginOutcome) {
        self.logins[kind as usize][outcome as usize].fetch_add(1, Relaxed);
    }

    pub fn delivery(&self, result: Delivery) {
        self.deliveries[result as usize].fetch_add(1, Relaxed);
    }

    pub fn digests_made(&self, n: u64) {
        self.digests.fetch_add(n, Relaxed);
    }

    /// `job` finished a run without error at `now_ms` (milliseconds since the epoch).
    pub fn job_succeeded(&self, job: Job, now_ms: i64) {
        self.jobs[job as usize].store(now_ms / 1000, Relaxed);
    }

    /// The figures in Prometheus' text format, with the outbox as read by the caller.
    pub fn render(&self, outbox: OutboxGauge) -> String {
        let mut out = String::with_capacity(8 * 1024);
        self.render_requests(&mut out);
        family(
            &mut out,
            "admit_logins_total",
            "counter",
            "Login attempts by where and outcome.",
        );
        for (k, kind) in LOGIN_KINDS.iter().enumerate() {
            for (o, outcome) in LOGIN_OUTCOMES.iter().enumerate() {
                let n = self.logins[k][o].load(Relaxed);
                let _ = writeln!(
                    out,
                    "admit_logins_total{{kind=\"{kind}\",outcome=\"{outcome}\"}} {n}"
                );
            }
        }
        family(
            &mut out,
            "admit_throttled_total",
            "counter",
            "Requests refused for too many attempts before them (answered 429).",
        );
        let _ = writeln!(
            out,
            "admit_throttled_total {}",
            self.throttled.load(Relaxed)
        );
        family(
            &mut out,
            "admit_outbox_pending",
            "gauge",
            "E-mails in the outbox not yet sent nor failed for good.",
        );
        let _ = writeln!(out, "admit_outbox_pending {}", outbox.pending);
        family(
            &mut out,
            "admit_outbox_oldest_pending_age_seconds",
            "gauge",
            "Age of the oldest pending e-mail (0 when none is pending).",
        );
        let _ = writeln!(
            out,
            "admit_outbox_oldest_pending_age_seconds {}",
            outbox.oldest_age_seconds
        );
        family(
            &mut out,
            "admit_deliveries_total",
            "counter",
            "Delivery attempts of the outbox by result.",
        );
        for (i, result) in DELIVERIES.iter().enumerate() {
            let n = self.deliveries[i].load(Relaxed);
            let _ = writeln!(out, "admit_deliveries_total{{result=\"{result}\"}} {n}");
        }
        family(
            &mut out,
            "admit_digests_total",
            "counter",
            "Digests made and queued.",
        );
        let _ = writeln!(out, "admit_digests_total {}", self.digests.load(Relaxed));
        family(
            &mut out,
            "admit_job_last_success_timestamp_seconds",
            "gauge",
            "Unix time of each background job's last successful run (0: none yet).",
        );
        for (i, job) in JOBS.iter().enumerate() {
            let t = self.jobs[i].load(Relaxed);
            let _ = writeln!(
                out,
                "admit_job_last_success_timestamp_seconds{{job=\"{job}\"}} {t}"
            );
        }
        out
    }

    fn render_requests(&self, out: &mut String) {
        let mut routes: Vec<(String, Arc<Route>)> = self
            .routes
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        routes.sort_by(|a, b| a.0.cmp(&b.0));
        family(
            out,
            "admit_http_requests_total",
            "counter",
            "HTTP requests answered, by route template and status class.",
        );
        for (route, stats) in &routes {
            let route = escape(route);
            for (i, class) in CLASSES.iter().enumerate() {
                let n = stats.classes[i].load(Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        out,
                        "admit_http_requests_total{{route=\"{route}\",status=\"{class}\"}} {n}"
                    );
                }
            }
        }
        family(
            out,
            "admit_http_request_duration_seconds",
            "histogram",
            "Time to answer an HTTP request, by route template.",
        );
        let name = "admit_http_request_duration_seconds";
        for (route, stats) in &routes {
            let route = escape(route);
            let h = &stats.latency;
            let mut cumulative = 0;
            for (i, bound) in BUCKETS_US.iter().enumerate() {
                cumulative += h.buckets[i].load(Relaxed);
                let le = *bound as f64 / 1e6;
                let _ = writeln!(
                    out,
                    "{name}_bucket{{route=\"{route}\",le=\"{le}\"}} {cumulative}"
                );
            }
            let count = h.count.load(Relaxed);
            let _ = writeln!(
                out,
                "{name}_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}"
            );
            let sum = h.sum_us.load(Relaxed) as f64 / 1e6;
            let _ = writeln!(out, "{name}_sum{{route=\"{route}\"}} {sum}");
            let _ = writeln!(out, "{name}_count{{route=\"{route}\"}} {count}");
        }
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value as Prometheus reads it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_and_class_with_a_cumulative_histogram() {
        let m = Metrics::default();
        m.request(Some("/api/v1/accounts/{id}"), 200, Duration::from_millis(3));
        m.request(
            Some("/api/v1/accounts/{id}"),
            404,
            Duration::from_millis(30),
        );
        m.request(None, 404, Duration::from_secs(60));
        let text = m.render(OutboxGauge::default());
        assert!(text.contains(
            "admit_http_requests_total{route=\"/api/v1/accounts/{id}\",status=\"2xx\"} 1"
        ));
        assert!(text.contains(
            "admit_http_requests_total{route=\"/api/v1/accounts/{id}\",status=\"4xx\"} 1"
        ));
        assert!(text.contains("admit_http_requests_total{route=\"unmatched\",status=\"4xx\"} 1"));
        let bucket = |le: &str| {
            format!(
                "admit_http_request_duration_seconds_bucket{{route=\"/api/v1/accounts/{{id}}\",le=\"{le}\"}}"
            )
        };
        assert!(text.contains(&format!("{} 0", bucket("0.001"))));
        assert!(text.contains(&format!("{} 1", bucket("0.005"))));
        assert!(text.contains(&format!("{} 2", bucket("0.05"))));
        assert!(text.contains(&format!("{} 2", bucket("+Inf"))));
        // Beyond the last bound: in +Inf only.
        assert!(text.contains(
            "admit_http_request_duration_seconds_bucket{route=\"unmatched\",le=\"10\"} 0"
        ));
    }

    #[test]
    fn the_other_figures_are_rendered() {
        let m = Metrics::default();
        m.login(LoginKind::Console, LoginOutcome::Failure);
        m.request(Some("/console/login"), 429, Duration::from_millis(1));
        m.delivery(Delivery::Sent);
        m.digests_made(2);
        m.job_succeeded(Job::Digests, 1_700_000_000_123);
        let text = m.render(OutboxGauge {
            pending: 3,
            oldest_age_seconds: 42,
        });
        for line in [
            "admit_logins_total{kind=\"console\",outcome=\"failure\"} 1",
            "admit_logins_total{kind=\"portal\",outcome=\"success\"} 0",
            "admit_throttled_total 1",
            "admit_deliveries_total{result=\"sent\"} 1",
            "admit_digests_total 2",
            "admit_outbox_pending 3",
            "admit_outbox_oldest_pending_age_seconds 42",
            "admit_job_last_success_timestamp_seconds{job=\"digests\"} 1700000000",
        ] {
            assert!(text.contains(line), "{line} in {text}");
        }
    }
}
