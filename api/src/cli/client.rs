//! `gloact client`: register, list and disable partner clients (OAuth2 client credentials).

use gloact_api::config::Settings;
use gloact_api::service::access::{self, ClientRegistration};
use gloact_domain::Scopes;
use gloact_domain::client::ClientId;
use gloact_domain::value::Code;

use super::database::{Database, existing_db};

#[derive(Debug, clap::Subcommand)]
pub(crate) enum ClientAction {
    /// Register a client; its secret is printed once and kept only as a hash.
    Create {
        /// Its public id, e.g. eu-reporting.
        #[arg(long)]
        client_id: String,
        /// What system it is.
        #[arg(long)]
        name: String,
        /// The role its tokens carry: unodc, iom, eu or government.
        #[arg(long)]
        role: String,
        /// The organization its tokens carry, e.g. EU-DEL-BGD.
        #[arg(long)]
        org: String,
        /// The scopes it may ask for, space-separated.
        #[arg(long, default_value = "")]
        scope: String,
    },
    /// List the registered clients.
    List,
    /// Disable a client: it gets no more tokens.
    Disable {
        /// The client's id.
        #[arg(long)]
        client_id: String,
    },
}

/// Runs the client command on the database.
pub(crate) async fn run(settings: &Settings, action: ClientAction) -> anyhow::Result<()> {
    let database = Database::open(settings).await?;
    let result = manage_clients(settings, &database.url, action).await;
    database.close().await;
    result
}

async fn manage_clients(
    settings: &Settings,
    url: &str,
    action: ClientAction,
) -> anyhow::Result<()> {
    let db = existing_db(settings, url).await?;
    match action {
        ClientAction::Create {
            client_id,
            name,
            role,
            org,
            scope,
        } => {
            let registration = ClientRegistration {
                client_id: ClientId::parse(&client_id)
                    .map_err(|e| anyhow::anyhow!("--client-id: {e}"))?,
                name: gloact_domain::value::Title::parse(&name)
                    .map_err(|e| anyhow::anyhow!("--name: {e}"))?,
                role: role.parse().map_err(|e| anyhow::anyhow!("--role: {e}"))?,
                organization: Code::parse(&org).map_err(|e| anyhow::anyhow!("--org: {e}"))?,
                scopes: Scopes::parse(&scope).map_err(|e| anyhow::anyhow!("--scope: {e}"))?,
            };
            let (client, secret) =
                access::create_client(&db, registration, &access::operator()).await?;
            println!("client_id:     {}", client.client_id);
            println!("client_secret: {secret}");
            println!("(the secret is shown this once; only its hash is kept)");
        }
        ClientAction::List => {
            for client in gloact_persistence::clients::list(&db).await? {
                let state = if client.disabled {
                    "disabled"
                } else {
                    "active"
                };
                println!(
                    "{:<24} {:<10} {:<12} {:<8} {:<20} {}",
                    client.client_id.as_str(),
                    client.role.as_str(),
                    client.organization.as_str(),
                    state,
                    client.scopes.to_scope_string(),
                    client.name.as_str()
                );
            }
        }
        ClientAction::Disable { client_id } => {
            let id =
                ClientId::parse(&client_id).map_err(|e| anyhow::anyhow!("--client-id: {e}"))?;
            if !gloact_persistence::clients::disable(&db, &id, &access::operator()).await? {
                anyhow::bail!("no client {client_id}");
            }
            println!("disabled {client_id}");
        }
    }
    Ok(())
}
