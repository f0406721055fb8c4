//! The audit trail: an event for every write and every read of restricted data, in the write's
//! transaction, with the request id; readable by UNODC administrators; tamper-evident.

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use gloact_domain::Role;
use gloact_persistence::audit;
use gloact_tests::{TestApp, json, problem, spawn_seeded_app, victim_identification};
use reqwest::Method;
use serde_json::{Value, json};

async fn events(app: &TestApp, query: &str) -> Vec<Value> {
    let admin = app.token_with_scopes(Role::Unodc, "UNODC-BGD", "admin");
    let mut all = Vec::new();
    let mut after = String::new();
    loop {
        let response = app
            .request(
                Method::GET,
                &format!("/api/v1/admin/audit-events?limit=7{query}{after}"),
                &admin,
            )
            .send()
            .await
            .unwrap();
        let page = json(response, 200).await;
        all.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(cursor) => after = format!("&after={cursor}"),
            None => return all,
        }
    }
}

/// A connection to the test's database with the trail's append-only guard switched off, as an
/// owner of the table could.
async fn unguarded(app: &TestApp) -> AsyncPgConnection {
    let mut conn = AsyncPgConnection::establish(&app.database_url())
        .await
        .unwrap();
    diesel::sql_query("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update")
        .execute(&mut conn)
        .await
        .unwrap();
    conn
}

