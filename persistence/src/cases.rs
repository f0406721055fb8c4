//! Victim-assistance cases: the pseudonymous case row with its events and referrals, scoped reads,
//! versioned writes, and the identity sealed apart (see [`crate::sealed`]).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use gloact_domain::case::{
    Case, CaseChanges, CaseStatus, Consent, Email, Identity, NewCase, NewReferral, Phone,
    Recruitment, Referral, ReferralStatus, Subject, TraffickingEvent,
};
use gloact_domain::policy::CaseScope;
use gloact_domain::value::{Code, CountryCode, District, Location, Narrative, Title};
use gloact_domain::{RowMeta, ValueError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::audit::{Audit, Entry, append};
use crate::db::Db;
use crate::error::StoreError;
use crate::organizations::id_by_code;
use crate::page::{Page, PageRequest, RowKeys, paged};
use crate::schema::{case_event, case_identity, case_referral, organization, victim_case};
use crate::sealed::SealingKey;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = victim_case, check_for_backend(Pg))]
struct CaseRow {
    id: Uuid,
    opened_by: String,
    identified_on: NaiveDate,
    district: String,
    sex: String,
    age_band: String,
    citizenship: String,
    exploitation: String,
    means_of_control: Vec<String>,
    recruitment: String,
    recruiter_relation: String,
    consent: bool,
    status: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
    change_seq: i64,
    deleted_at: Option<DateTime<Utc>>,
}

/// A case row with its organization's code and whether an identity is stored.
type CaseWithOrg = (CaseRow, String, bool);

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = case_event, check_for_backend(Pg))]
struct EventRow {
    case_id: Uuid,
    stage: String,
    place: String,
    country: String,
    occurred_on: Option<NaiveDate>,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = case_referral, check_for_backend(Pg))]
struct ReferralRow {
    id: Uuid,
    case_id: Uuid,
    service: String,
    status: String,
    note: Option<String>,
    referred_by: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// An identity as sealed: plain JSON inside the ciphertext. No `Debug`: it holds the values.
#[derive(Serialize, Deserialize)]
struct SealedIdentity {
    given_name: Option<String>,
    family_name: Option<String>,
    other_names: Option<String>,
    birth_date: Option<NaiveDate>,
    phone: Option<String>,
    email: Option<String>,
    address: Option<String>,
}

impl From<&Identity> for SealedIdentity {
    fn from(i: &Identity) -> Self {
        Self {
            given_name: i.given_name.as_ref().map(|v| v.as_str().to_owned()),
            family_name: i.family_name.as_ref().map(|v| v.as_str().to_owned()),
            other_names: i.other_names.as_ref().map(|v| v.as_str().to_owned()),
            birth_date: i.birth_date,
            phone: i.phone.as_ref().map(|v| v.as_str().to_owned()),
            email: i.email.as_ref().map(|v| v.as_str().to_owned()),
            address: i.address.as_ref().map(|v| v.as_str().to_owned()),
        }
    }
}

impl TryFrom<SealedIdentity> for Identity {
    type Error = ValueError;

