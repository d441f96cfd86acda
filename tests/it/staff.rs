//! Staff users: at least one active administrator always remains, also under concurrent requests.

use crate::common;

use admit::usecases::staff::{StaffChange, update_staff};
use admit::usecases::{Actor, Error};
use common::{PASSWORD, TestApp};

fn change(role: &str, active: bool) -> StaffChange {
    StaffChange {
        name: "Someone".into(),
        role: role.into(),
        active,
        area_ids: vec![],
    }
}

async fn the_last_administrator_stays(app: TestApp) {
    let cli = Actor::cli();
    let a = app
        .create_staff("a@example.test", "administrator", &[], PASSWORD)
        .await;
    for attempt in [
        change("administrator", false),
        change("supervisor", true).with_area(&app).await,
    ] {
        match update_staff(&app.cx, &cli, a, &attempt).await {
            Err(Error::Refused(m)) => assert!(m.english().contains("last active administrator")),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
    // With a second administrator, one may go.
    let b = app
        .create_staff("b@example.test", "administrator", &[], PASSWORD)
        .await;
    update_staff(&app.cx, &cli, a, &change("administrator", false))
        .await
        .unwrap();
    match update_staff(&app.cx, &cli, b, &change("administrator", false)).await {
        Err(Error::Refused(_)) => {}
        other => panic!("expected a refusal, got {other:?}"),
    }
}
both!(last_admin, the_last_administrator_stays);

async fn concurrent_demotions_leave_one_administrator(app: TestApp) {
    let cli = Actor::cli();
    let mut keep = app
        .create_staff("keep0@example.test", "administrator", &[], PASSWORD)
        .await;
    for round in 0..5 {
        // Exactly two active administrators: `keep` and a new one; both are deactivated at once.
        let other = app
            .create_staff(
                &format!("other{round}@example.test"),
                "administrator",
                &[],
                PASSWORD,
            )
            .await;
        assert_eq!(active_admins(&app).await.len(), 2);
        let deactivate = change("administrator", false);
        let demote = change("supervisor", true).with_area(&app).await;
        let (r1, r2) = tokio::join!(
            update_staff(&app.cx, &cli, keep, &deactivate),
            update_staff(&app.cx, &cli, other, &demote),
        );
        let refused = [&r1, &r2]
            .iter()
            .filter(|r| matches!(r, Err(Error::Refused(_))))
            .count();
        let ok = [&r1, &r2].iter().filter(|r| r.is_ok()).count();
        assert_eq!((ok, refused), (1, 1), "round {round}: {r1:?} {r2:?}");
        let left = active_admins(&app).await;
        assert_eq!(left.len(), 1, "round {round}");
        keep = left[0];
    }
}

trait WithArea {
    async fn with_area(self, app: &TestApp) -> StaffChange;
}

impl WithArea for StaffChange {
    /// A supervisor needs an area: make one.
    async fn with_area(mut self, app: &TestApp) -> StaffChange {
        let name = format!("Area {}", admit::security::tokens::random_hex(4));
        let area = admit::usecases::directory::create_area(
            &app.cx,
            &Actor::cli(),
            &admit::domain::directory::AreaInput { name },
        )
        .await
        .unwrap();
        self.area_ids = vec![area.id];
        self
    }
}
both!(
    concurrent_last_admin,
    concurrent_demotions_leave_one_administrator
);

async fn active_admins(app: &TestApp) -> Vec<i64> {
    let sql = "SELECT id FROM staff_users WHERE role = 'administrator' AND active = TRUE";
    match &app.cx.db {
        admit::storage::Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
        admit::storage::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
    }
}

async fn deactivated_staff_lose_their_sessions(app: TestApp) {
    app.create_staff("admin@example.test", "administrator", &[], PASSWORD)
        .await;
    let other = app
        .create_staff("other@example.test", "administrator", &[], PASSWORD)
        .await;
    let b = app.browser();
    assert_eq!(
        b.login("other@example.test", PASSWORD).await.status,
        reqwest::StatusCode::SEE_OTHER
    );
    assert_eq!(
        b.get("/console/organizations").await.status,
        reqwest::StatusCode::OK
    );
    update_staff(
        &app.cx,
        &Actor::cli(),
        other,
        &change("administrator", false),
    )
    .await
    .unwrap();
    assert_eq!(
        b.get("/console/organizations").await.status,
        reqwest::StatusCode::SEE_OTHER
    );
    // And cannot log in again.
    assert_eq!(
        b.login("other@example.test", PASSWORD).await.status,
        reqwest::StatusCode::UNAUTHORIZED
    );
}
both!(deactivation, deactivated_staff_lose_their_sessions);
