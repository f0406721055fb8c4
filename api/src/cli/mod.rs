//! The `gloact` command line: its commands, one module each, and the dispatch.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use gloact_api::config::Settings;

mod audit;
mod client;
mod database;
mod keygen;
mod migrate;
mod organization;
mod reseal;
mod seed;
mod serve;
mod token;

use audit::AuditAction;
use client::ClientAction;
use organization::OrganizationAction;
use token::TokenArgs;

/// The GLO.ACT Partner API. Without DATABASE_URL it runs its own PostgreSQL cluster in the data
/// folder (default .gloact/) with demo data.
#[derive(Debug, Parser)]
#[command(name = "gloact", version, about)]
pub(crate) struct Cli {
    /// Settings file (default: gloact.toml when it exists).
    #[arg(long, global = true)]
    pub(crate) config: Option<PathBuf>,
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Serve the API (the default).
    Serve,
    /// Run the database migrations, then exit.
    Migrate,
    /// Write the GLO.ACT-Bangladesh demo data unless it is there already, then exit.
    Seed,
    /// Mint a token signed with the configured key, or revoke one (`token revoke`).
    Token(TokenArgs),
    /// Add an organization (`organization add`): the first one, UNODC's, before any token can be
    /// minted, since a token names an organization that exists.
    Organization {
        #[command(subcommand)]
        action: OrganizationAction,
    },
    /// Register, list and disable partner clients (OAuth2 client credentials).
    Client {
        #[command(subcommand)]
        action: ClientAction,
    },
    /// Check the audit trail's hash chain (`audit verify`).
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Print the OpenAPI document of the routes this build serves (the contract in openapi/).
    Openapi,
    /// Print the GraphQL schema (SDL) this build serves (the contract in openapi/schema.graphql).
    GraphqlSchema,
    /// Write a new Ed25519 signing key (PKCS#8 PEM) to a file; with `--pii`, a key for the
    /// identifying fields of cases instead (32 random bytes in base64).
    Keygen {
        /// Where to write it; refused when the file exists.
        #[arg(long)]
        out: PathBuf,
        /// Write a key for identifying fields (`GLOACT_PII__KEY_FILE`).
        #[arg(long)]
        pii: bool,
    },
    /// Seal again, with the configured key for identifying fields, every identity sealed with a
    /// retired one (`pii.retired_key_files`): the last step of rotating that key.
    Reseal,
}

/// Runs one command to its end.
pub(crate) async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve::run(settings).await,
        Command::Migrate => migrate::run(&settings).await,
        Command::Seed => seed::run(&settings).await,
        Command::Token(args) => token::run(&settings, args).await,
        Command::Organization { action } => organization::run(&settings, action).await,
        Command::Client { action } => client::run(&settings, action).await,
        Command::Audit { action } => audit::run(&settings, action).await,
        Command::Openapi => {
            println!("{}", gloact_api::server::openapi_json()?);
            Ok(())
        }
        Command::GraphqlSchema => {
            print!("{}", gloact_api::graphql::sdl());
            Ok(())
        }
        Command::Keygen { out, pii } => keygen::run(&out, pii),
        Command::Reseal => reseal::run(&settings).await,
    }
}
