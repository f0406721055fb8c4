//! The embedded default as a newcomer runs it: `gloact` with no DATABASE_URL starts its own
//! PostgreSQL in the data folder, seeds the demo data, prints the URLs and demo tokens, serves,
//! stops the cluster on SIGTERM, and finds its data again on the next start.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running `gloact serve` and what it printed.
struct Served {
    child: Child,
    base: String,
    tokens: Vec<(String, String)>,
    output: Vec<String>,
    /// What it printed after it got ready (its log lines among them).
    later: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

fn serve(data_dir: &Path) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gloact"))
        .env_remove("DATABASE_URL")
        .env("GLOACT_DATA_DIR", data_dir)
        .env("GLOACT_LISTEN", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("gloact starts");
    let stdout = child.stdout.take().unwrap();
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut output = Vec::new();
    let mut base = None;
    let mut tokens = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while tokens.len() < 4 {
        let line = received
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| panic!("gloact did not get ready; it printed: {output:#?}"));
        if let Some(url) = line.trim().strip_prefix("API:") {
            base = Some(url.trim().trim_end_matches("/api/v1").to_owned());
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if let [role @ ("unodc" | "iom" | "eu" | "government"), token] = words.as_slice() {
            tokens.push(((*role).to_owned(), (*token).to_owned()));
        }
        output.push(line);
    }
    // Keep draining so the child never blocks on a full pipe.
    let later: std::sync::Arc<std::sync::Mutex<Vec<String>>> = std::sync::Arc::default();
    std::thread::spawn({
        let later = std::sync::Arc::clone(&later);
        move || {
            while let Ok(line) = received.recv() {
                later.lock().unwrap().push(line);
            }
        }
    });
    Served {
        child,
        base: base.expect("the API URL is printed"),
        tokens,
        output,
        later,
    }
}

impl Served {
    fn token(&self, role: &str) -> &str {
        &self.tokens.iter().find(|(r, _)| r == role).unwrap().1
    }

