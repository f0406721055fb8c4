//! Settings: defaults, then an optional `gloact.toml`, then the environment (`DATABASE_URL` and
//! `GLOACT_*`). Built once at start and passed in; nothing reads the environment later.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Everything the server needs to know at start.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address to listen on (`GLOACT_LISTEN`).
    pub listen: SocketAddr,
    /// Address of a listener of its own for `/metrics` (`GLOACT_METRICS_LISTEN`), for a network
    /// only the monitoring reaches; unset, `/metrics` is on `listen` with the rest.
    pub metrics_listen: Option<SocketAddr>,
    /// Folder of the embedded cluster and the demo keys (`GLOACT_DATA_DIR`).
    pub data_dir: PathBuf,
    /// PostgreSQL server to use (`DATABASE_URL`); without it the embedded cluster runs.
    pub database_url: Option<String>,
    /// Folder of the PostgreSQL binaries for the embedded cluster (`GLOACT_PG_BIN_DIR`).
    pub pg_bin_dir: Option<PathBuf>,
    /// Connection pool.
    pub database: DatabaseSettings,
    /// Token signing and checking.
    pub auth: AuthSettings,
    /// `text` for people, `json` for log collectors (`GLOACT_LOG_FORMAT`).
    pub log_format: LogFormat,
    /// Base URL printed and used in links (`GLOACT_PUBLIC_URL`); defaults to `http://<listen>`.
    pub public_url: Option<String>,
    /// Encryption of identifying fields of cases.
    pub pii: PiiSettings,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// The GraphQL endpoint's limits and developer tools.
    pub graphql: GraphqlSettings,
    /// How the audit trail is sealed and written (`GLOACT_AUDIT__*`).
    #[serde(default)]
    pub audit: AuditSettings,
    /// The IATI export (`GLOACT_IATI__*`).
    #[serde(default)]
    pub iati: IatiSettings,
}

/// The IATI export (`GLOACT_IATI__*`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct IatiSettings {
    /// Serve `/api/v1/iati/*.xml` without a token, for the IATI Registry to fetch (off: a valid
    /// token is needed, as everywhere). The files hold public rows only either way.
    pub public: bool,
}

/// How the audit trail is sealed and written (`GLOACT_AUDIT__*`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct AuditSettings {
    /// How often this replica does the background upkeep, in milliseconds: seals the audit
    /// events committed since (chains them and signs a checkpoint of the head) and folds the
    /// dashboards' counts; 0 never (another replica does it). Reading the trail seals first, so
    /// this bounds how stale a check of the chain can be, not what the trail shows.
    pub seal_interval_ms: u64,
    /// Most reads of restricted activities and follow-up actions waiting to be written; a read
    /// that finds the queue full waits for room (nothing is dropped).
    pub read_queue: usize,
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self {
            seal_interval_ms: 1_000,
            read_queue: 10_000,
        }
    }
}

/// Limits of the GraphQL endpoint, and whether it shows itself (`GLOACT_GRAPHQL__*`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GraphqlSettings {
    /// Deepest nesting of fields a query may have.
    pub max_depth: usize,
    /// Highest complexity a query may have: one per field, a list counts its fields once per
    /// item asked for (`first`).
    pub max_complexity: usize,
    /// Most aliases a query may use (async-graphql has no such limit of its own): aliases make
    /// one request do the work of many.
    pub max_aliases: usize,
    /// Most operations in one batched request (a JSON array).
    pub max_batch: usize,
    /// Most subscriptions open at once on this server: each asks the database for changes
    /// several times a second.
    pub max_subscriptions: usize,
    /// Most of those one caller (token subject) may hold at once.
    pub max_subscriptions_per_caller: usize,
    /// How long a WebSocket opened without a token may wait for the `connection_init` that
    /// carries one before it is closed, in milliseconds.
    pub connection_init_timeout_ms: u64,
    /// Whether the schema answers introspection (and suggests field names in errors). Unset:
    /// on for the embedded default run, off with `DATABASE_URL`.
    pub introspection: Option<bool>,
    /// Whether `GET /graphql` serves GraphiQL. Unset: as `introspection`.
    pub graphiql: Option<bool>,
}

