//! Undo after a reversible change on an account, from the console's result message: within
//! ten minutes it puts the account back (and an e-mail that has not left the outbox is never
//! sent); after the time, after another change, from another session or twice it is refused
//! and changes nothing; many requests at once undo once.

use admit::clock::ManualClock;
use admit::usecases::{self, Actor};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{
    self, Api, Browser, Engine, PASSWORD, TestApp, account_of, eventually, exec, hidden, id_of, org,
};

const START: i64 = 1_795_424_400_000;
pub const ANNA: &str = "anna@sonnenschein.example";
const MINUTE: i64 = 60_000;

/// A staff member at the console, and Anna's account on the customer portal: registered,
/// awaiting approval.
pub struct Desk {
    pub app: TestApp,
    pub clock: ManualClock,
    pub api: Api,
    pub b: Browser,
    pub csrf: String,
    pub id: i64,
}

pub async fn desk(engine: Engine, change: impl FnOnce(&mut admit::config::Config)) -> Desk {
    let clock = ManualClock::new(START);
    let app = TestApp::spawn_clocked(engine, clock.clone(), change).await;
    let api = app.api(&app.api_key().await);
    let pid = id_of(
        &api,
        "/api/v1/portals",
        json!({"name": "Customer portal", "kind": "customer", "base_url": "https://portal.example.com",
               "registration_mode": "invitation_only", "default_language": "en",
               "modules": [{"name": "Invoices"}]}),
    )
    .await;
    let oid = id_of(
        &api,
        "/api/v1/organizations",
        org("customer", "Bäckerei Sonnenschein"),
    )
    .await;
    let id = account_of(&api, oid, pid, ANNA, "user", Some(&["Invoices"])).await;
    exec(
        &app,
        &format!(
            "UPDATE portal_accounts SET registration = 'registered', approval = 'pending' WHERE id = {id}"
        ),
    )
    .await;
    let b = staff(&app, "maria@admit.example", "Maria Keller").await;
    let csrf = b.csrf().await;
    Desk {
        app,
        clock,
        api,
        b,
        csrf,
        id,
    }
}

/// An administrator with a name, logged in to the console.
async fn staff(app: &TestApp, email: &str, name: &str) -> Browser {
    usecases::staff::create_staff(
        &app.cx,
        &Actor::cli(),
        &usecases::staff::NewStaff {
            email: email.into(),
            name: name.into(),
            role: "administrator".into(),
            area_ids: vec![],
            password: PASSWORD.into(),
        },
    )
    .await
    .expect("a staff member");
    let b = app.browser();
    assert_eq!(b.login(email, PASSWORD).await.status, StatusCode::SEE_OTHER);
    b
}

impl Desk {
    pub fn page(&self) -> String {
        format!("/console/accounts/{}", self.id)
    }

    /// Does `action` (confirmed, with its e-mail); answers the token of the Undo beside the
    /// result message.
    pub async fn act(&self, action: &str) -> String {
        let page = self
            .b
            .post(
                &format!("{}/status", self.page()),
                &[
                    ("csrf", &self.csrf),
                    ("action", action),
                    ("notify", "1"),
                    ("confirmed", "1"),
                ],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "{action}: {}",
            page.body
        );
        let page = self.b.get(&self.page()).await;
        assert!(
            page.body.contains(">Undo</button>"),
            "{action}: an Undo beside the message: {}",
            page.body
        );
        hidden(&page.body, "undo")
    }