    fn try_from(s: SealedIdentity) -> Result<Self, ValueError> {
        Ok(Self {
            given_name: s.given_name.as_deref().map(Title::parse).transpose()?,
            family_name: s.family_name.as_deref().map(Title::parse).transpose()?,
            other_names: s.other_names.as_deref().map(Title::parse).transpose()?,
            birth_date: s.birth_date,
            phone: s.phone.as_deref().map(Phone::parse).transpose()?,
            email: s.email.as_deref().map(Email::parse).transpose()?,
            address: s.address.as_deref().map(Narrative::parse).transpose()?,
        })
    }
}

fn keys((row, _, _): &CaseWithOrg) -> RowKeys {
    RowKeys {
        id: row.id,
        change_seq: row.change_seq,
        deleted_at: row.deleted_at,
    }
}

fn to_case(
    (row, organization, has_identity): CaseWithOrg,
    events: Vec<TraffickingEvent>,
    referrals: Vec<Referral>,
) -> Result<Case, StoreError> {
    let means_of_control = row
        .means_of_control
        .iter()
        .map(|m| m.parse())
        .collect::<Result<BTreeSet<_>, _>>()?;
    Ok(Case {
        id: row.id,
        organization: Code::parse(&organization)?,
        opened_by: row.opened_by,
        identified_on: row.identified_on,
        district: District::parse(&row.district)?,
        subject: Subject {
            sex: row.sex.parse()?,
            age_band: row.age_band.parse()?,
            citizenship: CountryCode::parse(&row.citizenship)?,
        },
        exploitation: row.exploitation.parse()?,
        means_of_control,
        recruitment: Recruitment {
            method: row.recruitment.parse()?,
            recruiter_relation: row.recruiter_relation.parse()?,
        },
        events,
        consent: Consent(row.consent),
        status: row.status.parse()?,
        referrals,
        has_identity,
        meta: RowMeta {
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
            change_seq: row.change_seq,
        },
    })
}

type HasIdentity = diesel::dsl::exists<
    diesel::dsl::Filter<
        case_identity::table,
        diesel::dsl::Eq<case_identity::case_id, victim_case::id>,
    >,
>;

type CaseQuery<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::Select<
        diesel::dsl::InnerJoin<victim_case::table, organization::table>,
        (
            diesel::dsl::AsSelect<CaseRow, Pg>,
            organization::code,
            HasIdentity,
        ),
    >,
    Pg,
>;

/// The case query with its organization's code and whether an identity is stored, narrowed to
/// what `scope` may see (`None`: nothing).
async fn scoped_cases(
    conn: &mut AsyncPgConnection,
    scope: &CaseScope,
) -> Result<Option<CaseQuery<'static>>, StoreError> {
    let Some(condition) = scope_condition(conn, scope).await? else {
        return Ok(None);
    };
    let query = victim_case::table
        .inner_join(organization::table)
        .select((
            CaseRow::as_select(),
            organization::code,
            diesel::dsl::exists(
                case_identity::table.filter(case_identity::case_id.eq(victim_case::id)),
            ),
        ))
        .into_boxed();
    Ok(Some(match condition {
        Some(condition) => query.filter(condition),
        None => query,
    }))
}

/// A condition on a case joined to its organization.
type CaseCondition = Box<
    dyn BoxableExpression<
            diesel::dsl::InnerJoinQuerySource<victim_case::table, organization::table>,
            Pg,
            SqlType = diesel::sql_types::Bool,
        >,
>;

/// What a case must meet for `scope` to see it: `None` when nothing can, `Some(None)` when every
/// case can.
async fn scope_condition(
    conn: &mut AsyncPgConnection,
    scope: &CaseScope,
) -> Result<Option<Option<CaseCondition>>, StoreError> {
    Ok(match scope {
        CaseScope::All => Some(None),
        CaseScope::ReferredByOrTo(code) => {
            let organization_id = match id_by_code(conn, "organization", code).await {
                Ok(id) => id,
                // An organization that no longer exists was referred nothing.
                Err(StoreError::UnknownReference { .. }) => return Ok(None),
                Err(error) => return Err(error),
            };
            let referred = case_referral::table
                .filter(
                    case_referral::from_organization_id
                        .eq(organization_id)
                        .or(case_referral::to_organization_id.eq(organization_id)),
                )
                .select(case_referral::case_id);
            Some(Some(Box::new(victim_case::id.eq_any(referred))))
        }
        CaseScope::Nothing => None,
    })
}

/// How many live cases the caller may see match the filter.
pub async fn count(db: &Db, scope: &CaseScope, filter: &CaseFilter) -> Result<i64, StoreError> {
    let mut conn = db.conn().await?;
    let Some(condition) = scope_condition(&mut conn, scope).await? else {
        return Ok(0);
    };
    let mut query = victim_case::table
        .inner_join(organization::table)
        .filter(victim_case::deleted_at.is_null())
        .select(diesel::dsl::count_star())
        .into_boxed();
    if let Some(condition) = condition {
        query = query.filter(condition);
    }
    if let Some(status) = filter.status {
        query = query.filter(victim_case::status.eq(status.as_str()));
    }
    Ok(query.get_result(&mut conn).await?)
}

