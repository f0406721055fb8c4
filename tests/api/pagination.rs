//! Cursor pagination and delta sync: no duplicate and no gap while rows are inserted and
//! changed concurrently; `changed_after` returns updates and tombstones in change order.

use std::collections::{HashMap, HashSet};

use futures_util::future::join_all;
use gloact_domain::Role;
use gloact_tests::{TestApp, json, problem, spawn_app, spawn_seeded_app};
use reqwest::Method;
use serde_json::{Value, json as body};

async fn create_organizations(app: &TestApp, prefix: &str, count: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for chunk in (0..count).collect::<Vec<_>>().chunks(16) {
        let responses = join_all(chunk.iter().map(|i| async move {
            let organization = body!({"code": format!("{prefix}-{i:04}"), "name": format!("Organization {prefix} {i}"), "kind": "civil_society", "country": "BGD"});
            app.post("/api/v1/organizations", Role::Unodc, &organization).await
        }))
        .await;
        for response in responses {
            ids.push(json(response, 201).await["id"].as_str().unwrap().to_owned());
        }
    }
    ids
}

#[tokio::test]
async fn walking_pages_sees_every_row_once_while_rows_are_inserted() {
    let app = spawn_app().await;
    let existing = create_organizations(&app, "OLD", 300).await;

    let writer = async {
        create_organizations(&app, "NEW", 120).await;
    };
    let walker = async {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/organizations?limit=37&after={c}"),
                None => "/api/v1/organizations?limit=37".to_owned(),
            };
            let page = app.get_json(&path, Role::Eu, 200).await;
            let items = page["items"].as_array().unwrap();
            assert!(items.len() <= 37);
            assert!(page["tombstones"].as_array().unwrap().is_empty());
            seen.extend(items.iter().map(|o| o["id"].as_str().unwrap().to_owned()));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break seen,
            }
        }
    };
    let ((), seen) = tokio::join!(writer, walker);

    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a row was served twice");
    for id in &existing {
        assert!(
            unique.contains(id),
            "row {id} that existed before the walk was skipped"
        );
    }
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(sorted, seen, "pages are in one stable order (by id)");
}

#[tokio::test]
async fn changed_after_returns_updates_and_tombstones_in_change_order() {
    let app = spawn_seeded_app().await;
    let all = app
        .get_all("/api/v1/activities?limit=500", Role::Unodc)
        .await;
    let high = all
        .iter()
        .map(|a| a["change_seq"].as_i64().unwrap())
        .max()
        .unwrap();

    // Nothing changed yet.
    let page = app
        .get_json(
            &format!("/api/v1/activities?changed_after={high}"),
            Role::Unodc,
            200,
        )
        .await;
    assert!(
        page["items"].as_array().unwrap().is_empty()
            && page["tombstones"].as_array().unwrap().is_empty(),
        "{page}"
    );

    let validation = app.activity("VW-2020-04").await;
    let meeting = app.activity("NC-2020-M01").await;
    let updated = app
        .patch(
            &format!("/api/v1/activities/{}", validation["id"].as_str().unwrap()),
            Role::Unodc,
            validation["version"].as_i64().unwrap(),
            &body!({"status": "postponed"}),
        )
        .await;
    json(updated, 200).await;
    app.delete_activity(&meeting).await;

    let page = app
        .get_json(
            &format!("/api/v1/activities?changed_after={high}"),
            Role::Unodc,
            200,
        )
        .await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    assert_eq!(items[0]["code"], "VW-2020-04");
    assert_eq!(items[0]["status"], "postponed");
    let tombstones = page["tombstones"].as_array().unwrap();
    assert_eq!(tombstones.len(), 1, "{page}");
    assert_eq!(tombstones[0]["id"], meeting["id"]);
    assert!(
        tombstones[0]["change_seq"].as_i64().unwrap() > items[0]["change_seq"].as_i64().unwrap()
    );
    assert!(tombstones[0]["deleted_at"].is_string());
    assert!(
        tombstones[0].get("title").is_none(),
        "a tombstone carries no data"
    );

    // Paging through changes one at a time gives the same two, in change order.
    let first = app
        .get_json(
            &format!("/api/v1/activities?changed_after={high}&limit=1"),
            Role::Unodc,
            200,
        )
        .await;
    assert_eq!(first["items"].as_array().unwrap().len(), 1);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .get_json(
            &format!("/api/v1/activities?changed_after={high}&limit=1&after={cursor}"),
            Role::Unodc,
            200,
        )
        .await;
    assert_eq!(
        second["tombstones"].as_array().unwrap().len(),
        1,
        "{second}"
    );
    assert!(second["next_cursor"].is_null());

    // A cursor of a walk by id can't continue a walk of changes.
    let by_id = app
        .get_json("/api/v1/activities?limit=1", Role::Unodc, 200)
        .await;
    let wrong = app
        .get(
            &format!(
                "/api/v1/activities?changed_after={high}&after={}",
                by_id["next_cursor"].as_str().unwrap()
            ),
            Role::Unodc,
        )
        .await;
    problem(wrong, 400, "invalid_cursor").await;

    // The deleted meeting is gone from plain lists.
    let meetings = app
        .get_all("/api/v1/activities?kind=meeting", Role::Unodc)
        .await;
    assert_eq!(meetings.len(), 15);
}

