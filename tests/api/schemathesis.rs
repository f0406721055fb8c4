//! Schemathesis against the served contract, bounded to seconds: generated requests (valid and
//! not) for every operation with a UNODC and a government token, failing on any server error,
//! any answer the contract does not describe (status, content type, headers, body), and any
//! invalid request accepted.
//!
//! Schemathesis is a Python program: the first run installs the pinned version into a virtual
//! environment under `target/` (about fifteen seconds, from PyPI); later runs reuse it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use gloact_domain::Role;
use gloact_tests::spawn_seeded_app;

const VERSION: &str = "4.32.5";

/// Seconds each run may take: schemathesis repeats fuzzing until they are spent.
const BUDGET_SECS: &str = "10";

/// The `schemathesis` executable, installed into `target/schemathesis-VERSION` when missing
/// (once per test process; the file `installed` marks a finished install).
fn schemathesis() -> PathBuf {
    static INSTALLED: OnceLock<PathBuf> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
            let venv = target.join(format!("schemathesis-{VERSION}"));
            let marker = venv.join("installed");
            if !marker.exists() {
                let _ = std::fs::remove_dir_all(&venv);
                let run = |command: &mut Command| {
                    let output = command.output().expect("python3 runs");
                    assert!(
                        output.status.success(),
                        "installing schemathesis failed: {}",
                        String::from_utf8_lossy(&output.stderr)
                    );
                };
                run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
                run(Command::new(venv.join("bin/pip")).args([
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    &format!("schemathesis=={VERSION}"),
                ]));
                std::fs::write(&marker, VERSION).expect("the marker is written");
            }
            venv.join("bin/schemathesis")
        })
        .clone()
}

async fn run_as(role: Role) {
    let app = spawn_seeded_app().await;
    let token = app.token(role);
    let schema = format!("{}/api/openapi.json", app.address);
    let bin = tokio::task::spawn_blocking(schemathesis).await.unwrap();
    let output = tokio::process::Command::new(bin)
        .args(["run", &schema])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--checks", "all"])
        .args(["--exclude-checks", "positive_data_acceptance"])
        .args(["--max-time", BUDGET_SECS])
        .args(["--workers", "1"])
        .args(["--request-timeout", "5"])
        .args(["--seed", "20261203"])
        .args(["--no-color"])
        .output()
        .await
        .expect("schemathesis runs");
    let said = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "schemathesis as {role}:\n{said}");
    // It tested every operation, with many cases: a run that reached nothing would pass too.
    let field = |name: &str| {
        said.lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let selected = field("Selected:");
    let total = selected.split('/').nth(1).unwrap_or_default();
    assert!(
        !total.is_empty() && selected == format!("{total}/{total}") && field("Tested:") == total,
        "every operation tested:\n{said}"
    );
    let generated: usize = said
        .lines()
        .find_map(|l| l.trim().split_once(" generated")?.0.parse().ok())
        .unwrap_or(0);
    // At least a case an operation; how many more fit the budget depends on the machine's load.
    let operations: usize = total.parse().unwrap_or(usize::MAX);
    assert!(generated >= operations, "{generated} test cases:\n{said}");
    println!("schemathesis as {role}: {generated} test cases, no failures");
}

#[tokio::test(flavor = "multi_thread")]
async fn schemathesis_finds_nothing_with_a_unodc_token() {
    run_as(Role::Unodc).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn schemathesis_finds_nothing_with_a_government_token() {
    run_as(Role::Government).await;
}
