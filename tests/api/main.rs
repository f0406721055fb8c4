//! Black-box tests of the GLO.ACT Partner API: the real server over HTTP against a real
//! PostgreSQL, one database per test. One binary of modules keeps link time low.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod access;
mod activities;
mod attachments;
mod audit;
mod auth;
mod cases;
mod contract;
mod csv_export;
mod errors;
mod faults;
mod field_reports;
mod follow_ups;
mod graphql;
mod health;
mod htcds;
mod iati;
mod imports;
mod indicators;
mod keys;
mod links;
mod organizations;
mod pagination;
mod policy_matrix;
mod schema;
mod schemathesis;
mod seed;
mod statistics;