fn summary(events: &[Value]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["resource_type"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn every_write_leaves_one_event_with_its_request_id_and_changed_fields() {
    let app = spawn_seeded_app().await;
    let unodc = app.token(Role::Unodc);
    let send = |method: Method, path: &str, request_id: &str, version: Option<i64>, body: Value| {
        let mut request = app
            .request(method, path, &unodc)
            .header("x-request-id", request_id)
            .json(&body);
        if let Some(version) = version {
            request = request.header("if-match", format!("\"{version}\""));
        }
        request.send()
    };
    let created = json(send(Method::POST, "/api/v1/organizations", "req-org-create", None, json!({"code": "MOWCA-BGD", "name": "Ministry of Women and Children Affairs", "kind": "government", "country": "BGD"})).await.unwrap(), 201).await;
    let org_path = format!("/api/v1/organizations/{}", created["id"].as_str().unwrap());
    json(
        send(
            Method::PATCH,
            &org_path,
            "req-org-update",
            Some(1),
            json!({"name": "Ministry of Women and Children Affairs (MoWCA)", "iati_ref": null}),
        )
        .await
        .unwrap(),
        200,
    )
    .await;
    // A refused write leaves nothing.
    problem(
        send(
            Method::PATCH,
            &org_path,
            "req-stale",
            Some(1),
            json!({"name": "Stale"}),
        )
        .await
        .unwrap(),
        412,
        "version_mismatch",
    )
    .await;

    let events_of = |id: &str| {
        let id = id.to_owned();
        let app = &app;
        async move { events(app, &format!("&request_id={id}")).await }
    };
    let create = events_of("req-org-create").await;
    assert_eq!(create.len(), 1, "{create:?}");
    let event = &create[0];
    assert_eq!(
        (event["action"].as_str(), event["resource_type"].as_str()),
        (Some("create"), Some("organization"))
    );
    assert_eq!(event["resource_id"], created["id"]);
    assert_eq!(
        (
            event["actor"].as_str(),
            event["role"].as_str(),
            event["organization"].as_str()
        ),
        (Some("test-unodc"), Some("unodc"), Some("UNODC-BGD"))
    );
    let update = events_of("req-org-update").await;
    assert_eq!(update.len(), 1);
    assert_eq!(update[0]["changed_fields"], json!(["name", "iati_ref"]));
    assert!(
        events_of("req-stale").await.is_empty(),
        "a refused write leaves no event"
    );

    // Activities, follow-ups, indicators: each write one event.
    let before = events(&app, "").await.len();
    let vw = app.activity("VW-2020-04").await;
    let vw_path = format!("/api/v1/activities/{}", vw["id"].as_str().unwrap());
    json(
        send(
            Method::PATCH,
            &vw_path,
            "req-a",
            Some(vw["version"].as_i64().unwrap()),
            json!({"status": "postponed"}),
        )
        .await
        .unwrap(),
        200,
    )
    .await;
    let action = json(
        send(
            Method::POST,
            "/api/v1/follow-up-actions",
            "req-f",
            None,
            json!({"activity_id": vw["id"], "owner": "UNODC-BGD", "title": "Set a new date"}),
        )
        .await
        .unwrap(),
        201,
    )
    .await;
    json(
        send(
            Method::PATCH,
            &format!(
                "/api/v1/follow-up-actions/{}",
                action["id"].as_str().unwrap()
            ),
            "req-f2",
            Some(1),
            json!({"status": "in_progress"}),
        )
        .await
        .unwrap(),
        200,
    )
    .await;
    let indicators = app.get_all("/api/v1/indicators", Role::Unodc).await;
    let out12 = indicators.iter().find(|i| i["code"] == "OUT-1.2").unwrap();
    let actual_path = format!(
        "/api/v1/indicators/{}/periods/{}/actual",
        out12["id"].as_str().unwrap(),
        out12["periods"][0]["id"].as_str().unwrap()
    );
    json(
        send(
            Method::PUT,
            &actual_path,
            "req-i",
            Some(out12["version"].as_i64().unwrap()),
            json!({"value": 1.0}),
        )
        .await
        .unwrap(),
        200,
    )
    .await;
    // (Finding the activity read the restricted ones too; those reads are recorded as well.)
    let mut after: Vec<Value> = events(&app, "").await.split_off(before);
    after.retain(|e| e["action"] != "read");
    assert_eq!(
        summary(&after),
        [
            ("update", "activity"),
            ("create", "follow_up_action"),
            ("update", "follow_up_action"),
            ("update", "indicator_period")
        ]
        .map(|(a, r)| (a.to_owned(), r.to_owned()))
    );
    assert_eq!(after[0]["changed_fields"], json!(["status"]));
}

#[tokio::test]
async fn reading_a_restricted_activity_is_recorded_and_a_public_one_is_not() {
    let app = spawn_seeded_app().await;
    let workshop = app.activity("WS-2020-01").await;
    let consultation = app.activity("NC-2020").await;
    let before = events(&app, "&action=read").await.len();
    let moljpa = app.token_for(Role::Government, "MOLJPA-BGD");
    for activity in [&workshop, &consultation] {
        let response = app
            .request(
                Method::GET,
                &format!("/api/v1/activities/{}", activity["id"].as_str().unwrap()),
                &moljpa,
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    let reads = events(&app, "&action=read").await.split_off(before);
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(reads[0]["resource_id"], workshop["id"]);
    assert_eq!(reads[0]["organization"], "MOLJPA-BGD");
    // A list shows restricted rows too: one event for each.
    let before = events(&app, "&action=read").await.len();
    app.request(
        Method::GET,
        "/api/v1/activities?pillar=capacity_building",
        &moljpa,
    )
    .send()
    .await
    .unwrap();
    let listed = events(&app, "&action=read").await.split_off(before);
    assert_eq!(
        listed.len(),
        1,
        "MOLJPA-BGD sees one restricted workshop: {listed:?}"
    );
}

#[tokio::test]
async fn only_unodc_administrators_read_the_trail() {
    let app = spawn_seeded_app().await;
    for token in [
        app.token(Role::Unodc),
        app.token_with_scopes(Role::Iom, "IOM-BGD", "pii stats:exact"),
        app.token(Role::Eu),
    ] {
        let response = app
            .request(Method::GET, "/api/v1/admin/audit-events", &token)
            .send()
            .await
            .unwrap();
        problem(response, 403, "forbidden").await;
    }
}

#[tokio::test]
async fn the_chain_holds_and_an_edited_event_breaks_it() {
    let app = spawn_seeded_app().await;
    for code in ["AUD-1", "AUD-2", "AUD-3"] {
        let body = json!({"code": code, "name": "Audited", "kind": "other", "country": "BGD"});
        json(
            app.post("/api/v1/organizations", Role::Unodc, &body).await,
            201,
        )
        .await;
    }
    let trail = events(&app, "").await;
    assert!(trail.len() >= 3);
    for pair in trail.windows(2) {
        assert_eq!(
            pair[1]["prev_hash"], pair[0]["hash"],
            "each event links to the one before"
        );
    }
    let report = audit::verify(&app.db).await.unwrap();
    assert_eq!((report.events, report.broken), (trail.len() as u64, None));
    let last = trail.last().unwrap();
    assert_eq!(
        report.head,
        Some((
            last["seq"].as_i64().unwrap(),
            last["hash"].as_str().unwrap().to_owned()
        ))
    );

    // The table refuses changes...
    let url = app.database_url();
    let mut conn = AsyncPgConnection::establish(&url).await.unwrap();
    let refused = diesel::sql_query("UPDATE audit_event SET actor = 'someone-else' WHERE seq = 2")
        .execute(&mut conn)
        .await;
    assert!(refused.is_err(), "audit_event is append-only");
    assert!(
        diesel::sql_query("DELETE FROM audit_event")
            .execute(&mut conn)
            .await
            .is_err()
    );
    // ...and an owner who goes around that is caught.
    diesel::sql_query("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update")
        .execute(&mut conn)
        .await
        .unwrap();
    diesel::sql_query("UPDATE audit_event SET actor = 'someone-else' WHERE seq = 2")
        .execute(&mut conn)
        .await
        .unwrap();
    let report = audit::verify(&app.db).await.unwrap();
    assert_eq!(report.broken.map(|(seq, _)| seq), Some(2), "{report:?}");
    assert_eq!(report.events, 1);
    // Removing an event inside the chain breaks it too.
    diesel::sql_query("UPDATE audit_event SET actor = 'test-unodc' WHERE seq = 2")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        audit::verify(&app.db).await.unwrap().broken,
        None,
        "restored"
    );
    diesel::sql_query("DELETE FROM audit_event WHERE seq = 2")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        audit::verify(&app.db)
            .await
            .unwrap()
            .broken
            .map(|(seq, _)| seq),
        Some(2)
    );
}

#[tokio::test]
async fn events_cut_off_the_end_are_caught_by_comparing_the_head_kept_elsewhere() {
    let app = spawn_seeded_app().await;
    for code in ["CUT-1", "CUT-2"] {
        let body = json!({"code": code, "name": "Audited", "kind": "other", "country": "BGD"});
        json(
            app.post("/api/v1/organizations", Role::Unodc, &body).await,
            201,
        )
        .await;
    }
    audit::seal(&app.db).await.unwrap();
    let (seq, hash) = audit::verify(&app.db).await.unwrap().head.unwrap();
    assert_eq!(
        audit::hash_at(&app.db, seq).await.unwrap().as_deref(),
        Some(hash.as_str())
    );
    let mut conn = unguarded(&app).await;
    diesel::sql_query(format!("DELETE FROM audit_event WHERE seq = {seq}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let report = audit::verify(&app.db).await.unwrap();
    assert_eq!(
        report.broken, None,
        "the chain alone can't tell its end was cut"
    );
    assert_eq!(report.head.map(|(s, _)| s), Some(seq - 1));
    assert_eq!(
        audit::hash_at(&app.db, seq).await.unwrap(),
        None,
        "the head kept elsewhere is gone: caught"
    );
}

#[tokio::test]
async fn concurrent_writes_keep_one_unbroken_chain() {
    let app = spawn_seeded_app().await;
    let writes = (0..24).map(|i| {
        let app = &app;
        async move {
            let body = json!({"code": format!("PAR-{i:02}"), "name": "Written at once", "kind": "other", "country": "BGD"});
            json(app.post("/api/v1/organizations", Role::Unodc, &body).await, 201).await
        }
    });
    futures_util::future::join_all(writes).await;
    let trail = events(&app, "&action=create&resource_type=organization").await;
    assert_eq!(trail.len(), 24);
    let report = audit::verify(&app.db).await.unwrap();
    assert_eq!(report.broken, None);
    let all = events(&app, "").await;
    let seqs: Vec<i64> = all.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as i64).collect::<Vec<_>>(),
        "no gap, no fork"
    );
}

#[tokio::test]
async fn reading_the_follow_up_of_a_restricted_activity_is_recorded() {
    let app = spawn_seeded_app().await;
    let workshop = app.activity("WS-2020-01").await;
    let body = json!({"activity_id": workshop["id"], "owner": "MOLJPA-BGD", "title": "Share the bench book with the tribunals"});
    let action = json(
        app.post("/api/v1/follow-up-actions", Role::Unodc, &body)
            .await,
        201,
    )
    .await;
    let moljpa = app.token_for(Role::Government, "MOLJPA-BGD");
    let before = events(&app, "&action=read&resource_type=follow_up_action")
        .await
        .len();
    let path = format!(
        "/api/v1/follow-up-actions/{}",
        action["id"].as_str().unwrap()
    );
    assert_eq!(
        app.request(Method::GET, &path, &moljpa)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let reads = events(&app, "&action=read&resource_type=follow_up_action")
        .await
        .split_off(before);
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(
        (
            reads[0]["resource_id"].as_str(),
            reads[0]["organization"].as_str()
        ),
        (action["id"].as_str(), Some("MOLJPA-BGD"))
    );
    // The seeded action of the public consultation is read without a trace.
    let public = app
        .get_all("/api/v1/follow-up-actions?owner=UNODC-BGD", Role::Eu)
        .await;
    assert!(!public.is_empty());
    assert_eq!(
        events(&app, "&action=read&resource_type=follow_up_action")
            .await
            .len(),
        before + 1
    );
}

#[tokio::test]
async fn a_signed_checkpoint_catches_events_cut_off_the_end_and_a_forged_signature() {
    let app = spawn_seeded_app().await;
    for code in ["SIG-1", "SIG-2"] {
        let body = json!({"code": code, "name": "Audited", "kind": "other", "country": "BGD"});
        json(
            app.post("/api/v1/organizations", Role::Unodc, &body).await,
            201,
        )
        .await;
    }
    let key = gloact_api::auth::CheckpointKey::new(app.tokens.key()).unwrap();
    let sealed = gloact_api::service::audit::seal_and_sign(&app.db, &key)
        .await
        .unwrap();
    let (head, _) = sealed.head.unwrap();
    let checked = gloact_api::service::audit::verify(&app.db, &app.tokens)
        .await
        .unwrap();
    assert_eq!(checked.chain.broken, None);
    assert_eq!(checked.chain.unsealed, 0);
    assert_eq!(
        checked
            .chain
            .checkpoints
            .iter()
            .map(|c| c.seq)
            .collect::<Vec<_>>(),
        vec![head]
    );
    assert!(checked.bad_signatures.is_empty());
    // Keys the server never had vouch for nothing.
    let stranger = gloact_api::auth::TokenService::new(
        gloact_api::auth::SigningKey::generate().unwrap(),
        &gloact_tests::test_settings(&app.database_url()).auth,
    )
    .unwrap();
    let checked = gloact_api::service::audit::verify(&app.db, &stranger)
        .await
        .unwrap();
    assert_eq!(checked.bad_signatures, vec![head]);

    // The head cut off is caught by the checkpoint, without a head kept elsewhere.
    let mut conn = unguarded(&app).await;
    diesel::sql_query(format!("DELETE FROM audit_event WHERE seq = {head}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let report = audit::verify(&app.db).await.unwrap();
    assert_eq!(
        report.broken,
        Some((head, "events a signed checkpoint names are gone"))
    );
}

#[tokio::test]
async fn events_a_crash_left_unsealed_are_sealed_in_commit_order_by_the_next_server() {
    let app = spawn_seeded_app().await;
    for i in 0..6 {
        let body = json!({"code": format!("CRASH-{i}"), "name": "Before the crash", "kind": "other", "country": "BGD"});
        json(
            app.post("/api/v1/organizations", Role::Unodc, &body).await,
            201,
        )
        .await;
    }
    // The server goes away without sealing (the tests' servers don't seal in the background).
    app.stop().await;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        resource_id: String,
    }
    let mut conn = AsyncPgConnection::establish(&app.database_url())
        .await
        .unwrap();
    let unsealed: Vec<Row> = diesel::sql_query(
        "SELECT coalesce(resource_id, '') AS resource_id FROM audit_event WHERE seq IS NULL ORDER BY pos",
    )
    .load(&mut conn)
    .await
    .unwrap();
    assert!(unsealed.len() >= 6, "the writes' events wait for a sealer");

    // The next server seals them in the background, in position order (`pos`, from the change
    // clock), as the previous one would have.
    let mut settings = gloact_tests::test_settings(&app.database_url());
    settings.audit.seal_interval_ms = 50;
    let next = gloact_api::server::Application::build(
        &settings,
        app.db.clone(),
        app.tokens.clone(),
        false,
    )
    .unwrap();
    let handle = next.handle();
    tokio::spawn(next.run_until_stopped());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let report = loop {
        let checked = gloact_api::service::audit::verify(&app.db, &app.tokens)
            .await
            .unwrap();
        if checked.chain.unsealed == 0 && !checked.chain.checkpoints.is_empty() {
            assert!(checked.bad_signatures.is_empty());
            break checked.chain;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not sealed: {checked:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    handle.stop(false).await;
    assert_eq!(report.broken, None);
    let sealed: Vec<Row> = diesel::sql_query(format!(
        "SELECT coalesce(resource_id, '') AS resource_id FROM audit_event \
         WHERE seq > {} ORDER BY seq",
        report.events - unsealed.len() as u64
    ))
    .load(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        sealed.iter().map(|r| &r.resource_id).collect::<Vec<_>>(),
        unsealed.iter().map(|r| &r.resource_id).collect::<Vec<_>>(),
        "sealed in the order they committed"
    );
}

/// Sends `body` with `If-Match` at `version`; the answer must be 200.
async fn patch_at(app: &TestApp, path: &str, token: &str, version: &Value, body: Value) -> Value {
    json(
        app.request(Method::PATCH, path, token)
            .header("if-match", format!("\"{version}\""))
            .json(&body)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await
}

/// The read events about rows of this type written since `before` of them were.
async fn reads_since(app: &TestApp, resource_type: &str, before: usize) -> Vec<Value> {
    events(app, &format!("&action=read&resource_type={resource_type}"))
        .await
        .split_off(before)
}

async fn reads_of(app: &TestApp, resource_type: &str) -> usize {
    reads_since(app, resource_type, 0).await.len()
}

#[tokio::test]
async fn a_change_that_changes_nothing_is_on_the_trail_as_the_read_it_is() {
    let app = spawn_seeded_app().await;

    // An empty PATCH of a case, and a referral moved to the status it has, answer with the case.
    let unodc = app.token(Role::Unodc);
    let case = json(
        app.request(Method::POST, "/api/v1/cases", &unodc)
            .json(&json!({
                "identified_on": "2020-02-20",
                "district": "Cox's Bazar",
                "sex": "female",
                "age_band": "18_25",
                "citizenship": "BGD",
                "exploitation": "labour",
                "means_of_control": ["debt_bondage"],
                "recruitment": { "method": "job_offer", "recruiter_relation": "agent" },
                "events": [{ "stage": "recruitment", "place": "Teknaf", "country": "BGD" }],
                "consent": true,
                "referrals": [{ "to_organization": "IOM-BGD", "service": "repatriation" }],
            }))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    let case_id = case["id"].as_str().unwrap();
    let case_path = format!("/api/v1/cases/{case_id}");
    let before = reads_of(&app, "case").await;
    let same = patch_at(&app, &case_path, &unodc, &case["version"], json!({})).await;
    assert_eq!(same["id"], case["id"]);
    let reads = reads_since(&app, "case", before).await;
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(reads[0]["resource_id"], case["id"]);

    let referral = case["referrals"][0]["id"].as_str().unwrap();
    let iom = app.token(Role::Iom);
    let same = patch_at(
        &app,
        &format!("{case_path}/referrals/{referral}"),
        &iom,
        &case["version"],
        json!({ "status": case["referrals"][0]["status"] }),
    )
    .await;
    assert_eq!(same["version"], case["version"], "nothing was written");
    let reads = reads_since(&app, "case", before).await;
    assert_eq!(reads.len(), 2, "{reads:?}");
    assert_eq!(
        (
            reads[1]["resource_id"].as_str(),
            reads[1]["organization"].as_str()
        ),
        (Some(case_id), Some("IOM-BGD"))
    );

    // An empty PATCH of a follow-up action of a restricted activity answers with the action.
    let workshop = app.activity("WS-2020-01").await;
    let action = json(
        app.post(
            "/api/v1/follow-up-actions",
            Role::Unodc,
            &json!({"activity_id": workshop["id"], "owner": "MOLJPA-BGD", "title": "Share the bench book with the tribunals"}),
        )
        .await,
        201,
    )
    .await;
    let before = reads_of(&app, "follow_up_action").await;
    let moljpa = app.token_for(Role::Government, "MOLJPA-BGD");
    patch_at(
        &app,
        &format!(
            "/api/v1/follow-up-actions/{}",
            action["id"].as_str().unwrap()
        ),
        &moljpa,
        &action["version"],
        json!({}),
    )
    .await;
    let reads = reads_since(&app, "follow_up_action", before).await;
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(reads[0]["resource_id"], action["id"]);

    // A field report sent again is answered with the stored report.
    let moha = app.token(Role::Government);
    let report = victim_identification(uuid::Uuid::new_v4());
    let post = || {
        app.request(Method::POST, "/api/v1/field-reports", &moha)
            .json(&report)
            .send()
    };
    json(post().await.unwrap(), 201).await;
    let before = reads_of(&app, "field_report").await;
    json(post().await.unwrap(), 200).await;
    let reads = reads_since(&app, "field_report", before).await;
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(reads[0]["resource_id"], report["id"]);
}

#[tokio::test]
async fn an_answer_replayed_under_an_idempotency_key_is_on_the_trail_as_a_read() {
    let app = spawn_seeded_app().await;
    let moha = app.token(Role::Government);
    let report = victim_identification(uuid::Uuid::new_v4());
    let post = || {
        app.request(Method::POST, "/api/v1/field-reports", &moha)
            .header("idempotency-key", "phone-7-report-1")
            .json(&report)
            .send()
    };
    let first = post().await.unwrap();
    assert_eq!(first.status(), 201);
    let before = reads_of(&app, "field_report").await;
    let again = post().await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(json(again, 201).await["id"], report["id"]);
    let reads = reads_since(&app, "field_report", before).await;
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(reads[0]["resource_id"], report["id"]);
    assert_eq!(reads[0]["organization"], "MOHA-BGD");
}
