//! The embedded local cluster against the PostgreSQL binaries installed on the machine.

use std::error::Error;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use diesel::sql_types::Text;
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use gloact_embedded_pg::{ClusterError, ClusterOptions, LocalCluster};

type TestResult = Result<(), Box<dyn Error>>;

#[derive(QueryableByName)]
struct Note {
    #[diesel(sql_type = Text)]
    body: String,
}

/// A temp folder under `target/` that the `postgres` user can traverse when we run as root.
fn temp_dir() -> Result<tempfile::TempDir, Box<dyn Error>> {
    let dir = tempfile::Builder::new()
        .prefix("cluster")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))?;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
    Ok(dir)
}

fn options(data_dir: &Path) -> ClusterOptions {
    ClusterOptions {
        data_dir: data_dir.to_path_buf(),
        pg_bin_dir: None,
        fsync_off: true,
    }
}

fn port_open(port: u16) -> bool {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_ok()
}

async fn notes(url: &str) -> Result<Vec<String>, Box<dyn Error>> {
    let mut conn = AsyncPgConnection::establish(url).await?;
    let rows: Vec<Note> = sql_query("SELECT body FROM note ORDER BY body")
        .load(&mut conn)
        .await?;
    Ok(rows.into_iter().map(|n| n.body).collect())
}

#[tokio::test]
async fn starts_keeps_data_across_restarts_and_shares_a_running_server() -> TestResult {
    let dir = temp_dir()?;

    let began = Instant::now();
    let cluster = LocalCluster::start(options(dir.path())).await?;
    let first_start = began.elapsed();
    assert!(cluster.owns_server());
    assert_eq!(cluster.data_dir(), dir.path());
    let port = cluster.port();
    assert!(port_open(port));

    cluster.ensure_database("gloact").await?;
    // A second time is a no-op.
    cluster.ensure_database("gloact").await?;
    let url = cluster.url("gloact");
    let password = std::fs::read_to_string(dir.path().join("pg.password"))?;
    assert_eq!(
        url,
        format!(
            "postgres://postgres:{}@127.0.0.1:{port}/gloact",
            password.trim()
        )
    );
    {
        let mut conn = AsyncPgConnection::establish(&url).await?;
        sql_query("CREATE TABLE note (body text NOT NULL)")
            .execute(&mut conn)
            .await?;
        sql_query("INSERT INTO note VALUES ('kept')")
            .execute(&mut conn)
            .await?;
    }
    assert_eq!(notes(&url).await?, ["kept"]);

    cluster.stop().await?;
    assert!(!port_open(port), "the server still answers after stop");

    let began = Instant::now();
    let owner = LocalCluster::start(options(dir.path())).await?;
    let second_start = began.elapsed();
    assert!(owner.owns_server());
    assert_eq!(owner.port(), port, "a restart keeps the port");
    assert_eq!(notes(&owner.url("gloact")).await?, ["kept"]);

    let guest = LocalCluster::start(options(dir.path())).await?;
    assert!(!guest.owns_server());
    assert_eq!(guest.port(), port);
    guest.stop().await?;
    assert!(
        port_open(port),
        "stopping a handle that does not own the server stopped it"
    );
    assert_eq!(notes(&owner.url("gloact")).await?, ["kept"]);

    owner.stop().await?;
    assert!(!port_open(port));
    eprintln!("first start {first_start:?}, second start {second_start:?}");
    Ok(())
}

#[tokio::test]
async fn concurrent_starters_share_one_server() -> TestResult {
    let dir = temp_dir()?;
    let (a, b) = tokio::join!(
        LocalCluster::start(options(dir.path())),
        LocalCluster::start(options(dir.path()))
    );
    let (a, b) = (a?, b?);
    assert!(
        a.owns_server() != b.owns_server(),
        "exactly one starter owns the server"
    );
    assert_eq!(a.port(), b.port());
    let (owner, guest) = if a.owns_server() { (a, b) } else { (b, a) };
    let port = owner.port();
    guest.stop().await?;
    assert!(port_open(port));
    owner.stop().await?;
    assert!(!port_open(port));
    Ok(())
}

