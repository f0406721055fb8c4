//! Field reports: rows, the resend rule, scoped reads and review.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use std::collections::{HashMap, HashSet};

use gloact_domain::ActivityId;
use gloact_domain::field_report::{
    FieldReport, FieldReportKind, Gps, NewFieldReport, Payload, PayloadInput, Review, ReviewStatus,
};
use gloact_domain::policy::{ActivityScope, FieldReportScope};
use gloact_domain::value::{Code, District, Narrative};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::audit::{Audit, Entry, append};
use crate::db::Db;
use crate::error::{Conflict, StoreError};
use crate::page::{Page, PageRequest, RowKeys, paged};
use crate::schema::{field_report, organization};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = field_report, check_for_backend(Pg))]
struct FieldReportRow {
    id: Uuid,
    payload: serde_json::Value,
    occurred_at: DateTime<Utc>,
    received_at: DateTime<Utc>,
    reporter: String,
    district: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
    accuracy_m: Option<f64>,
    activity_id: Option<Uuid>,
    narrative: Option<String>,
    review_status: String,
    review_reason: Option<String>,
    content_hash: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
    change_seq: i64,
    deleted_at: Option<DateTime<Utc>>,
}

type ReportWithOrg = (FieldReportRow, String);

fn keys((row, _): &ReportWithOrg) -> RowKeys {
    RowKeys {
        id: row.id,
        change_seq: row.change_seq,
        deleted_at: row.deleted_at,
    }
}

fn to_domain((row, organization): ReportWithOrg) -> Result<FieldReport, StoreError> {
    let input: PayloadInput =
        serde_json::from_value(row.payload).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let payload = input
        .parse()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let gps = match (row.latitude, row.longitude, row.accuracy_m) {
        (Some(lat), Some(lon), Some(acc)) => Some(Gps::new(lat, lon, acc)?),
        _ => None,
    };
    Ok(FieldReport {
        report: NewFieldReport {
            id: row.id,
            occurred_at: row.occurred_at,
            district: District::parse(&row.district)?,
            gps,
            activity_id: row.activity_id.map(ActivityId),
            narrative: row.narrative.as_deref().map(Narrative::parse).transpose()?,
            payload,
        },
        received_at: row.received_at,
        reporter: row.reporter,
        organization: Code::parse(&organization)?,
        review: row.review_status.parse()?,
        review_reason: row
            .review_reason
            .as_deref()
            .map(Narrative::parse)
            .transpose()?,
        meta: row_meta!(row),
    })
}

