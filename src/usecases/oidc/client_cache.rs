//! The clients a process keeps for authenticating them at the token and introspection
//! endpoints, while nothing of any client has changed: the scope generation (which database
//! triggers raise with every committed change to clients and their URIs, as to the parts of a
//! scope) is read in the same statement as the token's grant, so a refresh or an introspection
//! then reads no client at all. Every process keeps its own; all of them read the generation
//! from the database, so a client deactivated or given a new secret in one process is read
//! again by every other at its next request.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::storage::oidc_clients::{ClientAuth, OidcClient};

#[derive(Default)]
pub struct ClientCache {
    clients: Mutex<HashMap<String, Kept>>,
}

struct Kept {
    generation: i64,
    client: OidcClient,
    secret_hash: Option<String>,
}

/// The most clients a process keeps; past it, it starts again from none.
const CLIENTS_KEPT: usize = 10_000;

impl ClientCache {
    /// The client `client_id` as read at `generation`, with `blocked_until` (the block of its
    /// throttling key, read by the caller in the same statement as the generation).
    pub fn get(
        &self,
        client_id: &str,
        generation: i64,
        blocked_until: Option<i64>,
    ) -> Option<ClientAuth> {
        let clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        clients
            .get(client_id)
            .filter(|k| k.generation == generation)
            .map(|k| ClientAuth {
                client: k.client.clone(),
                secret_hash: k.secret_hash.clone(),
                blocked_until,
            })
    }

    /// Keeps `found`, read after `generation` was: it is at least as new as that generation,
    /// and a change after it raises the generation, so it is never kept for one it predates.
    pub fn keep(&self, generation: i64, found: &ClientAuth) {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if clients.len() >= CLIENTS_KEPT {
            clients.clear();
        }
        clients.insert(
            found.client.client_id.clone(),
            Kept {
                generation,
                client: found.client.clone(),
                secret_hash: found.secret_hash.clone(),
            },
        );
    }
}
