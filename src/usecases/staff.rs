//! Staff users: create, change role, areas and status (the last active administrator stays),
//! log in and out of the console with server-side sessions.

use serde::Serialize;

use super::{Actor, ActorKind, Ctx, Error, Result, Target, json, record};
use crate::domain::EmailAddress;
use crate::domain::staff::{self as rules, Scope, StaffRole};
use crate::domain::validation::{FieldErrors, required_text};
use crate::security::password_policy::PasswordContext;
use crate::security::tokens;
use crate::storage::sessions::{self, Kind, Session};
use crate::storage::staff::{self as store, StaffUser};
use crate::storage::{Tx, directory};

/// What the audit log keeps of a staff user (never the password hash).
#[derive(Serialize)]
struct StaffView<'a> {
    email: &'a str,
    name: &'a str,
    role: StaffRole,
    active: bool,
    area_ids: &'a [i64],
}

fn view(u: &StaffUser) -> Option<serde_json::Value> {
    json(&StaffView {
        email: &u.email,
        name: &u.name,
        role: u.role,
        active: u.active,
        area_ids: &u.area_ids,
    })
}

/// A staff user to create.
#[derive(Debug, Clone, Default)]
pub struct NewStaff {
    pub email: String,
    pub name: String,
    pub role: String,
    pub area_ids: Vec<i64>,
    pub password: String,
}

/// A change to a staff user.
#[derive(Debug, Clone, Default)]
pub struct StaffChange {
    pub name: String,
    pub role: String,
    pub active: bool,
    pub area_ids: Vec<i64>,
}

async fn check_areas(
    tx: &mut Tx,
    errors: &mut FieldErrors,
    role: Option<StaffRole>,
    areas: &[i64],
) -> Result<()> {
    for area in areas {
        if directory::get_area(tx, *area).await?.is_none() {
            errors.add(
                "area_ids",
                crate::catalog::Message::new("error-no-such-area").text("area", area.to_string()),
            );
        }
    }
    if role == Some(StaffRole::Supervisor) && areas.is_empty() {
        errors.add(
            "area_ids",
            crate::catalog::Message::new("error-supervisor-needs-area"),
        );
    }
    Ok(())
}