    /// The codes of the organizations the server holds, as the EU reads them.
    async fn organization_codes(&self, client: &reqwest::Client) -> Vec<String> {
        let organizations: serde_json::Value = client
            .get(format!("{}/api/v1/organizations?limit=500", self.base))
            .bearer_auth(self.token("eu"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        organizations["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|o| o["code"].as_str().map(str::to_owned))
            .collect()
    }

    /// SIGTERM, as an orchestrator stops it; waits for a clean exit.
    fn terminate(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(exit) = self.child.try_wait().unwrap() {
                assert!(exit.success(), "gloact exits cleanly on SIGTERM: {exit}");
                return;
            }
            assert!(Instant::now() < deadline, "gloact did not stop within 30 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Served {
    /// A test that failed half-way still stops its server (and so its cluster): SIGTERM, and a
    /// bounded wait.
    fn drop(&mut self) {
        if !matches!(self.child.try_wait(), Ok(None)) {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Runs a `gloact` command on the embedded default's data folder.
fn gloact(data_dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gloact"))
        .env_remove("DATABASE_URL")
        .env("GLOACT_DATA_DIR", data_dir)
        .args(args)
        .output()
        .unwrap()
}

fn postgres_answers(data_dir: &Path) -> bool {
    let port: u16 = std::fs::read_to_string(data_dir.join("pg.port"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    std::net::TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(500))
        .is_ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_embedded_default_starts_seeds_serves_stops_and_restarts_on_its_data() {
    let dir = tempfile::Builder::new()
        .prefix("embedded")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let data_dir = dir.path().join("data");
    let client = reqwest::Client::new();

    let first = tokio::task::spawn_blocking({
        let data_dir = data_dir.clone();
        move || serve(&data_dir)
    })
    .await
    .unwrap();
    assert!(
        first.output.iter().any(|l| l.contains("/docs/")),
        "the docs URL is printed"
    );
    assert!(
        data_dir.join("keys/signing-ed25519.pem").exists(),
        "the demo key is generated into the data folder"
    );
    let ready = client
        .get(format!("{}/health/ready", first.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    for role in ["unodc", "iom", "eu", "government"] {
        let programmes: serde_json::Value = client
            .get(format!("{}/api/v1/programmes", first.base))
            .bearer_auth(first.token(role))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            programmes["items"][0]["code"], "GLOACT-BGD",
            "the {role} demo token works"
        );
    }
    let created = client
        .post(format!("{}/api/v1/organizations", first.base))
        .bearer_auth(first.token("unodc"))
        .json(&serde_json::json!({"code": "KEEP-ME", "name": "Kept across restarts", "kind": "other", "country": "BGD"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    tokio::task::spawn_blocking(move || first.terminate())
        .await
        .unwrap();
    assert!(
        !postgres_answers(&data_dir),
        "stopping the server stops its cluster"
    );

    // The administration commands work on the same data while the server is down.
    let verify = gloact(&data_dir, &["audit", "verify"]);
    assert!(verify.status.success(), "{verify:?}");
    assert!(
        String::from_utf8_lossy(&verify.stdout).contains("audit trail intact: 1 events"),
        "the organization's creation was recorded: {verify:?}"
    );
    let created = gloact(
        &data_dir,
        &[
            "client",
            "create",
            "--client-id",
            "eu-reporting",
            "--name",
            "EU results reporting",
            "--role",
            "eu",
            "--org",
            "EU-DEL-BGD",
        ],
    );
    assert!(created.status.success(), "{created:?}");
    // Tokens and clients that should not exist are refused before they are made.
    for args in [
        &[
            "token",
            "--role",
            "government",
            "--org",
            "IOM-BGD",
            "--sub",
            "x",
        ][..],
        &[
            "token",
            "--role",
            "government",
            "--org",
            "MOHA-BGD",
            "--sub",
            "x",
            "--scope",
            "pii",
        ],
        &["token", "--role", "iom", "--org", "NEW-NGO", "--sub", "x"],
        &[
            "client",
            "create",
            "--client-id",
            "misfit",
            "--name",
            "Misfit",
            "--role",
            "eu",
            "--org",
            "MOHA-BGD",
        ],
    ] {
        let refused = gloact(&data_dir, args);
        assert!(!refused.status.success(), "{args:?}: {refused:?}");
        assert!(
            !String::from_utf8_lossy(&refused.stdout).contains("eyJ"),
            "no token printed: {refused:?}"
        );
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(
            said.contains("is not for an organization")
                || said.contains("can't hold")
                || said.contains("no organization has the code"),
            "{args:?}: {said}"
        );
    }
    // An organization added from the command line can be named at once.
    let added = gloact(
        &data_dir,
        &[
            "organization",
            "add",
            "--code",
            "NEW-NGO",
            "--name",
            "A new partner",
            "--kind",
            "civil_society",
            "--country",
            "BGD",
        ],
    );
    assert!(added.status.success(), "{added:?}");
    let minted = gloact(
        &data_dir,
        &[
            "token",
            "--role",
            "government",
            "--org",
            "NEW-NGO",
            "--sub",
            "x",
        ],
    );
    assert!(minted.status.success(), "{minted:?}");
    let printed = String::from_utf8_lossy(&created.stdout).into_owned();
    let secret = printed
        .lines()
        .find_map(|l| l.strip_prefix("client_secret:"))
        .map(str::trim)
        .unwrap()
        .to_owned();

    let second = tokio::task::spawn_blocking({
        let data_dir = data_dir.clone();
        move || serve(&data_dir)
    })
    .await
    .unwrap();
    assert!(
        !second
            .output
            .iter()
            .any(|l| l.contains("wrote the GLO.ACT-Bangladesh demo data")),
        "the seed runs once"
    );
    let codes = second.organization_codes(&client).await;
    assert!(
        codes.iter().any(|c| c == "KEEP-ME"),
        "data written in the first run is there: {codes:?}"
    );
    assert_eq!(codes.iter().filter(|c| *c == "UNODC-BGD").count(), 1);
    let token = client
        .post(format!("{}/api/v1/oauth/token", second.base))
        .basic_auth("eu-reporting", Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        token.status(),
        200,
        "the client registered by the CLI gets a token"
    );
    tokio::task::spawn_blocking(move || second.terminate())
        .await
        .unwrap();
    assert!(!postgres_answers(&data_dir));
}

/// The pid in `<cluster_dir>/postmaster.pid`.
fn postmaster_pid(cluster_dir: &Path) -> u32 {
    std::fs::read_to_string(cluster_dir.join("postmaster.pid"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_embedded_default_starts_its_cluster_again_when_it_dies() {
    let dir = tempfile::Builder::new()
        .prefix("embedded-kill")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let data_dir = dir.path().join("data");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let served = tokio::task::spawn_blocking({
        let data_dir = data_dir.clone();
        move || serve(&data_dir)
    })
    .await
    .unwrap();
    let created = client
        .post(format!("{}/api/v1/organizations", served.base))
        .bearer_auth(served.token("unodc"))
        .json(&serde_json::json!({"code": "SURVIVOR", "name": "Written before the crash", "kind": "other", "country": "BGD"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);

    let cluster_dir = data_dir.join("pg");
    let killed = tokio::task::spawn_blocking({
        let cluster_dir = cluster_dir.clone();
        move || gloact_embedded_pg::testing::kill_postmaster(&cluster_dir).unwrap()
    })
    .await
    .unwrap();
    let killed_at = Instant::now();
    let deadline = killed_at + Duration::from_secs(20);
    loop {
        let ready = client
            .get(format!("{}/health/ready", served.base))
            .send()
            .await
            .unwrap();
        match ready.status().as_u16() {
            200 => break,
            503 => assert_eq!(ready.headers()["retry-after"], "5"),
            other => panic!("/health/ready answered {other} while the cluster was down"),
        }
        assert!(
            Instant::now() < deadline,
            "the cluster was not started again within 20 s of its death"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The server may answer before its log line has been read from its output.
    let logged = loop {
        let logged = served.later.lock().unwrap().join("\n");
        let both = logged.contains("the embedded PostgreSQL server is gone; starting it again")
            && logged.contains("started the embedded PostgreSQL server again");
        if both || Instant::now() >= deadline {
            break logged;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        logged.contains("the embedded PostgreSQL server is gone; starting it again")
            && logged.contains("started the embedded PostgreSQL server again"),
        "the restart is logged: {logged}"
    );
    assert_ne!(
        postmaster_pid(&cluster_dir),
        killed,
        "a new server runs on the cluster"
    );
    let codes = served.organization_codes(&client).await;
    assert!(
        codes.iter().any(|c| c == "SURVIVOR"),
        "what was written before the crash is there: {codes:?}"
    );
    // The server it started again is this server's to stop.
    tokio::task::spawn_blocking(move || served.terminate())
        .await
        .unwrap();
    assert!(!postgres_answers(&data_dir));
}

#[test]
fn missing_postgres_binaries_get_one_clear_sentence() {
    let dir = tempfile::Builder::new()
        .prefix("nobin")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_gloact"))
        .env_remove("DATABASE_URL")
        .env("GLOACT_DATA_DIR", dir.path().join("data"))
        .env("GLOACT_PG_BIN_DIR", dir.path().join("no-such-bin"))
        .env("GLOACT_LISTEN", "127.0.0.1:0")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("PostgreSQL server binaries not found") && last.contains("DATABASE_URL"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn bad_settings_fail_at_start_with_one_line() {
    let output = Command::new(env!("CARGO_BIN_EXE_gloact"))
        .env("GLOACT_LISTEN", "nowhere")
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("gloact: bad setting:"), "{stderr}");
}

#[test]
fn help_lists_the_commands() {
    let output = Command::new(env!("CARGO_BIN_EXE_gloact"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    for command in [
        "serve", "migrate", "seed", "token", "client", "audit", "openapi", "keygen",
    ] {
        assert!(help.contains(command), "--help lists {command}: {help}");
    }
}
