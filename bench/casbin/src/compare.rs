//! One size of the comparison: casbin loaded with the first rules, the same questions asked of
//! Admit and of casbin, their latencies and any disagreement.

use std::sync::Arc;
use std::time::Instant;

use admit::usecases::{Actor, Ctx};
use admit_bench::{Timings, percentiles};
use casbin::{CoreApi, DefaultModel, Enforcer};

use crate::adapter::Rules;
use crate::model::{MODEL, Rule};
use crate::questions::Question;

/// What stays the same from one size to the next.
pub struct Run<'a> {
    pub cx: &'a Ctx,
    pub actor: &'a Actor,
    /// Every organization's rules, in the order sizes take them.
    pub rules: Arc<Vec<Rule>>,
    pub names: Arc<Vec<String>>,
    pub seconds: f64,
    pub min_samples: usize,
}

/// The figures of one size.
pub struct Figures {
    pub casbin: Timings,
    pub admit: Timings,
    /// The questions casbin answered in its time.
    pub asked: usize,
    /// Seconds to load casbin's rules.
    pub load: f64,
    pub mismatches: usize,
    pub rss: f64,
}

impl Run<'_> {
    /// casbin with the first `take` rules, asked `qs` beside Admit.
    pub async fn size(&self, take: usize, qs: &[Question]) -> anyhow::Result<Figures> {
        let start = Instant::now();
        let model = DefaultModel::from_str(MODEL).await?;
        let enforcer = Enforcer::new(
            model,
            Rules {
                rules: self.rules.clone(),
                names: self.names.clone(),
                take,
            },
        )
        .await?;
        let load = start.elapsed().as_secs_f64();

        // Admit: every question once, one after the other (the database is the whole one).
        let mut admit_ms = Vec::with_capacity(qs.len());
        let mut admit_allow = Vec::with_capacity(qs.len());
        for q in qs {
            let t = Instant::now();
            let d = admit::usecases::access::decide(self.cx, self.actor, &q.admit)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            admit_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            admit_allow.push(d.allow);
        }
        // casbin: the same questions, for `seconds` (at least `min_samples` of them).
        let mut casbin_ms = Vec::new();
        let mut mismatches = 0usize;
        let mut shown = 0;
        let deadline = Instant::now() + std::time::Duration::from_secs_f64(self.seconds);
        for (q, admit) in qs.iter().zip(&admit_allow) {
            if casbin_ms.len() >= self.min_samples && Instant::now() >= deadline {
                break;
            }
            let (sub, dom, obj) = &q.casbin;
            let t = Instant::now();
            let allow = enforcer.enforce((sub.as_str(), dom.as_str(), obj.as_str(), "see"))?;
            casbin_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            if allow != *admit {
                mismatches += 1;
                if shown < 5 {
                    shown += 1;
                    eprintln!(
                        "mismatch: {:?}: Admit {admit}, casbin {allow} ({sub}, {dom}, {obj})",
                        q.admit
                    );
                }
            }
        }
        let asked = casbin_ms.len();
        let rss = rss_mib();
        drop(enforcer);
        Ok(Figures {
            casbin: percentiles(casbin_ms),
            admit: percentiles(admit_ms),
            asked,
            load,
            mismatches,
            rss,
        })
    }
}

/// This process's resident memory, in MiB.
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map(|pages| pages * 4096.0 / 1048576.0)
        .unwrap_or(0.0)
}