/// A fingerprint of what the phone sent, to tell an identical resend from a different report
/// under the same id.
fn content_hash(report: &NewFieldReport) -> String {
    let canonical = serde_json::json!([
        report.id,
        report
            .occurred_at
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        report.district.as_str(),
        report
            .gps
            .map(|g| [g.latitude(), g.longitude(), g.accuracy_m()]),
        report.activity_id.map(|a| a.0),
        report.narrative.as_ref().map(Narrative::as_str),
        PayloadInput::from(&report.payload),
    ]);
    Sha256::digest(canonical.to_string().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What storing a report did.
#[derive(Debug, Clone, PartialEq)]
pub enum Stored {
    /// A new report.
    Created(FieldReport),
    /// The same report was received before: nothing changed.
    AlreadyHad(FieldReport),
}

/// Stores a report sent by `reporter` of `organization`. A resend with the same id and content is
/// answered with the stored report; the same id with other content, or by another organization,
/// is a conflict.
pub async fn submit(
    db: &Db,
    report: &NewFieldReport,
    reporter: &str,
    organization: &Code,
    audit: &Audit,
) -> Result<Stored, StoreError> {
    let (mut fates, mut stored) = store(
        db,
        std::slice::from_ref(report),
        reporter,
        organization,
        audit,
    )
    .await?;
    let fate = fates
        .pop()
        .ok_or_else(|| StoreError::Internal("no outcome for one report".into()))??;
    let row = stored.remove(&report.id).ok_or(StoreError::NotFound)?;
    Ok(match fate {
        Fate::Created => Stored::Created(to_domain(row)?),
        Fate::AlreadyHad => Stored::AlreadyHad(to_domain(row)?),
    })
}

/// What became of a report of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Stored.
    Created,
    /// The same report was received before: nothing changed.
    AlreadyHad,
}

/// Stores a batch of reports in one transaction, each judged on its own: the outcome of each
/// (stored, already had, or refused) in the batch's order. A refused report doesn't stop the
/// others; a failure of the database stores none.
///
/// The batch costs the same few statements whatever its size: what is stored under its ids, which
/// of the activities and organizations it names exist, one insert of every new report, and one
/// audit event naming every report it stored. The answer says only what became of each report,
/// so no stored row is read back into a report.
pub async fn submit_all(
    db: &Db,
    reports: &[NewFieldReport],
    reporter: &str,
    organization: &Code,
    audit: &Audit,
) -> Result<Vec<Result<Fate, StoreError>>, StoreError> {
    Ok(store(db, reports, reporter, organization, audit).await?.0)
}

/// The fate of each report of a batch, and the rows stored under their ids.
type Judged = (Vec<Result<Fate, StoreError>>, HashMap<Uuid, ReportWithOrg>);

/// Stores the reports that are new and judges each: [`submit_all`]'s work, with the stored rows
/// for [`submit`] to answer with.
async fn store(
    db: &Db,
    reports: &[NewFieldReport],
    reporter: &str,
    organization: &Code,
    audit: &Audit,
) -> Result<Judged, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        let organization_id =
            crate::organizations::id_by_code(conn, "organization", organization).await?;
        let hashes: Vec<String> = reports.iter().map(content_hash).collect();
        let mut stored = find_all(conn, reports.iter().map(|r| r.id).collect()).await?;
        let named = Named::in_batch(conn, reports, organization).await?;

        // What can be told before inserting: a refusal, or `None` for a report to insert or
        // to compare with what is stored under its id.
        let mut refusals: Vec<Option<StoreError>> = Vec::with_capacity(reports.len());
        let mut inserting = HashSet::new();
        let mut rows = Vec::new();
        for (report, hash) in reports.iter().zip(&hashes) {
            if stored.contains_key(&report.id) || inserting.contains(&report.id) {
                refusals.push(None);
                continue;
            }
            if let Some(refusal) = named.refusal(report) {
                refusals.push(Some(refusal));
                continue;
            }
            inserting.insert(report.id);
            rows.push(insertable(report, hash, reporter, organization_id)?);
            refusals.push(None);
        }

        let mut created: HashSet<Uuid> = HashSet::new();
        if !rows.is_empty() {
            // In id order, so that two batches sharing ids lock them in the same order. Sent
            // twice at once, a report's second insert waits for the first and stores nothing;
            // it is then answered as a resend.
            rows.sort_by_key(|row| row.id);
            let inserted: Vec<FieldReportRow> = diesel::insert_into(field_report::table)
                .values(rows)
                .on_conflict(field_report::id)
                .do_nothing()
                .returning(FieldReportRow::as_returning())
                .get_results(conn)
                .await?;
            for row in inserted {
                created.insert(row.id);
                stored.insert(row.id, (row, organization.as_str().to_owned()));
            }
            let raced: Vec<Uuid> = inserting.difference(&created).copied().collect();
            if !raced.is_empty() {
                stored.extend(find_all(conn, raced).await?);
            }
        }

        let mut outcomes = Vec::with_capacity(reports.len());
        let mut stored_ids = Vec::with_capacity(created.len());
        for ((report, hash), refusal) in reports.iter().zip(&hashes).zip(refusals) {
            if let Some(refusal) = refusal {
                outcomes.push(Err(refusal));
                continue;
            }
            let existing = stored.get(&report.id).ok_or(StoreError::NotFound)?;
            // The first report under a new id is the one stored; any later one under the same id
            // is compared with it.
            if created.remove(&report.id) {
                stored_ids.push(report.id.to_string());
                outcomes.push(Ok(Fate::Created));
            } else {
                outcomes.push(already_stored(existing, hash, organization));
            }
        }
        // One event for what the batch stored (one report alone has its own, as any creation):
        // the trail names each report, and the sealer chains one event, not a hundred.
        let entry = match stored_ids.len() {
            0 => None,
            1 => Some(Entry::new("create", "field_report", stored_ids.remove(0))),
            _ => Some(Entry::many("create", "field_report", stored_ids)),
        };
        append(conn, audit, entry.into_iter().collect()).await?;
        Ok((outcomes, stored))
    })
    .await
}