pub async fn create_staff(cx: &Ctx, actor: &Actor, input: &NewStaff) -> Result<StaffUser> {
    actor.require_admin()?;
    let mut errors = FieldErrors::new();
    let email = errors.take("email", EmailAddress::parse(&input.email));
    let name = match input.name.trim() {
        "" => email
            .as_ref()
            .map(|e| e.as_str().split('@').next().unwrap_or("").to_string()),
        n => errors.take("name", required_text(n, 200)),
    };
    let role = errors.take("role", StaffRole::parse(&input.role));
    let context = PasswordContext::new().name(&input.name).email(&input.email);
    if let Err(w) = cx.passwords.check(&input.password, &context).await {
        errors.add("password", w.message());
    }
    let mut areas = input.area_ids.clone();
    areas.sort_unstable();
    areas.dedup();
    if role == Some(StaffRole::Administrator) {
        areas.clear();
    }
    // Hash before taking the write lock: it takes a while.
    let hash = if errors.is_empty() {
        Some(cx.hasher.hash(&input.password).await?)
    } else {
        None
    };
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    check_areas(&mut tx, &mut errors, role, &areas).await?;
    errors.into_result()?;
    let email = email.expect("checked");
    if store::find_staff_by_email(&mut tx, email.as_str())
        .await?
        .is_some()
    {
        return Err(Error::conflict(
            "email",
            "a staff user with this e-mail exists",
        ));
    }
    let role = role.expect("checked");
    let id = store::insert_staff(
        &mut tx,
        email.as_str(),
        &name.unwrap_or_default(),
        role,
        &hash.unwrap_or_default(),
        now,
    )
    .await
    .map_err(|e| Error::from_write(e, "email"))?;
    store::set_staff_areas(&mut tx, id, &areas).await?;
    let user = store::get_staff(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("staff user"))?;
    record(
        &mut tx,
        now,
        actor,
        "staff.created",
        Target {
            kind: "staff",
            id: Some(id),
            label: &user.email,
        },
        None,
        view(&user),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

pub async fn list_staff(cx: &Ctx, actor: &Actor) -> Result<Vec<StaffUser>> {
    actor.require_admin()?;
    let mut tx = cx.db.read().await?;
    Ok(store::list_staff(&mut tx).await?)
}

pub async fn get_staff(cx: &Ctx, actor: &Actor, id: i64) -> Result<StaffUser> {
    let own = actor.kind == ActorKind::Staff && actor.id == Some(id);
    if !actor.admin && !own {
        return Err(Error::NotFound("staff user"));
    }
    let mut tx = cx.db.read().await?;
    store::get_staff(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("staff user"))
}

/// Changes a staff user's name, role, areas and status. Refused when it would leave no active
/// administrator, also when two such changes race. Deactivating ends the user's sessions.
pub async fn update_staff(
    cx: &Ctx,
    actor: &Actor,
    id: i64,
    change: &StaffChange,
) -> Result<StaffUser> {
    actor.require_admin()?;
    let mut errors = FieldErrors::new();
    let name = errors.take("name", required_text(&change.name, 200));
    let role = errors.take("role", StaffRole::parse(&change.role));
    let mut areas = change.area_ids.clone();
    areas.sort_unstable();
    areas.dedup();
    if role == Some(StaffRole::Administrator) {
        areas.clear();
    }
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    // Lock first, so that a concurrent change waits and then sees this one.
    let active_admins = store::lock_active_admins(&mut tx).await?;
    let before = store::get_staff(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("staff user"))?;
    check_areas(&mut tx, &mut errors, role, &areas).await?;
    errors.into_result()?;
    let role = role.expect("checked");
    let stays = role == StaffRole::Administrator && change.active;
    rules::check_admin_remains(id, stays, &active_admins).map_err(|m| Error::Refused(m.into()))?;
    let name = name.expect("checked");
    let next = Next {
        name: &name,
        role,
        active: change.active,
        area_ids: &areas,
    };
    write_change(tx, cx, actor, before, &next, now).await
}

/// What a staff user becomes.
pub(super) struct Next<'a> {
    pub name: &'a str,
    pub role: StaffRole,
    pub active: bool,
    pub area_ids: &'a [i64],
}

/// Writes a change already checked against the rules (under [`store::lock_active_admins`]),
/// with its audit event, and commits. When what the user may see changes, or they are
/// switched off, their sessions end. An unchanged user is returned as they are.
pub(super) async fn write_change(
    mut tx: Tx,
    cx: &Ctx,
    actor: &Actor,
    before: StaffUser,
    next: &Next<'_>,
    now: i64,
) -> Result<StaffUser> {
    let id = before.id;
    if before.name == next.name
        && before.role == next.role
        && before.active == next.active
        && before.area_ids == next.area_ids
    {
        return Ok(before);
    }
    store::update_staff(&mut tx, id, next.name, next.role, next.active, now).await?;
    store::set_staff_areas(&mut tx, id, next.area_ids).await?;
    if !next.active || before.role != next.role || before.area_ids != next.area_ids {
        // What they could see changed: make them log in again.
        sessions::delete_of(&mut tx, Kind::Staff, id, now).await?;
        super::impersonation::settle_in(&mut tx, &cx.mail, now).await?;
    }
    let after = store::get_staff(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("staff user"))?;
    let action = match (before.active, after.active) {
        (true, false) => "staff.deactivated",
        (false, true) => "staff.reactivated",
        _ => "staff.updated",
    };
    record(
        &mut tx,
        now,
        actor,
        action,
        Target {
            kind: "staff",
            id: Some(id),
            label: &after.email,
        },
        view(&before),
        view(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Sets a staff user's password (administrators for anyone, a user for themself with the
/// current password). Ends every session of that user but the caller's.
pub async fn set_password(
    cx: &Ctx,
    actor: &Actor,
    id: i64,
    current: Option<&str>,
    new_password: &str,
    keep_session: Option<&str>,
    device: Option<&str>,
) -> Result<()> {
    let own = actor.kind == ActorKind::Staff && actor.id == Some(id);
    if !actor.admin && !own {
        return Err(Error::NotFound("staff user"));
    }
    {
        let mut tx = cx.db.read().await?;
        let user = store::get_staff(&mut tx, id)
            .await?
            .ok_or(Error::NotFound("staff user"))?;
        drop(tx);
        // One's own current password is counted like a login.
        let check = super::limits::PasswordCheck::new(
            "console",
            &user.email,
            actor.client_addr.as_deref(),
            device,
        );
        let target = Target {
            kind: "staff",
            id: Some(id),
            label: &user.email,
        };
        let verify = cx
            .hasher
            .verify(current.unwrap_or(""), Some(&user.password_hash));
        let context = PasswordContext::new().name(&user.name).email(&user.email);
        cx.passwords
            .check(new_password, &context)
            .await
            .map_err(|w| Error::invalid("new_password", w.message()))?;
        if own
            && !check
                .current_password(cx, actor, target, "staff.password_check_failed", verify)
                .await?
        {
            return Err(Error::invalid(
                "current_password",
                "is not your current password",
            ));
        }
    }
    let hash = cx.hasher.hash(new_password).await?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let user = store::get_staff(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("staff user"))?;
    store::set_staff_password(&mut tx, id, &hash, now).await?;
    let sessions = sessions::of_owner(&mut tx, Kind::Staff, id).await?;
    for s in sessions {
        if Some(s.token_hash.as_str()) != keep_session {
            sessions::delete(&mut tx, Kind::Staff, &s.token_hash, now).await?;
        }
    }
    super::impersonation::settle_in(&mut tx, &cx.mail, now).await?;
    record(
        &mut tx,
        now,
        actor,
        "staff.password_changed",
        Target {
            kind: "staff",
            id: Some(id),
            label: &user.email,
        },
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- console sessions

#[derive(Debug, Clone)]
pub struct SessionPolicy {
    pub idle_ms: i64,
    pub absolute_ms: i64,
}

/// A fresh console session: the token goes into the cookie, only its hash into the database.
pub struct NewSession {
    pub token: String,
    pub user: StaffUser,
}

/// The answer to a login attempt. A wrong password and an unknown address are the same answer.
pub enum LoginOutcome {
    /// The session, and the browser's device cookie (see [`super::limits`]).
    LoggedIn(Box<NewSession>, String),
    WrongCredentials,
}

#[allow(clippy::too_many_arguments)]
pub async fn login(
    cx: &Ctx,
    policy: &SessionPolicy,
    email: &str,
    password: &str,
    previous_token: Option<&str>,
    client_addr: Option<String>,
    user_agent: Option<String>,
    device: Option<&str>,
) -> Result<LoginOutcome> {
    let check = super::limits::PasswordCheck::new("console", email, client_addr.as_deref(), device);
    let admitted = check.admit(cx).await?;
    let email = EmailAddress::parse(email).ok();
    let user = {
        let mut tx = cx.db.read().await?;
        match &email {
            Some(e) => store::find_staff_by_email(&mut tx, e.as_str()).await?,
            None => None,
        }
    };
    let password_ok = cx
        .hasher
        .verify(password, user.as_ref().map(|u| u.password_hash.as_str()))
        .await;
    let now = cx.now();
    let right = password_ok && user.as_ref().is_some_and(|u| u.active);
    let user = match user {
        Some(u) if right => u,
        other => {
            let mut tx = cx.db.write().await?;
            let label = email
                .as_ref()
                .map(|e| e.as_str())
                .unwrap_or("(not an address)");
            let actor = Actor {
                kind: ActorKind::System,
                id: None,
                label: label.to_string(),
                scope: Scope::Areas(vec![]),
                admin: false,
                client_addr: client_addr.clone(),
                team: None,
            };
            record(
                &mut tx,
                now,
                &actor,
                "staff.login_failed",
                Target {
                    kind: "staff",
                    id: other.as_ref().map(|u| u.id),
                    label,
                },
                None,
                None,
            )
            .await?;
            tx.commit().await?;
            return Ok(LoginOutcome::WrongCredentials);
        }
    };
    let token = tokens::new_token();
    let mut tx = cx.db.write().await?;
    let device = check.succeeded(&mut tx, admitted, now).await?;
    if let Some(prev) = previous_token {
        // The id changes at login: whatever session the browser had ends here.
        sessions::delete(&mut tx, Kind::Staff, &tokens::hash_token(prev), now).await?;
        super::impersonation::settle_in(&mut tx, &cx.mail, now).await?;
    }
    let agent: Option<String> = user_agent.map(|u| u.chars().take(300).collect());
    sessions::insert(
        &mut tx,
        Kind::Staff,
        &sessions::NewSession {
            token_hash: &tokens::hash_token(&token),
            owner_id: user.id,
            now,
            expires_at: now + policy.absolute_ms,
            client_addr: client_addr.as_deref(),
            user_agent: agent.as_deref(),
        },
    )
    .await?;
    crate::exec_tx!(&mut tx, |c| sqlx::query(
        "UPDATE staff_users SET last_login_at = $1 WHERE id = $2"
    )
    .bind(now)
    .bind(user.id)
    .execute(c)
    .await)?;
    // After the user's row is written (and locked): concurrent logins count in turn.
    super::sessions::keep_per_person(&mut tx, Kind::Staff, user.id, now).await?;
    let actor = staff_actor(&user, client_addr);
    record(
        &mut tx,
        now,
        &actor,
        "staff.logged_in",
        Target {
            kind: "staff",
            id: Some(user.id),
            label: &user.email,
        },
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(LoginOutcome::LoggedIn(
        Box::new(NewSession { token, user }),
        device,
    ))
}

/// The actor a logged-in staff user acts as.
pub fn staff_actor(user: &StaffUser, client_addr: Option<String>) -> Actor {
    let admin = user.is_admin();
    Actor {
        kind: ActorKind::Staff,
        id: Some(user.id),
        label: user.email.clone(),
        scope: if admin {
            Scope::All
        } else {
            Scope::Areas(user.area_ids.clone())
        },
        admin,
        client_addr,
        team: None,
    }
}

/// The staff user of a session token, when the session is alive; refreshes its idle timer.
pub async fn session_user(
    cx: &Ctx,
    policy: &SessionPolicy,
    token: &str,
) -> Result<Option<StaffUser>> {
    let hash = tokens::hash_token(token);
    let now = cx.now();
    let mut tx = cx.db.read().await?;
    let Some(session) = sessions::get(&mut tx, Kind::Staff, &hash).await? else {
        return Ok(None);
    };
    let user = store::get_staff(&mut tx, session.owner_id).await?;
    drop(tx);
    let expired = !session.alive(now, policy.idle_ms);
    match user {
        Some(u) if u.active && !expired => {
            // Write the idle timer at most once a minute.
            if now - session.last_seen_at > 60_000 {
                let mut tx = cx.db.write().await?;
                sessions::touch(&mut tx, Kind::Staff, &hash, now).await?;
                tx.commit().await?;
            }
            Ok(Some(u))
        }
        _ => {
            let mut tx = cx.db.write().await?;
            sessions::delete(&mut tx, Kind::Staff, &hash, now).await?;
            super::impersonation::settle_in(&mut tx, &cx.mail, now).await?;
            tx.commit().await?;
            Ok(None)
        }
    }
}

pub async fn logout(cx: &Ctx, actor: &Actor, token: &str) -> Result<()> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let hash = tokens::hash_token(token);
    // The impersonation opened from this session ends with it.
    crate::storage::impersonations::set_end_reason_of_staff_sessions(
        &mut tx,
        &[hash.as_str()],
        "staff_logged_out",
    )
    .await?;
    sessions::delete(&mut tx, Kind::Staff, &hash, now).await?;
    let settled = super::impersonation::settle_in(&mut tx, &cx.mail, now).await?;
    record(
        &mut tx,
        now,
        actor,
        "staff.logged_out",
        Target {
            kind: "staff",
            id: actor.id,
            label: &actor.label,
        },
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    if settled > 0 {
        cx.mail_wakeup.notify_one();
        cx.logout_wakeup.notify_one();
    }
    Ok(())
}

pub async fn list_sessions(cx: &Ctx, actor: &Actor) -> Result<Vec<Session>> {
    let id = actor.id.ok_or(Error::NotFound("staff user"))?;
    let mut tx = cx.db.read().await?;
    Ok(sessions::of_owner(&mut tx, Kind::Staff, id).await?)
}

/// Removes sessions past their idle or absolute limit.
pub async fn purge_sessions(cx: &Ctx, policy: &SessionPolicy) -> Result<u64> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let n = sessions::purge(&mut tx, Kind::Staff, now, now - policy.idle_ms).await?;
    super::impersonation::settle_in(&mut tx, &cx.mail, now).await?;
    tx.commit().await?;
    Ok(n)
}