/// Loads the events and referrals of `rows` (two statements whatever their number) and builds
/// the cases.
async fn complete(
    conn: &mut AsyncPgConnection,
    rows: Vec<CaseWithOrg>,
) -> Result<Vec<Case>, StoreError> {
    let ids: Vec<Uuid> = rows.iter().map(|(row, _, _)| row.id).collect();
    let mut events = load_events(conn, &ids).await?;
    let mut referrals = load_referrals(conn, &ids).await?;
    rows.into_iter()
        .map(|row| {
            let id = row.0.id;
            to_case(
                row,
                events.remove(&id).unwrap_or_default(),
                referrals.remove(&id).unwrap_or_default(),
            )
        })
        .collect()
}

async fn load_events(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<TraffickingEvent>>, StoreError> {
    let rows: Vec<EventRow> = case_event::table
        .filter(case_event::case_id.eq_any(ids))
        .order((case_event::case_id, case_event::position))
        .select(EventRow::as_select())
        .load(conn)
        .await?;
    let mut by_case: HashMap<Uuid, Vec<TraffickingEvent>> = HashMap::new();
    for row in rows {
        by_case
            .entry(row.case_id)
            .or_default()
            .push(TraffickingEvent {
                stage: row.stage.parse()?,
                place: Location::parse(&row.place)?,
                country: CountryCode::parse(&row.country)?,
                occurred_on: row.occurred_on,
            });
    }
    Ok(by_case)
}

async fn load_referrals(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Referral>>, StoreError> {
    let (from_org, to_org) = diesel::alias!(organization as from_org, organization as to_org);
    let rows: Vec<(ReferralRow, String, String)> = case_referral::table
        .inner_join(
            from_org.on(case_referral::from_organization_id.eq(from_org.field(organization::id))),
        )
        .inner_join(to_org.on(case_referral::to_organization_id.eq(to_org.field(organization::id))))
        .filter(case_referral::case_id.eq_any(ids))
        .order((
            case_referral::case_id,
            case_referral::created_at,
            case_referral::id,
        ))
        .select((
            ReferralRow::as_select(),
            from_org.field(organization::code),
            to_org.field(organization::code),
        ))
        .load(conn)
        .await?;
    let mut by_case: HashMap<Uuid, Vec<Referral>> = HashMap::new();
    for (row, from, to) in rows {
        by_case.entry(row.case_id).or_default().push(Referral {
            id: row.id,
            from_organization: Code::parse(&from)?,
            to_organization: Code::parse(&to)?,
            service: row.service.parse()?,
            status: row.status.parse()?,
            note: row.note.as_deref().map(Narrative::parse).transpose()?,
            referred_by: row.referred_by,
            created_at: row.created_at,
            updated_at: row.updated_at,
        });
    }
    Ok(by_case)
}

/// Filters of the case list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Only cases in this status.
    pub status: Option<CaseStatus>,
}

/// One page of the cases the caller may see.
pub async fn list(
    db: &Db,
    scope: &CaseScope,
    filter: &CaseFilter,
    request: &PageRequest,
) -> Result<Page<Case, Uuid>, StoreError> {
    let mut conn = db.conn().await?;
    crate::page::settle(&mut conn, request).await?;
    let Some(mut query) = scoped_cases(&mut conn, scope).await? else {
        return Ok(Page::empty());
    };
    if let Some(status) = filter.status {
        query = query.filter(victim_case::status.eq(status.as_str()));
    }
    let rows: Vec<CaseWithOrg> = paged!(query, victim_case, request).load(&mut conn).await?;
    let page: Page<CaseWithOrg, Uuid> = Page::from_rows(request, rows, keys, Ok)?;
    let items = complete(&mut conn, page.items).await?;
    Ok(Page {
        items,
        tombstones: page.tombstones,
        next: page.next,
    })
}

/// One case the caller may see.
pub async fn get(db: &Db, scope: &CaseScope, id: Uuid) -> Result<Case, StoreError> {
    let mut conn = db.conn().await?;
    find(&mut conn, scope, id).await
}

async fn find(
    conn: &mut AsyncPgConnection,
    scope: &CaseScope,
    id: Uuid,
) -> Result<Case, StoreError> {
    let query = scoped_cases(conn, scope)
        .await?
        .ok_or(StoreError::NotFound)?;
    let row: CaseWithOrg = query
        .filter(victim_case::id.eq(id))
        .filter(victim_case::deleted_at.is_null())
        .first(conn)
        .await
        .optional()?
        .ok_or(StoreError::NotFound)?;
    complete(conn, vec![row])
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// Opens a case for `organization`, with its events, referrals and (sealed) identity.
pub async fn create(
    db: &Db,
    new: &NewCase,
    opened_by: &str,
    organization: &Code,
    key: &SealingKey,
    audit: &Audit,
) -> Result<Case, StoreError> {
    let id = Uuid::now_v7();
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        let organization_id = id_by_code(conn, "organization", organization).await?;
        diesel::insert_into(victim_case::table)
            .values((
                victim_case::id.eq(id),
                victim_case::organization_id.eq(organization_id),
                victim_case::opened_by.eq(opened_by),
                victim_case::identified_on.eq(new.identified_on),
                victim_case::district.eq(new.district.as_str()),
                victim_case::sex.eq(new.subject.sex.as_str()),
                victim_case::age_band.eq(new.subject.age_band.as_str()),
                victim_case::citizenship.eq(new.subject.citizenship.as_str()),
                victim_case::exploitation.eq(new.exploitation.as_str()),
                victim_case::means_of_control.eq(means_of_control(&new.means_of_control)),
                victim_case::recruitment.eq(new.recruitment.method.as_str()),
                victim_case::recruiter_relation.eq(new.recruitment.recruiter_relation.as_str()),
                victim_case::consent.eq(new.consent.0),
                victim_case::status.eq(new.status.as_str()),
            ))
            .execute(conn)
            .await?;
        insert_events(conn, id, &new.events).await?;
        let mut entries = vec![Entry::new("create", "case", id)];
        for (i, referral) in new.referrals.iter().enumerate() {
            let referral_id = insert_referral(
                conn,
                id,
                organization_id,
                &format!("referrals[{i}].to_organization"),
                referral,
                opened_by,
            )
            .await?;
            entries.push(Entry::new("create", "case_referral", referral_id));
        }
        if let Some(identity) = &new.identity {
            seal_identity(conn, id, identity, key).await?;
            entries.push(Entry::new("create", "case_identity", id));
        }
        append(conn, audit, entries).await?;
        find(conn, &CaseScope::All, id).await
    })
    .await
}