/// The row of a new report, as inserted.
#[derive(Insertable)]
#[diesel(table_name = field_report)]
struct NewRow<'a> {
    id: Uuid,
    kind: &'a str,
    payload: serde_json::Value,
    occurred_at: DateTime<Utc>,
    reporter: &'a str,
    organization_id: Uuid,
    district: &'a str,
    latitude: Option<f64>,
    longitude: Option<f64>,
    accuracy_m: Option<f64>,
    activity_id: Option<Uuid>,
    narrative: Option<&'a str>,
    content_hash: &'a str,
}

fn insertable<'a>(
    report: &'a NewFieldReport,
    hash: &'a str,
    reporter: &'a str,
    organization_id: Uuid,
) -> Result<NewRow<'a>, StoreError> {
    Ok(NewRow {
        id: report.id,
        kind: report.payload.kind().as_str(),
        payload: serde_json::to_value(PayloadInput::from(&report.payload))
            .map_err(|e| StoreError::Internal(e.to_string()))?,
        occurred_at: report.occurred_at,
        reporter,
        organization_id,
        district: report.district.as_str(),
        latitude: report.gps.map(|g| g.latitude()),
        longitude: report.gps.map(|g| g.longitude()),
        accuracy_m: report.gps.map(|g| g.accuracy_m()),
        activity_id: report.activity_id.map(|a| a.0),
        narrative: report.narrative.as_ref().map(Narrative::as_str),
        content_hash: hash,
    })
}

/// Which of the activities and organizations a batch names exist for its sender: the
/// activities it may see, the organizations referrals go to.
struct Named {
    activities: HashSet<ActivityId>,
    organizations: HashSet<String>,
}

impl Named {
    async fn in_batch(
        conn: &mut AsyncPgConnection,
        reports: &[NewFieldReport],
        sender: &Code,
    ) -> Result<Self, StoreError> {
        let scope = ActivityScope::PublicOrParticipating(sender.clone());
        let activities: Vec<ActivityId> = reports.iter().filter_map(|r| r.activity_id).collect();
        let organizations: Vec<&str> = reports
            .iter()
            .filter_map(|r| referred_to(r).map(Code::as_str))
            .collect();
        Ok(Self {
            activities: crate::activities::live_visible_among(conn, &scope, &activities).await?,
            organizations: crate::organizations::live_among(conn, &organizations).await?,
        })
    }

    /// Why the report can't be stored, if it names what its sender can't see or what doesn't
    /// exist.
    fn refusal(&self, report: &NewFieldReport) -> Option<StoreError> {
        if let Some(activity_id) = report.activity_id
            && !self.activities.contains(&activity_id)
        {
            return Some(StoreError::UnknownReference {
                field: "activity_id".into(),
                what: "activity",
                code: activity_id.to_string(),
            });
        }
        if let Some(to) = referred_to(report)
            && !self.organizations.contains(to.as_str())
        {
            return Some(StoreError::UnknownReference {
                field: "payload.to_organization".into(),
                what: "organization",
                code: to.to_string(),
            });
        }
        None
    }
}

/// The organization a referral report refers to.
fn referred_to(report: &NewFieldReport) -> Option<&Code> {
    match &report.payload {
        Payload::Referral {
            to_organization, ..
        } => Some(to_organization),
        _ => None,
    }
}

/// The answer to a report sent under an id already stored: the stored report when it is the
/// same report from the same organization, else a refusal.
fn already_stored(
    (row, org): &ReportWithOrg,
    hash: &str,
    organization: &Code,
) -> Result<Fate, StoreError> {
    if row.content_hash == hash && org == organization.as_str() {
        Ok(Fate::AlreadyHad)
    } else {
        Err(StoreError::Conflict(Conflict::ReportIdReused))
    }
}

