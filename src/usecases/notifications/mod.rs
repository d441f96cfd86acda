//! Notifications, one file a capability:
//! - [`tasks`]: a portal's task categories, and the tasks the operator's systems post and close;
//! - [`preferences`]: each person's digest preferences (off, daily or weekly at 08:00 in their
//!   time zone, and the categories), for portal accounts and staff users;
//! - [`digests`]: the digests the scheduler makes when they fall due;
//! - [`digest_content`]: what a digest lists, each scope read once per run;
//! - [`unsubscribe`]: the one-click unsubscribe link of a digest.
//!
//! A digest is made once per person and period: the period's row (`digests`, unique per
//! subscription and period) is written in the same transaction as its outbox message and the
//! subscription's next due time, so a crash before the commit leaves the digest to be made
//! again, and a second process finds the period taken.

mod digest_content;
mod digests;
mod preferences;
mod tasks;
mod unsubscribe;

pub use digests::{Made, run_due};
pub use preferences::*;
pub use tasks::*;
pub use unsubscribe::*;

/// How long a digest's unsubscribe link works.
const UNSUBSCRIBE_LIFETIME_MS: i64 = 90 * 86_400_000;

/// How far back a failed message counts as a task.
const FAILED_MAIL_WINDOW_MS: i64 = 7 * 86_400_000;