impl Default for GraphqlSettings {
    fn default() -> Self {
        Self {
            max_depth: 12,
            max_complexity: 100_000,
            max_aliases: 30,
            max_batch: 10,
            max_subscriptions: 32,
            max_subscriptions_per_caller: 4,
            connection_init_timeout_ms: 10_000,
            introspection: None,
            graphiql: None,
        }
    }
}

/// Where the key that encrypts identifying fields of cases comes from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct PiiSettings {
    /// The key itself, 32 bytes in base64 (`GLOACT_PII__KEY`), for deployments that pass keys
    /// in the environment.
    pub key: Option<Secret>,
    /// A file holding the key in base64. Without it (and without `key`), the embedded default
    /// generates one into the data folder; a server on `DATABASE_URL` refuses to start.
    pub key_file: Option<PathBuf>,
    /// Files of retired keys (base64) that still open what they sealed: rotate by configuring
    /// a new key, listing the old one here, and running `gloact reseal`; then drop it.
    #[serde(default)]
    pub retired_key_files: Vec<PathBuf>,
}

/// Connection pool settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// Most connections (`GLOACT_DATABASE__MAX_CONNECTIONS`).
    pub max_connections: usize,
    /// Wait for a connection at most this long before answering 503.
    pub acquire_timeout_ms: u64,
    /// Cancel a statement running longer than this.
    pub statement_timeout_ms: u64,
}

/// Token settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// The `iss` of our tokens.
    pub issuer: String,
    /// The `aud` our tokens must name.
    pub audience: String,
    /// PEM file of the Ed25519 signing key. Without it (and without `signing_key_pem`), the
    /// embedded default generates one into the data folder; a server on `DATABASE_URL` refuses
    /// to start.
    pub signing_key_file: Option<PathBuf>,
    /// The signing key's PEM itself, for deployments that pass keys in the environment
    /// (`GLOACT_AUTH__SIGNING_KEY_PEM`); wins over the file.
    pub signing_key_pem: Option<Secret>,
    /// PEM files of retired keys (public or private) that still verify the tokens they signed:
    /// rotate by signing with a new key and listing the old one here until its tokens expire.
    pub retired_key_files: Vec<PathBuf>,
    /// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
    pub leeway_secs: u64,
    /// Lifetime of the demo tokens printed at start, in seconds.
    pub demo_token_ttl_secs: u64,
    /// Lifetime of the tokens partner clients get by client credentials, in seconds.
    pub client_token_ttl_secs: u64,
    /// Longest lifetime a token may have (`exp - iat`), in seconds: longer ones are neither
    /// minted nor accepted.
    pub max_token_ttl_secs: u64,
}

/// A setting that must not be shown: its `Debug` says only that it is set.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl From<String> for Secret {
    fn from(secret: String) -> Self {
        Self(secret)
    }
}

impl Secret {
    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How logs are written.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            metrics_listen: None,
            data_dir: PathBuf::from(".gloact"),
            database_url: None,
            pg_bin_dir: None,
            database: DatabaseSettings {
                max_connections: 16,
                acquire_timeout_ms: 5_000,
                statement_timeout_ms: 15_000,
            },
            auth: AuthSettings {
                issuer: "gloact".into(),
                audience: "gloact-api".into(),
                signing_key_file: None,
                signing_key_pem: None,
                retired_key_files: Vec::new(),
                leeway_secs: 5,
                demo_token_ttl_secs: 12 * 3600,
                max_token_ttl_secs: 30 * 24 * 3600,
                client_token_ttl_secs: 15 * 60,
            },
            log_format: LogFormat::Text,
            public_url: None,
            pii: PiiSettings::default(),
            max_body_bytes: 1024 * 1024,
            graphql: GraphqlSettings::default(),
            audit: AuditSettings::default(),
            iati: IatiSettings::default(),
        }
    }
}

