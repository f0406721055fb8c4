//! Faults: the database killed under concurrent ingestion. Nothing acknowledged is lost or
//! stored twice, and nothing else gets more than a 503 the client knows to retry.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use gloact_domain::Role;
use gloact_tests::spawn_app_on_own_cluster;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

/// No request may take longer than this, outage or not: the pool waits 2 s for a connection.
const BOUND: Duration = Duration::from_secs(8);

fn report(id: Uuid) -> Value {
    json!({
        "id": id,
        "occurred_at": "2020-02-25T14:05:00Z",
        "district": "Cox's Bazar",
        "narrative": "Sent while the database was being killed.",
        "payload": { "kind": "victim_identification", "sex": "female", "age_band": "18_25", "citizenship": "BGD", "exploitation": "labour" },
    })
}

/// What one send got.
#[derive(Debug)]
enum Outcome {
    /// 201 or 200: the server says the report is stored.
    Acknowledged,
    /// 503 problem+json `unavailable` with `Retry-After`: the phone keeps it and sends later.
    Unavailable,
    /// Anything else, with what was seen: a failure of the test.
    Wrong(String),
}

async fn send(client: &reqwest::Client, base: &str, token: &str, id: Uuid) -> Outcome {
    let began = Instant::now();
    let sent = client
        .request(Method::POST, format!("{base}/api/v1/field-reports"))
        .bearer_auth(token)
        .json(&report(id))
        .send()
        .await;
    let response = match sent {
        Ok(response) => response,
        Err(error) => {
            return Outcome::Wrong(format!("no answer after {:?}: {error}", began.elapsed()));
        }
    };
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (content_type, retry_after) = (header("content-type"), header("retry-after"));
    let body = response.text().await.unwrap_or_default();
    let elapsed = began.elapsed();
    if elapsed > BOUND {
        return Outcome::Wrong(format!("{status} after {elapsed:?}"));
    }
    match status {
        200 | 201 => Outcome::Acknowledged,
        503 if content_type.as_deref() == Some("application/problem+json")
            && retry_after.is_some()
            && serde_json::from_str::<Value>(&body).is_ok_and(|b| b["code"] == "unavailable") =>
        {
            Outcome::Unavailable
        }
        _ => Outcome::Wrong(format!(
            "{status} ({content_type:?}, Retry-After {retry_after:?}): {body}"
        )),
    }
}

/// How the database goes away.
#[derive(Debug, Clone, Copy)]
enum Fault {
    /// SIGKILL to the postmaster and its processes: connections drop without a word.
    Kill,
    /// `pg_ctl stop -m fast`: every session is ended with an error (57P01) first.
    FastStop,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_database_mid_ingestion_loses_no_acknowledged_report_and_answers_only_503() {
    ingest_through(Fault::Kill).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_the_database_mid_ingestion_loses_no_acknowledged_report_and_answers_only_503() {
    ingest_through(Fault::FastStop).await;
}

/// Eight phones send reports while the database goes away and comes back on its folder and port.
async fn ingest_through(fault: Fault) {
    let (app, mut cluster) = spawn_app_on_own_cluster().await;
    let client = reqwest::Client::builder()
        .timeout(BOUND * 2)
        .build()
        .unwrap();
    let tokens = [app.token(Role::Government), app.token(Role::Iom)];
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let unavailable = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));

    // Phones sending reports one after another, eight at a time, each under a fresh id.
    let phones: Vec<_> = (0..8)
        .map(|phone| {
            let (client, base) = (client.clone(), app.address.clone());
            let token = tokens[phone % tokens.len()].clone();
            let (acknowledged, unavailable, stop) =
                (acknowledged.clone(), unavailable.clone(), stop.clone());
            tokio::spawn(async move {
                let mut sent = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let id = Uuid::new_v4();
                    let outcome = send(&client, &base, &token, id).await;
                    match outcome {
                        Outcome::Acknowledged => acknowledged.fetch_add(1, Ordering::Relaxed),
                        Outcome::Unavailable => {
                            // As a phone would, if sooner than Retry-After says.
                            tokio::time::sleep(Duration::from_millis(250)).await;
                            unavailable.fetch_add(1, Ordering::Relaxed)
                        }
                        Outcome::Wrong(_) => 0,
                    };
                    sent.push((id, token.clone(), outcome));
                }
                sent
            })
        })
        .collect();
    let wait_for = |counter: Arc<AtomicUsize>, at_least: usize, what: &'static str| async move {
        let deadline = Instant::now() + Duration::from_secs(30);
        while counter.load(Ordering::Relaxed) < at_least {
            assert!(Instant::now() < deadline, "never saw {at_least} {what}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };

    wait_for(
        acknowledged.clone(),
        20,
        "acknowledged reports before the fault",
    )
    .await;
    match fault {
        Fault::Kill => {
            let cluster_dir = cluster.cluster_dir();
            tokio::task::spawn_blocking(move || gloact_tests::kill_postmaster(&cluster_dir))
                .await
                .unwrap();
        }
        Fault::FastStop => cluster.stop().await,
    }
    let before_restart = acknowledged.load(Ordering::Relaxed);
    wait_for(
        unavailable.clone(),
        10,
        "503 answers while the database was down",
    )
    .await;
    cluster.start_again().await;
    wait_for(
        acknowledged.clone(),
        before_restart + 20,
        "acknowledged reports after the restart",
    )
    .await;
    stop.store(true, Ordering::Relaxed);
    let mut sent = Vec::new();
    for phone in phones {
        sent.extend(phone.await.unwrap());
    }

    let wrong: Vec<String> = sent
        .iter()
        .filter_map(|(id, _, outcome)| match outcome {
            Outcome::Wrong(seen) => Some(format!("{id}: {seen}")),
            _ => None,
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "every answer is an acknowledgement or a 503 to retry, in under {BOUND:?}: {wrong:#?}"
    );
    let stored = stored_copies(&app).await;
    for (id, _, outcome) in &sent {
        if matches!(outcome, Outcome::Acknowledged) {
            assert_eq!(
                stored.get(id),
                Some(&1),
                "acknowledged report {id} is stored once"
            );
        }
    }

    // The phones send again what got a 503: each is stored now (or was already, when the
    // database committed it but the answer was lost with the connection), once.
    let resends = sent
        .iter()
        .filter(|(_, _, outcome)| matches!(outcome, Outcome::Unavailable))
        .map(|(id, token, _)| {
            let (client, base) = (&client, &app.address);
            async move {
                let again = send(client, base, token, *id).await;
                assert!(
                    matches!(again, Outcome::Acknowledged),
                    "resending {id} after the restart: {again:?}"
                );
            }
        });
    futures_util::stream::iter(resends)
        .buffer_unordered(8)
        .collect::<Vec<()>>()
        .await;
    let stored = stored_copies(&app).await;
    for (id, _, _) in &sent {
        assert_eq!(
            stored.get(id),
            Some(&1),
            "report {id} is stored once after the resends"
        );
    }
}

/// How many times each stored field report is listed, as UNODC lists them.
async fn stored_copies(app: &gloact_tests::TestApp) -> HashMap<Uuid, usize> {
    let mut copies = HashMap::new();
    for report in app
        .get_all("/api/v1/field-reports?limit=500", Role::Unodc)
        .await
    {
        let id: Uuid = report["id"].as_str().unwrap().parse().unwrap();
        *copies.entry(id).or_default() += 1;
    }
    copies
}
