//! The access policy (`domain/src/policy.rs`; the README's "Roles, scopes and tokens") as a
//! matrix: every operation of the served contract, asked by each kind of caller, answers with the
//! status the policy gives; refusals are problems naming why (`forbidden`, `not_found`), and
//! successes carry only documented fields.
//!
//! The table below is keyed by `operationId` and must cover exactly the operations the server
//! documents under `/api/v1/` (the token endpoint aside), so a new route can't escape it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;

use gloact_domain::Role;
use gloact_tests::{TestApp, json, spawn_seeded_app};
use reqwest::{Method, Response};
use serde_json::{Value, json};

/// The callers of the matrix, one column each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Who {
    /// UNODC-BGD without scopes.
    Unodc,
    /// UNODC-BGD with the `admin` scope.
    UnodcAdmin,
    /// IOM-BGD.
    Iom,
    /// EU-DEL-BGD.
    Eu,
    /// The Ministry of Home Affairs: takes no part in WS-2020-01.
    Moha,
    /// The Ministry of Law, Justice and Parliamentary Affairs: takes part in WS-2020-01.
    Moljpa,
}

/// The columns, in the order of [`Row::expect`].
const CALLERS: [Who; 6] = [
    Who::Unodc,
    Who::UnodcAdmin,
    Who::Iom,
    Who::Eu,
    Who::Moha,
    Who::Moljpa,
];

impl Who {
    fn name(self) -> &'static str {
        match self {
            Who::Unodc => "unodc",
            Who::UnodcAdmin => "unodc+admin",
            Who::Iom => "iom",
            Who::Eu => "eu",
            Who::Moha => "gov MOHA",
            Who::Moljpa => "gov MOLJPA",
        }
    }

    /// A suffix for the codes this caller makes, so no caller's write meets another's.
    fn tag(self) -> &'static str {
        match self {
            Who::Unodc => "UNODC",
            Who::UnodcAdmin => "UNODC-ADMIN",
            Who::Iom => "IOM",
            Who::Eu => "EU",
            Who::Moha => "MOHA",
            Who::Moljpa => "MOLJPA",
        }
    }

    fn token(self, app: &TestApp) -> String {
        match self {
            Who::Unodc => app.token(Role::Unodc),
            Who::UnodcAdmin => app.token_with_scopes(Role::Unodc, "UNODC-BGD", "admin"),
            Who::Iom => app.token(Role::Iom),
            Who::Eu => app.token(Role::Eu),
            Who::Moha => app.token_for(Role::Government, "MOHA-BGD"),
            Who::Moljpa => app.token_for(Role::Government, "MOLJPA-BGD"),
        }
    }
}

/// Which request a row sends, where one operation needs more than one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    /// The operation's ordinary request (for activities: IOM-BGD implementing).
    Plain,
    /// A new activity that IOM-BGD does not implement.
    NotImplementedByIom,
    /// The list as CSV (`Accept: text/csv`): the same callers, the same answers.
    AsCsv,
}

/// One row of the matrix: an operation, the request sent, and each caller's status.
#[derive(Debug)]
struct Row {
    op: &'static str,
    variant: Variant,
    /// In the order of [`CALLERS`].
    expect: [u16; 6],
}

const fn row(op: &'static str, expect: [u16; 6]) -> Row {
    Row {
        op,
        variant: Variant::Plain,
        expect,
    }
}

const ALL_200: [u16; 6] = [200; 6];

/// A row asking a list as CSV.
const fn as_csv(op: &'static str, expect: [u16; 6]) -> Row {
    Row {
        op,
        variant: Variant::AsCsv,
        expect,
    }
}

