//! What portal accounts may see, through the API: the decision, the scope and its ETag, editing
//! role, modules and customers, and an organization's last active admin (also when two
//! requests race).

use crate::common;
use crate::common::org;

use common::{TestApp, exec, id_of};
use reqwest::StatusCode;
use serde_json::{Value, json};

struct World {
    api: common::Api,
    partner: i64,
    north: i64,
    south: i64,
    /// Customers: 1 and 2 in North, 2 and 3 in South; `other` in neither.
    c: [i64; 3],
    other: i64,
    parent: i64,
    child: i64,
    partner_portal: i64,
    customer_portal: i64,
}

async fn world(app: &TestApp) -> World {
    let api = app.api(&app.api_key().await);
    let (partner, c) = common::partner_and_customers(&api).await;
    let other = id_of(&api, "/api/v1/organizations", org("customer", "Elsewhere")).await;
    let (north, south) = common::north_and_south(&api, partner, c).await;
    let parent = id_of(&api, "/api/v1/organizations", org("customer", "Parent Co")).await;
    let child = id_of(
        &api,
        "/api/v1/organizations",
        json!({"kind": "customer", "name": "Child Co", "parent_id": parent}),
    )
    .await;
    let modules = json!([
        {"name": "Customers"}, {"name": "Tasks"},
        {"name": "Partner kit", "marketing": true}, {"name": "Pricing", "admin_only": true}
    ]);
    let partner_portal = id_of(
        &api,
        "/api/v1/portals",
        json!({"name": "Partner portal", "kind": "partner", "base_url": "https://partners.example.com",
               "registration_mode": "invitation_only", "modules": modules}),
    )
    .await;
    let customer_portal = id_of(
        &api,
        "/api/v1/portals",
        json!({"name": "Customer portal", "kind": "customer", "base_url": "https://customers.example.com",
               "registration_mode": "invitation_only", "modules": [{"name": "Invoices"}]}),
    )
    .await;
    World {
        api,
        partner,
        north,
        south,
        c,
        other,
        parent,
        child,
        partner_portal,
        customer_portal,
    }
}

/// A registered account of a new contact of `org` on `portal` (its invitation accepted).
async fn account(
    app: &TestApp,
    w: &World,
    org: i64,
    portal: i64,
    email: &str,
    role: &str,
    modules: &[&str],
) -> i64 {
    let id = common::account_of(&w.api, org, portal, email, role, Some(modules)).await;
    exec(
        app,
        &format!("UPDATE portal_accounts SET registration = 'registered' WHERE id = {id}"),
    )
    .await;
    id
}

/// [`account`] of the partner organization on the partner portal.
async fn partner_account(app: &TestApp, w: &World, email: &str, role: &str, m: &[&str]) -> i64 {
    account(app, w, w.partner, w.partner_portal, email, role, m).await
}