/// A setting that can't be used, said in one line.
#[derive(Debug, thiserror::Error)]
#[error("bad setting: {0}")]
pub struct SettingsError(String);

impl Settings {
    /// Defaults, then `config_file` (`gloact.toml` when it exists and none is named), then the
    /// environment.
    pub fn load(config_file: Option<&Path>) -> Result<Self, SettingsError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        match config_file {
            Some(path) if !path.exists() => {
                return Err(SettingsError(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new("gloact.toml").exists() => {
                figment = figment.merge(Toml::file_exact("gloact.toml"))
            }
            None => {}
        }
        figment = figment
            .merge(
                Env::prefixed("GLOACT_")
                    .split("__")
                    .ignore(&["database_url"]),
            )
            .merge(
                Env::raw()
                    .only(&["DATABASE_URL"])
                    .map(|_| "database_url".into()),
            );
        let settings: Settings = figment
            .extract()
            .map_err(|e| SettingsError(first_line(&e.to_string())))?;
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), SettingsError> {
        if let Some(url) = &self.database_url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err(SettingsError(
                "DATABASE_URL must start with postgres:// or postgresql://".into(),
            ));
        }
        if self.database.max_connections == 0 {
            return Err(SettingsError(
                "database.max_connections must be at least 1".into(),
            ));
        }
        if self.auth.issuer.is_empty() || self.auth.audience.is_empty() {
            return Err(SettingsError(
                "auth.issuer and auth.audience must not be empty".into(),
            ));
        }
        if self.auth.leeway_secs > 10 {
            return Err(SettingsError("auth.leeway_secs must be at most 10".into()));
        }
        if self.auth.client_token_ttl_secs == 0
            || self.auth.client_token_ttl_secs > self.auth.max_token_ttl_secs
        {
            return Err(SettingsError(
                "auth.client_token_ttl_secs must be between 1 and auth.max_token_ttl_secs".into(),
            ));
        }
        if self.auth.demo_token_ttl_secs > self.auth.max_token_ttl_secs {
            return Err(SettingsError(
                "auth.demo_token_ttl_secs must not exceed auth.max_token_ttl_secs".into(),
            ));
        }
        let g = &self.graphql;
        if g.max_depth == 0 || g.max_complexity == 0 || g.max_batch == 0 {
            return Err(SettingsError(
                "graphql.max_depth, graphql.max_complexity and graphql.max_batch must be at least 1"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Whether GraphQL introspection is on: as set, else only for the embedded default run.
    pub fn graphql_introspection(&self) -> bool {
        self.graphql
            .introspection
            .unwrap_or(self.database_url.is_none())
    }

    /// Whether GraphiQL is served: as set, else as introspection.
    pub fn graphiql(&self) -> bool {
        self.graphql
            .graphiql
            .unwrap_or_else(|| self.graphql_introspection())
    }

    /// The pool settings for the given URL.
    pub fn db_settings(&self, url: String) -> gloact_persistence::DbSettings {
        gloact_persistence::DbSettings {
            url,
            max_connections: self.database.max_connections,
            acquire_timeout: Duration::from_millis(self.database.acquire_timeout_ms),
            statement_timeout: Duration::from_millis(self.database.statement_timeout_ms),
        }
    }

    /// Where the key of identifying fields is read from (or generated into, for the embedded
    /// default).
    pub fn pii_key_path(&self) -> PathBuf {
        self.pii
            .key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("keys").join("pii-xchacha20.key"))
    }

    /// The key that seals identifying fields of cases: from `pii.key`, else from its file; with
    /// the retired keys of `pii.retired_key_files`, which still open what they sealed.
    pub fn sealing_key(&self) -> Result<gloact_persistence::sealed::SealingKey, SettingsError> {
        use gloact_persistence::sealed::SealingKey;
        let read = |path: &std::path::Path| {
            let text = std::fs::read_to_string(path)
                .map_err(|e| SettingsError(format!("{}: {e}", path.display())))?;
            SealingKey::from_base64(&text)
                .map_err(|e| SettingsError(format!("{}: {e}", path.display())))
        };
        let retired = self
            .pii
            .retired_key_files
            .iter()
            .map(|path| read(path))
            .collect::<Result<Vec<_>, _>>()?;
        let key = if let Some(key) = &self.pii.key {
            SealingKey::from_base64(key.expose())
                .map_err(|e| SettingsError(format!("pii.key: {e}")))?
        } else {
            let path = self.pii_key_path();
            if !path.exists() {
                return Err(SettingsError(format!(
                    "no key for identifying fields: set GLOACT_PII__KEY or pii.key_file ({} does not exist)",
                    path.display()
                )));
            }
            read(&path)?
        };
        Ok(key.with_retired(retired))
    }

    /// Where the Ed25519 signing key is read from (or generated into, for the embedded default).
    pub fn signing_key_path(&self) -> PathBuf {
        self.auth
            .signing_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("keys").join("signing-ed25519.pem"))
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or(text).to_owned()
}

#[cfg(test)]
// figment's Jail API returns its large error type; that is its choice, not ours.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("GLOACT_LISTEN", "0.0.0.0:9000");
            jail.set_env("GLOACT_DATABASE__MAX_CONNECTIONS", "4");
            jail.set_env("DATABASE_URL", "postgres://u@h/db");
            let settings = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(settings.listen, SocketAddr::from(([0, 0, 0, 0], 9000)));
            assert_eq!(settings.database.max_connections, 4);
            assert_eq!(settings.database_url.as_deref(), Some("postgres://u@h/db"));
            Ok(())
        });
    }