/// The policy, operation by operation. Reads first, then writes: every write works on rows of its
/// own or at the version read just before, so no success changes a later answer.
#[rustfmt::skip]
const MATRIX: &[Row] = &[
    //                                    unodc +admin  iom   eu  MOHA MOLJPA
    row("list_organizations",            ALL_200),
    row("get_organization",              ALL_200),
    row("list_programmes",               ALL_200),
    row("get_programme",                 ALL_200),
    row("list_indicators",               ALL_200),
    row("get_indicator",                 ALL_200),
    row("list_activities",               ALL_200),
    // WS-2020-01 is restricted; MOLJPA-BGD takes part, MOHA-BGD doesn't.
    row("get_activity",                  [200, 200, 200, 200, 404, 200]),
    row("list_follow_up_actions",        ALL_200),
    // Lists as CSV: the same scope as their JSON (what is in them: check_csv_lists).
    as_csv("list_organizations",         ALL_200),
    as_csv("list_programmes",            ALL_200),
    as_csv("list_indicators",            ALL_200),
    as_csv("list_activities",            ALL_200),
    as_csv("list_follow_up_actions",     ALL_200),
    as_csv("list_field_reports",         [200, 200, 200, 403, 200, 200]),
    // On WS-2020-01, owned by MOLJPA-BGD.
    row("get_follow_up_action",          [200, 200, 200, 200, 404, 200]),
    row("list_audit_events",             [403, 200, 403, 403, 403, 403]),
    row("create_organization",           [201, 201, 403, 403, 403, 403]),
    row("update_organization",           [200, 200, 403, 403, 403, 403]),
    // IOM-BGD implementing.
    row("create_activity",               [201, 201, 201, 403, 403, 403]),
    Row { op: "create_activity", variant: Variant::NotImplementedByIom,
          expect:                        [201, 201, 403, 403, 403, 403] },
    // An activity IOM-BGD implements.
    row("update_activity",               [200, 200, 200, 403, 403, 403]),
    row("delete_activity",               [204, 204, 403, 403, 403, 403]),
    row("create_follow_up_action",       [201, 201, 403, 403, 403, 403]),
    // Owned by MOLJPA-BGD, on the restricted WS-2020-01.
    row("update_follow_up_action",       [200, 200, 403, 403, 404, 200]),
    row("record_indicator_actual",       [200, 200, 403, 403, 403, 403]),
    row("create_revocation",             [403, 204, 403, 403, 403, 403]),
    // Field reports: sent by IOM and government, read by UNODC, IOM and their own organization,
    // never by the EU; reviewed by UNODC. The one read here was sent by MOLJPA-BGD.
    row("list_field_reports",            [200, 200, 200, 403, 200, 200]),
    row("get_field_report",              [200, 200, 200, 403, 404, 200]),
    row("create_field_report",           [403, 403, 201, 403, 201, 201]),
    row("create_field_report_batch",     [403, 403, 207, 403, 207, 207]),
    row("review_field_report",           [200, 200, 403, 403, 403, 403]),
    // Statistics: everyone, small cells withheld (checked in tests/api/statistics.rs).
    row("get_field_report_statistics",   ALL_200),
    // Only the sending organization (MOLJPA-BGD) attaches; others don't learn the report exists.
    row("create_attachment",             [403, 403, 404, 403, 404, 201]),
    row("list_attachments",              [200, 200, 200, 403, 404, 200]),
    row("get_attachment",                [200, 200, 200, 403, 404, 200]),
    // Cases: kept by UNODC and IOM; the government reads those referred by or to it (the one
    // here was referred by IOM-BGD to MOLJPA-BGD) and opens cases only to refer them; the EU
    // sees none. Identities need the `pii` scope, which no caller of the matrix has (see
    // tests/api/cases.rs for those who do).
    row("list_cases",                    [200, 200, 200, 403, 200, 200]),
    row("get_case",                      [200, 200, 200, 403, 404, 200]),
    row("get_case_identity",             [403, 403, 403, 403, 403, 403]),
    row("get_case_statistics",           ALL_200),
    // The HTCDS release: everyone, as statistics; exact or k-anonymous (tests/api/htcds.rs).
    row("get_htcds_export",              ALL_200),
    row("create_case",                   [201, 201, 201, 403, 201, 201]),
    row("update_case",                   [200, 200, 200, 403, 403, 403]),
    row("create_case_referral",          [201, 201, 201, 403, 404, 201]),
    row("update_case_referral",          [200, 200, 200, 403, 403, 403]),
    row("put_case_identity",             [403, 403, 403, 403, 403, 403]),
    row("delete_case_identity",          [403, 403, 403, 403, 403, 403]),
    // The IATI files: public rows only, so every role reads them (tests/api/iati.rs).
    row("get_iati_activities",           ALL_200),
    row("get_iati_organisations",        ALL_200),
    // Imports write as the JSON routes do: here a new activity IOM-BGD implements (a dry run).
    row("create_import",                 [200, 200, 200, 403, 403, 403]),
];

/// An operation as the served document has it.
#[derive(Debug)]
struct Operation {
    method: Method,
    path: String,
    doc: Value,
}

/// The operations under `/api/v1/` of the served document, by `operationId`, but the token
/// endpoint (anonymous by design).
fn served_operations(spec: &Value) -> BTreeMap<String, Operation> {
    let mut operations = BTreeMap::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        if !path.starts_with("/api/v1/") {
            continue;
        }
        for (method, doc) in item.as_object().expect("a path item") {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            if method == "post" && path == "/api/v1/oauth/token" {
                continue;
            }
            let id = doc["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"))
                .to_owned();
            let operation = Operation {
                method: Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                path: path.clone(),
                doc: doc.clone(),
            };
            assert!(
                operations.insert(id.clone(), operation).is_none(),
                "operationId {id} is not unique"
            );
        }
    }
    operations
}