fn means_of_control(set: &BTreeSet<gloact_domain::case::MeansOfControl>) -> Vec<&'static str> {
    set.iter().map(|m| m.as_str()).collect()
}

async fn insert_events(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
    events: &[TraffickingEvent],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = events
        .iter()
        .zip(0..)
        .map(|(e, position): (&TraffickingEvent, i32)| {
            (
                case_event::id.eq(Uuid::now_v7()),
                case_event::case_id.eq(case_id),
                case_event::position.eq(position),
                case_event::stage.eq(e.stage.as_str()),
                case_event::place.eq(e.place.as_str()),
                case_event::country.eq(e.country.as_str()),
                case_event::occurred_on.eq(e.occurred_on),
            )
        })
        .collect();
    diesel::insert_into(case_event::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

async fn insert_referral(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
    from_organization_id: Uuid,
    field: &str,
    referral: &NewReferral,
    referred_by: &str,
) -> Result<Uuid, StoreError> {
    let to_organization_id = id_by_code(conn, field, &referral.to_organization).await?;
    if to_organization_id == from_organization_id {
        return Err(StoreError::Invalid {
            field: field.to_owned(),
            code: "referral_to_itself",
            message: "an organization does not refer to itself".into(),
        });
    }
    let id = Uuid::now_v7();
    diesel::insert_into(case_referral::table)
        .values((
            case_referral::id.eq(id),
            case_referral::case_id.eq(case_id),
            case_referral::from_organization_id.eq(from_organization_id),
            case_referral::to_organization_id.eq(to_organization_id),
            case_referral::service.eq(referral.service.as_str()),
            case_referral::status.eq(ReferralStatus::Proposed.as_str()),
            case_referral::note.eq(referral.note.as_ref().map(Narrative::as_str)),
            case_referral::referred_by.eq(referred_by),
        ))
        .execute(conn)
        .await?;
    Ok(id)
}

async fn seal_identity(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
    identity: &Identity,
    key: &SealingKey,
) -> Result<(), StoreError> {
    let plaintext = serde_json::to_vec(&SealedIdentity::from(identity))
        .map_err(|e| StoreError::Internal(e.to_string()))?;
    let (nonce, ciphertext) = key.seal(case_id, &plaintext)?;
    diesel::insert_into(case_identity::table)
        .values((
            case_identity::case_id.eq(case_id),
            case_identity::key_id.eq(key.id()),
            case_identity::nonce.eq(&nonce),
            case_identity::ciphertext.eq(&ciphertext),
        ))
        .on_conflict(case_identity::case_id)
        .do_update()
        .set((
            case_identity::key_id.eq(key.id()),
            case_identity::nonce.eq(&nonce),
            case_identity::ciphertext.eq(&ciphertext),
            case_identity::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Locks a live case for a write at the version the writer read.
async fn current_for_write(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<Case, StoreError> {
    crate::db::lock_row(conn, "victim_case", id).await?;
    let case = find(conn, &CaseScope::All, id).await?;
    if let Some(expected) = expected_version {
        StoreError::check_version(case.meta.version, expected)?;
    }
    Ok(case)
}

/// A change to what hangs off a case is a change to the case: its version and change number move.
async fn touch(conn: &mut AsyncPgConnection, id: Uuid) -> Result<(), StoreError> {
    diesel::update(victim_case::table.filter(victim_case::id.eq(id)))
        .set(victim_case::updated_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(AsChangeset)]
#[diesel(table_name = victim_case)]
struct CaseChangeset<'a> {
    identified_on: Option<NaiveDate>,
    district: Option<&'a str>,
    sex: Option<&'static str>,
    age_band: Option<&'static str>,
    citizenship: Option<&'a str>,
    exploitation: Option<&'static str>,
    means_of_control: Option<Vec<&'static str>>,
    recruitment: Option<&'static str>,
    recruiter_relation: Option<&'static str>,
    consent: Option<bool>,
    status: Option<&'static str>,
}

/// Changes a case at the version the writer read. Withdrawn consent erases the stored identity in
/// the same transaction. Unscoped, like every write and identity read here: the service layer
/// decides who may call them.
pub async fn update(
    db: &Db,
    id: Uuid,
    expected_version: i32,
    changes: &CaseChanges,
    audit: &Audit,
) -> Result<Case, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        let current = current_for_write(conn, id, Some(expected_version)).await?;
        let fields = changes.fields();
        if fields.is_empty() {
            // Nothing written, but the case goes out: a read, on the trail like any other.
            append(conn, audit, vec![Entry::new("read", "case", id)]).await?;
            return Ok(current);
        }
        let changeset = CaseChangeset {
            identified_on: changes.identified_on,
            district: changes.district.as_ref().map(District::as_str),
            sex: changes.sex.map(|v| v.as_str()),
            age_band: changes.age_band.map(|v| v.as_str()),
            citizenship: changes.citizenship.as_ref().map(CountryCode::as_str),
            exploitation: changes.exploitation.map(|v| v.as_str()),
            means_of_control: changes.means_of_control.as_ref().map(means_of_control),
            recruitment: changes.recruitment.map(|v| v.as_str()),
            recruiter_relation: changes.recruiter_relation.map(|v| v.as_str()),
            consent: changes.consent.map(|c| c.0),
            status: changes.status.map(|v| v.as_str()),
        };
        diesel::update(victim_case::table.filter(victim_case::id.eq(id)))
            .set((changeset, victim_case::updated_at.eq(diesel::dsl::now)))
            .execute(conn)
            .await?;
        if let Some(events) = &changes.events {
            diesel::delete(case_event::table.filter(case_event::case_id.eq(id)))
                .execute(conn)
                .await?;
            insert_events(conn, id, events).await?;
        }
        let mut entries = vec![Entry::new("update", "case", id).changing(fields)];
        if changes.consent == Some(Consent(false)) && current.has_identity {
            diesel::delete(case_identity::table.filter(case_identity::case_id.eq(id)))
                .execute(conn)
                .await?;
            entries.push(Entry::new("erase", "case_identity", id));
        }
        append(conn, audit, entries).await?;
        find(conn, &CaseScope::All, id).await
    })
    .await
}

/// Adds a referral from `from_organization` to a case that `scope` may see.
pub async fn add_referral(
    db: &Db,
    scope: &CaseScope,
    case_id: Uuid,
    from_organization: &Code,
    referral: &NewReferral,
    referred_by: &str,
    audit: &Audit,
) -> Result<Case, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        find(conn, scope, case_id).await?;
        let from_id = id_by_code(conn, "organization", from_organization).await?;
        let id = insert_referral(
            conn,
            case_id,
            from_id,
            "to_organization",
            referral,
            referred_by,
        )
        .await?;
        touch(conn, case_id).await?;
        append(conn, audit, vec![Entry::new("create", "case_referral", id)]).await?;
        find(conn, scope, case_id).await
    })
    .await
}