#[tokio::test]
async fn a_poller_of_changes_ends_with_every_rows_latest_version_under_concurrent_writes() {
    let app = spawn_app().await;
    let ids = create_organizations(&app, "SYNC", 20).await;
    let writers_done = std::sync::atomic::AtomicBool::new(false);

    let writers = async {
        join_all((0..4).map(|w| {
            let ids = &ids;
            let app = &app;
            async move {
                for round in 0..15 {
                    let id = &ids[(w * 7 + round * 3) % ids.len()];
                    // Read, then write at that version; a concurrent writer may win: read again.
                    loop {
                        let current = app
                            .get_json(&format!("/api/v1/organizations/{id}"), Role::Unodc, 200)
                            .await;
                        let version = current["version"].as_i64().unwrap();
                        let response = app
                            .patch(
                                &format!("/api/v1/organizations/{id}"),
                                Role::Unodc,
                                version,
                                &body!({"name": format!("Writer {w} round {round}")}),
                            )
                            .await;
                        match response.status().as_u16() {
                            200 => break,
                            412 => continue,
                            other => panic!("unexpected {other}"),
                        }
                    }
                }
            }
        }))
        .await;
        writers_done.store(true, std::sync::atomic::Ordering::SeqCst);
    };
    let poller = async {
        let mut copy: HashMap<String, (i64, String)> = HashMap::new();
        let mut since = 0i64;
        loop {
            let done = writers_done.load(std::sync::atomic::Ordering::SeqCst);
            // Drain every page of changes after `since`.
            loop {
                let page = app
                    .get_json(
                        &format!("/api/v1/organizations?changed_after={since}&limit=7"),
                        Role::Eu,
                        200,
                    )
                    .await;
                for item in page["items"].as_array().unwrap() {
                    let seq = item["change_seq"].as_i64().unwrap();
                    assert!(seq > since, "changes come in change order");
                    since = seq;
                    copy.insert(
                        item["id"].as_str().unwrap().to_owned(),
                        (
                            item["version"].as_i64().unwrap(),
                            item["name"].as_str().unwrap().to_owned(),
                        ),
                    );
                }
                if page["next_cursor"].is_null() {
                    break;
                }
            }
            if done {
                break copy;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    };
    let ((), copy) = tokio::join!(writers, poller);

    let truth: Vec<Value> = app.get_all("/api/v1/organizations", Role::Unodc).await;
    assert_eq!(copy.len(), truth.len());
    for row in truth {
        let (version, name) = &copy[row["id"].as_str().unwrap()];
        assert_eq!(
            *version,
            row["version"].as_i64().unwrap(),
            "the poller missed a change of {}",
            row["code"]
        );
        assert_eq!(name, row["name"].as_str().unwrap());
    }
}

#[tokio::test]
async fn a_government_partner_is_told_of_the_deletion_of_a_restricted_activity_it_took_part_in() {
    let app = spawn_seeded_app().await;
    let moljpa = app.token_for(Role::Government, "MOLJPA-BGD");
    let workshop = app.activity("WS-2020-01").await;
    let high = workshop["change_seq"]
        .as_i64()
        .unwrap()
        .max(app.db.last_change_seq().await.unwrap());
    app.delete_activity(&workshop).await;
    let feed = json(
        app.request(
            Method::GET,
            &format!("/api/v1/activities?changed_after={high}"),
            &moljpa,
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    let tombstones: Vec<&Value> = feed["tombstones"].as_array().unwrap().iter().collect();
    assert_eq!(tombstones.len(), 1, "{feed}");
    assert_eq!(tombstones[0]["id"], workshop["id"]);
    // An organization that never saw it learns nothing.
    let moha = app
        .get_json(
            &format!("/api/v1/activities?changed_after={high}"),
            Role::Government,
            200,
        )
        .await;
    assert!(moha["tombstones"].as_array().unwrap().is_empty(), "{moha}");
}

#[tokio::test]
async fn an_activity_made_restricted_is_a_tombstone_to_those_who_no_longer_see_it() {
    let app = spawn_seeded_app().await;
    let activity = json(
        app.post(
            "/api/v1/activities",
            Role::Unodc,
            &body!({
                "programme": "GLOACT-BGD", "code": "TR-2020-06",
                "title": "Training of labour attaches on safe migration",
                "kind": "training", "pillar": "capacity_building", "visibility": "public",
                "planned_start": "2020-06-01", "planned_end": "2020-06-02", "district": "Dhaka",
                "participations": [{"organization": "UNODC-BGD", "role": "organizer"},
                                   {"organization": "MOLJPA-BGD", "role": "participant"}],
            }),
        )
        .await,
        201,
    )
    .await;
    let id = activity["id"].as_str().unwrap().to_owned();
    let action = json(
        app.post(
            "/api/v1/follow-up-actions",
            Role::Unodc,
            &body!({ "activity_id": id, "owner": "UNODC-BGD",
                     "title": "Share the training report", "due_date": "2020-06-30" }),
        )
        .await,
        201,
    )
    .await;
    // MOHA (not taking part) synced both while the training was public.
    let activity = app.activity("TR-2020-06").await;
    let since = action["change_seq"]
        .as_i64()
        .unwrap()
        .max(activity["change_seq"].as_i64().unwrap());
    let ids = |page: &Value, key: &str| -> Vec<String> {
        page[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };

    let restricted = app
        .patch(
            &format!("/api/v1/activities/{id}"),
            Role::Unodc,
            activity["version"].as_i64().unwrap(),
            &body!({ "visibility": "restricted" }),
        )
        .await;
    json(restricted, 200).await;

    // MOHA is told to drop the training and its follow-up action, and sees nothing of them.
    let activities = app
        .get_json(
            &format!("/api/v1/activities?changed_after={since}"),
            Role::Government,
            200,
        )
        .await;
    assert_eq!(
        ids(&activities, "items"),
        Vec::<String>::new(),
        "{activities}"
    );
    assert_eq!(
        ids(&activities, "tombstones"),
        [id.as_str()],
        "{activities}"
    );
    assert!(activities["tombstones"][0]["deleted_at"].is_string());
    let actions = app
        .get_json(
            &format!("/api/v1/follow-up-actions?changed_after={since}"),
            Role::Government,
            200,
        )
        .await;
    assert_eq!(ids(&actions, "items"), Vec::<String>::new(), "{actions}");
    assert_eq!(
        ids(&actions, "tombstones"),
        [action["id"].as_str().unwrap().to_owned()],
        "{actions}"
    );
    // Paged one change at a time, the tombstone comes and the walk ends after it.
    let first = app
        .get_json(
            &format!("/api/v1/activities?changed_after={since}&limit=1"),
            Role::Government,
            200,
        )
        .await;
    assert_eq!(ids(&first, "tombstones"), [id.as_str()], "{first}");
    let after_it = first["tombstones"][0]["change_seq"].as_i64().unwrap();
    let rest = app
        .get_json(
            &format!("/api/v1/activities?changed_after={after_it}"),
            Role::Government,
            200,
        )
        .await;
    assert_eq!(ids(&rest, "tombstones"), Vec::<String>::new(), "{rest}");

    let lost_at = |page: &Value| page["tombstones"][0]["change_seq"].as_i64().unwrap();
    let (activity_lost, action_lost) = (lost_at(&activities), lost_at(&actions));

    // The ministry taking part still sees it, changed; UNODC sees the change, no tombstone.
    let moljpa = app.token_for(Role::Government, "MOLJPA-BGD");
    for token in [moljpa, app.token(Role::Unodc)] {
        let page = json(
            app.request(
                Method::GET,
                &format!("/api/v1/activities?changed_after={since}"),
                &token,
            )
            .send()
            .await
            .unwrap(),
            200,
        )
        .await;
        assert_eq!(ids(&page, "items"), [id.as_str()], "{page}");
        assert_eq!(page["items"][0]["visibility"], "restricted");
        assert_eq!(ids(&page, "tombstones"), Vec::<String>::new(), "{page}");
    }

    // Made public again: MOHA gets both back, and a client that slept through both changes gets
    // the rows without a tombstone for them on the same page.
    let current = app.activity("TR-2020-06").await;
    let public = app
        .patch(
            &format!("/api/v1/activities/{id}"),
            Role::Unodc,
            current["version"].as_i64().unwrap(),
            &body!({ "visibility": "public" }),
        )
        .await;
    json(public, 200).await;
    let action_id = action["id"].as_str().unwrap();
    for (path, from, row) in [
        ("activities", activity_lost, id.as_str()),
        ("follow-up-actions", action_lost, action_id),
        ("activities", since, id.as_str()),
        ("follow-up-actions", since, action_id),
    ] {
        let page = app
            .get_json(
                &format!("/api/v1/{path}?changed_after={from}"),
                Role::Government,
                200,
            )
            .await;
        assert_eq!(ids(&page, "items"), [row], "{path} after {from}: {page}");
        assert_eq!(
            ids(&page, "tombstones"),
            Vec::<String>::new(),
            "{path} after {from}: {page}"
        );
    }
}

/// The guarantee behind delta sync, without a lock: a change that commits late, with a smaller
/// change number than one already committed, is not passed over. A transaction is held open
/// behind the API's back while a later write commits; a poll then stops before the later write,
/// and after the commit it gets both.
#[tokio::test]
async fn a_change_that_commits_late_is_not_passed_over_by_a_poller() {
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
    let app = spawn_app().await;
    let ids = create_organizations(&app, "LATE", 2).await;
    let since = app.db.last_change_seq().await.unwrap();

    // The early writer takes its change number and waits before committing.
    let mut early = AsyncPgConnection::establish(&app.database_url())
        .await
        .unwrap();
    diesel::sql_query("BEGIN")
        .execute(&mut early)
        .await
        .unwrap();
    diesel::sql_query(format!(
        "UPDATE organization SET name = 'Written early, committed late' WHERE id = '{}'",
        ids[0]
    ))
    .execute(&mut early)
    .await
    .unwrap();
    // The late writer commits first.
    let current = app
        .get_json(
            &format!("/api/v1/organizations/{}", ids[1]),
            Role::Unodc,
            200,
        )
        .await;
    let later = json(
        app.patch(
            &format!("/api/v1/organizations/{}", ids[1]),
            Role::Unodc,
            current["version"].as_i64().unwrap(),
            &body!({"name": "Written late, committed early"}),
        )
        .await,
        200,
    )
    .await;

    let poll = |since: i64| {
        let app = &app;
        async move {
            app.get_json(
                &format!("/api/v1/organizations?changed_after={since}&limit=100"),
                Role::Eu,
                200,
            )
            .await["items"]
                .as_array()
                .unwrap()
                .clone()
        }
    };
    let first = poll(since).await;
    assert!(
        first.iter().all(|item| item["id"] != later["id"]),
        "a change above one still in flight is not served yet: {first:?}"
    );
    let since = first
        .iter()
        .map(|item| item["change_seq"].as_i64().unwrap())
        .fold(since, i64::max);

    diesel::sql_query("COMMIT")
        .execute(&mut early)
        .await
        .unwrap();
    let second = poll(since).await;
    let names: Vec<&str> = second
        .iter()
        .map(|item| item["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Written early, committed late",
            "Written late, committed early"
        ],
        "both changes, in change order"
    );
}
