//! The connections for the hot reads ([`super::Db::reads`]), kept here rather than in sqlx's pool.
//!
//! sqlx's pool pings every connection given back to it, and on PostgreSQL every one it hands
//! out: for a read of a row or two by key (a token's grant, a client, an API key) that is two
//! or three round trips for one, and on SQLite each round trip is a switch to the connection's
//! own thread and back. A connection here is handed out and taken back without a ping.
//!
//! What the ping guards against: a connection that broke while in use (a server restart), or
//! that a cancelled request left in the middle of a statement. Here a connection is pinged
//! before it is handed out again only when its last reads were not seen to end well
//! ([`Reader::done`] not called: an error, a cancelled request, a path that does not say), or
//! when it has been idle for longer than [`IDLE_CHECK`]; one that fails the ping is closed.
//! Such a reader also has every idle connection checked, so that when the server restarts,
//! only the requests already under way fail.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use sqlx::{ConnectOptions, Connection};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// An idle connection unused for this long is pinged before it is handed out again.
const IDLE_CHECK: Duration = Duration::from_secs(30);

/// The reading connections to one database.
pub struct Readers<C: Connection> {
    options: C::Options,
    idle: Mutex<Vec<Idle<C>>>,
    permits: Arc<Semaphore>,
}

struct Idle<C> {
    conn: C,
    since: Instant,
    /// Its last reads ended well: no ping needed before the next.
    proven: bool,
}

impl<C> Readers<C>
where
    C: Connection + 'static,
    C::Options: ConnectOptions<Connection = C>,
{
    /// The readers of the database that `options` name, at most `max` connections at a time;
    /// one set per database in this process.
    pub fn of(key: String, options: &C::Options, max: u32) -> Arc<Self> {
        static ALL: LazyLock<Mutex<HashMap<String, Arc<dyn std::any::Any + Send + Sync>>>> =
            LazyLock::new(Default::default);
        let mut all = ALL.lock().unwrap_or_else(|e| e.into_inner());
        let key = format!("{}:{key}", std::any::type_name::<C>());
        let found = all
            .get(&key)
            .and_then(|r| r.clone().downcast::<Self>().ok());
        // A closed set (its database closed) is replaced when the database is opened again.
        if let Some(found) = found.filter(|r| !r.permits.is_closed()) {
            return found;
        }
        let made = Arc::new(Readers {
            options: options.clone(),
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(max.max(1) as usize)),
        });
        all.insert(key, made.clone());
        made
    }

    /// A connection: an idle one, or a new one while fewer than `max` are out.
    pub async fn get(self: &Arc<Self>) -> Result<Reader<C>, sqlx::Error> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        loop {
            let popped = self.lock().pop();
            let conn = match popped {
                Some(mut idle) => {
                    let check = !idle.proven || idle.since.elapsed() > IDLE_CHECK;
                    if check && idle.conn.ping().await.is_err() {
                        continue;
                    }
                    idle.conn
                }
                None => self.options.connect().await?,
            };
            return Ok(Reader {
                conn: Some(conn),
                home: self.clone(),
                done: false,
                _permit: permit,
            });
        }
    }

    /// Closes the idle connections; those out are closed as they come back.
    pub fn close(&self) {
        self.permits.close();
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Idle<C>>> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A connection out of [`Readers`]; it goes back when dropped.
pub struct Reader<C: Connection> {
    conn: Option<C>,
    home: Arc<Readers<C>>,
    done: bool,
    _permit: OwnedSemaphorePermit,
}

impl<C: Connection> Reader<C> {
    /// The reads ended well: the connection may serve the next.
    pub fn done(&mut self) {
        self.done = true;
    }
}

impl<C: Connection> std::ops::Deref for Reader<C> {
    type Target = C;
    fn deref(&self) -> &C {
        self.conn
            .as_ref()
            .expect("a reader's connection is taken only on drop")
    }
}

impl<C: Connection> std::ops::DerefMut for Reader<C> {
    fn deref_mut(&mut self) -> &mut C {
        self.conn
            .as_mut()
            .expect("a reader's connection is taken only on drop")
    }
}

impl<C: Connection> Drop for Reader<C> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        if !self.home.permits.is_closed() {
            let mut idle = self.home.idle.lock().unwrap_or_else(|e| e.into_inner());
            if !self.done {
                // Perhaps the server went away: every kept connection is checked before use.
                for other in idle.iter_mut() {
                    other.proven = false;
                }
            }
            idle.push(Idle {
                conn,
                since: Instant::now(),
                proven: self.done,
            });
        }
        // Otherwise (its database closed) dropped: sqlx closes the socket or ends the thread.
    }
}
