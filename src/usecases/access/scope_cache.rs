//! The scopes a process keeps for the tokens' `admit` claim, while nothing they are made of
//! has changed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{ScopeView, scope_in};
use crate::clock::today;
use crate::domain::account::Role;
use crate::storage::Tx;
use crate::storage::accounts::{self as accounts_store, PortalAccount};
use crate::usecases::Result;

/// Scopes computed lately, one per account, each kept while the scope generation (a number
/// the database raises with every change to modules, assignments, organizations and
/// partnerships) and the account's own facts (portal, organization, role, whether it may log
/// in) stay what they were: a token refresh or a userinfo request then reads no more than
/// its account. Every process keeps its own; all of them read the generation from the
/// database.
#[derive(Default)]
pub struct ScopeCache {
    scopes: Mutex<HashMap<i64, Cached>>,
}

struct Cached {
    generation: i64,
    facts: (i64, Option<i64>, Role, bool),
    scope: Arc<ScopeView>,
}

/// The most scopes a process keeps; past it, it starts again from none.
const SCOPES_KEPT: usize = 100_000;

impl ScopeCache {
    /// The scope of `a` (read without its modules) at `generation`, which the caller read
    /// before anything else of the account: a change after it raises it, so a scope computed
    /// from later reads is never kept under an older generation than its own.
    pub(crate) async fn scope(
        &self,
        tx: &mut Tx,
        a: &PortalAccount,
        generation: i64,
        now: i64,
    ) -> Result<Arc<ScopeView>> {
        let facts = (
            a.portal_id,
            a.organization_id,
            a.role,
            a.may_log_in(today(now)),
        );
        {
            let scopes = self.scopes.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(c) = scopes.get(&a.id)
                && c.generation == generation
                && c.facts == facts
            {
                return Ok(c.scope.clone());
            }
        }
        let mut account = a.clone();
        accounts_store::fill_modules(tx, std::slice::from_mut(&mut account)).await?;
        let scope = Arc::new(scope_in(tx, &account, now).await?);
        let mut scopes = self.scopes.lock().unwrap_or_else(|e| e.into_inner());
        if scopes.len() >= SCOPES_KEPT {
            scopes.clear();
        }
        let newer = scopes.get(&a.id).is_some_and(|c| c.generation > generation);
        if !newer {
            scopes.insert(
                a.id,
                Cached {
                    generation,
                    facts,
                    scope: scope.clone(),
                },
            );
        }
        Ok(scope)
    }
}
