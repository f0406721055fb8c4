//! Spreadsheet imports: many rows of one kind, each checked as its JSON write is (the same
//! parsers, the same access rules), then written all or nothing in one transaction.
//!
//! An import runs in two phases. First every row is judged against what is stored, outside any
//! transaction: may the caller write it, is its version current, what would it change. Then the
//! rows that would change something are written in one transaction, each in a savepoint, so that
//! what only the database can refuse (a code taken, an organization unknown) is found for every
//! row; the transaction commits only when no row failed in either phase and it is not a dry run.

use std::collections::{HashMap, HashSet};

use diesel_async::AsyncPgConnection;
use gloact_domain::activity::{
    ActivityDetail, ActivityPatch, HeadcountPatch, NewActivity, NewParticipation, ParticipationRole,
};
use gloact_domain::indicator::{Actual, IndicatorDetail};
use gloact_domain::organization::{NewOrganization, Organization, OrganizationChanges};
use gloact_domain::policy::{Action, ActivityScope, Grant, Resource};
use gloact_domain::value::Code;
use gloact_domain::{ActivityId, IndicatorId, IndicatorPeriodId, OrganizationId, ProgrammeId};
use gloact_persistence::{
    Db, StoreError, activities, batch, indicators, organizations, programmes,
};

use super::activities::{may_create, may_update};
use super::{Caller, ServiceError, ServiceResult, authorize, check_version};

/// One row of a sheet, with its row number as the spreadsheet shows it.
#[derive(Debug)]
pub struct Numbered<T> {
    /// The row number (the header is row 1).
    pub row: usize,
    /// What the row asks for.
    pub item: T,
}

/// A row that could not be imported, and why.
#[derive(Debug)]
pub struct RowFailure {
    /// The row number.
    pub row: usize,
    /// Why.
    pub error: ServiceError,
}

/// What an import did, or would do in a dry run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// Rows read.
    pub rows: usize,
    /// Rows that add a new row.
    pub created: usize,
    /// Rows that change a stored row.
    pub updated: usize,
    /// Rows that hold what is stored already.
    pub unchanged: usize,
    /// Whether the rows were written (not a dry run, and no row failed).
    pub committed: bool,
}

/// An import's outcome: its report, or every row that failed (then nothing was written).
pub type Outcome = ServiceResult<Result<Report, Vec<RowFailure>>>;

/// The programmes and organizations a sheet names by id (or by code, for programmes), that
/// its rows may name them as the JSON writes do.
#[derive(Debug, Default)]
pub struct References {
    /// Codes of programmes by id.
    pub programme_codes: HashMap<ProgrammeId, Code>,
    /// Ids of programmes by code.
    pub programme_ids: HashMap<Code, ProgrammeId>,
    /// Codes of organizations by id.
    pub organization_codes: HashMap<OrganizationId, Code>,
}

