//! Refresh-token rotations written together: each rotation must be durable before its new
//! token is answered, and a durable commit waits for the disk, so the rotations that arrive
//! while one commit is under way are written in the next one. One writer task per process
//! takes what is waiting (up to [`BATCH`]), writes them all on each one's terms (an old token
//! taken only while unused and its grant lives), commits once and answers each.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use tokio::sync::{mpsc, oneshot};

use crate::storage::Db;
use crate::storage::oidc_grants::{self as store, NewRefresh};
use crate::storage::sessions::{self, Kind};
use crate::usecases::{Error, Result};

/// The most rotations one commit writes.
pub const BATCH: usize = 256;

/// One rotation: the token given back, the one that replaces it, and the portal session to
/// mark as used (when it has not been for a minute).
pub struct Rotation {
    pub old_hash: String,
    pub new_hash: String,
    pub grant_id: i64,
    pub now: i64,
    pub expires_at: i64,
    pub touch_session: Option<String>,
}

struct Job {
    rotation: Rotation,
    answer: oneshot::Sender<Result<bool>>,
}

/// The process's rotation writer, started at its first rotation.
#[derive(Default)]
pub struct Rotations {
    queue: OnceLock<mpsc::Sender<Job>>,
}

impl Rotations {
    /// Writes `rotation` durably; `false` when its old token was used already (or at the same
    /// moment) or its grant has ended: then nothing was written for it.
    pub async fn rotate(&self, db: &Db, rotation: Rotation) -> Result<bool> {
        let queue = self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel(4 * BATCH);
            tokio::spawn(writer(db.clone(), rx));
            tx
        });
        let (answer, answered) = oneshot::channel();
        let gone = || Error::Internal(anyhow::anyhow!("the rotation writer has stopped"));
        queue
            .send(Job { rotation, answer })
            .await
            .map_err(|_| gone())?;
        answered.await.map_err(|_| gone())?
    }
}

async fn writer(db: Db, mut rx: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut jobs, BATCH).await > 0 {
        let taken = Arc::new(
            write(&db, jobs.iter().map(|j| &j.rotation))
                .await
                .map_err(|e| e.to_string()),
        );
        for (i, job) in jobs.drain(..).enumerate() {
            let answer = match taken.as_ref() {
                Ok(taken) => Ok(taken[i]),
                Err(e) => Err(Error::Internal(anyhow::anyhow!("{e}"))),
            };
            // The request may have gone (its client hung up): nothing to answer then.
            let _ = job.answer.send(answer);
        }
    }
}

/// Writes the rotations in one transaction, in two statements whatever their number (and one
/// per portal session to mark used): for each, whether its old token was taken. A token
/// given back twice in one batch is taken once, by the first.
async fn write(db: &Db, rotations: impl Iterator<Item = &Rotation>) -> Result<Vec<bool>> {
    let rotations: Vec<&Rotation> = rotations.collect();
    // The batch's time: its rotations arrived while the commit before it was under way.
    let now = rotations.iter().map(|r| r.now).max().unwrap_or_default();
    let old: Vec<&str> = rotations.iter().map(|r| r.old_hash.as_str()).collect();
    let mut tx = db.write().await?;
    let marked: HashSet<String> = store::use_refreshes(&mut tx, &old, now)
        .await?
        .into_iter()
        .collect();
    let mut first = HashSet::new();
    let taken: Vec<bool> = rotations
        .iter()
        .map(|r| marked.contains(&r.old_hash) && first.insert(r.old_hash.as_str()))
        .collect();
    let new: Vec<NewRefresh> = rotations
        .iter()
        .zip(&taken)
        .filter(|(_, taken)| **taken)
        .map(|(r, _)| NewRefresh {
            token_hash: &r.new_hash,
            grant_id: r.grant_id,
            created_at: r.now,
            expires_at: r.expires_at,
        })
        .collect();
    store::insert_refreshes(&mut tx, &new).await?;
    for (r, _) in rotations.iter().zip(&taken).filter(|(_, taken)| **taken) {
        if let Some(session) = &r.touch_session {
            sessions::touch(&mut tx, Kind::Portal, session, r.now).await?;
        }
    }
    tx.commit().await?;
    Ok(taken)
}