/// Moves a referral of a case to `status`, at the case's version the writer read.
pub async fn set_referral_status(
    db: &Db,
    case_id: Uuid,
    referral_id: Uuid,
    expected_version: i32,
    status: ReferralStatus,
    audit: &Audit,
) -> Result<Case, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        current_for_write(conn, case_id, Some(expected_version)).await?;
        let current: String = case_referral::table
            .filter(case_referral::id.eq(referral_id))
            .filter(case_referral::case_id.eq(case_id))
            .select(case_referral::status)
            .first(conn)
            .await?;
        let current: ReferralStatus = current.parse()?;
        if current == status {
            // A retried change: nothing to write, but the case goes out, a read on the trail.
            append(conn, audit, vec![Entry::new("read", "case", case_id)]).await?;
            return find(conn, &CaseScope::All, case_id).await;
        }
        if !current.may_become(status) {
            return Err(StoreError::Invalid {
                field: "status".into(),
                code: "invalid_transition",
                message: format!("the referral is {current}; it can't become {status}"),
            });
        }
        let changed = diesel::update(
            case_referral::table
                .filter(case_referral::id.eq(referral_id))
                .filter(case_referral::case_id.eq(case_id)),
        )
        .set((
            case_referral::status.eq(status.as_str()),
            case_referral::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        touch(conn, case_id).await?;
        append(
            conn,
            audit,
            vec![Entry::new("update", "case_referral", referral_id).changing(vec!["status"])],
        )
        .await?;
        find(conn, &CaseScope::All, case_id).await
    })
    .await
}

