#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "test harness: a failed set-up should stop the test loudly"
)]

//! The harness of the black-box tests: the real server on port 0 against a real PostgreSQL, one
//! database per test copied from a migrated template.
//!
//! The server is `DATABASE_URL`'s when set (as in CI); otherwise a local test cluster under
//! `target/gloact-test-cluster`, started by the same launcher as the embedded default and left
//! running between test runs (stop it with `pg_ctl stop -D target/gloact-test-cluster/pg`).

use std::sync::OnceLock;

pub mod conformance;

use diesel::sql_types::BigInt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use gloact_api::auth::{Claims, SigningKey, TokenService};
use gloact_api::config::Settings;
use gloact_api::server::Application;
use gloact_domain::value::Code;
use gloact_domain::{Role, Scopes};
use gloact_embedded_pg::{ClusterOptions, LocalCluster};
use gloact_persistence::{Db, migrate, migrations_fingerprint};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::Value;

/// The URL of the server's maintenance database, where test databases are created.
fn admin_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("DATABASE_URL") {
            return url;
        }
        // The cluster is started once per test process, from a thread of its own: each test
        // has its own runtime, and the cluster must outlive them all.
        std::thread::spawn(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let data_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../target/gloact-test-cluster");
                let cluster = LocalCluster::start(ClusterOptions {
                    data_dir,
                    pg_bin_dir: std::env::var_os("PG_BIN_DIR").map(Into::into),
                    fsync_off: true,
                })
                .await
                .expect("the local test cluster starts (or set DATABASE_URL)");
                let url = cluster.url("postgres");
                // Left running on purpose: later test processes reuse it.
                std::mem::forget(cluster);
                url
            })
        })
        .join()
        .expect("the cluster thread")
    })
}

/// A database URL on the same server as `admin`, naming another database.
fn with_database(admin: &str, name: &str) -> String {
    let (base, query) = match admin.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (admin, String::new()),
    };
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    format!("{server}/{name}{query}")
}

async fn admin_conn() -> AsyncPgConnection {
    AsyncPgConnection::establish(admin_url())
        .await
        .expect("the test database server answers")
}

/// The migrated template every test database is copied from; built once per set of migrations,
/// under an advisory lock so that parallel test processes don't race.
async fn template() -> String {
    let name = format!("gloact_tpl_{}", migrations_fingerprint());
    let mut conn = admin_conn().await;
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(7_243_002)
        .execute(&mut conn)
        .await
        .expect("lock");
    if !database_exists(&mut conn, &name).await {
        let building = format!("{name}_building");
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
            .execute(&mut conn)
            .await
            .expect("drop");
        diesel::sql_query(format!("CREATE DATABASE {building}"))
            .execute(&mut conn)
            .await
            .expect("create template");
        migrate(&with_database(admin_url(), &building))
            .await
            .expect("migrations run");
        diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {name}"))
            .execute(&mut conn)
            .await
            .expect("rename");
    }
    diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<BigInt, _>(7_243_002)
        .execute(&mut conn)
        .await
        .expect("unlock");
    name
}

async fn database_exists(conn: &mut AsyncPgConnection, name: &str) -> bool {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let count: Count =
        diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
            .bind::<diesel::sql_types::Text, _>(name)
            .get_result(conn)
            .await
            .expect("query pg_database");
    count.n > 0
}

/// A fresh migrated database; returns its name and URL.
pub async fn fresh_database() -> (String, String) {
    let template = template().await;
    let name = format!("gloact_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = admin_conn().await;
    diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let url = with_database(admin_url(), &name);
    (name, url)
}

/// Drops a database made by [`fresh_database`].
pub async fn drop_database(name: &str) {
    let mut conn = admin_conn().await;
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .expect("drop test database");
}

/// Settings for a test server: port 0, small pool, the test key.
pub fn test_settings(database_url: &str) -> Settings {
    let mut settings = Settings {
        database_url: Some(database_url.to_owned()),
        ..Settings::default()
    };
    settings.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    settings.database.max_connections = 8;
    settings.database.acquire_timeout_ms = 2_000;
    // Reading the trail seals it; a sealer in the background would make the moment a checkpoint
    // is signed a race in tests of the chain (they seal and sign themselves).
    settings.audit.seal_interval_ms = 0;
    // A fresh key per test server: identities sealed by one test mean nothing to another.
    settings.pii.key = Some(gloact_persistence::sealed::SealingKey::generate_base64().into());
    settings
}

/// The running server of one test, with its own database.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// `http://127.0.0.1:<port>` of the listener of `/metrics` alone, when it has one.
    pub metrics_address: Option<String>,
    /// A pool on the test's database, for checks behind the API's back.
    pub db: Db,
    /// Mints tokens the server accepts.
    pub tokens: TokenService,
    /// The server's key of identifying fields (and of request fingerprints).
    pub sealing_key: gloact_persistence::sealed::SealingKey,
    /// The HTTP client.
    pub client: reqwest::Client,
    database: String,
    url: String,
    handle: actix_web::dev::ServerHandle,
}

