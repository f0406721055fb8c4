//! Field reports: IOM and government officers send them; UNODC reads all and reviews; IOM reads
//! all; government reads its own organization's and the referrals made to it; the EU sees none
//! (it has the statistics, [`super::statistics`]).

use gloact_domain::Actor;
use gloact_domain::field_report::{FieldReport, NewFieldReport, Review};
use gloact_domain::policy::{Action, ActivityScope, FieldReportScope, Resource};
use gloact_persistence::attachments::{self, Attachment, Upload};
use gloact_persistence::field_reports::{self, Fate, FieldReportFilter, Stored};
use gloact_persistence::{Db, Page, PageRequest, activities};
use uuid::Uuid;

use super::{Caller, ServiceResult, audit_restricted_reads, authorize, check_version};

/// Stores a report from the caller's phone; a resend of the same report changes nothing, and is
/// answered with the stored report, a read on the record like any other.
pub async fn submit(db: &Db, caller: &Caller, report: &NewFieldReport) -> ServiceResult<Stored> {
    let actor = &caller.actor;
    authorize(actor, Resource::FieldReport, Action::Create)?;
    let mut stored = field_reports::submit(
        db,
        report,
        &actor.subject,
        &actor.organization,
        &caller.audit_identity(),
    )
    .await?;
    let (Stored::Created(report) | Stored::AlreadyHad(report)) = &mut stored;
    name_seen_activities(db, actor, &mut [report]).await?;
    if let Stored::AlreadyHad(report) = &stored {
        audit_restricted_reads(
            db,
            caller,
            "field_report",
            vec![report.report.id.to_string()],
        )
        .await?;
    }
    Ok(stored)
}

/// A report names its activity only to a caller who may see that activity: a referral sent to
/// another ministry about a restricted activity does not tell that ministry the activity's id.
async fn name_seen_activities(
    db: &Db,
    actor: &Actor,
    reports: &mut [&mut FieldReport],
) -> ServiceResult<()> {
    let ids: Vec<_> = reports
        .iter()
        .filter_map(|r| r.report.activity_id)
        .collect();
    let seen = activities::seen_among(db, &ActivityScope::of(actor), &ids).await?;
    for report in reports {
        report.report.activity_id = report.report.activity_id.filter(|id| seen.contains(id));
    }
    Ok(())
}

/// A page of the reports the caller may see; every read is on the record (reports describe
/// victims and incidents).
pub async fn list(
    db: &Db,
    caller: &Caller,
    filter: &FieldReportFilter,
    page: &PageRequest,
) -> ServiceResult<Page<FieldReport, Uuid>> {
    let actor = &caller.actor;
    authorize(actor, Resource::FieldReport, Action::Read)?;
    let mut page = field_reports::list(db, &FieldReportScope::of(actor), filter, page).await?;
    name_seen_activities(db, actor, &mut page.items.iter_mut().collect::<Vec<_>>()).await?;
    let ids = page.items.iter().map(|r| r.report.id.to_string()).collect();
    audit_restricted_reads(db, caller, "field_report", ids).await?;
    Ok(page)
}

/// How many of the reports the caller may see match the filter (what it could count by reading
/// them all).
pub async fn count(db: &Db, caller: &Caller, filter: &FieldReportFilter) -> ServiceResult<i64> {
    let actor = &caller.actor;
    authorize(actor, Resource::FieldReport, Action::Read)?;
    Ok(field_reports::count(db, &FieldReportScope::of(actor), filter).await?)
}

/// One report the caller may see.
pub async fn get(db: &Db, caller: &Caller, id: Uuid) -> ServiceResult<FieldReport> {
    let actor = &caller.actor;
    authorize(actor, Resource::FieldReport, Action::Read)?;
    let mut report = field_reports::get(db, &FieldReportScope::of(actor), id).await?;
    name_seen_activities(db, actor, &mut [&mut report]).await?;
    audit_restricted_reads(db, caller, "field_report", vec![id.to_string()]).await?;
    Ok(report)
}

