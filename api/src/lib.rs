//! The GLO.ACT Partner API: configuration, tokens, the service layer, the input both transports
//! parse, the REST and GraphQL transports, metrics, logs and the server. The `gloact` binary
//! (src/main.rs, a module per command in src/cli/) is a thin command line over this library,
//! which the black-box tests also use to start the real server.

pub mod auth;
pub mod config;
pub mod error;
pub mod graphql;
pub mod input;
pub mod metrics;
pub mod rest;
pub mod server;
pub mod service;
pub mod telemetry;