/// The rows the matrix needs, made as UNODC before anyone else calls.
#[derive(Debug)]
struct Fixture {
    /// WS-2020-01: restricted; UNODC-BGD and MOLJPA-BGD take part.
    restricted_activity: String,
    /// NC-2020: public.
    public_activity: String,
    /// A follow-up action on WS-2020-01 owned by MOLJPA-BGD.
    follow_up: String,
    /// MOLJPA-BGD, to read.
    organization: String,
    /// BNWLA, to update.
    organization_to_update: String,
    programme: String,
    /// OUT-1.1, to read.
    indicator: String,
    /// OUT-1.2 and its 2020 period, to record an actual.
    indicator_to_update: String,
    period: String,
    /// A public activity IOM-BGD implements, to update.
    implemented_by_iom: String,
    /// A fresh activity per caller, to delete.
    to_delete: HashMap<Who, String>,
    /// A field report sent by MOLJPA-BGD, to read and review.
    field_report: String,
    /// A photo attached to it.
    attachment: String,
    /// A case opened by IOM-BGD and referred to MOLJPA-BGD.
    case: String,
    /// The id of the case's one referral, made by IOM-BGD to MOLJPA-BGD.
    referral: String,
}

fn id_of(value: &Value) -> String {
    value["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {value}"))
        .to_owned()
}

/// A valid new activity with these participations.
fn new_activity(code: &str, title: &str, participations: &[(&str, &str)]) -> Value {
    let participations: Vec<Value> = participations
        .iter()
        .map(|(organization, role)| json!({ "organization": organization, "role": role }))
        .collect();
    json!({
        "programme": "GLOACT-BGD",
        "code": code,
        "title": title,
        "kind": "training",
        "pillar": "victim_assistance",
        "planned_start": "2020-06-01",
        "planned_end": "2020-06-02",
        "district": "Cox's Bazar",
        "participants": { "female": 4, "male": 6 },
        "participations": participations,
    })
}

