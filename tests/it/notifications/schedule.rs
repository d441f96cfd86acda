//! When digests are made: a week in three time zones (with the daylight-saving changes of
//! both Europe and America), a process that was down at 08:00, and once per person and period.

use super::*;

/// Makes the digests due at each quarter hour from `from` to `to`.
async fn run_clock(app: &TestApp, clock: &ManualClock, from: i64, to: i64) {
    let mut t = from;
    while t <= to {
        clock.set(t);
        run_due(app).await;
        t += 15 * 60_000;
    }
}

async fn a_week_in_three_zones(engine: Engine) {
    let sink = SmtpSink::start();
    let start = utc("2026-10-24T00:00:00Z"); // a Saturday
    let clock = ManualClock::new(start);
    let app = TestApp::spawn_clocked(engine, clock.clone(), |c| {
        sink.configure(c);
        c.digest_poll_seconds = QUIET;
    })
    .await;
    let w = world(&app).await;
    task(&w, "t-1", w.acme, "service_due", "Boiler service").await;
    let zones = ["Europe/Berlin", "America/New_York", "Asia/Kolkata"];
    let mut daily = Vec::new();
    let mut weekly = Vec::new();
    for z in zones {
        let city = z.split('/').nth(1).unwrap().to_lowercase();
        let d = person(
            &app,
            &w,
            w.acme,
            &format!("daily.{city}@acme.example"),
            "admin",
            z,
        )
        .await;
        let wk = person(
            &app,
            &w,
            w.acme,
            &format!("weekly.{city}@acme.example"),
            "admin",
            z,
        )
        .await;
        subscribe(&w, d, "daily", &["service_due"]).await;
        subscribe(&w, wk, "weekly", &["service_due"]).await;
        daily.push(d);
        weekly.push(wk);
    }
    // Someone with nothing to read gets nothing.
    let idle = person(&app, &w, w.partner, "idle@partner.example", "admin", "UTC").await;
    subscribe(&w, idle, "daily", &["invoices"]).await;

    run_clock(&app, &clock, start, utc("2026-11-03T00:00:00Z")).await;

    let made = digests(&app).await;
    let times = |account: i64| -> Vec<String> {
        made.iter()
            .filter(|d| d.0 == account)
            .map(|d| {
                assert_eq!(d.2, d.3, "made the moment it was due");
                at(d.3)
            })
            .collect()
    };
    let days = |hour_before: &str, hour_after: &str, change: u32| -> Vec<String> {
        (24..=33)
            .map(|n: u32| {
                let (month, day) = if n <= 31 { (10, n) } else { (11, n - 31) };
                let hour = if n < change { hour_before } else { hour_after };
                format!("2026-{month:02}-{day:02}T{hour}Z")
            })
            .collect()
    };
    // Berlin leaves summer time on Sunday 25 October, New York on Sunday 1 November (day 32).
    assert_eq!(times(daily[0]), days("06:00", "07:00", 25), "Berlin");
    assert_eq!(times(daily[1]), days("12:00", "13:00", 32), "New York");
    assert_eq!(times(daily[2]), days("02:30", "02:30", 0), "Kolkata");
    assert_eq!(
        times(weekly[0]),
        ["2026-10-26T07:00Z", "2026-11-02T07:00Z"],
        "Berlin, Mondays"
    );
    assert_eq!(
        times(weekly[1]),
        ["2026-10-26T12:00Z", "2026-11-02T13:00Z"],
        "New York, Mondays"
    );
    assert_eq!(
        times(weekly[2]),
        ["2026-10-26T02:30Z", "2026-11-02T02:30Z"],
        "Kolkata, Mondays"
    );
    // The idle one's periods are marked, with nothing sent.
    assert!(made.iter().filter(|d| d.0 == idle).all(|d| d.4 == 0));
    let messages = digest_messages(&app).await;
    assert_eq!(messages.len(), 3 * 10 + 3 * 2);
    assert!(!messages.iter().any(|(r, _)| r == "idle@partner.example"));

    // Every one of them arrives at the SMTP server, with its one-click unsubscribe.
    assert!(
        common::eventually(30, || async { digest_mails(&sink).len() >= 36 }).await,
        "the digests arrive"
    );
    let mails = digest_mails(&sink);
    assert_eq!(mails.len(), 36);
    let weekly_berlin: Vec<&String> = mails
        .iter()
        .filter(|m| header(m, "To").is_some_and(|t| t.contains("weekly.berlin@acme.example")))
        .collect();
    assert_eq!(weekly_berlin.len(), 2);
    let m = weekly_berlin[0];
    assert_eq!(
        header(m, "Subject"),
        Some("1 open task on Partner portal"),
        "{m}"
    );
    assert!(m.contains("Boiler service"), "{m}");
    assert!(m.contains("week of 26 Oct 2026"), "{m}");
    let unsubscribe = header(m, "List-Unsubscribe").expect("List-Unsubscribe");
    assert!(
        unsubscribe.starts_with(&format!("<{}/unsubscribe/", app.base)),
        "{unsubscribe}"
    );
    assert_eq!(
        header(m, "List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    // Only the token's hash is kept.
    let token = unsubscribe
        .trim_start_matches('<')
        .trim_end_matches('>')
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(token.len(), 64);
    let stored = app
        .count(&format!("unsubscribe_tokens WHERE token_hash = '{token}'"))
        .await;
    assert_eq!(stored, 0, "the token itself is never stored");
    assert!(app.count("unsubscribe_tokens").await >= 36);

    // One click in the mail client: a POST without cookies or a login turns the digest off.
    let url = unsubscribe.trim_start_matches('<').trim_end_matches('>');
    let res = common::one_click(&reqwest::Client::new(), url).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (_, p) = w
        .api
        .get(&format!("/api/v1/accounts/{}/notifications", weekly[0]))
        .await;
    assert_eq!(p["frequency"], "off");
    assert!(p["next_due_at"].is_null());
    let made = digests(&app).await.len();
    run_clock(
        &app,
        &clock,
        utc("2026-11-09T00:00:00Z"),
        utc("2026-11-09T12:00:00Z"),
    )
    .await;
    let later = digests(&app).await;
    assert!(
        !later[made..].iter().any(|d| d.0 == weekly[0]),
        "no more digests after unsubscribing"
    );
    assert!(
        later[made..].iter().any(|d| d.0 == weekly[2]),
        "the others go on"
    );
}
on_both!(a_week_in_three_zones, a_week_in_three_zones);

// ---------------------------------------------------------------- down at 08:00, and once

async fn missed_and_once(engine: Engine) {
    let monday = utc("2026-11-30T06:00:00Z"); // 07:00 in Berlin
    let clock = ManualClock::new(monday);
    let app = TestApp::spawn_clocked(engine, clock.clone(), quiet).await;
    let w = world(&app).await;
    task(&w, "t-1", w.acme, "service_due", "Boiler service").await;
    let erika = person(
        &app,
        &w,
        w.acme,
        "erika@acme.example",
        "admin",
        "Europe/Berlin",
    )
    .await;
    subscribe(&w, erika, "weekly", &["service_due"]).await;

    // Down from Monday 07:00 to Wednesday 10:00: the week's digest comes then, once.
    clock.set(utc("2026-12-02T09:00:00Z"));
    let m = run_due(&app).await;
    assert_eq!((m.due, m.sent), (1, 1));
    let m = run_due(&app).await;
    assert_eq!(m.due, 0, "not due again this week");
    let made = digests(&app).await;
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].1, "weekly:2026-11-30");
    assert_eq!(at(made[0].2), "2026-11-30T07:00Z", "it was due on Monday");
    assert_eq!(
        at(made[0].3),
        "2026-12-02T09:00Z",
        "made when the process came back"
    );

    // As after a crash between the digest and the next due time: the period's key keeps it
    // to one.
    exec(&app, "UPDATE digest_subscriptions SET next_due_at = 0").await;
    let m = run_due(&app).await;
    assert_eq!((m.due, m.sent, m.taken), (1, 0, 1));
    assert_eq!(digest_messages(&app).await.len(), 1);

    // The next Monday brings the next one.
    clock.set(utc("2026-12-07T07:00:00Z"));
    let m = run_due(&app).await;
    assert_eq!(m.sent, 1);
    assert_eq!(digest_messages(&app).await.len(), 2);

    // Off: nothing is due any more.
    subscribe(&w, erika, "off", &["service_due"]).await;
    clock.set(utc("2026-12-14T07:00:00Z"));
    assert_eq!(run_due(&app).await.due, 0);
}
on_both!(missed_and_once, missed_and_once);
