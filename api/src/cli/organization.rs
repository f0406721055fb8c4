//! `gloact organization add`: add an organization, the first one before any token can be minted.

use gloact_api::config::Settings;
use gloact_domain::organization::NewOrganization;
use gloact_domain::value::{Code, CountryCode, Title};

use super::database::{Database, existing_db};

#[derive(Debug, clap::Subcommand)]
pub(crate) enum OrganizationAction {
    /// Add an organization, on the audit trail as the operator; prints its id.
    Add {
        /// Its stable code, e.g. UNODC-BGD.
        #[arg(long)]
        code: String,
        /// Its full name.
        #[arg(long)]
        name: String,
        /// un_agency, international_org, donor, government or civil_society.
        #[arg(long)]
        kind: String,
        /// Where it sits: an ISO 3166-1 alpha-3 code, e.g. BGD.
        #[arg(long)]
        country: String,
        /// The code of the organization it belongs to.
        #[arg(long)]
        parent: Option<String>,
    },
}

/// Adds the organization described and prints its id.
pub(crate) async fn run(settings: &Settings, action: OrganizationAction) -> anyhow::Result<()> {
    let OrganizationAction::Add {
        code,
        name,
        kind,
        country,
        parent,
    } = action;
    let new = NewOrganization {
        code: Code::parse(&code).map_err(|e| anyhow::anyhow!("--code: {e}"))?,
        name: Title::parse(&name).map_err(|e| anyhow::anyhow!("--name: {e}"))?,
        kind: kind.parse().map_err(|e| anyhow::anyhow!("--kind: {e}"))?,
        country: CountryCode::parse(&country).map_err(|e| anyhow::anyhow!("--country: {e}"))?,
        parent: parent
            .map(|p| Code::parse(&p).map_err(|e| anyhow::anyhow!("--parent: {e}")))
            .transpose()?,
        iati_ref: None,
    };
    let database = Database::open(settings).await?;
    let result = add_organization(settings, &database.url, &new).await;
    database.close().await;
    println!("{}", result?);
    Ok(())
}

/// Adds an organization as the operator; its id.
async fn add_organization(
    settings: &Settings,
    url: &str,
    new: &NewOrganization,
) -> anyhow::Result<uuid::Uuid> {
    let db = existing_db(settings, url).await?;
    let audit = gloact_api::service::access::operator();
    let organization = gloact_persistence::organizations::create(&db, new, &audit).await?;
    Ok(organization.id.0)
}
