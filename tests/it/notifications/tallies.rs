//! The open tasks kept counted per portal, customer and category equal a count of the tasks
//! themselves after random sequences of changes through the tasks API: new tasks open and
//! closed, moved between customers and categories, their due days changed, closed and opened
//! again, one request after another and many at once on the same few tasks.

use std::sync::Arc;

use admit::storage::tasks::tallies;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::Barrier;

use super::{World, world};
use crate::common::TestApp;

/// A small, seeded generator: the same sequence on both engines.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// A random state for one task.
fn random_task(w: &World, rng: &mut Rng) -> Value {
    let customers = [w.c[0], w.c[1], w.c[2], w.acme];
    let due = match rng.below(4) {
        0 => Value::Null,
        d => json!(format!("2026-12-{:02}", 1 + d * 3 + rng.below(3))),
    };
    let category = ["service_due", "invoices"][rng.below(2)];
    json!({
        "customer_id": customers[rng.below(customers.len())],
        "category": category,
        "title": format!("Task {}", rng.below(1000)),
        "due_date": due,
        "status": if rng.below(3) == 0 { "closed" } else { "open" },
    })
}

async fn put(w: &World, id: usize, body: &Value) -> StatusCode {
    let path = format!("/api/v1/portals/{}/tasks/T-{id}", w.portal);
    let (status, v) = w.api.put(&path, body).await;
    assert!(status.is_success(), "{status} {v}");
    status
}

/// The tallies as kept, and as counted from the tasks: equal, and not empty.
async fn assert_kept_equal_counted(app: &TestApp) {
    let mut tx = app.cx.db.read().await.unwrap();
    let kept = tallies::all(&mut tx).await.unwrap();
    let counted = tallies::recount(&mut tx).await.unwrap();
    assert!(!counted.is_empty());
    assert_eq!(kept, counted);
}

async fn kept_tallies_equal_a_recount(app: TestApp) {
    let w = world(&app).await;
    for seed in [1u64, 2, 3] {
        let mut rng = Rng(seed);
        for _ in 0..120 {
            let id = rng.below(25);
            put(&w, id, &random_task(&w, &mut rng)).await;
        }
        assert_kept_equal_counted(&app).await;
    }

    // Many at once on four tasks: each change moves a task between the same few tallies.
    let w = Arc::new(w);
    let n = 48;
    let gate = Arc::new(Barrier::new(n));
    let mut rng = Rng(99);
    let mut at_once = tokio::task::JoinSet::new();
    for i in 0..n {
        let (w, gate, body) = (w.clone(), gate.clone(), random_task(&w, &mut rng));
        at_once.spawn(async move {
            gate.wait().await;
            put(&w, i % 4, &body).await
        });
    }
    for status in at_once.join_all().await {
        assert!(status.is_success());
    }
    assert_kept_equal_counted(&app).await;
}

both!(kept_tallies_equal_a_recount, kept_tallies_equal_a_recount);