/// The reports stored under these ids, by id.
async fn find_all(
    conn: &mut AsyncPgConnection,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, ReportWithOrg>, StoreError> {
    let found: Vec<ReportWithOrg> = field_report::table
        .inner_join(organization::table)
        .filter(field_report::id.eq_any(ids))
        .select((FieldReportRow::as_select(), organization::code))
        .load(conn)
        .await?;
    Ok(found.into_iter().map(|r| (r.0.id, r)).collect())
}

async fn find_any(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<Option<ReportWithOrg>, StoreError> {
    Ok(field_report::table
        .inner_join(organization::table)
        .filter(field_report::id.eq(id))
        .select((FieldReportRow::as_select(), organization::code))
        .first(conn)
        .await
        .optional()?)
}

/// Filters of the field-report list.
#[derive(Debug, Clone, Default)]
pub struct FieldReportFilter {
    /// Only this kind.
    pub kind: Option<FieldReportKind>,
    /// Only reports in this review status.
    pub review: Option<ReviewStatus>,
}

/// One page of the reports the caller may see (its organization's, for government).
pub async fn list(
    db: &Db,
    scope: &FieldReportScope,
    filter: &FieldReportFilter,
    request: &PageRequest,
) -> Result<Page<FieldReport, Uuid>, StoreError> {
    let Some(conditions) = conditions(scope, filter) else {
        return Ok(Page::empty());
    };
    let mut conn = db.conn().await?;
    crate::page::settle(&mut conn, request).await?;
    let query = field_report::table
        .inner_join(organization::table)
        .select((FieldReportRow::as_select(), organization::code))
        .into_boxed();
    let query = conditions.into_iter().fold(query, |q, c| q.filter(c));
    let rows = paged!(query, field_report, request).load(&mut conn).await?;
    Page::from_rows(request, rows, keys, to_domain)
}

/// How many live reports the caller may see match the filter.
pub async fn count(
    db: &Db,
    scope: &FieldReportScope,
    filter: &FieldReportFilter,
) -> Result<i64, StoreError> {
    let Some(conditions) = conditions(scope, filter) else {
        return Ok(0);
    };
    let mut conn = db.conn().await?;
    let query = field_report::table
        .inner_join(organization::table)
        .filter(field_report::deleted_at.is_null())
        .select(diesel::dsl::count_star())
        .into_boxed();
    let query = conditions.into_iter().fold(query, |q, c| q.filter(c));
    Ok(query.get_result(&mut conn).await?)
}

/// A condition on a report joined to its organization.
type ReportCondition = Box<
    dyn BoxableExpression<
            diesel::dsl::InnerJoinQuerySource<field_report::table, organization::table>,
            Pg,
            SqlType = diesel::sql_types::Bool,
        >,
>;

/// What a report must meet to be one the caller may see that matches the filter (`None`: the
/// caller may see none).
fn conditions(
    scope: &FieldReportScope,
    filter: &FieldReportFilter,
) -> Option<Vec<ReportCondition>> {
    let mut all: Vec<ReportCondition> = Vec::new();
    match scope {
        FieldReportScope::All => {}
        FieldReportScope::Organization(code) => {
            // Its own reports, and referrals made to it by others.
            let referred_to = diesel::dsl::sql::<diesel::sql_types::Text>(
                "field_report.payload ->> 'to_organization'",
            );
            all.push(Box::new(
                organization::code
                    .eq(code.as_str().to_owned())
                    .or(field_report::kind
                        .eq(FieldReportKind::Referral.as_str())
                        .and(referred_to.eq(code.as_str().to_owned()))
                        .assume_not_null()),
            ));
        }
        FieldReportScope::SentBy(code) => {
            all.push(Box::new(organization::code.eq(code.as_str().to_owned())));
        }
        FieldReportScope::Nothing => return None,
    }
    if let Some(kind) = filter.kind {
        all.push(Box::new(field_report::kind.eq(kind.as_str())));
    }
    if let Some(review) = filter.review {
        all.push(Box::new(field_report::review_status.eq(review.as_str())));
    }
    Some(all)
}

/// One report the caller may see.
pub async fn get(db: &Db, scope: &FieldReportScope, id: Uuid) -> Result<FieldReport, StoreError> {
    let mut conn = db.conn().await?;
    let found = find_any(&mut conn, id)
        .await?
        .filter(|(row, org)| row.deleted_at.is_none() && visible(scope, row, org));
    to_domain(found.ok_or(StoreError::NotFound)?)
}

fn visible(scope: &FieldReportScope, row: &FieldReportRow, organization: &str) -> bool {
    let referred_to = |code: &Code| {
        row.payload["kind"] == "referral" && row.payload["to_organization"] == code.as_str()
    };
    match scope {
        FieldReportScope::All => true,
        FieldReportScope::Organization(code) => code.as_str() == organization || referred_to(code),
        FieldReportScope::SentBy(code) => code.as_str() == organization,
        FieldReportScope::Nothing => false,
    }
}

/// Records UNODC's review of a report at the version the reviewer read.
pub async fn review(
    db: &Db,
    id: Uuid,
    expected_version: i32,
    decision: &Review,
    audit: &Audit,
) -> Result<FieldReport, StoreError> {
    let (status, reason) = match decision {
        Review::Verify => (ReviewStatus::Verified, None),
        Review::Reject(reason) => (ReviewStatus::Rejected, Some(reason.as_str())),
    };
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        crate::db::lock_row(conn, "field_report", id).await?;
        let (row, _) = find_any(conn, id)
            .await?
            .filter(|(row, _)| row.deleted_at.is_none())
            .ok_or(StoreError::NotFound)?;
        StoreError::check_version(row.version, expected_version)?;
        diesel::update(field_report::table.filter(field_report::id.eq(id)))
            .set((
                field_report::review_status.eq(status.as_str()),
                field_report::review_reason.eq(reason),
            ))
            .execute(conn)
            .await?;
        append(
            conn,
            audit,
            vec![
                Entry::new("review", "field_report", id)
                    .changing(vec!["review_status", "review_reason"]),
            ],
        )
        .await?;
        to_domain(find_any(conn, id).await?.ok_or(StoreError::NotFound)?)
    })
    .await
}

