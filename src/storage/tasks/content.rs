//! What a digest lists besides the operator's tasks (read from their tallies, in
//! [`tallies`](super::tallies)): Admit's own tasks, read from the accounts, the invitations and
//! the outbox.

use std::collections::{BTreeSet, HashMap};

use sqlx::QueryBuilder;

use super::super::{Result, Tx};
use crate::on_tx;

/// One of Admit's own tasks: an account (or a message) and the count of all in its kind.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OwnTask {
    pub total: i64,
    pub id: i64,
    pub title: String,
    pub subject: String,
    /// The subject in German when it is a portal's name (an account of no organization) and
    /// the portal has a German name.
    pub subject_de: Option<String>,
    pub due_date: Option<i64>,
}

impl OwnTask {
    /// The subject in the language `code`.
    pub fn subject_in(&self, code: &str) -> &str {
        crate::domain::directory::name_in(&self.subject, self.subject_de.as_deref(), code)
    }
}

/// The kinds of Admit's own tasks read from the accounts (not `admit.mail_failed`).
const OWN_KINDS: [&str; 4] = [
    crate::domain::tasks::APPROVAL,
    crate::domain::tasks::ASSIGNMENT,
    crate::domain::tasks::INVITATION_EXPIRING,
    crate::domain::tasks::ACCESS_EXPIRING,
];

/// Whose accounts Admit's own tasks are about.
#[derive(Debug, Clone, Copy)]
pub enum OwnScope<'a> {
    /// Staff: accounts of contacts in these areas (`None`: every account).
    Areas(Option<&'a [i64]>),
    /// An organization admin: its organization's accounts on its portal.
    Team { organization: i64, portal: i64 },
}

/// The accounts of one of Admit's own categories (not `admit.mail_failed`): the first `per`
/// and the count. `now` in ms, `today` as a day number.
pub async fn own_tasks(
    tx: &mut Tx,
    key: &str,
    scope: OwnScope<'_>,
    now: i64,
    today: i64,
    per: i64,
) -> Result<Vec<OwnTask>> {
    use crate::domain::tasks as t;
    if !OWN_KINDS.contains(&key) {
        return Ok(Vec::new());
    }
    let due = if key == t::ACCESS_EXPIRING {
        "a.valid_until"
    } else {
        "CAST(NULL AS BIGINT)"
    };
    on_tx!(tx, |c| {
        let mut qb = QueryBuilder::new(
            "SELECT COUNT(*) OVER () AS total, a.id, a.email AS title, \
             COALESCE(o.name, p.name) AS subject, \
             CASE WHEN o.name IS NULL THEN p.name_de END AS subject_de, ",
        );
        qb.push(due).push(" AS due_date FROM ");
        match scope {
            // A team's: from the organization's contacts to their accounts (CROSS JOIN keeps
            // SQLite to that order; a scan of the portal's accounts would be thousands of
            // times longer).
            OwnScope::Team { .. } => qb.push(
                "contacts ct CROSS JOIN portal_accounts a JOIN portals p ON p.id = a.portal_id \
                 LEFT JOIN organizations o ON o.id = ct.organization_id \
                 WHERE a.contact_id = ct.id AND ",
            ),
            // Staff's: every account, with or without a contact.
            OwnScope::Areas(_) => qb.push(
                "portal_accounts a JOIN portals p ON p.id = a.portal_id \
                 LEFT JOIN contacts ct ON ct.id = a.contact_id \
                 LEFT JOIN organizations o ON o.id = ct.organization_id WHERE ",
            ),
        };
        push_kind(&mut qb, key, now, today);
        match scope {
            OwnScope::Areas(Some(areas)) => {
                qb.push(" AND o.area_id IN (NULL");
                for a in areas {
                    qb.push(", ").push_bind(*a);
                }
                qb.push(")");
            }
            OwnScope::Areas(None) => {}
            OwnScope::Team {
                organization,
                portal,
            } => {
                qb.push(" AND ct.organization_id = ")
                    .push_bind(organization)
                    .push(" AND a.portal_id = ")
                    .push_bind(portal);
            }
        }
        qb.push(" ORDER BY ")
            .push(if key == t::ACCESS_EXPIRING {
                "a.valid_until, a.id"
            } else {
                "a.id"
            })
            .push(" LIMIT ")
            .push_bind(per);
        qb.build_query_as().fetch_all(c).await
    })
}