async fn decide(w: &World, account: i64, query: &str) -> (bool, String) {
    let (status, d) = w
        .api
        .get(&format!("/api/v1/decision?account_id={account}&{query}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    (
        d["allow"].as_bool().unwrap(),
        d["rule"].as_str().unwrap().to_string(),
    )
}

/// Sets an account's access through the API; what was set reads back.
async fn set(w: &World, account: i64, body: Value) -> (StatusCode, Value) {
    let path = format!("/api/v1/accounts/{account}/access");
    let (status, v) = w.api.put(&path, &body).await;
    if status.is_success() {
        w.api.assert_reads_back_at(&path, &v).await;
    }
    (status, v)
}

fn ids(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect()
}

async fn scopes_and_decisions(app: TestApp) {
    let w = world(&app).await;
    let anna = partner_account(&app, &w, "anna@partner.example", "admin", &[]).await;
    let ben = partner_account(&app, &w, "ben@partner.example", "user", &["Tasks"]).await;
    let mia = partner_account(
        &app,
        &w,
        "mia@partner.example",
        "marketing",
        &["Partner kit"],
    )
    .await;
    let [c1, c2, c3] = w.c;

    // The admin sees every customer of both partnerships and every module.
    let (_, s) = w.api.get(&format!("/api/v1/accounts/{anna}/scope")).await;
    assert_eq!(ids(&s["customers"]), [c1, c2, c3]);
    assert_eq!(
        s["modules"],
        json!(["Customers", "Partner kit", "Pricing", "Tasks"])
    );
    assert_eq!(
        decide(&w, anna, &format!("customer_id={c3}")).await,
        (true, "admin_reaches_all".into())
    );
    assert_eq!(
        decide(&w, anna, &format!("customer_id={}", w.other)).await,
        (false, "not_reached".into())
    );

    // A user with no assignments sees all customers, and only its modules, never Pricing.
    assert_eq!(
        decide(&w, ben, &format!("customer_id={c1}")).await,
        (true, "whole_grouping".into())
    );
    assert_eq!(
        decide(&w, ben, "module=Tasks").await,
        (true, "granted".into())
    );
    assert_eq!(
        decide(&w, ben, "module=Customers").await,
        (false, "not_granted".into())
    );
    assert_eq!(
        decide(&w, ben, "module=Nope").await,
        (false, "unknown_module".into())
    );

    // Assign Ben customer 1 in North: North narrows to it; South stays whole.
    let (status, v) = set(
        &w,
        ben,
        json!({"customers": [{"partnership_id": w.north, "customer_id": c1}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(ids(&v["scope"]["customers"]), [c1, c2, c3]);
    let (_, v) = set(
        &w,
        ben,
        json!({"customers": [
            {"partnership_id": w.north, "customer_id": c1},
            {"partnership_id": w.south, "customer_id": c3}
        ]}),
    )
    .await;
    assert_eq!(ids(&v["scope"]["customers"]), [c1, c3]);
    assert_eq!(
        decide(&w, ben, &format!("customer_id={c1}")).await,
        (true, "assigned".into())
    );
    assert_eq!(
        decide(&w, ben, &format!("customer_id={c2}")).await,
        (false, "not_assigned".into())
    );
    // Both asked at once: the first that denies decides.
    let (allow, rule) = decide(&w, ben, &format!("customer_id={c1}&module=Pricing")).await;
    assert_eq!((allow, rule.as_str()), (false, "admin_only"));

    // A customer assigned in a partnership that does not hold it is refused, and nothing changes.
    let (status, v) = set(
        &w,
        ben,
        json!({"customers": [{"partnership_id": w.north, "customer_id": c3}]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(decide(&w, ben, &format!("customer_id={c3}")).await.0);

    // The scope's ETag holds until something it depends on changes.
    let (status, v) = w.api.get(&format!("/api/v1/accounts/{ben}/scope")).await;
    assert_eq!(status, StatusCode::OK);
    let etag = format!("\"{}\"", v["version"].as_str().unwrap());
    let scope_path = format!("/api/v1/accounts/{ben}/scope");
    assert_eq!(
        w.api.get_if_none_match(&scope_path, &etag).await,
        StatusCode::NOT_MODIFIED
    );
    // Customer 3 leaves South: Ben's scope changes at once, and so does the ETag.
    let (status, _) = w
        .api
        .put(
            &format!("/api/v1/partnerships/{}", w.south),
            &json!({"partner_id": w.partner, "name": "South", "customer_ids": [c2]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        w.api.get_if_none_match(&scope_path, &etag).await,
        StatusCode::OK
    );
    let (_, v) = w.api.get(&format!("/api/v1/accounts/{ben}/scope")).await;
    assert_eq!(ids(&v["customers"]), [c1]);
    assert_ne!(v["version"].as_str().unwrap(), &etag[1..etag.len() - 1]);

    // Customers chosen when granting; one outside its partnership is refused, nothing made.
    let dora = id_of(
        &w.api,
        "/api/v1/contacts",
        json!({"organization_id": w.partner, "name": "Dora", "email": "dora@partner.example"}),
    )
    .await;
    let before = app.count("portal_accounts").await;
    let (status, v) = w
        .api
        .post(
            "/api/v1/accounts",
            &json!({"contact_id": dora, "portal_id": w.partner_portal,
                    "customers": [{"partnership_id": w.north, "customer_id": w.other}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("customers"), "{v}");
    assert_eq!(app.count("portal_accounts").await, before);
    let (status, v) = w
        .api
        .post(
            "/api/v1/accounts",
            &json!({"contact_id": dora, "portal_id": w.partner_portal,
                    "customers": [{"partnership_id": w.north, "customer_id": c1}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let dora = v["id"].as_i64().unwrap();
    exec(
        &app,
        &format!("UPDATE portal_accounts SET registration = 'registered' WHERE id = {dora}"),
    )
    .await;
    let (_, v) = w.api.get(&format!("/api/v1/accounts/{dora}/scope")).await;
    assert_eq!(ids(&v["customers"]), [c1, c2]);

    // Marketing: marketing modules only, never customers.
    assert_eq!(
        decide(&w, mia, "module=Partner%20kit").await,
        (true, "granted".into())
    );
    assert_eq!(
        decide(&w, mia, &format!("customer_id={c1}")).await,
        (false, "marketing_sees_no_customers".into())
    );
    let (status, v) = set(&w, mia, json!({"modules": ["Tasks"]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

    // An account that may not log in sees nothing; an unknown one is denied.
    let (status, off) = w
        .api
        .post(
            &format!("/api/v1/accounts/{ben}/status"),
            &json!({"action": "switch_off", "notify": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(off["access_granted"], false);
    w.api.assert_reads_back("/api/v1/accounts", &off).await;
    assert_eq!(
        decide(&w, ben, &format!("customer_id={c1}")).await,
        (false, "cannot_log_in".into())
    );
    let (_, v) = w.api.get(&format!("/api/v1/accounts/{ben}/scope")).await;
    assert_eq!(v["customers"], json!([]));
    assert_eq!(
        decide(&w, 999_999, "module=Tasks").await,
        (false, "unknown_account".into())
    );
    assert_eq!(
        decide(
            &w,
            anna,
            &format!("module=Tasks&portal_id={}", w.customer_portal)
        )
        .await,
        (false, "unknown_account".into())
    );
    let (status, _) = w
        .api
        .get(&format!("/api/v1/decision?account_id={anna}"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // A customer organization: itself and its sub-accounts.
    let cara = account(
        &app,
        &w,
        w.parent,
        w.customer_portal,
        "cara@parent.example",
        "user",
        &["Invoices"],
    )
    .await;
    let (_, v) = w.api.get(&format!("/api/v1/accounts/{cara}/scope")).await;
    assert_eq!(ids(&v["customers"]), [w.parent, w.child]);
    let (status, v) = set(&w, cara, json!({"customers": [{"customer_id": w.child}]})).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        decide(&w, cara, &format!("customer_id={}", w.parent)).await,
        (false, "not_assigned".into())
    );
    assert_eq!(
        decide(&w, cara, &format!("customer_id={}", w.child)).await,
        (true, "assigned".into())
    );
}
both!(scopes, scopes_and_decisions);

async fn the_last_admin_stays(app: TestApp) {
    let w = world(&app).await;
    let anna = partner_account(&app, &w, "anna@partner.example", "admin", &[]).await;
    let ben = partner_account(&app, &w, "ben@partner.example", "user", &[]).await;
    let refused = |r: (StatusCode, Value)| {
        assert_eq!(r.0, StatusCode::CONFLICT, "{}", r.1);
        assert!(r.1.to_string().contains("last active admin"), "{}", r.1);
    };
    // Demote, deactivate, switch off, expire, decline, remove: each refused for the only admin.
    refused(set(&w, anna, json!({"role": "user"})).await);
    for body in [
        json!({"action": "deactivate", "notify": false}),
        json!({"action": "switch_off", "notify": false}),
        json!({"action": "set_valid_until", "valid_until": "2999-12-31", "notify": false}),
        json!({"action": "decline", "notify": false}),
    ] {
        refused(
            w.api
                .post(&format!("/api/v1/accounts/{anna}/status"), &body)
                .await,
        );
    }
    refused(w.api.delete(&format!("/api/v1/accounts/{anna}")).await);
    let (_, a) = w.api.get(&format!("/api/v1/accounts/{anna}")).await;
    assert_eq!(
        (
            a["role"].as_str(),
            a["lifecycle"].as_str(),
            a["access_granted"].as_bool()
        ),
        (Some("admin"), Some("active"), Some(true))
    );

    // With Ben an admin too, Anna may step down; then Ben is the last.
    assert_eq!(
        set(&w, ben, json!({"role": "admin"})).await.0,
        StatusCode::OK
    );
    assert_eq!(
        set(&w, anna, json!({"role": "user"})).await.0,
        StatusCode::OK
    );
    refused(set(&w, ben, json!({"role": "user"})).await);

    // Two requests at once demoting the two admins: exactly one succeeds.
    assert_eq!(
        set(&w, anna, json!({"role": "admin"})).await.0,
        StatusCode::OK
    );
    for _ in 0..3 {
        let (a, b) = tokio::join!(
            set(&w, anna, json!({"role": "user"})),
            set(&w, ben, json!({"role": "user"}))
        );
        let ok = [a.0, b.0].iter().filter(|s| **s == StatusCode::OK).count();
        assert_eq!(ok, 1, "{a:?} {b:?}");
        let (_, x) = w.api.get(&format!("/api/v1/accounts/{anna}")).await;
        let (_, y) = w.api.get(&format!("/api/v1/accounts/{ben}")).await;
        let admins = [x, y].iter().filter(|v| v["role"] == "admin").count();
        assert_eq!(admins, 1);
        // Both admins again for the next round.
        for id in [anna, ben] {
            assert_eq!(
                set(&w, id, json!({"role": "admin"})).await.0,
                StatusCode::OK
            );
        }
    }

    // The organization's only account may be removed: nobody is left to manage.
    let solo = account(
        &app,
        &w,
        w.parent,
        w.customer_portal,
        "solo@parent.example",
        "admin",
        &[],
    )
    .await;
    let (status, v) = w.api.delete(&format!("/api/v1/accounts/{solo}")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
}
both!(last_admin, the_last_admin_stays);

/// What a digest run reads for a whole batch at once (the reach of many organizations, the
/// assignments of many accounts) equals what is read for each alone.
async fn read_together_as_alone(app: TestApp) {
    use admit::storage::access;
    let w = world(&app).await;
    let [c1, _, c3] = w.c;
    let ben = partner_account(&app, &w, "ben@partner.example", "user", &[]).await;
    let cara = partner_account(&app, &w, "cara@partner.example", "user", &[]).await;
    let dora = account(
        &app,
        &w,
        w.parent,
        w.customer_portal,
        "d@parent.example",
        "user",
        &[],
    )
    .await;
    let (status, v) = set(
        &w,
        ben,
        json!({"customers": [
            {"partnership_id": w.north, "customer_id": c1},
            {"partnership_id": w.south, "customer_id": c3}
        ]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, v) = set(&w, dora, json!({"customers": [{"customer_id": w.child}]})).await;
    assert_eq!(status, StatusCode::OK, "{v}");

    let mut tx = app.cx.db.read().await.unwrap();
    let orgs = [w.partner, w.parent, w.child, w.other, c1, 999_999];
    let together = access::reach_of(&mut tx, &orgs).await.unwrap();
    for org in orgs {
        let alone = access::reach(&mut tx, org).await.unwrap();
        let read = together.get(&org).cloned().unwrap_or_default();
        assert_eq!(read, alone, "organization {org}");
    }
    assert!(!together[&w.partner].is_empty() && together[&w.parent].len() == 1);

    let accounts = [ben, cara, dora, 999_999];
    let together = access::assignments_of(&mut tx, &accounts).await.unwrap();
    for a in accounts {
        let alone = access::assignments(&mut tx, a).await.unwrap();
        let read = together.get(&a).cloned().unwrap_or_default();
        assert_eq!(read, alone, "account {a}");
    }
    assert_eq!(together[&ben].len(), 2);
    assert_eq!(together[&dora].len(), 1);
}
both!(read_together, read_together_as_alone);