/// Seals again with `key` every identity sealed with one of its retired keys, a hundred per
/// transaction, each batch on the audit trail; how many. Run after rotating the key, before the
/// old one leaves `pii.retired_key_files`. An identity sealed with a key `key` doesn't know
/// stops it with an error naming that key (nothing of the batch is written).
pub async fn reseal_identities(
    db: &Db,
    key: &SealingKey,
    audit: &Audit,
) -> Result<u64, StoreError> {
    const BATCH: i64 = 100;
    let mut conn = db.conn().await?;
    let mut resealed = 0;
    loop {
        let batch = conn
            .transaction(async |conn| {
                let rows: Vec<(Uuid, String, Vec<u8>, Vec<u8>)> = case_identity::table
                    .filter(case_identity::key_id.ne(key.id()))
                    .select((
                        case_identity::case_id,
                        case_identity::key_id,
                        case_identity::nonce,
                        case_identity::ciphertext,
                    ))
                    .order(case_identity::case_id)
                    .limit(BATCH)
                    .for_update()
                    .load(conn)
                    .await?;
                for (case_id, key_id, nonce, ciphertext) in &rows {
                    // The case is named so the operator can find what stops the run.
                    let plaintext = key.open(*case_id, key_id, nonce, ciphertext).map_err(|e| {
                        StoreError::Corrupt(format!("the identity of case {case_id}: {e}"))
                    })?;
                    let (nonce, ciphertext) = key.seal(*case_id, &plaintext)?;
                    diesel::update(case_identity::table.filter(case_identity::case_id.eq(case_id)))
                        .set((
                            case_identity::key_id.eq(key.id()),
                            case_identity::nonce.eq(nonce),
                            case_identity::ciphertext.eq(ciphertext),
                            case_identity::updated_at.eq(Utc::now()),
                        ))
                        .execute(conn)
                        .await?;
                }
                if !rows.is_empty() {
                    let ids = rows.iter().map(|r| r.0.to_string()).collect();
                    append(
                        conn,
                        audit,
                        vec![Entry::many("reseal", "case_identity", ids)],
                    )
                    .await?;
                }
                Ok::<_, StoreError>(rows.len())
            })
            .await?;
        if batch == 0 {
            return Ok(resealed);
        }
        resealed += batch as u64;
    }
}