impl std::fmt::Debug for TestApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestApp")
            .field("address", &self.address)
            .field("database", &self.database)
            .finish()
    }
}

/// Starts the server on a migrated database holding only the organizations that
/// [`TestApp::token`] names (a token for an organization that does not exist is refused).
pub async fn spawn_app() -> TestApp {
    let (database, url) = fresh_database().await;
    add_token_organizations(&url).await;
    spawn_on(database, &url).await
}

/// Adds the organizations [`TestApp::token`] names, as the only ones.
async fn add_token_organizations(url: &str) {
    let mut conn = AsyncPgConnection::establish(url).await.expect("connect");
    diesel::sql_query(
        "INSERT INTO organization (id, code, name, kind, country) VALUES
           (gen_random_uuid(), 'UNODC-BGD', 'UNODC Programme Office in Bangladesh', 'un_agency', 'BGD'),
           (gen_random_uuid(), 'IOM-BGD', 'International Organization for Migration, Bangladesh', 'un_agency', 'BGD'),
           (gen_random_uuid(), 'EU-DEL-BGD', 'Delegation of the European Union to Bangladesh', 'donor', 'BGD'),
           (gen_random_uuid(), 'MOHA-BGD', 'Ministry of Home Affairs', 'government', 'BGD')",
    )
    .execute(&mut conn)
    .await
    .expect("the token organizations");
}

/// Starts the server on a database holding the GLO.ACT-Bangladesh demo data.
pub async fn spawn_seeded_app() -> TestApp {
    let (database, url) = fresh_database().await;
    let app = spawn_on(database, &url).await;
    gloact_persistence::seed::seed(&app.db)
        .await
        .expect("the seed runs");
    app
}

/// Starts the server on a database URL that may not even answer.
pub async fn spawn_on(database: String, url: &str) -> TestApp {
    let settings = test_settings(url);
    let key = SigningKey::generate().expect("a key");
    let tokens = TokenService::new(key, &settings.auth).expect("token service");
    spawn_with(database, url, tokens).await
}

/// Starts the server as [`spawn_app`] does, signing and verifying with `tokens`.
pub async fn spawn_app_with_tokens(tokens: TokenService) -> TestApp {
    let (database, url) = fresh_database().await;
    add_token_organizations(&url).await;
    spawn_with(database, &url, tokens).await
}

/// Starts the server on a fresh database with the demo data, with settings changed by
/// `change` (e.g. the GraphQL limits).
pub async fn spawn_seeded_app_with(change: impl FnOnce(&mut Settings)) -> TestApp {
    let (database, url) = fresh_database().await;
    let mut settings = test_settings(&url);
    change(&mut settings);
    let key = SigningKey::generate().expect("a key");
    let tokens = TokenService::new(key, &settings.auth).expect("token service");
    let app = spawn_with_settings(database, &url, tokens, settings).await;
    gloact_persistence::seed::seed(&app.db)
        .await
        .expect("the seed runs");
    app
}

impl TestApp {
    /// A second server on this one's database with the same keys: another replica. Dropping it
    /// stops it and leaves the database to this one.
    pub async fn replica(&self) -> TestApp {
        spawn_with(String::new(), &self.url, self.tokens.clone()).await
    }
}

async fn spawn_with(database: String, url: &str, tokens: TokenService) -> TestApp {
    spawn_with_settings(database, url, tokens, test_settings(url)).await
}

