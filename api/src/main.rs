//! `gloact`: the GLO.ACT Partner API server and its administration commands.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use gloact_api::auth::{self, TokenService};
use gloact_api::config::Settings;
use gloact_api::server::Application;
use gloact_domain::value::Code;
use gloact_domain::{Role, Scopes};
use gloact_embedded_pg::{ClusterOptions, LocalCluster, Supervisor};
use gloact_persistence::seed::{self, SeedOutcome};
use gloact_persistence::{Db, migrate};

/// The GLO.ACT Partner API. Without DATABASE_URL it runs its own PostgreSQL cluster in the data
/// folder (default .gloact/) with demo data.
#[derive(Debug, Parser)]
#[command(name = "gloact", version, about)]
struct Cli {
    /// Settings file (default: gloact.toml when it exists).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
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

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
struct TokenArgs {
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

#[derive(Debug, Subcommand)]
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

#[derive(Debug, Subcommand)]
enum AuditAction {
    /// Recompute every event's hash and link; fails on the first event that was edited, removed
    /// or inserted, and prints the head (`SEQ:HASH`) to keep elsewhere for the next check.
    Verify {
        /// The head printed by an earlier check: fails when the chain no longer reaches it (events
        /// were cut off its end).
        #[arg(long)]
        expect_head: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum OrganizationAction {
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

#[derive(Debug, Subcommand)]
enum ClientAction {
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("gloact: {error}");
            return ExitCode::from(2);
        }
    };
    gloact_api::telemetry::init(settings.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("gloact: could not start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command.unwrap_or(Command::Serve), settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("gloact: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve(settings).await,
        Command::Migrate => {
            let database = Database::open(&settings).await?;
            let result = migrate(&database.url).await;
            database.close().await;
            println!("{} migrations applied", result?);
            Ok(())
        }
        Command::Seed => {
            let database = Database::open(&settings).await?;
            let result = seed_database(&settings, &database.url).await;
            database.close().await;
            match result? {
                SeedOutcome::Seeded => println!("demo data written"),
                SeedOutcome::AlreadySeeded => {
                    println!("demo data already present: nothing written")
                }
            }
            Ok(())
        }
        Command::Token(TokenArgs {
            action: Some(TokenAction::Revoke { jti, reason }),
            ..
        }) => {
            let database = Database::open(&settings).await?;
            let result = revoke(&settings, &database.url, &jti, reason).await;
            database.close().await;
            result?;
            println!("revoked {jti}");
            Ok(())
        }
        Command::Token(TokenArgs {
            action: None,
            role,
            org,
            sub,
            scope,
            ttl,
        }) => {
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
            let tokens = token_service(&settings)?;
            let database = Database::open(&settings).await?;
            let checked = check_holder(&settings, &database.url, role, &org, &scopes).await;
            database.close().await;
            checked?;
            println!("{}", tokens.mint(&sub, role, &org, &scopes, ttl)?);
            Ok(())
        }
        Command::Audit {
            action: AuditAction::Verify { expect_head },
        } => {
            let database = Database::open(&settings).await?;
            let result = verify_audit(&settings, &database.url, expect_head.as_deref()).await;
            database.close().await;
            result
        }
        Command::Organization {
            action:
                OrganizationAction::Add {
                    code,
                    name,
                    kind,
                    country,
                    parent,
                },
        } => {
            use gloact_domain::organization::NewOrganization;
            use gloact_domain::value::{CountryCode, Title};
            let new = NewOrganization {
                code: Code::parse(&code).map_err(|e| anyhow::anyhow!("--code: {e}"))?,
                name: Title::parse(&name).map_err(|e| anyhow::anyhow!("--name: {e}"))?,
                kind: kind.parse().map_err(|e| anyhow::anyhow!("--kind: {e}"))?,
                country: CountryCode::parse(&country)
                    .map_err(|e| anyhow::anyhow!("--country: {e}"))?,
                parent: parent
                    .map(|p| Code::parse(&p).map_err(|e| anyhow::anyhow!("--parent: {e}")))
                    .transpose()?,
                iati_ref: None,
            };
            let database = Database::open(&settings).await?;
            let result = add_organization(&settings, &database.url, &new).await;
            database.close().await;
            println!("{}", result?);
            Ok(())
        }
        Command::Client { action } => {
            let database = Database::open(&settings).await?;
            let result = manage_clients(&settings, &database.url, action).await;
            database.close().await;
            result
        }
        Command::Openapi => {
            println!("{}", gloact_api::server::openapi_json()?);
            Ok(())
        }
        Command::GraphqlSchema => {
            print!("{}", gloact_api::graphql::sdl());
            Ok(())
        }
        Command::Reseal => {
            // Read before the database starts: a missing key file is said plainly, at once.
            let key = settings.sealing_key()?;
            let database = Database::open(&settings).await?;
            let result = reseal(&settings, &database.url, &key).await;
            database.close().await;
            let (resealed, left) = result?;
            println!(
                "sealed again with key {}: {resealed} identities; {left} under other keys",
                key.id()
            );
            if left > 0 {
                anyhow::bail!(
                    "{left} identities were sealed with another key meanwhile: is a server still running with the old key as its key?"
                );
            }
            Ok(())
        }
        Command::Keygen { out, pii } => {
            if out.exists() {
                anyhow::bail!("{} exists; refusing to overwrite a key", out.display());
            }
            if pii {
                ensure_pii_key(&out)?;
                println!("wrote {}", out.display());
                return Ok(());
            }
            let key = auth::load_or_generate_signing_key(&out)?;
            println!("wrote {} (kid {})", out.display(), key.kid);
            Ok(())
        }
    }
}

/// How often the server checks that its embedded cluster still runs: a killed cluster is back
/// within about this long plus its recovery.
const CLUSTER_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// The database to use: `DATABASE_URL`'s server, or the embedded cluster.
struct Database {
    url: String,
    cluster: Option<LocalCluster>,
    /// The embedded cluster while it is watched (see [`Database::supervise`]).
    supervisor: Option<Supervisor>,
}

impl Database {
    async fn open(settings: &Settings) -> anyhow::Result<Self> {
        if let Some(url) = &settings.database_url {
            return Ok(Self {
                url: url.clone(),
                cluster: None,
                supervisor: None,
            });
        }
        let cluster = LocalCluster::start(ClusterOptions {
            data_dir: settings.data_dir.clone(),
            pg_bin_dir: settings
                .pg_bin_dir
                .clone()
                .or_else(|| std::env::var_os("PG_BIN_DIR").map(PathBuf::from)),
            fsync_off: false,
        })
        .await?;
        if let Err(error) = cluster.ensure_database("gloact").await {
            let _ = cluster.stop().await;
            return Err(error.into());
        }
        Ok(Self {
            url: cluster.url("gloact"),
            cluster: Some(cluster),
            supervisor: None,
        })
    }

    /// Whether this is the embedded cluster.
    fn embedded(&self) -> bool {
        self.cluster.is_some() || self.supervisor.is_some()
    }

    /// Watches the embedded cluster and starts it again when it dies, for as long as the server
    /// runs: without this, a killed cluster left the API answering 503 until restarted by hand.
    fn supervise(&mut self) {
        if let Some(cluster) = self.cluster.take() {
            self.supervisor = Some(cluster.supervise(CLUSTER_CHECK_EVERY));
        }
    }

    async fn close(mut self) {
        if let Some(supervisor) = self.supervisor.take() {
            match supervisor.stop().await {
                Ok(cluster) => self.cluster = Some(cluster),
                Err(error) => {
                    tracing::error!(%error, "the embedded PostgreSQL cluster's watch failed");
                }
            }
        }
        if let Some(cluster) = self.cluster
            && let Err(error) = cluster.stop().await
        {
            tracing::error!(%error, "could not stop the embedded PostgreSQL cluster");
        }
    }
}

/// The signing key: configured in production (file or environment); generated into the data
/// folder for the embedded default. Retired keys keep verifying.
fn token_service(settings: &Settings) -> anyhow::Result<TokenService> {
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

async fn seed_database(settings: &Settings, url: &str) -> anyhow::Result<SeedOutcome> {
    let db = migrated_db(settings, url).await?;
    Ok(seed::seed(&db).await?)
}

async fn migrated_db(settings: &Settings, url: &str) -> anyhow::Result<Db> {
    migrate(url).await?;
    Ok(Db::connect(&settings.db_settings(url.to_owned()))?)
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

async fn verify_audit(
    settings: &Settings,
    url: &str,
    expect_head: Option<&str>,
) -> anyhow::Result<()> {
    let db = existing_db(settings, url).await?;
    let tokens = token_service(settings)?;
    let verification = gloact_api::service::audit::verify(&db, &tokens).await?;
    let report = verification.chain;
    if let Some((seq, why)) = report.broken {
        anyhow::bail!(
            "audit trail broken at event {seq}: {why} ({} events before it are intact)",
            report.events
        );
    }
    let head = report.head.map(|(seq, hash)| format!("{seq}:{hash}"));
    if let Some(expected) = expect_head {
        let (seq, hash) = expected
            .split_once(':')
            .context("--expect-head is SEQ:HASH, as printed by an earlier check")?;
        let seq: i64 = seq.parse().context("--expect-head: SEQ is a number")?;
        let still_there = gloact_persistence::audit::hash_at(&db, seq).await?;
        if still_there.as_deref() != Some(hash) {
            anyhow::bail!(
                "audit trail broken: the head {expected} of an earlier check is gone or changed (events were cut off)"
            );
        }
    }
    if let [first, ..] = verification.bad_signatures.as_slice() {
        anyhow::bail!(
            "audit trail not vouched for: {} signed checkpoints (the first at event {first}) have a signature no known key verifies",
            verification.bad_signatures.len()
        );
    }
    println!(
        "audit trail intact: {} events, {} signed checkpoints verified, {} events not sealed yet",
        report.events,
        report.checkpoints.len(),
        report.unsealed
    );
    if let Some(head) = head {
        println!("head: {head}");
    }
    Ok(())
}

/// A connection to a database that must be migrated already: administration commands don't
/// change the schema of a server that may be in production.
/// Seals again every identity under a retired key; how many, and how many are under another
/// key than the current one afterwards.
async fn reseal(
    settings: &Settings,
    url: &str,
    key: &gloact_persistence::sealed::SealingKey,
) -> anyhow::Result<(u64, i64)> {
    use gloact_persistence::cases::{identities_not_under, reseal_identities};
    let db = existing_db(settings, url).await?;
    let operator = gloact_api::service::access::operator();
    let resealed = reseal_identities(&db, key, &operator).await?;
    Ok((resealed, identities_not_under(&db, key).await?))
}

async fn existing_db(settings: &Settings, url: &str) -> anyhow::Result<Db> {
    let pending = gloact_persistence::pending_migrations(url).await?;
    if pending > 0 {
        anyhow::bail!(
            "the database lacks {pending} migrations: run `gloact migrate` (or start the server) first"
        );
    }
    Ok(Db::connect(&settings.db_settings(url.to_owned()))?)
}

/// Adds an organization as the operator; its id.
async fn add_organization(
    settings: &Settings,
    url: &str,
    new: &gloact_domain::organization::NewOrganization,
) -> anyhow::Result<uuid::Uuid> {
    let db = existing_db(settings, url).await?;
    let audit = gloact_api::service::access::operator();
    let organization = gloact_persistence::organizations::create(&db, new, &audit).await?;
    Ok(organization.id.0)
}

async fn manage_clients(
    settings: &Settings,
    url: &str,
    action: ClientAction,
) -> anyhow::Result<()> {
    use gloact_api::service::access::{self, ClientRegistration};
    use gloact_domain::client::ClientId;
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

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let tokens = token_service(&settings)?;
    if settings.database_url.is_none() && settings.pii.key.is_none() {
        ensure_pii_key(&settings.pii_key_path())?;
    }
    // Checked before anything starts, so a missing key is said plainly.
    settings.sealing_key()?;
    let mut database = Database::open(&settings).await?;
    database.supervise();
    let result = serve_on(&settings, &database, tokens, started).await;
    database.close().await;
    result
}

async fn serve_on(
    settings: &Settings,
    database: &Database,
    tokens: TokenService,
    started: std::time::Instant,
) -> anyhow::Result<()> {
    let embedded = database.embedded();
    let applied = migrate(&database.url).await?;
    let db = Db::connect(&settings.db_settings(database.url.clone()))?;
    let db_for_purge = db.clone();
    if embedded && seed::seed(&db).await? == SeedOutcome::Seeded {
        tracing::info!("wrote the GLO.ACT-Bangladesh demo data");
    }
    let app =
        Application::build(settings, db, tokens.clone(), true).with_context(|| {
            match settings.metrics_listen {
                Some(metrics) => format!("could not listen on {} and {metrics}", settings.listen),
                None => format!("could not listen on {}", settings.listen),
            }
        })?;
    let base = settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}:{}", settings.listen.ip(), app.port()));
    tracing::info!(
        migrations_applied = applied,
        ready_ms = started.elapsed().as_millis() as u64,
        metrics_port = app.metrics_port(),
        "ready"
    );
    println!(
        "GLO.ACT Partner API ready in {} ms",
        started.elapsed().as_millis()
    );
    println!("  API:      {base}/api/v1");
    println!("  Docs:     {base}/docs/");
    println!("  OpenAPI:  {base}/api/openapi.json");
    println!("  GraphQL:  {base}/graphql");
    if embedded {
        print_demo_tokens(settings, &tokens)?;
    }
    // Revocations of expired tokens and idempotency keys past their day are of no use: forget
    // them hourly.
    let purge_db = db_for_purge;
    let purge = tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            if let Err(error) = gloact_persistence::revocations::purge_expired(&purge_db).await {
                tracing::warn!(%error, "could not purge expired revocations");
            }
            if let Err(error) = gloact_persistence::idempotency::purge_expired(&purge_db).await {
                tracing::warn!(%error, "could not purge expired idempotency keys");
            }
        }
    });
    app.run_until_stopped().await?;
    purge.abort();
    tracing::info!("stopped");
    Ok(())
}

/// Generates the key of identifying fields into the data folder for the embedded default, once.
fn ensure_pii_key(path: &std::path::Path) -> anyhow::Result<()> {
    if path.exists() {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("could not create {}", path.display()))?;
    std::io::Write::write_all(
        &mut file,
        gloact_persistence::sealed::SealingKey::generate_base64().as_bytes(),
    )?;
    tracing::info!(path = %path.display(), "generated a new key for identifying fields");
    Ok(())
}

fn print_demo_tokens(settings: &Settings, tokens: &TokenService) -> anyhow::Result<()> {
    let ttl = chrono::Duration::seconds(
        i64::try_from(settings.auth.demo_token_ttl_secs).unwrap_or(43_200),
    );
    println!(
        "Demo tokens (valid {}h; use as 'Authorization: Bearer <token>'):",
        ttl.num_hours()
    );
    for (role, org, sub) in [
        (Role::Unodc, "UNODC-BGD", "demo-unodc"),
        (Role::Iom, "IOM-BGD", "demo-iom"),
        (Role::Eu, "EU-DEL-BGD", "demo-eu"),
        (Role::Government, "MOHA-BGD", "demo-moha"),
    ] {
        let org = Code::parse(org).map_err(|e| anyhow::anyhow!("{e}"))?;
        println!(
            "  {:<11} {}",
            role.as_str(),
            tokens.mint(sub, role, &org, &Scopes::default(), ttl)?
        );
    }
    // A case worker who may read who the people of cases are (every read is audited).
    let iom = Code::parse("IOM-BGD").map_err(|e| anyhow::anyhow!("{e}"))?;
    let pii = Scopes::parse("pii").map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "  {:<11} {}",
        "iom+pii",
        tokens.mint("demo-iom-caseworker", Role::Iom, &iom, &pii, ttl)?
    );
    Ok(())
}
