//! Background work inside `admit serve`, safe with several processes on one PostgreSQL.

pub mod backchannel;
pub mod digests;
pub mod maintenance;
pub mod outbox;