async fn spawn_with_settings(
    database: String,
    url: &str,
    tokens: TokenService,
    settings: Settings,
) -> TestApp {
    let db = Db::connect(&settings.db_settings(url.to_owned())).expect("pool");
    let app =
        Application::build(&settings, db.clone(), tokens.clone(), false).expect("the server binds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let metrics_address = app
        .metrics_port()
        .map(|port| format!("http://127.0.0.1:{port}"));
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    TestApp {
        sealing_key: settings.sealing_key().expect("the test key"),
        address,
        metrics_address,
        db,
        tokens,
        client,
        database,
        url: url.to_owned(),
        handle,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        let database = std::mem::take(&mut self.database);
        // Drop can't await: the server is told to stop, and the database dropped from a thread
        // with a runtime of its own.
        drop(handle.stop(false));
        if database.is_empty() {
            return;
        }
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                if let Ok(mut conn) = AsyncPgConnection::establish(admin_url()).await {
                    let _ = diesel::sql_query(format!(
                        "DROP DATABASE IF EXISTS {database} WITH (FORCE)"
                    ))
                    .execute(&mut conn)
                    .await;
                }
            });
        })
        .join();
    }
}

/// A PostgreSQL cluster of one test's own, in a temporary folder under `target/`, for tests that
/// kill the database: the shared server must never be killed. Its `fsync` is off, as on the test
/// cluster, but commits still wait for their log to be written: a killed server loses nothing it
/// acknowledged, as in production (only a crash of the machine would).
pub struct OwnCluster {
    dir: tempfile::TempDir,
    /// `None` while stopped.
    cluster: Option<LocalCluster>,
    /// The port it listens on, kept across stops.
    port: Option<u16>,
}

impl std::fmt::Debug for OwnCluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnCluster")
            .field("dir", &self.dir.path())
            .finish()
    }
}

impl OwnCluster {
    /// Creates and starts a cluster with a database `gloact`, migrated.
    pub async fn start() -> Self {
        let parent = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/tmp");
        std::fs::create_dir_all(&parent).expect("target/tmp");
        let dir = tempfile::Builder::new()
            .prefix("own-cluster")
            .tempdir_in(parent)
            .expect("a temporary folder");
        // As root the server runs as `postgres`, which must be able to enter the folder.
        std::fs::set_permissions(
            dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .expect("the folder opens to the server user");
        let mut own = Self {
            dir,
            cluster: None,
            port: None,
        };
        own.start_again().await;
        own.cluster()
            .ensure_database("gloact")
            .await
            .expect("the database is created");
        migrate(&own.url()).await.expect("migrations run");
        own
    }

    fn options(&self) -> ClusterOptions {
        ClusterOptions {
            data_dir: self.dir.path().join("data"),
            pg_bin_dir: std::env::var_os("PG_BIN_DIR").map(Into::into),
            fsync_off: true,
        }
    }

    fn cluster(&self) -> &LocalCluster {
        self.cluster.as_ref().expect("the cluster was started")
    }

    /// The URL of the database `gloact` on this cluster.
    pub fn url(&self) -> String {
        self.cluster().url("gloact")
    }

    /// The folder of the cluster (`initdb`'s, holding `postmaster.pid`).
    pub fn cluster_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("data/pg")
    }

    /// Kills the server as a crash would: SIGKILL to the postmaster and every process it started,
    /// at once, so that none of them gets to say goodbye to a client. Returns when all are gone.
    pub fn kill(&self) {
        kill_postmaster(&self.cluster_dir());
    }

    /// Stops the server as an operator would for maintenance (`pg_ctl stop -m fast`): sessions
    /// are ended with an error, transactions in flight rolled back.
    pub async fn stop(&mut self) {
        if let Some(cluster) = self.cluster.take() {
            cluster.stop().await.expect("the cluster stops");
        }
    }

    /// Starts the server again on the same folder and port (after [`OwnCluster::kill`] or
    /// [`OwnCluster::stop`]); after a kill it recovers from its write-ahead log.
    pub async fn start_again(&mut self) {
        let cluster = LocalCluster::start(self.options())
            .await
            .expect("the cluster starts");
        if let Some(port) = self.port {
            assert_eq!(cluster.port(), port, "the cluster came back on its port");
        }
        self.port = Some(cluster.port());
        self.cluster = Some(cluster);
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        let Some(cluster) = self.cluster.take() else {
            return;
        };
        // Drop can't await: stopped from a thread with a runtime of its own, before the folder
        // goes.
        let _ = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                let _ = runtime.block_on(cluster.stop());
            }
        })
        .join();
    }
}

