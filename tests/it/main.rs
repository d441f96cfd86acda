//! The integration tests, as one binary: each module starts Admit with a database of its own,
//! on SQLite and on PostgreSQL (`common`, the harness, is compiled once for all of them).

#[macro_use]
mod common;

mod access;
mod access_list;
mod accounts;
mod api;
mod cli;
mod console;
mod console_admin;
mod contract;
mod mail;
mod mail_process;
mod notification_pages;
mod notifications;
mod openapi;
mod passwords;
mod portal;
mod portal_account;
mod protection;
mod registration;
mod schema;
mod staff;
mod team;
