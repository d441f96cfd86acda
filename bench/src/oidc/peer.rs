//! The peer: oidc-provider (`bench/oidc`, Node 22) started on a free port with the same number
//! of clients and the same redirect URI, stopped when dropped; and the processor time a
//! process used, to say how many cores each side took.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::Context;

use super::flow::Client;

/// oidc-provider's clients, as `bench/oidc/server.mjs` registers them.
pub(super) fn clients(n: usize) -> Vec<Client> {
    (1..=n)
        .map(|k| Client {
            id: format!("bench-client-{k}"),
            secret: format!("bench-secret-{k}"),
        })
        .collect()
}

pub(super) struct Peer {
    child: Child,
    pub issuer: String,
}

impl Peer {
    /// Starts `dir/start.sh PORT CLIENTS REDIRECT_URI` and waits for its issuer line.
    pub fn start(dir: &Path, clients: usize, redirect_uri: &str) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let script = dir.join("start.sh");
        let child = Command::new(&script)
            .args([port.to_string(), clients.to_string(), redirect_uri.into()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", script.display()))?;
        // Stopped when dropped, also when it prints no issuer.
        let mut peer = Peer {
            child,
            issuer: String::new(),
        };
        let stdout = peer.child.stdout.take().context("its output")?;
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        reader.read_line(&mut line)?;
        // Whatever it prints later is read and dropped: a closed pipe would stop it.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        peer.issuer = line
            .trim()
            .strip_prefix("issuer ")
            .map(str::to_string)
            .with_context(|| {
                format!(
                    "{} printed no issuer (`npm ci` in {} first?)",
                    script.display(),
                    dir.display()
                )
            })?;
        Ok(peer)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Processor seconds (user and system) that process `pid` used so far, from /proc (Linux);
/// zero where it cannot be read.
pub(super) fn cpu_seconds(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // The fields after the command name (which may hold spaces) in parentheses.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line; the rest begins with field 3.
    (ticks(11) + ticks(12)) / 100.0
}

/// How long this machine's disk takes to make a 4 KiB write durable now (`fdatasync`, as a
/// SQLite commit in WAL mode or a PostgreSQL commit does): `n` writes over a 1 MiB file in the
/// temporary folder, their p50 and p99 in milliseconds.
pub(super) async fn fsync_probe(n: usize) -> anyhow::Result<(f64, f64)> {
    tokio::task::spawn_blocking(move || {
        use std::io::{Seek, SeekFrom, Write};
        let path = std::env::temp_dir().join(format!("admit-bench-fsync-{}", std::process::id()));
        let mut f = std::fs::File::create(&path)?;
        f.write_all(&vec![0u8; 1 << 20])?;
        f.sync_all()?;
        let page = [7u8; 4096];
        let mut times = Vec::with_capacity(n);
        for i in 0..n {
            let t = std::time::Instant::now();
            f.seek(SeekFrom::Start(((i % 256) * 4096) as u64))?;
            f.write_all(&page)?;
            f.sync_data()?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        drop(f);
        let _ = std::fs::remove_file(&path);
        let t = crate::percentiles(times);
        Ok((t.p50, t.p99))
    })
    .await?
}