#[tokio::test]
async fn moves_to_another_port_when_the_stored_one_is_taken() -> TestResult {
    let dir = temp_dir()?;
    let cluster = LocalCluster::start(options(dir.path())).await?;
    let port = cluster.port();
    cluster.stop().await?;

    let squatter = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port))?;
    let cluster = LocalCluster::start(options(dir.path())).await?;
    let moved = cluster.port();
    let stored = std::fs::read_to_string(dir.path().join("pg.port"))?;
    cluster.stop().await?;
    drop(squatter);
    assert_ne!(moved, port);
    assert_eq!(stored.trim(), moved.to_string());
    Ok(())
}

#[tokio::test]
async fn rejects_database_names_that_are_not_plain_identifiers() -> TestResult {
    let dir = temp_dir()?;
    let cluster = LocalCluster::start(options(dir.path())).await?;
    let refused = cluster
        .ensure_database("x'; DROP DATABASE postgres; --")
        .await;
    let uppercase = cluster.ensure_database("Gloact").await;
    cluster.stop().await?;
    assert!(matches!(
        refused,
        Err(ClusterError::InvalidDatabaseName { .. })
    ));
    assert!(matches!(
        uppercase,
        Err(ClusterError::InvalidDatabaseName { .. })
    ));
    Ok(())
}

#[tokio::test]
async fn a_bin_folder_without_binaries_is_a_clear_error() -> TestResult {
    let dir = temp_dir()?;
    let empty = dir.path().join("bin");
    std::fs::create_dir(&empty)?;
    let result = LocalCluster::start(ClusterOptions {
        data_dir: dir.path().join("data"),
        pg_bin_dir: Some(empty.clone()),
        fsync_off: true,
    })
    .await;
    match result {
        Err(error @ ClusterError::BinariesNotFound { .. }) => {
            let message = error.to_string();
            assert!(
                message.starts_with("PostgreSQL server binaries not found"),
                "{message}"
            );
            assert!(message.contains(&empty.display().to_string()), "{message}");
            assert!(message.contains("PG_BIN_DIR") && message.contains("DATABASE_URL"));
            assert!(!message.contains('\n'));
        }
        Err(other) => return Err(format!("expected BinariesNotFound, got {other:?}").into()),
        Ok(cluster) => {
            cluster.stop().await?;
            return Err("started without binaries".into());
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_long_data_path_still_starts() -> TestResult {
    let dir = temp_dir()?;
    // Longer than a unix socket path may be: the socket goes elsewhere.
    let data_dir = dir
        .path()
        .join("a-rather-long-folder-name-".repeat(4))
        .join("data");
    let cluster = LocalCluster::start(options(&data_dir)).await?;
    cluster.ensure_database("gloact").await?;
    let mut conn = AsyncPgConnection::establish(&cluster.url("gloact")).await?;
    sql_query("SELECT 1").execute(&mut conn).await?;
    drop(conn);
    cluster.stop().await?;
    Ok(())
}

#[tokio::test]
async fn as_root_a_data_dir_the_server_user_cannot_reach_is_a_clear_error() -> TestResult {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let root = status
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0"));
    if !root {
        return Ok(());
    }
    let dir = temp_dir()?;
    let closed = dir.path().join("closed");
    std::fs::create_dir(&closed)?;
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o700))?;
    let data_dir = closed.join("data");
    match LocalCluster::start(options(&data_dir)).await {
        Err(ClusterError::DataDirNotReachable { path }) => assert_eq!(path, data_dir),
        Err(other) => return Err(format!("expected DataDirNotReachable, got {other:?}").into()),
        Ok(cluster) => {
            cluster.stop().await?;
            return Err("started in a folder the server user cannot reach".into());
        }
    }
    Ok(())
}

#[tokio::test]
async fn tcp_connections_need_the_password_kept_beside_the_cluster() -> TestResult {
    let dir = temp_dir()?;
    let cluster = LocalCluster::start(options(dir.path())).await?;
    let password_file = dir.path().join("pg.password");
    let mode = std::fs::metadata(&password_file)?.permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "only the owner reads the password");
    assert!(
        AsyncPgConnection::establish(&cluster.url("postgres"))
            .await
            .is_ok()
    );
    let without = format!("postgres://postgres@127.0.0.1:{}/postgres", cluster.port());
    assert!(
        AsyncPgConnection::establish(&without).await.is_err(),
        "no password, no connection"
    );
    let wrong = format!(
        "postgres://postgres:guess@127.0.0.1:{}/postgres",
        cluster.port()
    );
    assert!(AsyncPgConnection::establish(&wrong).await.is_err());
    cluster.stop().await?;
    Ok(())
}
