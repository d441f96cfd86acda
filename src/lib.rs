//! Admit decides which people at a business's customers and partners may log in to its
//! portals, and what each of them sees there.
//!
//! The layers, from the inside out:
//! - [`domain`]: the rules and types, pure functions with no I/O;
//! - [`usecases`]: one database transaction per action, writing the audit event with it;
//! - [`storage`]: SQL on SQLite and PostgreSQL, one set of queries for both;
//! - [`web`]: the surfaces: staff console, JSON API, health checks;
//! - [`catalog`]: the words people read, in English and German;
//! - [`cli`]: the `admit` binary's commands.
#![forbid(unsafe_code)]

pub mod app;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod jobs;
pub mod mail;
pub mod metrics;
pub mod security;
pub mod storage;
pub mod usecases;
pub mod web;