async fn setup(app: &TestApp) -> Fixture {
    let unodc = app.token(Role::Unodc);
    let restricted_activity = app.activity("WS-2020-01").await;
    assert_eq!(restricted_activity["visibility"], "restricted");
    let public_activity = app.activity("NC-2020").await;
    assert_eq!(public_activity["visibility"], "public");

    let follow_up = json(
        app.request(Method::POST, "/api/v1/follow-up-actions", &unodc)
            .json(&json!({
                "activity_id": id_of(&restricted_activity),
                "owner": "MOLJPA-BGD",
                "title": "Share the workshop's recommendations with the Judicial Administration Training Institute",
            }))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    assert_eq!(follow_up["owner"], "MOLJPA-BGD");

    let programmes = app.get_all("/api/v1/programmes", Role::Unodc).await;
    let programme = programmes
        .iter()
        .find(|p| p["code"] == "GLOACT-BGD")
        .expect("the demo programme");
    let indicators = app.get_all("/api/v1/indicators", Role::Unodc).await;
    let indicator = |code: &str| {
        indicators
            .iter()
            .find(|i| i["code"] == code)
            .unwrap_or_else(|| panic!("no indicator {code}"))
            .clone()
    };
    let out_1_2 = indicator("OUT-1.2");
    let period = out_1_2["periods"]
        .as_array()
        .and_then(|periods| periods.iter().find(|p| p["start"] == "2020-01-01"))
        .map(id_of)
        .expect("OUT-1.2 has a 2020 period");

    let mut implemented = new_activity(
        "PM-IOM-IMPLEMENTS",
        "Referral of identified victims to shelters",
        &[("UNODC-BGD", "organizer"), ("IOM-BGD", "implementing")],
    );
    implemented["visibility"] = json!("public");
    let implemented_by_iom = json(
        app.request(Method::POST, "/api/v1/activities", &unodc)
            .json(&implemented)
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;

    let mut to_delete = HashMap::new();
    for who in CALLERS {
        let body = new_activity(
            &format!("PM-DEL-{}", who.tag()),
            &format!("An activity for {} to delete", who.name()),
            &[("UNODC-BGD", "implementing")],
        );
        let created = json(
            app.request(Method::POST, "/api/v1/activities", &unodc)
                .json(&body)
                .send()
                .await
                .unwrap(),
            201,
        )
        .await;
        to_delete.insert(who, id_of(&created));
    }

    let moljpa = app.token_for(Role::Government, "MOLJPA-BGD");
    let field_report = json(
        app.request(Method::POST, "/api/v1/field-reports", &moljpa)
            .json(&field_report_body(uuid::Uuid::new_v4(), "MOLJPA setup"))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;

    let (content_type, upload) =
        gloact_tests::multipart_file(&gloact_tests::jpeg("setup photo"), "image/jpeg");
    let attachment = json(
        app.request(
            Method::POST,
            &format!("/api/v1/field-reports/{}/attachments", id_of(&field_report)),
            &moljpa,
        )
        .header("content-type", content_type)
        .body(upload)
        .send()
        .await
        .unwrap(),
        201,
    )
    .await;

    let iom = app.token(Role::Iom);
    let case = json(
        app.request(Method::POST, "/api/v1/cases", &iom)
            .json(&case_body("IOM setup", "MOLJPA-BGD"))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;

    Fixture {
        referral: id_of(&case["referrals"][0]),
        case: id_of(&case),
        attachment: id_of(&attachment),
        field_report: id_of(&field_report),
        restricted_activity: id_of(&restricted_activity),
        public_activity: id_of(&public_activity),
        follow_up: id_of(&follow_up),
        organization: app.org_id("MOLJPA-BGD").await,
        organization_to_update: app.org_id("BNWLA").await,
        programme: id_of(programme),
        indicator: id_of(&indicator("OUT-1.1")),
        indicator_to_update: id_of(&out_1_2),
        period,
        implemented_by_iom: id_of(&implemented_by_iom),
        to_delete,
    }
}

/// A valid incident report with this id.
fn field_report_body(id: uuid::Uuid, by: &str) -> Value {
    json!({
        "id": id,
        "occurred_at": "2020-02-24T09:30:00Z",
        "district": "Cox's Bazar",
        "narrative": format!("Reported by {by}"),
        "payload": { "kind": "incident", "persons_involved": 3 },
    })
}

/// A valid new case referred to `to`.
fn case_body(by: &str, to: &str) -> Value {
    json!({
        "identified_on": "2020-02-20",
        "district": "Cox's Bazar",
        "sex": "female",
        "age_band": "18_25",
        "citizenship": "BGD",
        "exploitation": "labour",
        "consent": false,
        "referrals": [{ "to_organization": to, "service": "shelter", "note": format!("Referred by {by}") }],
    })
}

/// What one caller sends for one row.
#[derive(Debug)]
struct Call {
    path: String,
    body: Option<Value>,
    /// A file to upload as `multipart/form-data` instead of a JSON body.
    upload: Option<Vec<u8>>,
    /// A CSV sheet to send as the body (`text/csv`).
    sheet: Option<String>,
    /// Where to read (as UNODC, just before the call) the version to name in `If-Match`.
    version_from: Option<String>,
}

/// The request of `row` for `who`, on the documented path `template`.
fn call_for(f: &Fixture, template: &str, row: &Row, who: Who) -> Call {
    let tag = who.tag();
    let name = who.name();
    let at = |id: &str| template.replace("{id}", id);
    let read = |path: String| Call {
        path,
        upload: None,
        sheet: None,
        body: None,
        version_from: None,
    };
    let write = |path: String, body: Value| Call {
        path,
        upload: None,
        sheet: None,
        body: Some(body),
        version_from: None,
    };
    let at_version = |path: String, body: Option<Value>, version_from: String| Call {
        path,
        upload: None,
        sheet: None,
        body,
        version_from: Some(version_from),
    };
    match (row.op, row.variant) {
        (_, Variant::AsCsv) => read(template.to_owned()),
        (
            "list_organizations"
            | "list_programmes"
            | "list_indicators"
            | "list_activities"
            | "list_follow_up_actions"
            | "list_audit_events"
            | "list_field_reports"
            | "list_cases"
            | "get_htcds_export",
            Variant::Plain,
        ) => read(template.to_owned()),
        ("get_organization", Variant::Plain) => read(at(&f.organization)),
        ("get_iati_activities", Variant::Plain) => read(format!("{template}?programme=GLOACT-BGD")),
        ("get_iati_organisations", Variant::Plain) => read(template.to_owned()),
        ("get_programme", Variant::Plain) => read(at(&f.programme)),
        ("get_indicator", Variant::Plain) => read(at(&f.indicator)),
        ("get_activity", Variant::Plain) => read(at(&f.restricted_activity)),
        ("get_follow_up_action", Variant::Plain) => read(at(&f.follow_up)),
        ("create_organization", Variant::Plain) => write(
            template.to_owned(),
            json!({
                "code": format!("PM-ORG-{tag}"),
                "name": format!("Shelter network registered by {name}"),
                "kind": "civil_society",
                "country": "BGD",
            }),
        ),
        ("update_organization", Variant::Plain) => {
            let path = at(&f.organization_to_update);
            at_version(
                path.clone(),
                Some(
                    json!({ "name": format!("Bangladesh National Woman Lawyers' Association ({name})") }),
                ),
                path,
            )
        }
        ("create_activity", Variant::Plain) => write(
            template.to_owned(),
            new_activity(
                &format!("PM-NEW-{tag}"),
                &format!("Victim assistance training planned by {name}"),
                &[("UNODC-BGD", "organizer"), ("IOM-BGD", "implementing")],
            ),
        ),
        ("create_activity", Variant::NotImplementedByIom) => write(
            template.to_owned(),
            new_activity(
                &format!("PM-NEW-NOT-IOM-{tag}"),
                &format!("Prosecutors' training planned by {name}"),
                &[
                    ("UNODC-BGD", "implementing"),
                    ("IOM-BGD", "participant"),
                    ("MOLJPA-BGD", "participant"),
                ],
            ),
        ),
        ("update_activity", Variant::Plain) => {
            let path = at(&f.implemented_by_iom);
            // No `visibility`: only UNODC decides who may see an activity.
            at_version(
                path.clone(),
                Some(
                    json!({ "title": format!("Referral of identified victims to shelters ({name})") }),
                ),
                path,
            )
        }
        ("delete_activity", Variant::Plain) => {
            let path = at(&f.to_delete[&who]);
            at_version(path.clone(), None, path)
        }
        ("create_follow_up_action", Variant::Plain) => write(
            template.to_owned(),
            json!({
                "activity_id": f.public_activity,
                "owner": "UNODC-BGD",
                "title": format!("Circulate the consultation's minutes ({name})"),
            }),
        ),
        ("update_follow_up_action", Variant::Plain) => {
            let path = at(&f.follow_up);
            at_version(path.clone(), Some(json!({ "status": "in_progress" })), path)
        }
        ("record_indicator_actual", Variant::Plain) => at_version(
            template
                .replace("{id}", &f.indicator_to_update)
                .replace("{period_id}", &f.period),
            Some(json!({ "value": 1.0 })),
            // Writes of a period go by the indicator's version.
            format!("/api/v1/indicators/{}", f.indicator_to_update),
        ),
        ("create_revocation", Variant::Plain) => write(
            template.to_owned(),
            json!({
                "jti": uuid::Uuid::new_v4().to_string(),
                "reason": format!("policy matrix ({name})"),
            }),
        ),
        ("get_field_report", Variant::Plain) => read(at(&f.field_report)),
        ("get_field_report_statistics", Variant::Plain) => read(format!("{template}?by=district")),
        ("create_attachment", Variant::Plain) => Call {
            path: at(&f.field_report),
            body: None,
            upload: Some(gloact_tests::jpeg(&format!("photo by {name}"))),
            sheet: None,
            version_from: None,
        },
        // A dry run, so that no success changes a later answer.
        ("create_import", Variant::Plain) => Call {
            path: format!("{}?dry_run=true", template.replace("{kind}", "activities")),
            body: None,
            upload: None,
            sheet: Some(format!(
                "programme,code,title,kind,pillar,participations\nGLOACT-BGD,PM-IMP-{tag},Imported by {name},training,capacity_building,IOM-BGD:implementing\n"
            )),
            version_from: None,
        },
        ("list_attachments", Variant::Plain) => read(at(&f.field_report)),
        ("get_attachment", Variant::Plain) => {
            read(at(&f.field_report).replace("{attachment_id}", &f.attachment))
        }
        ("create_field_report", Variant::Plain) => write(
            template.to_owned(),
            field_report_body(uuid::Uuid::new_v4(), name),
        ),
        ("create_field_report_batch", Variant::Plain) => write(
            template.to_owned(),
            json!({ "reports": [field_report_body(uuid::Uuid::new_v4(), name), field_report_body(uuid::Uuid::new_v4(), name)] }),
        ),
        ("review_field_report", Variant::Plain) => at_version(
            at(&f.field_report),
            Some(json!({ "decision": "verified" })),
            format!("/api/v1/field-reports/{}", f.field_report),
        ),
        ("get_case" | "get_case_identity", Variant::Plain) => read(at(&f.case)),
        ("get_case_statistics", Variant::Plain) => read(format!("{template}?by=sex")),
        ("create_case", Variant::Plain) => write(template.to_owned(), case_body(name, "BNWLA")),
        ("update_case", Variant::Plain) => {
            let path = at(&f.case);
            at_version(path.clone(), Some(json!({ "status": "follow_up" })), path)
        }
        ("create_case_referral", Variant::Plain) => write(
            at(&f.case),
            json!({ "to_organization": "BNWLA", "service": "legal", "note": format!("Referred by {name}") }),
        ),
        ("update_case_referral", Variant::Plain) => at_version(
            at(&f.case).replace("{referral_id}", &f.referral),
            Some(json!({ "status": "accepted" })),
            format!("/api/v1/cases/{}", f.case),
        ),
        ("put_case_identity", Variant::Plain) => at_version(
            at(&f.case),
            Some(json!({ "given_name": "Never stored" })),
            format!("/api/v1/cases/{}", f.case),
        ),
        ("delete_case_identity", Variant::Plain) => {
            at_version(at(&f.case), None, format!("/api/v1/cases/{}", f.case))
        }
        (op, variant) => panic!("the matrix has no request for {op} ({variant:?})"),
    }
}

/// The current version of the row at `path`, as UNODC reads it.
async fn version(app: &TestApp, path: &str) -> i64 {
    let row = app.get_json(path, Role::Unodc, 200).await;
    row["version"]
        .as_i64()
        .unwrap_or_else(|| panic!("no version in {row}"))
}

/// A schema with its `$ref`s followed into `components.schemas`.
fn resolve<'a>(spec: &'a Value, mut schema: &'a Value) -> &'a Value {
    while let Some(reference) = schema["$ref"].as_str() {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {reference}"));
        schema = &spec["components"]["schemas"][name];
        assert!(schema.is_object(), "{reference} is not in the document");
    }
    schema
}

/// Collects the fields of `value` (nested objects and array items too) that `schema` doesn't
/// document.
fn undocumented_fields(
    spec: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    out: &mut Vec<String>,
) {
    let schema = resolve(spec, schema);
    match value {
        Value::Object(fields) => {
            let Some(properties) = schema["properties"].as_object() else {
                return;
            };
            for (field, inner) in fields {
                let here = format!("{at}.{field}");
                match properties.get(field) {
                    Some(inner_schema) => {
                        undocumented_fields(spec, inner_schema, inner, &here, out)
                    }
                    None => out.push(here),
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    undocumented_fields(spec, item_schema, item, &format!("{at}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

/// Checks one answer against the expected status and the document; returns what is wrong.
async fn check_answer(
    spec: &Value,
    operation: &Operation,
    response: Response,
    expected: u16,
    variant: Variant,
) -> (Vec<String>, Value) {
    let mut wrong = Vec::new();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if status != expected {
        wrong.push(format!(
            "status {status}, expected {expected}; body: {text}"
        ));
        return (wrong, body);
    }
    match status {
        // A list asked as CSV: documented as such, answered as such, a header row first.
        200 if variant == Variant::AsCsv => {
            if operation.doc["responses"]["200"]["content"]["text/csv"].is_object()
                && content_type == "text/csv; charset=utf-8"
            {
                if text.lines().next().is_none_or(|header| !header.contains("id,")) {
                    wrong.push(format!("a CSV without its header row: {text}"));
                }
            } else {
                wrong.push(format!("asked as CSV, answered as {content_type:?}"));
            }
        }
        204 => {
            if !text.is_empty() {
                wrong.push(format!("204 with a body: {text}"));
            }
        }
        // A download (a file, a CSV release): its documented media type is not JSON, and there
        // are no fields to check. (A list that is also CSV is JSON unless asked otherwise.)
        200..=299
            if ["application/octet-stream", "text/csv"]
                .iter()
                .any(|media| {
                    operation.doc["responses"][status.to_string()]["content"][*media].is_object()
                })
                && !operation.doc["responses"][status.to_string()]["content"]["application/json"]
                    .is_object() =>
        {
            if content_type.starts_with("application/json") {
                wrong.push(format!("{status} is a download but answered JSON"));
            }
        }
        // An XML file (IATI): its own tests validate it against its schemas.
        200..=299
            if operation.doc["responses"][status.to_string()]["content"]["application/xml"]
                .is_object() =>
        {
            if !content_type.starts_with("application/xml") {
                wrong.push(format!(
                    "{status} is documented as XML but answered {content_type}"
                ));
            }
        }
        200..=299 => {
            let schema = &operation.doc["responses"][status.to_string()]["content"]["application/json"]
                ["schema"];
            if !schema.is_object() {
                wrong.push(format!(
                    "{status} has no documented application/json schema"
                ));
            } else if !content_type.starts_with("application/json") {
                wrong.push(format!("{status} answered as {content_type:?}"));
            } else if !body.is_object() {
                wrong.push(format!("{status} is not a JSON object: {text}"));
            } else if resolve(spec, schema)["properties"].as_object().is_none() {
                wrong.push(format!("the {status} schema documents no properties"));
            } else {
                let mut extra = Vec::new();
                undocumented_fields(spec, schema, &body, "$", &mut extra);
                if !extra.is_empty() {
                    wrong.push(format!("undocumented fields: {}", extra.join(", ")));
                }
            }
        }
        _ => {
            let code = match status {
                403 => "forbidden",
                404 => "not_found",
                other => panic!("the matrix expects no {other}"),
            };
            if content_type != "application/problem+json" {
                wrong.push(format!("{status} answered as {content_type:?}: {text}"));
            }
            if body["code"] != code || body["status"] != status {
                wrong.push(format!("expected a {status} problem {code:?}, got {text}"));
            }
        }
    }
    (wrong, body)
}

/// The activities a caller's list shows, walking every page (seven at a time).
async fn listed_activities(app: &TestApp, token: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut path = "/api/v1/activities?limit=7".to_owned();
    loop {
        let page = json(
            app.request(Method::GET, &path, token).send().await.unwrap(),
            200,
        )
        .await;
        items.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/activities?limit=7&after={cursor}"),
            None => return items,
        }
    }
}

fn takes_part(activity: &Value, organization: &str) -> bool {
    activity["participations"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p["organization"] == organization))
}

/// Government callers' lists hold public activities and those their organization takes part in;
/// everyone else's hold them all.
async fn check_activity_lists(app: &TestApp) {
    let codes = |items: &[Value]| -> BTreeSet<String> {
        items
            .iter()
            .map(|a| a["code"].as_str().expect("a code").to_owned())
            .collect()
    };
    for who in [Who::Unodc, Who::Iom, Who::Eu] {
        let listed = listed_activities(app, &who.token(app)).await;
        assert!(
            codes(&listed).contains("WS-2020-01"),
            "{} sees every activity",
            who.name()
        );
    }
    for (who, organization) in [(Who::Moha, "MOHA-BGD"), (Who::Moljpa, "MOLJPA-BGD")] {
        let listed = listed_activities(app, &who.token(app)).await;
        for activity in &listed {
            assert!(
                activity["visibility"] == "public" || takes_part(activity, organization),
                "{} is shown {} ({}), restricted and without {organization}",
                who.name(),
                activity["code"],
                activity["visibility"]
            );
        }
        let codes = codes(&listed);
        assert!(codes.contains("NC-2020"), "{}: {codes:?}", who.name());
        assert!(
            codes.iter().any(|c| c.starts_with("NC-2020-M")),
            "{}: {codes:?}",
            who.name()
        );
        assert_eq!(
            codes.contains("WS-2020-01"),
            who == Who::Moljpa,
            "{} and the restricted WS-2020-01: {codes:?}",
            who.name()
        );
        assert_eq!(
            codes.contains("WS-2020-02"),
            who == Who::Moha,
            "{} and the restricted WS-2020-02: {codes:?}",
            who.name()
        );
    }
}

/// Follow-up actions are listed as their activities are.
async fn check_follow_up_lists(app: &TestApp, follow_up: &str) {
    for who in CALLERS {
        let page = json(
            app.request(
                Method::GET,
                "/api/v1/follow-up-actions?limit=500",
                &who.token(app),
            )
            .send()
            .await
            .unwrap(),
            200,
        )
        .await;
        assert!(page["next_cursor"].is_null(), "one page: {page}");
        let listed = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|a| a["id"] == follow_up);
        assert_eq!(
            listed,
            who != Who::Moha,
            "{} and the follow-up action on WS-2020-01",
            who.name()
        );
    }
}

/// The activities and follow-up actions of each caller's CSV are those of its JSON list.
async fn check_csv_lists(app: &TestApp, f: &Fixture) {
    async fn csv_ids(app: &TestApp, path: &str, token: &str) -> BTreeSet<String> {
        let response = app
            .request(Method::GET, path, token)
            .header("accept", "text/csv")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let text = response.text().await.unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(&reader.headers().unwrap()[0], "id", "{path}");
        reader.records().map(|r| r.unwrap()[0].to_owned()).collect()
    }
    for who in CALLERS {
        let token = who.token(app);
        let activities = csv_ids(app, "/api/v1/activities", &token).await;
        let listed: BTreeSet<String> = listed_activities(app, &token)
            .await
            .iter()
            .map(id_of)
            .collect();
        assert_eq!(
            activities,
            listed,
            "{}: activities as CSV and as JSON",
            who.name()
        );
        assert_eq!(
            activities.contains(&f.restricted_activity),
            who != Who::Moha,
            "{} and the restricted WS-2020-01 as CSV",
            who.name()
        );
        let follow_ups = csv_ids(app, "/api/v1/follow-up-actions", &token).await;
        assert_eq!(
            follow_ups.contains(&f.follow_up),
            who != Who::Moha,
            "{} and the follow-up action on WS-2020-01 as CSV",
            who.name()
        );
    }
}

#[tokio::test]
async fn every_operation_answers_each_role_as_the_policy_says() {
    let started = Instant::now();
    let app = spawn_seeded_app().await;
    let spec = json(
        app.client
            .get(format!("{}/api/openapi.json", app.address))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let operations = served_operations(&spec);

    // The table and the served document name the same operations.
    let served: BTreeSet<&str> = operations.keys().map(String::as_str).collect();
    let tabled: BTreeSet<&str> = MATRIX.iter().map(|r| r.op).collect();
    let uncovered: Vec<&&str> = served.difference(&tabled).collect();
    assert!(
        uncovered.is_empty(),
        "served operations the policy matrix doesn't cover: {uncovered:?}"
    );
    let unserved: Vec<&&str> = tabled.difference(&served).collect();
    assert!(
        unserved.is_empty(),
        "the policy matrix names operations the server doesn't document: {unserved:?}"
    );
    for op in &served {
        assert!(
            MATRIX
                .iter()
                .any(|r| r.op == *op && r.variant == Variant::Plain),
            "{op} has no plain row"
        );
    }

    let fixture = setup(&app).await;
    let tokens: HashMap<Who, String> = CALLERS.iter().map(|w| (*w, w.token(&app))).collect();
    let mut failures = Vec::new();
    let mut checked = 0;
    for row in MATRIX {
        let operation = &operations[row.op];
        for (who, expected) in CALLERS.iter().copied().zip(row.expect) {
            let call = call_for(&fixture, &operation.path, row, who);
            assert!(
                !call.path.contains('{'),
                "{}: path left unfilled: {}",
                row.op,
                call.path
            );
            let mut request = app.request(operation.method.clone(), &call.path, &tokens[&who]);
            if let Some(from) = &call.version_from {
                let version = version(&app, from).await;
                request = request.header("if-match", format!("\"{version}\""));
            }
            if let Some(body) = &call.body {
                request = request.json(body);
            }
            if row.variant == Variant::AsCsv {
                request = request.header("accept", "text/csv");
            }
            if let Some(content) = &call.upload {
                let (content_type, body) = gloact_tests::multipart_file(content, "image/jpeg");
                request = request.header("content-type", content_type).body(body);
            }
            if let Some(sheet) = &call.sheet {
                request = request
                    .header("content-type", "text/csv")
                    .body(sheet.clone());
            }
            let response = request.send().await.unwrap();
            let (wrong, _) = check_answer(&spec, operation, response, expected, row.variant).await;
            failures.extend(wrong.into_iter().map(|w| {
                format!(
                    "{} {} ({}{}) as {}: {w}",
                    operation.method,
                    operation.path,
                    row.op,
                    match row.variant {
                        Variant::Plain => "",
                        Variant::NotImplementedByIom => ", not implemented by IOM",
                        Variant::AsCsv => ", as CSV",
                    },
                    who.name()
                )
            }));
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} answers break the policy matrix:\n{}",
        failures.len(),
        failures.join("\n")
    );

    check_activity_lists(&app).await;
    check_follow_up_lists(&app, &fixture.follow_up).await;
    check_csv_lists(&app, &fixture).await;

    assert_eq!(checked, MATRIX.len() * CALLERS.len());
    assert!(
        served.len() * CALLERS.len() >= 20 * 6,
        "the matrix shrank: {} operations × {} callers",
        served.len(),
        CALLERS.len()
    );
    println!(
        "policy matrix: {} operations × {} callers = {} cells; {} requests checked ({} rows); {:.2?}",
        served.len(),
        CALLERS.len(),
        served.len() * CALLERS.len(),
        checked,
        MATRIX.len(),
        started.elapsed()
    );
}

#[test]
fn the_field_check_finds_undocumented_fields_in_pages_and_nested_rows() {
    let spec = json!({ "components": { "schemas": {
        "Span": { "type": "object", "properties": { "start": {}, "end": {} } },
        "Row": { "type": "object", "properties": {
            "id": {}, "span": { "$ref": "#/components/schemas/Span" },
        } },
        "PageDto_Row": { "type": "object", "properties": {
            "items": { "type": "array", "items": { "type": "object", "properties": {
                "id": {}, "spans": { "type": "array", "items": { "$ref": "#/components/schemas/Span" } },
            } } },
            "next_cursor": {},
        } },
    } } });
    let check = |schema: &str, value: Value| {
        let mut out = Vec::new();
        let schema = json!({ "$ref": format!("#/components/schemas/{schema}") });
        undocumented_fields(&spec, &schema, &value, "$", &mut out);
        out
    };
    assert!(check("Row", json!({ "id": 1, "span": { "start": 1 } })).is_empty());
    assert_eq!(
        check(
            "Row",
            json!({ "id": 1, "secret": 2, "span": { "end": 1, "x": 0 } })
        ),
        ["$.secret", "$.span.x"]
    );
    assert_eq!(
        check(
            "PageDto_Row",
            json!({ "items": [{ "id": 1 }, { "id": 2, "pii": 3, "spans": [{ "start": 1, "y": 2 }] }] })
        ),
        ["$.items[1].pii", "$.items[1].spans[0].y"]
    );
}
