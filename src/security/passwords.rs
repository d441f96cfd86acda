//! Argon2id password hashing (m=19456 KiB, t=2, p=1) on threads of its own, a bounded number
//! at once, at the lowest scheduling priority.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use argon2::password_hash::PasswordHasher as _;
use argon2::password_hash::phc::{Output, PasswordHash};
use argon2::{Algorithm, Argon2, Block, Params, Version};

fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

type Job = Box<dyn FnOnce() + Send>;

/// Hashes and verifies passwords on `limit` threads of its own, which take the waiting work
/// one after the other: a thread that finishes a hash starts the next at once, where handing
/// each to a pool and back left the cores idle for a moment every time. The threads end when
/// the last clone is dropped.
#[derive(Clone)]
pub struct PasswordHasher {
    jobs: mpsc::Sender<Job>,
    /// Verified against when the user is unknown, so that both answers take the same time.
    dummy_hash: Arc<String>,
}

impl PasswordHasher {
    pub fn new(limit: usize) -> Self {
        let dummy_hash = hash_blocking("admit-dummy-password-for-timing").expect("hashing works");
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..limit.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("admit-hash-{i}"))
                .spawn(move || {
                    yield_to_requests();
                    loop {
                        // The lock is held only while waiting for the next job.
                        let job = match queue.lock() {
                            Ok(q) => q.recv(),
                            Err(_) => return,
                        };
                        match job {
                            // A job that panics drops its answer (the caller sees an error)
                            // and the thread goes on.
                            Ok(job) => {
                                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                            }
                            Err(_) => return,
                        }
                    }
                })
                .expect("a hashing thread starts");
        }
        Self {
            jobs,
            dummy_hash: Arc::new(dummy_hash),
        }
    }

    /// Runs `f` on a hashing thread.
    async fn run<R: Send + 'static>(&self, f: impl FnOnce() -> R + Send + 'static) -> Option<R> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(f());
        });
        self.jobs.send(job).ok()?;
        result.await.ok()
    }

    pub async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let password = password.to_string();
        self.run(move || hash_blocking(&password))
            .await
            .ok_or_else(|| anyhow::anyhow!("the password hashing threads have stopped"))?
    }

    /// Checks `password` against `hash`; with `None` checks against a dummy hash and
    /// returns false, taking the same time.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> bool {
        let known = hash.is_some();
        let hash = hash.unwrap_or(&self.dummy_hash).to_string();
        let password = password.to_string();
        let ok = self
            .run(move || verify_blocking(&password, &hash))
            .await
            .unwrap_or(false);
        ok && known
    }
}

/// Puts the calling thread at the lowest priority (nice 19). A hash takes about 15 ms of a
/// core; every other step of a login (its pages, its statements, the code exchange) takes
/// well under one and waits for a core between its steps. At the same priority those steps
/// queued behind running hashes, the logins in flight stalled and the hashing threads then ran
/// dry: code-flow logins reached 55% of the Argon2id ceiling, at nice 19 about 64%. The hashes
/// still get every core that nothing else wants, and a flood of logins cannot slow the rest.
fn yield_to_requests() {
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::process::setpriority_process(Some(rustix::thread::gettid()), 19) {
        tracing::warn!(error = %e, "a password hashing thread keeps its priority");
    }
}

pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    argon2()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))
}

/// Argon2's working memory (19 MiB at our parameters), kept for the next verification: a new
/// allocation each time had to be zeroed (6 % of a verification's time) and came to a thread
/// whose caches held another. At most one per verification running at once is ever made.
static MEMORY: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// Runs `f` with working memory of at least `blocks` blocks.
fn with_memory<R>(blocks: usize, f: impl FnOnce(&mut [Block]) -> R) -> R {
    let kept = MEMORY.lock().unwrap_or_else(|e| e.into_inner()).pop();
    let mut memory = match kept {
        Some(m) if m.len() >= blocks => m,
        _ => vec![Block::default(); blocks],
    };
    let result = f(&mut memory);
    MEMORY
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(memory);
    result
}

/// Checks `password` against a PHC hash string, with the parameters the string names (as
/// `PasswordVerifier` does, in memory kept between verifications).
pub fn verify_blocking(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    // The output length is the stored hash's.
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let blocks = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    let mut buffer = [0u8; Output::MAX_LENGTH];
    let Some(out) = buffer.get_mut(..expected.len()) else {
        return false;
    };
    let hashed = with_memory(blocks, |memory| {
        argon2.hash_password_into_with_memory(password.as_bytes(), salt.as_ref(), out, memory)
    });
    // Output's equality is constant-time.
    hashed.is_ok() && Output::new(out).is_ok_and(|computed| computed == *expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_argon2id() {
        let h = hash_blocking("correct horse battery staple").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_blocking("correct horse battery staple", &h));
        assert!(!verify_blocking("correct horse battery stapl", &h));
        assert!(!verify_blocking("x", "not a hash"));
        assert!(!verify_blocking(
            "x",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$"
        ));
    }

    #[test]
    fn hashes_made_with_other_parameters_still_verify() {
        // Argon2id and Argon2i, smaller and larger memory than ours, another output length.
        for (algorithm, m, t, len) in [
            (Algorithm::Argon2id, 8_192, 1, 32),
            (Algorithm::Argon2i, 4_096, 3, 16),
            (Algorithm::Argon2id, 32_768, 1, 64),
        ] {
            let params = Params::new(m, t, 1, Some(len)).unwrap();
            let h = Argon2::new(algorithm, Version::V0x13, params)
                .hash_password(b"correct horse battery staple")
                .unwrap()
                .to_string();
            assert!(verify_blocking("correct horse battery staple", &h), "{h}");
            assert!(!verify_blocking("correct horse battery stapler", &h), "{h}");
        }
        // Our own again, after the larger memory was kept.
        let h = hash_blocking("another password entirely").unwrap();
        assert!(verify_blocking("another password entirely", &h));
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_threads_run_at_the_lowest_priority() {
        let hasher = PasswordHasher::new(2);
        let h = hasher.hash("a password to hash").await.unwrap();
        assert!(hasher.verify("a password to hash", Some(&h)).await);
        let mut seen = 0;
        for task in std::fs::read_dir("/proc/self/task").unwrap() {
            let path = task.unwrap().path();
            let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
            if !comm.starts_with("admit-hash-") {
                continue;
            }
            // Field 19 of stat is the nice value; the name (field 2) ends with ')'.
            let stat = std::fs::read_to_string(path.join("stat")).unwrap();
            let after_name = &stat[stat.rfind(')').unwrap() + 2..];
            let nice: i32 = after_name.split(' ').nth(16).unwrap().parse().unwrap();
            assert_eq!(nice, 19, "{comm}");
            seen += 1;
        }
        assert!(seen >= 2, "hashing threads found: {seen}");
    }
}