/// How often a watch of reports asks for what changed since it last asked.
const WATCH_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// The ids of reports as they are submitted or changed (reviewed), from now on, in change
/// order. Only ids: who may read a report is decided when it is read.
///
/// The watch walks the change feed below the change horizon (as delta sync does) a few times a
/// second. It used to be told by `NOTIFY`, but PostgreSQL serializes the commits of every
/// transaction that notifies (one lock on the notification queue, cluster-wide, held through
/// the commit), which cost the single-report write path more than half its rate.
pub async fn listen(
    db: &Db,
) -> Result<impl futures_util::Stream<Item = Result<Uuid, StoreError>> + Send + use<>, StoreError> {
    #[derive(QueryableByName)]
    struct Start {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        horizon: i64,
    }
    // Everything below the horizon now is from before the watch began.
    let start: Start = diesel::sql_query("SELECT gloact_change_horizon() AS horizon")
        .get_result(&mut db.conn().await?)
        .await?;
    let db = db.clone();
    let mut ticks = tokio::time::interval(WATCH_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // After an error the stream ends (its item said why), so that subscribers learn their feed
    // stopped rather than that it completed.
    let state = Some((start.horizon - 1, std::collections::VecDeque::new(), ticks));
    Ok(futures_util::stream::unfold(state, move |state| {
        let db = db.clone();
        async move {
            let (mut after, mut pending, mut ticks) = state?;
            loop {
                if let Some(id) = pending.pop_front() {
                    return Some((Ok(id), Some((after, pending, ticks))));
                }
                ticks.tick().await;
                let changed: Result<Vec<(Uuid, i64)>, StoreError> = async {
                    Ok(field_report::table
                        .filter(field_report::change_seq.gt(after))
                        .filter(field_report::change_seq.lt(crate::page::change_horizon()))
                        .order(field_report::change_seq.asc())
                        .limit(500)
                        .select((field_report::id, field_report::change_seq))
                        .load(&mut db.conn().await?)
                        .await?)
                }
                .await;
                match changed {
                    Ok(changed) => {
                        if let Some((_, last)) = changed.last() {
                            after = *last;
                        }
                        pending.extend(changed.into_iter().map(|(id, _)| id));
                    }
                    Err(error) => return Some((Err(error), None)),
                }
            }
        }
    }))
}