/// Looks up the programmes and organizations a sheet names; those not found are left out.
pub async fn references(
    db: &Db,
    caller: &Caller,
    programme_ids: &[ProgrammeId],
    programme_codes: &[Code],
    organization_ids: &[OrganizationId],
) -> ServiceResult<References> {
    authorize(&caller.actor, Resource::Programme, Action::Read)?;
    authorize(&caller.actor, Resource::Organization, Action::Read)?;
    let mut found = References::default();
    for programme in programmes::get_many(db, programme_ids).await? {
        found.programme_codes.insert(programme.id, programme.code);
    }
    for code in programme_codes {
        match programmes::get_by_code(db, code).await {
            Ok(programme) => {
                found.programme_ids.insert(programme.code, programme.id);
            }
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    for organization in organizations::get_many(db, organization_ids).await? {
        found
            .organization_codes
            .insert(organization.id, organization.code);
    }
    Ok(found)
}

/// An activity row: a new activity, or a change to a stored one.
#[derive(Debug)]
pub enum ActivityRow {
    /// A new activity (the row names no id).
    Create(NewActivity),
    /// A change to the activity with this id.
    Update {
        /// The activity.
        id: ActivityId,
        /// The version the row was read at.
        version: i32,
        /// The fields the sheet holds; those equal to what is stored change nothing.
        patch: ActivityPatch,
        /// What can't change, as the sheet holds it: it must match what is stored.
        fixed: Fixed,
    },
}

/// The fields of an activity fixed at its creation, as an update row holds them (`None`: the
/// sheet has no such column, or the cell is blank).
#[derive(Debug, Default)]
pub struct Fixed {
    /// Its programme.
    pub programme_id: Option<ProgrammeId>,
    /// Its code.
    pub code: Option<Code>,
    /// The activity it is part of (`Some(None)`: none).
    pub parent_id: Option<Option<ActivityId>>,
    /// The organizations taking part, and how.
    pub participations: Option<Vec<NewParticipation>>,
}

/// Which activity a row of participant counts is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ActivityKey {
    /// By id.
    Id(ActivityId),
    /// By its programme's code and its own.
    Code {
        /// The programme's code.
        programme: Code,
        /// The activity's code.
        code: Code,
    },
}

/// A row of participant counts of a stored activity.
#[derive(Debug)]
pub struct CountsRow {
    /// The activity.
    pub activity: ActivityKey,
    /// The version the row was read at.
    pub version: i32,
    /// The counts given; a blank cell keeps its count.
    pub counts: HeadcountPatch,
}

/// A row of an indicator period's actual.
#[derive(Debug)]
pub struct ActualRow {
    /// The indicator.
    pub indicator: IndicatorId,
    /// Its period.
    pub period: IndicatorPeriodId,
    /// The indicator's version the row was read at.
    pub version: i32,
    /// The actual reached; `None` (blank cells) records nothing.
    pub actual: Option<Actual>,
}

/// An organization row: a new organization, or a change to a stored one.
#[derive(Debug)]
pub enum OrganizationRow {
    /// A new organization (the row names no id).
    Create(NewOrganization),
    /// A change to the organization with this id.
    Update {
        /// The organization.
        id: OrganizationId,
        /// The version the row was read at.
        version: i32,
        /// Its code as the sheet holds it, which must match what is stored.
        code: Option<Code>,
        /// The fields the sheet holds; those equal to what is stored change nothing.
        changes: OrganizationChanges,
    },
}

/// What phase one makes of a row.
enum Plan<W> {
    /// Nothing to write.
    Unchanged,
    /// A new row to add.
    Create(W),
    /// A stored row to change.
    Update(W),
}

/// Imports activities: new ones and changes to stored ones.
pub async fn activities(
    db: &Db,
    caller: &Caller,
    rows: Vec<Numbered<ActivityRow>>,
    commit: bool,
) -> Outcome {
    let actor = &caller.actor;
    let scope = ActivityScope::of(actor);
    let creates = rows
        .iter()
        .any(|r| matches!(r.item, ActivityRow::Create(_)));
    let create_grant = grant_if(creates, actor, Resource::Activity, Action::Create)?;
    let ids: Vec<ActivityId> = rows
        .iter()
        .filter_map(|r| match r.item {
            ActivityRow::Update { id, .. } => Some(id),
            ActivityRow::Create(_) => None,
        })
        .collect();
    let update_grant = grant_if(!ids.is_empty(), actor, Resource::Activity, Action::Update)?;
    let stored = if ids.is_empty() {
        HashMap::new()
    } else {
        by_id(activities::get_many(db, &scope, &ids).await?)
    };
    let plans = rows.into_iter().map(|Numbered { row, item }| {
        let plan = match item {
            ActivityRow::Create(new) => create_grant
                .ok_or_else(|| refused("create"))
                .and_then(|granted| may_create(actor, granted, &new))
                .map(|()| Plan::Create(ActivityWrite::Create(new))),
            ActivityRow::Update {
                id,
                version,
                patch,
                fixed,
            } => stored
                .get(&id)
                .ok_or(ServiceError::Store(StoreError::NotFound))
                .and_then(|current| {
                    let granted = update_grant.ok_or_else(|| refused("change"))?;
                    plan_update(actor, granted, current, version, patch, &fixed)
                }),
        };
        (row, plan)
    });
    let audit = caller.audit_identity();
    run(
        db,
        commit,
        plans.collect(),
        async |conn: &mut AsyncPgConnection, write: &ActivityWrite| {
            write.run(conn, &scope, &audit).await
        },
    )
    .await
}

/// An activity write that phase one found to do.
enum ActivityWrite {
    Create(NewActivity),
    Update {
        id: ActivityId,
        version: i32,
        changes: gloact_domain::activity::ActivityChanges,
    },
}

impl ActivityWrite {
    /// Writes it in the import's transaction.
    async fn run(
        &self,
        conn: &mut AsyncPgConnection,
        scope: &ActivityScope,
        audit: &gloact_persistence::audit::Audit,
    ) -> Result<(), StoreError> {
        match self {
            Self::Create(new) => activities::create_in(conn, scope, new, audit)
                .await
                .map(drop),
            Self::Update {
                id,
                version,
                changes,
            } => activities::update_in(conn, scope, *id, *version, changes, audit)
                .await
                .map(drop),
        }
    }
}

/// Judges a change to a stored activity: version, what is fixed, access, then what it changes.
fn plan_update(
    actor: &gloact_domain::Actor,
    granted: Grant,
    current: &ActivityDetail,
    version: i32,
    patch: ActivityPatch,
    fixed: &Fixed,
) -> ServiceResult<Plan<ActivityWrite>> {
    let stored_version = current.activity.meta.version;
    check_version(stored_version, version)?;
    check_fixed(current, fixed)?;
    let patch = current.activity.differences(patch);
    // A row that holds what is stored writes nothing, so it needs no right to write: an
    // export of everything the caller reads comes back unchanged.
    if patch == ActivityPatch::default() {
        return Ok(Plan::Unchanged);
    }
    may_update(actor, granted, current, &patch)?;
    let changes = current.activity.apply(patch)?;
    Ok(Plan::Update(ActivityWrite::Update {
        id: current.activity.id,
        version: stored_version,
        changes,
    }))
}

/// Refuses a row whose programme, code, parent or participations differ from what is stored:
/// these are fixed when an activity is created.
fn check_fixed(current: &ActivityDetail, fixed: &Fixed) -> ServiceResult<()> {
    let activity = &current.activity;
    let mut violations = gloact_domain::Violations::default();
    let mut differs = |field: &str, differ: bool| {
        if differ {
            violations.add(
                field,
                gloact_domain::ValueError::new(
                    "immutable",
                    "is fixed when the activity is created and differs from what is stored",
                ),
            );
        }
    };
    differs(
        "programme_id",
        fixed
            .programme_id
            .is_some_and(|p| p != activity.programme_id),
    );
    differs(
        "code",
        fixed.code.as_ref().is_some_and(|c| *c != activity.code),
    );
    differs(
        "parent_id",
        fixed.parent_id.is_some_and(|p| p != activity.parent_id),
    );
    let stored: HashSet<(&Code, ParticipationRole)> = current
        .participations
        .iter()
        .map(|p| (&p.organization_code, p.role))
        .collect();
    differs(
        "participations",
        fixed.participations.as_ref().is_some_and(|given| {
            given
                .iter()
                .map(|p| (&p.organization, p.role))
                .collect::<HashSet<_>>()
                != stored
        }),
    );
    Ok(violations.into_result()?)
}

/// Imports participant counts of stored activities.
pub async fn participations(
    db: &Db,
    caller: &Caller,
    rows: Vec<Numbered<CountsRow>>,
    commit: bool,
) -> Outcome {
    let actor = &caller.actor;
    let scope = ActivityScope::of(actor);
    let granted = authorize(actor, Resource::Activity, Action::Update)?;
    let ids: Vec<ActivityId> = rows
        .iter()
        .filter_map(|r| match r.item.activity {
            ActivityKey::Id(id) => Some(id),
            ActivityKey::Code { .. } => None,
        })
        .collect();
    let mut stored: HashMap<ActivityKey, ActivityDetail> = HashMap::new();
    if !ids.is_empty() {
        for detail in activities::get_many(db, &scope, &ids).await? {
            stored.insert(ActivityKey::Id(detail.activity.id), detail);
        }
    }
    let mut codes: HashMap<&Code, Vec<Code>> = HashMap::new();
    for row in &rows {
        if let ActivityKey::Code { programme, code } = &row.item.activity {
            codes.entry(programme).or_default().push(code.clone());
        }
    }
    for (programme, codes) in codes {
        let programme_id = match programmes::get_by_code(db, programme).await {
            Ok(found) => found.id,
            Err(StoreError::NotFound) => continue,
            Err(e) => return Err(e.into()),
        };
        for detail in activities::by_codes(db, &scope, programme_id, &codes).await? {
            let key = ActivityKey::Code {
                programme: programme.clone(),
                code: detail.activity.code.clone(),
            };
            stored.insert(key, detail);
        }
    }
    // A row by id and a row by code can name the same activity.
    let mut seen: HashMap<ActivityId, usize> = HashMap::new();
    let plans = rows
        .into_iter()
        .map(|Numbered { row, item }| {
            let plan = stored
                .get(&item.activity)
                .ok_or(ServiceError::Store(StoreError::NotFound))
                .and_then(|current| {
                    if let Some(first) = seen.insert(current.activity.id, row) {
                        return Err(duplicate(first));
                    }
                    let patch = ActivityPatch {
                        participants: item.counts,
                        ..ActivityPatch::default()
                    };
                    plan_update(
                        actor,
                        granted,
                        current,
                        item.version,
                        patch,
                        &Fixed::default(),
                    )
                });
            (row, plan)
        })
        .collect();
    let audit = caller.audit_identity();
    run(
        db,
        commit,
        plans,
        async |conn: &mut AsyncPgConnection, write: &ActivityWrite| {
            write.run(conn, &scope, &audit).await
        },
    )
    .await
}

/// Imports the actuals of indicator periods.
pub async fn indicator_actuals(
    db: &Db,
    caller: &Caller,
    rows: Vec<Numbered<ActualRow>>,
    commit: bool,
) -> Outcome {
    authorize(&caller.actor, Resource::Indicator, Action::Update)?;
    let mut stored: HashMap<IndicatorId, IndicatorDetail> = HashMap::new();
    for row in &rows {
        if stored.contains_key(&row.item.indicator) {
            continue;
        }
        match indicators::get(db, row.item.indicator).await {
            Ok(detail) => {
                stored.insert(row.item.indicator, detail);
            }
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let plans = rows
        .into_iter()
        .map(|Numbered { row, item }| {
            let plan = stored
                .get(&item.indicator)
                .ok_or(ServiceError::Store(StoreError::NotFound))
                .and_then(|current| plan_actual(current, item));
            (row, plan)
        })
        .collect();
    // Rows of one indicator each move its version on: the next row writes at the new one.
    let mut versions: HashMap<IndicatorId, i32> = stored
        .iter()
        .map(|(id, detail)| (*id, detail.indicator.meta.version))
        .collect();
    let audit = caller.audit_identity();
    run(
        db,
        commit,
        plans,
        async |conn: &mut AsyncPgConnection,
               (indicator, period, actual): &(IndicatorId, IndicatorPeriodId, Actual)| {
            let version = versions.get(indicator).copied().unwrap_or_default();
            let written =
                indicators::record_actual_in(conn, *indicator, *period, version, actual, &audit)
                    .await?;
            versions.insert(*indicator, written.indicator.meta.version);
            Ok(())
        },
    )
    .await
}

/// Judges an actual against its indicator as stored.
fn plan_actual(
    current: &IndicatorDetail,
    item: ActualRow,
) -> ServiceResult<Plan<(IndicatorId, IndicatorPeriodId, Actual)>> {
    check_version(current.indicator.meta.version, item.version)?;
    let period = current
        .periods
        .iter()
        .find(|p| p.id == item.period)
        .ok_or(ServiceError::Store(StoreError::NotFound))?;
    let Some(actual) = item.actual else {
        return Ok(Plan::Unchanged);
    };
    actual.check_against(&current.indicator)?;
    if (period.actual, period.actual_female, period.actual_male)
        == (Some(actual.value), actual.female, actual.male)
    {
        return Ok(Plan::Unchanged);
    }
    Ok(Plan::Update((item.indicator, item.period, actual)))
}

/// Imports organizations: new ones and changes to stored ones.
pub async fn organizations(
    db: &Db,
    caller: &Caller,
    rows: Vec<Numbered<OrganizationRow>>,
    commit: bool,
) -> Outcome {
    let actor = &caller.actor;
    let creates = rows
        .iter()
        .any(|r| matches!(r.item, OrganizationRow::Create(_)));
    if creates {
        authorize(actor, Resource::Organization, Action::Create)?;
    }
    if rows
        .iter()
        .any(|r| matches!(r.item, OrganizationRow::Update { .. }))
    {
        authorize(actor, Resource::Organization, Action::Update)?;
    }
    let all = organizations::all(db).await?;
    let codes: HashMap<OrganizationId, &Code> = all.iter().map(|o| (o.id, &o.code)).collect();
    let stored: HashMap<OrganizationId, &Organization> = all.iter().map(|o| (o.id, o)).collect();
    let plans = rows
        .into_iter()
        .map(|Numbered { row, item }| {
            let plan = match item {
                OrganizationRow::Create(new) => Ok(Plan::Create(OrganizationWrite::Create(new))),
                OrganizationRow::Update {
                    id,
                    version,
                    code,
                    changes,
                } => stored
                    .get(&id)
                    .ok_or(ServiceError::Store(StoreError::NotFound))
                    .and_then(|current| {
                        plan_organization(current, &codes, version, code.as_ref(), changes)
                    }),
            };
            (row, plan)
        })
        .collect();
    let audit = caller.audit_identity();
    let outcome = run(
        db,
        commit,
        plans,
        async |conn: &mut AsyncPgConnection, write: &OrganizationWrite| match write {
            OrganizationWrite::Create(new) => {
                organizations::create_in(conn, new, &audit).await.map(drop)
            }
            OrganizationWrite::Update {
                id,
                version,
                changes,
            } => organizations::update_in(conn, *id, *version, changes, &audit)
                .await
                .map(drop),
        },
    )
    .await?;
    if matches!(
        outcome,
        Ok(Report {
            committed: true,
            ..
        })
    ) {
        // Roles follow organization kinds: what this replica remembers of them is stale.
        organizations::written_in_transaction(db);
    }
    Ok(outcome)
}

/// An organization write that phase one found to do.
enum OrganizationWrite {
    Create(NewOrganization),
    Update {
        id: OrganizationId,
        version: i32,
        changes: OrganizationChanges,
    },
}

/// Judges a change to a stored organization: version and code, then what it changes.
fn plan_organization(
    current: &Organization,
    codes: &HashMap<OrganizationId, &Code>,
    version: i32,
    code: Option<&Code>,
    changes: OrganizationChanges,
) -> ServiceResult<Plan<OrganizationWrite>> {
    check_version(current.meta.version, version)?;
    if code.is_some_and(|code| *code != current.code) {
        return Err(gloact_domain::Violations::single(
            "code",
            gloact_domain::ValueError::new(
                "immutable",
                "an organization's code never changes, and differs from what is stored",
            ),
        )
        .into());
    }
    let parent = current
        .parent_id
        .and_then(|p| codes.get(&p).copied().cloned());
    let changes = current.differences(changes, parent.as_ref());
    if changes == OrganizationChanges::default() {
        return Ok(Plan::Unchanged);
    }
    Ok(Plan::Update(OrganizationWrite::Update {
        id: current.id,
        version: current.meta.version,
        changes,
    }))
}

/// The refusal of a row about the same stored row as an earlier one.
fn duplicate(first: usize) -> ServiceError {
    gloact_domain::Violations::single(
        "id",
        gloact_domain::ValueError::new(
            "duplicate_row",
            format!("row {first} is about the same row already"),
        ),
    )
    .into()
}

/// What the policy grants for an action the sheet needs (`None` when it needs none).
fn grant_if(
    needed: bool,
    actor: &gloact_domain::Actor,
    resource: Resource,
    action: Action,
) -> ServiceResult<Option<Grant>> {
    needed
        .then(|| authorize(actor, resource, action))
        .transpose()
}

/// The refusal of a row whose action [`grant_if`] was not asked about (never, as the rows are
/// read before the grants are asked for).
fn refused(action: &str) -> ServiceError {
    ServiceError::Forbidden(format!("this import may not {action} rows"))
}

fn by_id(found: Vec<ActivityDetail>) -> HashMap<ActivityId, ActivityDetail> {
    found.into_iter().map(|d| (d.activity.id, d)).collect()
}

/// Phase two: writes the rows phase one planned, all or nothing, and reports.
async fn run<W>(
    db: &Db,
    commit: bool,
    plans: Vec<(usize, ServiceResult<Plan<W>>)>,
    mut write: impl AsyncFnMut(&mut AsyncPgConnection, &W) -> Result<(), StoreError>,
) -> Outcome {
    let mut report = Report {
        rows: plans.len(),
        ..Report::default()
    };
    let mut failures = Vec::new();
    let mut writes: Vec<(usize, bool, W)> = Vec::new();
    for (row, plan) in plans {
        match plan {
            Ok(Plan::Unchanged) => report.unchanged += 1,
            Ok(Plan::Create(w)) => writes.push((row, true, w)),
            Ok(Plan::Update(w)) => writes.push((row, false, w)),
            Err(error) => failures.push(RowFailure { row, error }),
        }
    }
    let commit = commit && failures.is_empty();
    let written = batch::all_or_nothing(db, writes.len(), commit, async |conn, i| {
        write(conn, &writes[i].2).await
    })
    .await?;
    for ((row, create, _), outcome) in writes.iter().zip(written.rows) {
        match outcome {
            Ok(()) if *create => report.created += 1,
            Ok(()) => report.updated += 1,
            Err(error) => failures.push(RowFailure {
                row: *row,
                error: error.into(),
            }),
        }
    }
    if !failures.is_empty() {
        failures.sort_by_key(|f| f.row);
        return Ok(Err(failures));
    }
    report.committed = written.committed;
    Ok(Ok(report))
}
