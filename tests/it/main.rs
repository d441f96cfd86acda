//! The integration tests, as one binary: each module starts Admit with a database of its own,
//! on SQLite and on PostgreSQL (`common`, the harness, is compiled once for all of them).

#[macro_use]
mod common;

mod access;
mod access_list;
mod account_page;
mod accounts;
mod admin_only;
mod api;
mod audit_refusals;
mod backup;
mod bulk_actions;
mod catalog;
mod cli;
mod config_check;
mod console;
mod console_admin;
mod console_home;
mod contract;
mod demo;
mod hardening;
mod impersonation;
mod invitation_reach;
mod lists;
mod local_times;
mod mail;
mod mail_process;
mod mail_templates;
mod mailbox_banner;
mod metrics;
mod notification_pages;
mod notifications;
mod oidc;
mod oidc_backchannel;
mod oidc_clients;
mod oidc_clients_console;
mod oidc_keys;
mod openapi;
mod password_checks;
mod passwords;
mod portal;
mod portal_account;
mod protection;
mod registration;
mod sample_app;
mod schema;
mod secrets;
mod sessions;
mod smtp_tls;
mod staff;
mod staff_recovery;
mod team;
mod throttling;
mod undo;
mod upgrades;