/// SIGKILL to the postmaster named by `<cluster_dir>/postmaster.pid` and to its children, as a
/// crash would; returns when all are gone.
pub fn kill_postmaster(cluster_dir: &std::path::Path) {
    gloact_embedded_pg::testing::kill_postmaster(cluster_dir).expect("the server is killed");
}

/// Starts the server on a database of its own cluster, with the demo data: for tests that kill
/// the database under it.
pub async fn spawn_app_on_own_cluster() -> (TestApp, OwnCluster) {
    let cluster = OwnCluster::start().await;
    // No database name: the test app's drop leaves the cluster's database to the cluster.
    let app = spawn_on(String::new(), &cluster.url()).await;
    gloact_persistence::seed::seed(&app.db)
        .await
        .expect("the seed runs");
    (app, cluster)
}

/// The demo organization of each role, as the demo tokens have them.
pub fn demo_org(role: Role) -> &'static str {
    match role {
        Role::Unodc => "UNODC-BGD",
        Role::Iom => "IOM-BGD",
        Role::Eu => "EU-DEL-BGD",
        Role::Government => "MOHA-BGD",
    }
}

impl TestApp {
    /// Stops the server at once, as a crash would (requests in flight are dropped); its
    /// database stays until the `TestApp` is dropped.
    pub async fn stop(&self) {
        self.handle.stop(false).await;
    }

    /// The URL of this test's database, for checks (and tampering) behind the API's back.
    pub fn database_url(&self) -> String {
        self.url.clone()
    }

    /// A token for a role at its demo organization.
    pub fn token(&self, role: Role) -> String {
        self.token_for(role, demo_org(role))
    }

    /// A token for a role at an organization.
    pub fn token_for(&self, role: Role, org: &str) -> String {
        let org = Code::parse(org).expect("an organization code");
        self.tokens
            .mint(
                &format!("test-{role}"),
                role,
                &org,
                &Scopes::default(),
                chrono::Duration::minutes(10),
            )
            .expect("a token")
    }

    /// A token for a role at an organization with extra scopes (`"admin"`, `"pii stats:exact"`).
    pub fn token_with_scopes(&self, role: Role, org: &str, scopes: &str) -> String {
        let org = Code::parse(org).expect("an organization code");
        let scopes = Scopes::parse(scopes).expect("scopes");
        self.tokens
            .mint(
                &format!("test-{role}"),
                role,
                &org,
                &scopes,
                chrono::Duration::minutes(10),
            )
            .expect("a token")
    }

    /// Signs arbitrary claims with the server's key.
    pub fn sign(&self, claims: &Claims) -> String {
        self.tokens.sign(claims).expect("signed")
    }

