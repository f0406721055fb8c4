//! `gloact token`: mint a token signed with the configured key, or revoke one.

use anyhow::Context;
use gloact_api::auth::{self, TokenService};
use gloact_api::config::Settings;
use gloact_domain::value::Code;
use gloact_domain::{Role, Scopes};

use super::database::{Database, existing_db};

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct TokenArgs {
    #[command(subcommand)]
    action: Option<TokenAction>,
    /// unodc, iom, eu or government.
    #[arg(long, required = true)]
    role: Option<String>,
    /// The organization's code, e.g. MOHA-BGD.
    #[arg(long, required = true)]
    org: Option<String>,
    /// Who the token is for.
    #[arg(long, required = true)]
    sub: Option<String>,
    /// Extra scopes, space-separated: pii, stats:exact, admin.
    #[arg(long, default_value = "")]
    scope: String,
    /// Lifetime, e.g. 15m, 1h, 7d.
    #[arg(long, default_value = "1h")]
    ttl: String,
}

#[derive(Debug, clap::Subcommand)]
enum TokenAction {
    /// Revoke a token by its jti: it gets 401 on every replica within about a second.
    Revoke {
        /// The token's `jti` claim.
        #[arg(long)]
        jti: String,
        /// Why, for the record.
        #[arg(long)]
        reason: Option<String>,
    },
}

/// Revokes the token named, or else mints one and prints it.
pub(crate) async fn run(settings: &Settings, args: TokenArgs) -> anyhow::Result<()> {
    match args {
        TokenArgs {
            action: Some(TokenAction::Revoke { jti, reason }),
            ..
        } => {
            let database = Database::open(settings).await?;
            let result = revoke(settings, &database.url, &jti, reason).await;
            database.close().await;
            result?;
            println!("revoked {jti}");
            Ok(())
        }
        TokenArgs {
            action: None,
            role,
            org,
            sub,
            scope,
            ttl,
        } => {
            let (Some(role), Some(org), Some(sub)) = (role, org, sub) else {
                anyhow::bail!("--role, --org and --sub are required");
            };
            if !gloact_domain::client::is_person_subject(&sub) {
                anyhow::bail!(
                    "--sub: a person's subject may not be empty nor start with client: or cli:"
                );
            }
            let role: Role = role.parse().map_err(|e| anyhow::anyhow!("--role: {e}"))?;
            let org = Code::parse(&org).map_err(|e| anyhow::anyhow!("--org: {e}"))?;
            let scopes = Scopes::parse(&scope).map_err(|e| anyhow::anyhow!("--scope: {e}"))?;
            let ttl = humantime::parse_duration(&ttl).context("--ttl, e.g. 15m, 1h or 7d")?;
            let ttl = chrono::Duration::from_std(ttl).context("--ttl is too long")?;
            let tokens = token_service(settings)?;
            let database = Database::open(settings).await?;
            let checked = check_holder(settings, &database.url, role, &org, &scopes).await;
            database.close().await;
            checked?;
            println!("{}", tokens.mint(&sub, role, &org, &scopes, ttl)?);
            Ok(())
        }
    }
}

/// The token service with the signing key: configured in production (file or environment);
/// generated into the data folder for the embedded default. Retired keys keep verifying.
pub(crate) fn token_service(settings: &Settings) -> anyhow::Result<TokenService> {
    let auth = &settings.auth;
    let key = match (&auth.signing_key_pem, &auth.signing_key_file) {
        (Some(pem), _) => auth::SigningKey::from_pem(pem.expose())?,
        (None, Some(path)) => auth::load_signing_key(path)?,
        (None, None) if settings.database_url.is_none() => {
            auth::load_or_generate_signing_key(&settings.signing_key_path())?
        }
        (None, None) => auth::load_signing_key(&settings.signing_key_path())?,
    };
    let retired = auth
        .retired_key_files
        .iter()
        .map(|path| auth::load_public_key(path))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(TokenService::new(key, auth)?.with_retired_keys(retired)?)
}

/// Refuses, before a token is printed, an organization that does not exist or whose kind the role
/// does not fit, and scopes the role can't hold.
async fn check_holder(
    settings: &Settings,
    url: &str,
    role: Role,
    org: &Code,
    scopes: &Scopes,
) -> anyhow::Result<()> {
    let db = existing_db(settings, url).await?;
    gloact_api::service::access::check_holder(&db, role, org, scopes)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// Revokes the token `jti` as the operator.
async fn revoke(
    settings: &Settings,
    url: &str,
    jti: &str,
    reason: Option<String>,
) -> anyhow::Result<()> {
    let db = existing_db(settings, url).await?;
    let max_ttl = chrono::Duration::seconds(
        i64::try_from(settings.auth.max_token_ttl_secs).unwrap_or(i64::MAX / 2),
    );
    gloact_api::service::access::revoke_as(
        &db,
        &gloact_api::service::access::operator(),
        jti,
        reason,
        max_ttl,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))
}