    /// Sends an Undo with `token` from `b`; answers the message shown afterwards.
    async fn undo_from(&self, b: &Browser, token: &str) -> String {
        let csrf = b.csrf().await;
        let page = b
            .post(
                &format!("{}/undo", self.page()),
                &[("csrf", csrf.as_str()), ("undo", token)],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        flash(&b.get(&self.page()).await.body)
    }

    async fn undo(&self, token: &str) -> String {
        self.undo_from(&self.b, token).await
    }

    pub async fn account(&self) -> Value {
        self.api
            .get(&format!("/api/v1/accounts/{}", self.id))
            .await
            .1
    }

    async fn events(&self, action: &str) -> i64 {
        self.app
            .count_where(
                "SELECT COUNT(*) FROM audit_events WHERE action = $1",
                action,
            )
            .await
    }
}

fn flash(body: &str) -> String {
    let marker = "<p class=\"flash\" role=\"status\">";
    let start = body.find(marker).map(|i| i + marker.len()).unwrap_or(0);
    let end = body[start..].find("</p>").unwrap_or(0) + start;
    body[start..end].to_string()
}

/// Decline with an SMTP server that cannot be reached: the e-mail waits in the outbox for a
/// retry, and Undo takes it out, so it is never sent. Every other reversible change is undone too.
async fn undo_within_the_time_restores_and_an_unsent_email_is_never_sent(engine: Engine) {
    let (_closed, port) = common::closed_port();
    let d = desk(engine, |c| {
        c.smtp_host = Some("127.0.0.1".into());
        c.smtp_port = port;
        c.smtp_security = "none".into();
        c.smtp_timeout_seconds = 2;
    })
    .await;
    let token = d.act("decline").await;
    assert_eq!(d.account().await["approval"], "declined");
    let waiting = "SELECT COUNT(*) FROM outbox_messages WHERE event = 'declined' AND recipient = $1 AND status = 'retrying'";
    assert!(
        eventually(20, || async { d.app.count_where(waiting, ANNA).await == 1 }).await,
        "the decline's e-mail waits for a retry"
    );
    d.clock.advance(9 * MINUTE);
    let said = d.undo(&token).await;
    assert!(
        said.starts_with(&format!("Undone: {ANNA} on Customer portal is back to"))
            && said.contains("Pending approval")
            && said.ends_with(&format!("The e-mail to {ANNA} is not sent.")),
        "{said}"
    );
    assert_eq!(d.account().await["approval"], "pending");
    let declined =
        "SELECT COUNT(*) FROM outbox_messages WHERE event = 'declined' AND recipient = $1";
    assert_eq!(d.app.count_where(declined, ANNA).await, 0);
    assert_eq!(d.events("account.decline_undone").await, 1);
    // Time passes; the e-mail never comes back.
    d.clock.advance(60 * MINUTE);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(d.app.count_where(declined, ANNA).await, 0);
    // The history says it in words.
    let body = d.b.get(&d.page()).await.body;
    assert!(
        body.contains(&format!(
            "Decline undone by Maria Keller — the e-mail to {ANNA} was not sent"
        )) && body.contains(&format!(
            "Declined by Maria Keller — e-mail to {ANNA} not sent"
        )),
        "{body}"
    );

    // Approve, switch off and on, deactivate and reactivate: each undone.
    let cases: [(&str, &str, Value); 3] = [
        ("approve", "approval", json!("pending")),
        ("switch_off", "access_granted", json!(true)),
        ("deactivate", "lifecycle", json!("active")),
    ];
    for (action, field, back) in cases {
        let token = d.act(action).await;
        assert_ne!(d.account().await[field], back, "{action} changed {field}");
        let said = d.undo(&token).await;
        assert!(said.starts_with("Undone:"), "{action}: {said}");
        assert_eq!(d.account().await[field], back, "{action} undone");
        assert_eq!(d.events(&format!("account.{action}_undone")).await, 1);
    }
    d.act("switch_off").await;
    d.act("deactivate").await;
    for (action, field, back) in [
        ("switch_on", "access_granted", json!(false)),
        ("reactivate", "lifecycle", json!("deactivated")),
    ] {
        let token = d.act(action).await;
        d.undo(&token).await;
        assert_eq!(d.account().await[field], back, "{action} undone");
        assert_eq!(d.events(&format!("account.{action}_undone")).await, 1);
    }
}
on_both!(
    undo_in_time,
    undo_within_the_time_restores_and_an_unsent_email_is_never_sent
);

/// After ten minutes, after another change, from another staff member's session, without
/// the button, or a second time: refused with a clear message, and nothing changes.
async fn undo_is_refused_after_the_time_or_another_change(engine: Engine) {
    let d = desk(engine, |_| {}).await;
    let token = d.act("decline").await;
    d.clock.advance(10 * MINUTE + 1);
    let said = d.undo(&token).await;
    assert!(
        said.starts_with("Not undone: a change can be undone for 10 minutes"),
        "{said}"
    );
    assert_eq!(d.account().await["approval"], "declined");

    let token = d.act("approve").await;
    d.act("switch_off").await;
    let said = d.undo(&token).await;
    assert!(
        said.starts_with("Not undone: the account has changed since"),
        "{said}"
    );
    let a = d.account().await;
    assert_eq!(
        (a["approval"].clone(), a["access_granted"].clone()),
        (json!("approved"), json!(false))
    );

    // Another staff member cannot use someone else's Undo.
    let token = d.act("switch_on").await;
    let other = staff(&d.app, "jonas@admit.example", "Jonas Wolf").await;
    let said = d.undo_from(&other, &token).await;
    assert!(
        said.starts_with("Not undone: this Undo belongs to another session"),
        "{said}"
    );
    // A form sent without pressing the button does nothing.
    let page =
        d.b.post(&format!("{}/undo", d.page()), &[("csrf", &d.csrf)])
            .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(d.account().await["access_granted"], true);
    // Undone once; the second time is refused.
    assert!(d.undo(&token).await.starts_with("Undone:"));
    assert_eq!(d.account().await["access_granted"], false);
    let said = d.undo(&token).await;
    assert!(said.starts_with("Not undone:"), "{said}");
    assert_eq!(d.account().await["access_granted"], false);
    assert_eq!(d.events("account.switch_on_undone").await, 1);
}
on_both!(
    undo_refused,
    undo_is_refused_after_the_time_or_another_change
);

/// Sixteen Undo requests at once for one decline: it is undone once.
async fn many_undo_requests_at_once_undo_once(engine: Engine) {
    let d = desk(engine, |_| {}).await;
    let token = d.act("decline").await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let b = Browser {
            base: d.b.base.clone(),
            client: d.b.client.clone(),
        };
        let (csrf, token, url) = (d.csrf.clone(), token.clone(), format!("{}/undo", d.page()));
        tasks.spawn(async move {
            b.post(&url, &[("csrf", csrf.as_str()), ("undo", token.as_str())])
                .await
                .status
        });
    }
    for status in tasks.join_all().await {
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    assert_eq!(d.events("account.decline_undone").await, 1);
    assert_eq!(d.account().await["approval"], "pending");
}
on_both!(undo_at_once, many_undo_requests_at_once_undo_once);

/// An e-mail that has already left is said to have left; the account is put back all the same.
async fn an_email_already_sent_is_said_to_be(engine: Engine) {
    let d = desk(engine, |_| {}).await;
    let token = d.act("approve").await;
    assert!(common::outbox_quiet(&d.app, 20).await, "the e-mail is sent");
    let said = d.undo(&token).await;
    assert!(
        said.ends_with(&format!(
            "The e-mail to {ANNA} had already been sent; no other e-mail is sent."
        )),
        "{said}"
    );
    assert_eq!(d.account().await["approval"], "pending");
}
on_both!(undo_after_sent, an_email_already_sent_is_said_to_be);

/// An Undo pressed on the access list (where the change was made) goes back there.
async fn undo_goes_back_where_the_change_was_made(engine: Engine) {
    let d = desk(engine, |_| {}).await;
    let list = "/console/access?q=anna";
    let page =
        d.b.post(
            &format!("{}/status", d.page()),
            &[
                ("csrf", d.csrf.as_str()),
                ("action", "approve"),
                ("back", list),
            ],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some(list));
    let body = d.b.get(list).await.body;
    assert_eq!(hidden(&body, "back"), "/console/access?q=anna");
    let token = hidden(&body, "undo");
    let page =
        d.b.post(
            &format!("{}/undo", d.page()),
            &[("csrf", d.csrf.as_str()), ("undo", &token), ("back", list)],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some(list));
    assert!(flash(&d.b.get(list).await.body).starts_with("Undone:"));
    assert_eq!(d.account().await["approval"], "pending");
}
on_both!(undo_goes_back, undo_goes_back_where_the_change_was_made);
