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
use gloact_persistence::cluster::{ClusterOptions, LocalCluster};
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
    /// Mint a token signed with the configured key.
    Token {
        /// unodc, iom, eu or government.
        #[arg(long)]
        role: String,
        /// The organization's code, e.g. MOHA-BGD.
        #[arg(long)]
        org: String,
        /// Who the token is for.
        #[arg(long)]
        sub: String,
        /// Extra scopes, space-separated: pii, stats:exact, admin.
        #[arg(long, default_value = "")]
        scope: String,
        /// Lifetime, e.g. 15m, 1h, 7d.
        #[arg(long, default_value = "1h")]
        ttl: String,
    },
    /// Print the OpenAPI document of the routes this build serves (the contract in openapi/).
    Openapi,
    /// Write a new Ed25519 signing key (PKCS#8 PEM) to a file.
    Keygen {
        /// Where to write it; refused when the file exists.
        #[arg(long)]
        out: PathBuf,
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
        Command::Token {
            role,
            org,
            sub,
            scope,
            ttl,
        } => {
            let role: Role = role.parse().map_err(|e| anyhow::anyhow!("--role: {e}"))?;
            let org = Code::parse(&org).map_err(|e| anyhow::anyhow!("--org: {e}"))?;
            let scopes = Scopes::parse(&scope).map_err(|e| anyhow::anyhow!("--scope: {e}"))?;
            let ttl = humantime::parse_duration(&ttl).context("--ttl, e.g. 15m, 1h or 7d")?;
            let ttl = chrono::Duration::from_std(ttl).context("--ttl is too long")?;
            let tokens = token_service(&settings)?;
            println!("{}", tokens.mint(&sub, role, &org, &scopes, ttl)?);
            Ok(())
        }
        Command::Openapi => {
            println!("{}", gloact_api::server::openapi_json()?);
            Ok(())
        }
        Command::Keygen { out } => {
            if out.exists() {
                anyhow::bail!("{} exists; refusing to overwrite a key", out.display());
            }
            let key = auth::load_or_generate_signing_key(&out)?;
            println!("wrote {} (kid {})", out.display(), key.kid);
            Ok(())
        }
    }
}

/// The database to use: `DATABASE_URL`'s server, or the embedded cluster.
struct Database {
    url: String,
    cluster: Option<LocalCluster>,
}

impl Database {
    async fn open(settings: &Settings) -> anyhow::Result<Self> {
        if let Some(url) = &settings.database_url {
            return Ok(Self {
                url: url.clone(),
                cluster: None,
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
        })
    }

    async fn close(self) {
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
    migrate(url).await?;
    let db = Db::connect(&settings.db_settings(url.to_owned()))?;
    Ok(seed::seed(&db).await?)
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let tokens = token_service(&settings)?;
    let database = Database::open(&settings).await?;
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
    let embedded = database.cluster.is_some();
    let applied = migrate(&database.url).await?;
    let db = Db::connect(&settings.db_settings(database.url.clone()))?;
    if embedded && seed::seed(&db).await? == SeedOutcome::Seeded {
        tracing::info!("wrote the GLO.ACT-Bangladesh demo data");
    }
    let app = Application::build(settings, db, tokens.clone(), true)
        .with_context(|| format!("could not listen on {}", settings.listen))?;
    let base = settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}:{}", settings.listen.ip(), app.port()));
    tracing::info!(
        migrations_applied = applied,
        ready_ms = started.elapsed().as_millis() as u64,
        "ready"
    );
    println!(
        "GLO.ACT Partner API ready in {} ms",
        started.elapsed().as_millis()
    );
    println!("  API:      {base}/api/v1");
    println!("  Docs:     {base}/docs/");
    println!("  OpenAPI:  {base}/api/openapi.json");
    if embedded {
        print_demo_tokens(settings, &tokens)?;
    }
    app.run_until_stopped().await?;
    tracing::info!("stopped");
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
    Ok(())
}