/// The condition of one of Admit's own kinds of task on the accounts `a`.
fn push_kind<DB: sqlx::Database>(qb: &mut QueryBuilder<DB>, key: &str, now: i64, today: i64)
where
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    use crate::domain::tasks as t;
    match key {
        t::APPROVAL => {
            qb.push("a.registration = 'registered' AND a.approval = 'pending'");
        }
        t::ASSIGNMENT => {
            qb.push(
                "a.contact_id IS NULL AND a.registration = 'registered' \
                 AND a.approval <> 'declined'",
            );
        }
        t::INVITATION_EXPIRING => {
            qb.push(
                "a.registration = 'invited' AND a.lifecycle = 'active' \
                 AND EXISTS (SELECT 1 FROM account_tokens k WHERE k.account_id = a.id \
                 AND k.purpose = 'invitation' AND k.used_at IS NULL AND k.expires_at > ",
            )
            .push_bind(now)
            .push(" AND k.expires_at <= ")
            .push_bind(now + t::INVITATION_WINDOW_MS)
            .push(")");
        }
        _ => {
            qb.push("a.valid_until IS NOT NULL AND a.valid_until >= ")
                .push_bind(today)
                .push(" AND a.valid_until <= ")
                .push_bind(today + t::ACCESS_WINDOW_DAYS)
                .push(" AND a.lifecycle = 'active' AND a.access_granted = TRUE");
        }
    }
}

/// The own tasks of one kind for many teams (organization and portal) at once, as
/// [`own_tasks`] reads them for one: per team, the first `per` and the count (a team without
/// any is left out).
pub async fn own_tasks_of_teams(
    tx: &mut Tx,
    key: &str,
    teams: &[(i64, i64)],
    now: i64,
    today: i64,
    per: i64,
) -> Result<HashMap<(i64, i64), Vec<OwnTask>>> {
    use crate::domain::tasks as t;
    let mut out: HashMap<(i64, i64), Vec<OwnTask>> = HashMap::new();
    if !OWN_KINDS.contains(&key) {
        return Ok(out);
    }
    let due = if key == t::ACCESS_EXPIRING {
        "a.valid_until"
    } else {
        "CAST(NULL AS BIGINT)"
    };
    let order = if key == t::ACCESS_EXPIRING {
        "a.valid_until, a.id"
    } else {
        "a.id"
    };
    let organizations: Vec<i64> = teams
        .iter()
        .map(|(o, _)| *o)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for part in organizations.chunks(crate::storage::IN_LIST) {
        let rows: Vec<TeamTask> = on_tx!(tx, |c| {
            let mut qb = QueryBuilder::new(
                "SELECT * FROM (SELECT ct.organization_id AS organization, a.portal_id AS portal, \
                 COUNT(*) OVER (PARTITION BY ct.organization_id, a.portal_id) AS total, \
                 ROW_NUMBER() OVER (PARTITION BY ct.organization_id, a.portal_id ORDER BY ",
            );
            qb.push(order).push(
                ") AS place, a.id, a.email AS title, COALESCE(o.name, p.name) AS subject, \
                     CASE WHEN o.name IS NULL THEN p.name_de END AS subject_de, ",
            );
            qb.push(due).push(
                " AS due_date FROM contacts ct CROSS JOIN portal_accounts a \
                 JOIN portals p ON p.id = a.portal_id \
                 LEFT JOIN organizations o ON o.id = ct.organization_id \
                 WHERE a.contact_id = ct.id AND ",
            );
            push_kind(&mut qb, key, now, today);
            qb.push(" AND ct.organization_id IN (");
            let mut list = qb.separated(", ");
            for id in crate::storage::padded(part) {
                list.push_bind(id);
            }
            qb.push(")) AS listed WHERE place <= ").push_bind(per);
            qb.push(" ORDER BY organization, portal, place");
            qb.build_query_as().fetch_all(c).await
        })?;
        for r in rows {
            out.entry((r.organization, r.portal))
                .or_default()
                .push(OwnTask {
                    total: r.total,
                    id: r.id,
                    title: r.title,
                    subject: r.subject,
                    subject_de: r.subject_de,
                    due_date: r.due_date,
                });
        }
    }
    out.retain(|team, _| teams.contains(team));
    Ok(out)
}

/// A row of [`own_tasks_of_teams`].
#[derive(sqlx::FromRow)]
struct TeamTask {
    organization: i64,
    portal: i64,
    total: i64,
    id: i64,
    title: String,
    subject: String,
    subject_de: Option<String>,
    due_date: Option<i64>,
}

/// Messages that failed to send since `since`: the first `per` and the count.
pub async fn failed_messages(tx: &mut Tx, since: i64, per: i64) -> Result<Vec<OwnTask>> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT COUNT(*) OVER () AS total, id, recipient AS title, event AS subject, \
         CAST(NULL AS TEXT) AS subject_de, CAST(NULL AS BIGINT) AS due_date FROM outbox_messages \
         WHERE status = 'failed' AND updated_at >= $1 ORDER BY updated_at DESC, id DESC LIMIT $2"
    )
    .bind(since)
    .bind(per)
    .fetch_all(c)
    .await)
}