/// How many identities are sealed with another key than `key`: 0 once `gloact reseal` is done
/// and no server seals with an old key any more.
pub async fn identities_not_under(db: &Db, key: &SealingKey) -> Result<i64, StoreError> {
    let mut conn = db.conn().await?;
    Ok(case_identity::table
        .filter(case_identity::key_id.ne(key.id()))
        .count()
        .get_result(&mut conn)
        .await?)
}

/// The identity of a case, opened with `key`; `None` when none is stored.
pub async fn identity(
    db: &Db,
    case_id: Uuid,
    key: &SealingKey,
) -> Result<Option<Identity>, StoreError> {
    let mut conn = db.conn().await?;
    find(&mut conn, &CaseScope::All, case_id).await?;
    let sealed: Option<(String, Vec<u8>, Vec<u8>)> = case_identity::table
        .filter(case_identity::case_id.eq(case_id))
        .select((
            case_identity::key_id,
            case_identity::nonce,
            case_identity::ciphertext,
        ))
        .first(&mut conn)
        .await
        .optional()?;
    let Some((key_id, nonce, ciphertext)) = sealed else {
        return Ok(None);
    };
    let plaintext = key.open(case_id, &key_id, &nonce, &ciphertext)?;
    // The messages of these errors could quote the opened values: only the case is named.
    let sealed: SealedIdentity = serde_json::from_slice(&plaintext).map_err(|_| {
        StoreError::Corrupt(format!("the identity of case {case_id} does not decode"))
    })?;
    Identity::try_from(sealed)
        .map(Some)
        .map_err(|_| StoreError::Corrupt(format!("the identity of case {case_id} does not parse")))
}

/// Stores (or replaces) the identity of a case whose person consented, at the case's version the
/// writer read.
pub async fn put_identity(
    db: &Db,
    case_id: Uuid,
    expected_version: i32,
    identity: &Identity,
    key: &SealingKey,
    audit: &Audit,
) -> Result<Case, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        let current = current_for_write(conn, case_id, Some(expected_version)).await?;
        if !current.consent.0 {
            return Err(StoreError::Invalid {
                field: "consent".into(),
                code: "consent_required",
                message: "identifying fields are stored only with the person's consent".into(),
            });
        }
        seal_identity(conn, case_id, identity, key).await?;
        touch(conn, case_id).await?;
        let action = if current.has_identity {
            "update"
        } else {
            "create"
        };
        append(
            conn,
            audit,
            vec![Entry::new(action, "case_identity", case_id)],
        )
        .await?;
        find(conn, &CaseScope::All, case_id).await
    })
    .await
}

/// Erases the identity of a case, at the case's version the writer read.
pub async fn erase_identity(
    db: &Db,
    case_id: Uuid,
    expected_version: i32,
    audit: &Audit,
) -> Result<Case, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        let current = current_for_write(conn, case_id, Some(expected_version)).await?;
        if !current.has_identity {
            return Err(StoreError::NotFound);
        }
        diesel::delete(case_identity::table.filter(case_identity::case_id.eq(case_id)))
            .execute(conn)
            .await?;
        touch(conn, case_id).await?;
        append(
            conn,
            audit,
            vec![Entry::new("erase", "case_identity", case_id)],
        )
        .await?;
        find(conn, &CaseScope::All, case_id).await
    })
    .await
}