/// The ids of reports as they are submitted or reviewed, for a caller who may read reports at
/// all (the EU may not). Each is to be read with [`get`], which scopes it to the caller: an id
/// alone tells nothing.
pub async fn watch(
    db: &Db,
    caller: &Caller,
) -> ServiceResult<impl futures_util::Stream<Item = ServiceResult<Uuid>> + Send + use<>> {
    authorize(&caller.actor, Resource::FieldReport, Action::Read)?;
    let ids = field_reports::listen(db).await?;
    Ok(futures_util::StreamExt::map(ids, |id| {
        id.map_err(Into::into)
    }))
}

/// UNODC's review of a report, at the version the reviewer read.
pub async fn review(
    db: &Db,
    caller: &Caller,
    id: Uuid,
    version: i32,
    decision: &Review,
) -> ServiceResult<FieldReport> {
    let actor = &caller.actor;
    authorize(actor, Resource::FieldReport, Action::Update)?;
    let current = field_reports::get(db, &FieldReportScope::All, id).await?;
    check_version(current.meta.version, version)?;
    Ok(field_reports::review(db, id, version, decision, &caller.audit_identity()).await?)
}

/// Stores a batch of reports from the caller's phone in one transaction, each judged on its own.
pub async fn submit_batch(
    db: &Db,
    caller: &Caller,
    reports: &[NewFieldReport],
) -> ServiceResult<Vec<Result<Fate, gloact_persistence::StoreError>>> {
    let actor = &caller.actor;
    authorize(actor, Resource::FieldReport, Action::Create)?;
    // The answer tells each report's id and fate, not its content: nothing of it is read.
    Ok(field_reports::submit_all(
        db,
        reports,
        &actor.subject,
        &actor.organization,
        &caller.audit_identity(),
    )
    .await?)
}

/// Whether the caller may attach to this report: only the organization that sent it adds to it,
/// and others don't learn it exists. Checked before an upload is read.
pub async fn may_attach(db: &Db, caller: &Caller, report_id: Uuid) -> ServiceResult<()> {
    let actor = &caller.actor;
    authorize(actor, Resource::FieldReport, Action::Create)?;
    field_reports::get(
        db,
        &FieldReportScope::SentBy(actor.organization.clone()),
        report_id,
    )
    .await?;
    Ok(())
}

/// Attaches a photo or document (of a type told by its content) to a report of the caller's own
/// organization; the same content again is the same attachment.
pub async fn attach(
    db: &Db,
    caller: &Caller,
    report_id: Uuid,
    media_type: &str,
    data: &[u8],
) -> ServiceResult<Upload> {
    may_attach(db, caller, report_id).await?;
    Ok(attachments::store(
        db,
        report_id,
        media_type,
        data,
        &caller.actor.subject,
        &caller.audit_identity(),
    )
    .await?)
}

/// The attachments of a report the caller may see.
pub async fn list_attachments(
    db: &Db,
    caller: &Caller,
    report_id: Uuid,
) -> ServiceResult<Vec<Attachment>> {
    let actor = &caller.actor;
    authorize(actor, Resource::FieldReport, Action::Read)?;
    field_reports::get(db, &FieldReportScope::of(actor), report_id).await?;
    let list = attachments::list(db, report_id).await?;
    audit_restricted_reads(
        db,
        caller,
        "attachment",
        list.iter().map(|a| a.id.to_string()).collect(),
    )
    .await?;
    Ok(list)
}

/// One attachment's content, of a report the caller may see; every read is on the record.
pub async fn attachment_content(
    db: &Db,
    caller: &Caller,
    report_id: Uuid,
    id: Uuid,
) -> ServiceResult<(Attachment, Vec<u8>)> {
    let actor = &caller.actor;
    authorize(actor, Resource::FieldReport, Action::Read)?;
    field_reports::get(db, &FieldReportScope::of(actor), report_id).await?;
    let found = attachments::content(db, report_id, id).await?;
    audit_restricted_reads(db, caller, "attachment", vec![id.to_string()]).await?;
    Ok(found)
}