    #[test]
    fn the_iati_files_need_a_token_unless_turned_public() {
        figment::Jail::expect_with(|jail| {
            let settings = Settings::load(None).map_err(|e| e.to_string())?;
            assert!(!settings.iati.public);
            jail.set_env("GLOACT_IATI__PUBLIC", "true");
            let settings = Settings::load(None).map_err(|e| e.to_string())?;
            assert!(settings.iati.public);
            Ok(())
        });
    }

    #[test]
    fn bad_settings_fail_in_one_line() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("GLOACT_LISTEN", "not an address");
            let error = Settings::load(None)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(error.starts_with("bad setting:"), "{error}");
            assert!(!error.contains('\n'));
            Ok(())
        });
    }

    #[test]
    fn toml_file_is_read() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "gloact.toml",
                "listen = \"127.0.0.1:7000\"\n[auth]\nleeway_secs = 2\n",
            )?;
            let settings = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(settings.listen.port(), 7000);
            assert_eq!(settings.auth.leeway_secs, 2);
            Ok(())
        });
    }

    #[test]
    fn retired_identity_keys_come_with_the_key() {
        use gloact_persistence::sealed::SealingKey;
        figment::Jail::expect_with(|jail| {
            let (old, new) = (SealingKey::generate_base64(), SealingKey::generate_base64());
            jail.create_file("old.key", &old)?;
            jail.create_file("new.key", &new)?;
            jail.set_env("GLOACT_PII__KEY_FILE", "new.key");
            jail.set_env("GLOACT_PII__RETIRED_KEY_FILES", "[old.key]");
            let settings = Settings::load(None).map_err(|e| e.to_string())?;
            let key = settings.sealing_key().map_err(|e| e.to_string())?;
            let new = SealingKey::from_base64(&new).map_err(|e| e.to_string())?;
            assert_eq!(
                key.id(),
                new.id(),
                "the key seals; the retired one only opens"
            );
            let debug = format!("{key:?}");
            assert!(!debug.contains(&old), "no key material in Debug");
            jail.set_env("GLOACT_PII__RETIRED_KEY_FILES", "[missing.key]");
            let settings = Settings::load(None).map_err(|e| e.to_string())?;
            let error = settings.sealing_key().unwrap_err().to_string();
            assert!(error.contains("missing.key"), "{error}");
            Ok(())
        });
    }
}
