//! Rate limits and lockouts as plain arithmetic: how a counter changes with each attempt, and
//! whether it blocks. Pure: the caller passes the time and stores the counter.

/// How many attempts a key may make in a window, and how long it is blocked after that. Each
/// block in a row (a strike) doubles the time, up to `max_block_ms`; a quiet spell of four
/// windows forgives the strikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub max: i64,
    pub window_ms: i64,
    pub block_ms: i64,
    pub max_block_ms: i64,
}

const MINUTE: i64 = 60_000;

impl Rule {
    /// Login attempts from one client, any address: a flood is slowed before any password is
    /// hashed.
    pub const LOGIN_PER_CLIENT: Rule = Rule {
        max: 60,
        window_ms: 5 * MINUTE,
        block_ms: 5 * MINUTE,
        max_block_ms: 15 * MINUTE,
    };
    /// Failed logins for one address from one client: a minute's lock after five, then two,
    /// four… at most fifteen.
    pub const LOGIN_FAILURES: Rule = Rule {
        max: 5,
        window_ms: 15 * MINUTE,
        block_ms: MINUTE,
        max_block_ms: 15 * MINUTE,
    };
    /// Failed logins for one address from anywhere: guessing from many clients is slowed. A
    /// browser that logged in as the address before is not held by it (its device cookie has
    /// a count of its own); a new browser waits five minutes at most.
    pub const LOGIN_FAILURES_ANYWHERE: Rule = Rule {
        max: 20,
        window_ms: 60 * MINUTE,
        block_ms: MINUTE,
        max_block_ms: 5 * MINUTE,
    };
    /// Registrations, password-reset and new-link requests from one client.
    pub const MAIL_PER_CLIENT: Rule = Rule {
        max: 20,
        window_ms: 60 * MINUTE,
        block_ms: 30 * MINUTE,
        max_block_ms: 60 * MINUTE,
    };
    /// Registrations, password-reset and new-link requests for one address: no mail bombing.
    pub const MAIL_PER_ADDRESS: Rule = Rule {
        max: 5,
        window_ms: 60 * MINUTE,
        block_ms: 30 * MINUTE,
        max_block_ms: 60 * MINUTE,
    };
}

/// A key's counter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counter {
    pub window_start: i64,
    pub hits: i64,
    pub strikes: i64,
    pub blocked_until: Option<i64>,
}

impl Counter {
    /// Until when the key is blocked at `now`, if it is.
    pub fn blocked(&self, now: i64) -> Option<i64> {
        self.blocked_until.filter(|&until| until > now)
    }

    /// Counts an attempt at `now`: the new counter, or until when the key is blocked (and the
    /// attempt is not counted). The attempt that reaches `max` is let through and starts the
    /// block for the ones after it.
    pub fn hit(&self, now: i64, rule: &Rule) -> Result<Counter, i64> {
        if let Some(until) = self.blocked(now) {
            return Err(until);
        }
        let mut next = *self;
        next.blocked_until = None;
        let since = now - self.window_start;
        // An attempt timed before the window began (counted after a later one) counts in it.
        if since >= rule.window_ms {
            if since >= 4 * rule.window_ms {
                next.strikes = 0;
            }
            next.window_start = now;
            next.hits = 0;
        }
        next.hits += 1;
        if next.hits >= rule.max {
            next.strikes += 1;
            let shift = (next.strikes - 1).clamp(0, 20) as u32;
            let block = rule
                .block_ms
                .saturating_mul(1 << shift)
                .min(rule.max_block_ms);
            next.blocked_until = Some(now + block);
            next.hits = 0;
            next.window_start = now;
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn five_failures_lock_for_a_minute_then_longer() {
        let rule = Rule::LOGIN_FAILURES;
        let mut c = Counter::default();
        let t0 = 1_000_000;
        for i in 0..5 {
            c = c.hit(t0 + i, &rule).expect("let through");
        }
        assert_eq!(c.blocked(t0 + 5), Some(t0 + 4 + MINUTE));
        assert!(c.hit(t0 + 10, &rule).is_err());
        // After the minute, five more failures lock for two.
        let t1 = t0 + 2 * MINUTE;
        for i in 0..5 {
            c = c.hit(t1 + i, &rule).expect("let through");
        }
        assert_eq!(c.blocked(t1 + 5), Some(t1 + 4 + 2 * MINUTE));
    }

    #[test]
    fn a_quiet_spell_forgives() {
        let rule = Rule::LOGIN_FAILURES;
        let mut c = Counter::default();
        for i in 0..5 {
            c = c.hit(i, &rule).unwrap();
        }
        assert_eq!(c.strikes, 1);
        let later = 5 * rule.window_ms;
        c = c.hit(later, &rule).unwrap();
        assert_eq!((c.strikes, c.hits), (0, 1));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Whatever the attempts, a block never outlasts the rule's longest, and a counter never
        /// holds `max` attempts without a block.
        #[test]
        fn blocks_are_bounded(gaps in proptest::collection::vec(0i64..200_000, 1..200)) {
            for rule in [Rule::LOGIN_FAILURES, Rule::LOGIN_FAILURES_ANYWHERE, Rule::MAIL_PER_ADDRESS] {
                let mut c = Counter::default();
                let mut now = 10_000_000;
                for g in &gaps {
                    now += g;
                    match c.hit(now, &rule) {
                        Ok(next) => c = next,
                        Err(until) => {
                            prop_assert!(until > now);
                            prop_assert!(until - now <= rule.max_block_ms);
                        }
                    }
                    prop_assert!(c.hits < rule.max);
                    if let Some(until) = c.blocked_until {
                        prop_assert!(until - now <= rule.max_block_ms);
                    }
                }
            }
        }
    }
}