    /// A request to `path` (relative to the server) with a bearer token.
    pub fn request(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.address))
            .bearer_auth(token)
    }

    /// GET with a token of this role.
    pub async fn get(&self, path: &str, role: Role) -> Response {
        self.request(Method::GET, path, &self.token(role))
            .send()
            .await
            .expect("the server answers")
    }

    /// GET with a token of this role; the JSON body, after checking the status.
    pub async fn get_json(&self, path: &str, role: Role, status: u16) -> Value {
        json(self.get(path, role).await, status).await
    }

    /// POST a JSON body with a token of this role.
    pub async fn post(&self, path: &str, role: Role, body: &Value) -> Response {
        self.request(Method::POST, path, &self.token(role))
            .json(body)
            .send()
            .await
            .expect("the server answers")
    }

    /// Deletes an activity (as UNODC) at the version it was read with; it must go (204).
    pub async fn delete_activity(&self, activity: &Value) {
        let path = format!(
            "/api/v1/activities/{}",
            activity["id"].as_str().expect("an id")
        );
        let deleted = self
            .request(Method::DELETE, &path, &self.token(Role::Unodc))
            .header("if-match", format!("\"{}\"", activity["version"]))
            .send()
            .await
            .expect("the server answers");
        assert_eq!(deleted.status(), 204, "deleting {path}");
    }

    /// PATCH a JSON body at a version with a token of this role.
    pub async fn patch(&self, path: &str, role: Role, version: i64, body: &Value) -> Response {
        self.request(Method::PATCH, path, &self.token(role))
            .header("if-match", format!("\"{version}\""))
            .json(body)
            .send()
            .await
            .expect("the server answers")
    }

    /// Every item of a list, walking its pages.
    pub async fn get_all(&self, path: &str, role: Role) -> Vec<Value> {
        self.get_all_as(path, &self.token(role)).await
    }

    /// Every item of a list, page after page, read with `token`.
    pub async fn get_all_as(&self, path: &str, token: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let separator = if path.contains('?') { '&' } else { '?' };
            let url = match &next {
                Some(cursor) => format!("{path}{separator}after={cursor}"),
                None => path.to_owned(),
            };
            let page = json(
                self.request(Method::GET, &url, token)
                    .send()
                    .await
                    .expect("the server answers"),
                200,
            )
            .await;
            items.extend(page["items"].as_array().cloned().unwrap_or_default());
            match page["next_cursor"].as_str() {
                Some(cursor) => next = Some(cursor.to_owned()),
                None => return items,
            }
        }
    }

    /// The id of the organization with this code.
    pub async fn org_id(&self, code: &str) -> String {
        let page = self
            .get_json("/api/v1/organizations?limit=500", Role::Unodc, 200)
            .await;
        page["items"]
            .as_array()
            .and_then(|items| items.iter().find(|o| o["code"] == code))
            .and_then(|o| o["id"].as_str())
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no organization {code}"))
    }

    /// The activity with this code, as UNODC sees it.
    pub async fn activity(&self, code: &str) -> Value {
        self.get_all("/api/v1/activities?limit=500", Role::Unodc)
            .await
            .into_iter()
            .find(|a| a["code"] == code)
            .unwrap_or_else(|| panic!("no activity {code}"))
    }
}

/// A `multipart/form-data` body with one part named `file`: (content type, body).
pub fn multipart_file(content: &[u8], claimed_type: &str) -> (String, Vec<u8>) {
    let boundary = "gloact-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload\"\r\nContent-Type: {claimed_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A field report a phone would send: a victim identified, under `id`.
pub fn victim_identification(id: uuid::Uuid) -> Value {
    serde_json::json!({
        "id": id,
        "occurred_at": "2020-02-25T14:05:00Z",
        "district": "Cox's Bazar",
        "gps": { "latitude": 21.4272, "longitude": 92.0058, "accuracy_m": 15.0 },
        "narrative": "Young woman met at the bus terminal, promised work in a garment factory abroad.",
        "payload": { "kind": "victim_identification", "sex": "female", "age_band": "18_25", "citizenship": "BGD", "exploitation": "labour" },
    })
}

/// A small but real JPEG header followed by filler: enough for a content check.
pub fn jpeg(filler: &str) -> Vec<u8> {
    let mut content = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
    ];
    content.extend_from_slice(filler.as_bytes());
    content.extend_from_slice(&[0xFF, 0xD9]);
    content
}

/// The JSON body of a response, after checking its status (the body is shown when it differs)
/// and that the served contract describes it ([`conformance::check`]).
pub async fn json(response: Response, status: u16) -> Value {
    let actual = response.status().as_u16();
    let path = response.url().path().to_owned();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.expect("a body");
    assert_eq!(actual, status, "unexpected status; body: {text}");
    if actual >= 400 {
        assert_eq!(
            content_type, "application/problem+json",
            "errors are problem+json; body: {text}"
        );
    }
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    conformance::check(&path, actual, &body);
    body
}

/// Checks that a response is a problem with this status and code; returns the problem.
pub async fn problem(response: Response, status: u16, code: &str) -> Value {
    let body = json(response, status).await;
    assert_eq!(body["code"], code, "unexpected problem: {body}");
    assert_eq!(body["status"], status);
    assert!(
        body["type"].as_str().is_some_and(|t| t.ends_with(code)),
        "{body}"
    );
    body
}

/// Claims a server with these settings accepts (signed with its key), for tests that alter them.
pub fn claims_for(settings: &Settings) -> Claims {
    let now = chrono::Utc::now().timestamp();
    Claims {
        sub: "attacker".into(),
        role: "unodc".into(),
        org: "UNODC-BGD".into(),
        scope: String::new(),
        iss: settings.auth.issuer.clone(),
        aud: settings.auth.audience.clone(),
        exp: now + 600,
        nbf: now,
        iat: now,
        jti: uuid::Uuid::new_v4().to_string(),
    }
}
