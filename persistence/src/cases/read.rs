//! Cases as their reader may see them: the scoped query, counts, pages, one case.

use std::collections::HashMap;

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use gloact_domain::case::{Case, CaseStatus, Referral, TraffickingEvent};
use gloact_domain::policy::CaseScope;
use gloact_domain::value::{Code, CountryCode, Location, Narrative};
use uuid::Uuid;

use super::rows::{CaseRow, CaseWithOrg, EventRow, ReferralRow, keys, to_case};
use crate::db::Db;
use crate::error::StoreError;
use crate::organizations::id_by_code;
use crate::page::{Page, PageRequest, paged};
use crate::schema::{case_event, case_identity, case_referral, organization, victim_case};

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
pub(super) async fn scoped_cases(
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
pub(super) async fn complete(
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

pub(super) async fn find(
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
