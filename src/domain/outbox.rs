//! Where an e-mail is on its way through the outbox.

use super::column::string_enum;

string_enum!(
    /// `queued` until a worker takes it, `sending` while one holds it, then `sent`, or
    /// `retrying` after a failed attempt and `failed` after the last.
    OutboxStatus {
        Queued = "queued",
        Sending = "sending",
        Sent = "sent",
        Retrying = "retrying",
        Failed = "failed",
    }
);
