//! Organizations: rows, and the queries that read and write them.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use gloact_domain::OrganizationId;
use gloact_domain::organization::{
    NewOrganization, Organization, OrganizationChanges, OrganizationKind,
};
use gloact_domain::value::{Code, CountryCode, IatiRef, Title};
use uuid::Uuid;

use crate::audit::{Audit, Entry, append};
use crate::db::Db;
use crate::error::StoreError;
use crate::page::{Page, PageRequest, RowKeys, paged};
use crate::schema::organization;

/// An organization as stored.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = organization, check_for_backend(diesel::pg::Pg))]
struct OrganizationRow {
    id: Uuid,
    code: String,
    name: String,
    kind: String,
    country: String,
    parent_id: Option<Uuid>,
    iati_ref: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
    change_seq: i64,
    deleted_at: Option<DateTime<Utc>>,
}

impl OrganizationRow {
    fn keys(&self) -> RowKeys {
        RowKeys {
            id: self.id,
            change_seq: self.change_seq,
            deleted_at: self.deleted_at,
        }
    }
}

impl TryFrom<OrganizationRow> for Organization {
    type Error = StoreError;

    fn try_from(row: OrganizationRow) -> Result<Self, StoreError> {
        Ok(Organization {
            id: OrganizationId(row.id),
            code: Code::parse(&row.code)?,
            name: Title::parse(&row.name)?,
            kind: row.kind.parse()?,
            country: CountryCode::parse(&row.country)?,
            parent_id: row.parent_id.map(OrganizationId),
            iati_ref: row.iati_ref.as_deref().map(IatiRef::parse).transpose()?,
            meta: row_meta!(row),
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = organization)]
struct NewOrganizationRow<'a> {
    id: Uuid,
    code: &'a str,
    name: &'a str,
    kind: &'a str,
    country: &'a str,
    parent_id: Option<Uuid>,
    iati_ref: Option<&'a str>,
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = organization)]
struct OrganizationChangeset<'a> {
    name: Option<&'a str>,
    kind: Option<&'a str>,
    country: Option<&'a str>,
    parent_id: Option<Option<Uuid>>,
    iati_ref: Option<Option<&'a str>>,
    // Always set: diesel refuses an empty changeset. The trigger stamps the real time.
    updated_at: Option<DateTime<Utc>>,
}

/// Filters of the organization list.
#[derive(Debug, Clone, Default)]
pub struct OrganizationFilter {
    /// Only this kind.
    pub kind: Option<OrganizationKind>,
    /// Only this country.
    pub country: Option<CountryCode>,
}

/// One page of organizations.
pub async fn list(
    db: &Db,
    filter: &OrganizationFilter,
    request: &PageRequest,
) -> Result<Page<Organization, OrganizationId>, StoreError> {
    let mut conn = db.conn().await?;
    crate::page::settle(&mut conn, request).await?;
    let mut query = organization::table
        .select(OrganizationRow::as_select())
        .into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(organization::kind.eq(kind.as_str()));
    }
    if let Some(country) = filter.country {
        query = query.filter(organization::country.eq(country.as_str().to_owned()));
    }
    let rows = paged!(query, organization, request).load(&mut conn).await?;
    Page::from_rows(request, rows, OrganizationRow::keys, Organization::try_from)
}

/// How many organizations match the filter.
pub async fn count(db: &Db, filter: &OrganizationFilter) -> Result<i64, StoreError> {
    let mut conn = db.conn().await?;
    let mut query = organization::table
        .select(diesel::dsl::count_star())
        .filter(organization::deleted_at.is_null())
        .into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(organization::kind.eq(kind.as_str()));
    }
    if let Some(country) = filter.country {
        query = query.filter(organization::country.eq(country.as_str().to_owned()));
    }
    Ok(query.get_result(&mut conn).await?)
}

/// The live organizations with these ids, in one query; unknown ids are left out.
pub async fn get_many(db: &Db, ids: &[OrganizationId]) -> Result<Vec<Organization>, StoreError> {
    let mut conn = db.conn().await?;
    let ids: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
    organization::table
        .filter(organization::id.eq_any(ids))
        .filter(organization::deleted_at.is_null())
        .select(OrganizationRow::as_select())
        .load::<OrganizationRow>(&mut conn)
        .await?
        .into_iter()
        .map(Organization::try_from)
        .collect()
}

/// One organization by id.
pub async fn get(db: &Db, id: OrganizationId) -> Result<Organization, StoreError> {
    let mut conn = db.conn().await?;
    find(&mut conn, id).await
}

async fn find(
    conn: &mut AsyncPgConnection,
    id: OrganizationId,
) -> Result<Organization, StoreError> {
    organization::table
        .filter(organization::id.eq(id.0))
        .filter(organization::deleted_at.is_null())
        .select(OrganizationRow::as_select())
        .first(conn)
        .await?
        .try_into()
}

/// The id of the live organization with this code.
pub(crate) async fn id_by_code(
    conn: &mut AsyncPgConnection,
    field: &str,
    code: &Code,
) -> Result<Uuid, StoreError> {
    organization::table
        .filter(organization::code.eq(code.as_str()))
        .filter(organization::deleted_at.is_null())
        .select(organization::id)
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| StoreError::UnknownReference {
            field: field.to_owned(),
            what: "organization",
            code: code.to_string(),
        })
}

/// Which of `codes` are those of live organizations. One query, none for no codes.
pub(crate) async fn live_among(
    conn: &mut AsyncPgConnection,
    codes: &[&str],
) -> Result<std::collections::HashSet<String>, StoreError> {
    if codes.is_empty() {
        return Ok(std::collections::HashSet::new());
    }
    let found: Vec<String> = organization::table
        .filter(organization::code.eq_any(codes))
        .filter(organization::deleted_at.is_null())
        .select(organization::code)
        .load(conn)
        .await?;
    Ok(found.into_iter().collect())
}

/// The kind of the live organization with this code, if there is one.
pub async fn kind_by_code(db: &Db, code: &Code) -> Result<Option<OrganizationKind>, StoreError> {
    let mut conn = db.conn().await?;
    let kind: Option<String> = organization::table
        .filter(organization::code.eq(code.as_str()))
        .filter(organization::deleted_at.is_null())
        .select(organization::kind)
        .first(&mut conn)
        .await
        .optional()?;
    kind.map(|kind| {
        kind.parse()
            .map_err(|_| StoreError::Internal(format!("unknown organization kind {kind}")))
    })
    .transpose()
}

/// Stores a new organization.
pub async fn create(
    db: &Db,
    new: &NewOrganization,
    audit: &Audit,
) -> Result<Organization, StoreError> {
    let mut conn = db.conn().await?;
    let written = conn
        .transaction(async |conn| create_in(conn, new, audit).await)
        .await;
    // Tokens are checked against this from the next request on.
    db.gate().forget();
    written
}

/// Says that organizations were written through [`create_in`] or [`update_in`] and committed:
/// tokens are checked against them from the next request on.
pub fn written_in_transaction(db: &Db) {
    db.gate().forget();
}

/// [`create`] in the caller's transaction (of an import, say), which must call
/// [`written_in_transaction`] once it has committed.
pub async fn create_in(
    conn: &mut AsyncPgConnection,
    new: &NewOrganization,
    audit: &Audit,
) -> Result<Organization, StoreError> {
    let parent_id = match &new.parent {
        Some(code) => Some(id_by_code(conn, "parent", code).await?),
        None => None,
    };
    let row = NewOrganizationRow {
        id: OrganizationId::new().0,
        code: new.code.as_str(),
        name: new.name.as_str(),
        kind: new.kind.as_str(),
        country: new.country.as_str(),
        parent_id,
        iati_ref: new.iati_ref.as_ref().map(IatiRef::as_str),
    };
    let created: Organization = diesel::insert_into(organization::table)
        .values(&row)
        .returning(OrganizationRow::as_returning())
        .get_result(conn)
        .await?
        .try_into()?;
    append(
        conn,
        audit,
        vec![Entry::new("create", "organization", created.id)],
    )
    .await?;
    Ok(created)
}

/// Applies changes to an organization at the version the caller read.
pub async fn update(
    db: &Db,
    id: OrganizationId,
    expected_version: i32,
    changes: &OrganizationChanges,
    audit: &Audit,
) -> Result<Organization, StoreError> {
    let mut conn = db.conn().await?;
    let written = conn
        .transaction(async |conn| update_in(conn, id, expected_version, changes, audit).await)
        .await;
    // Tokens are checked against this from the next request on.
    db.gate().forget();
    written
}

/// [`update`] in the caller's transaction (of an import, say), which must call
/// [`written_in_transaction`] once it has committed.
pub async fn update_in(
    conn: &mut AsyncPgConnection,
    id: OrganizationId,
    expected_version: i32,
    changes: &OrganizationChanges,
    audit: &Audit,
) -> Result<Organization, StoreError> {
    crate::db::lock_row(conn, "organization", id.0).await?;
    let current = find(conn, id).await?;
    StoreError::check_version(current.meta.version, expected_version)?;
    let parent_id = match &changes.parent {
        Some(Some(code)) => {
            let parent = id_by_code(conn, "parent", code).await?;
            if is_within(conn, parent, id.0).await? {
                return Err(StoreError::Invalid {
                    field: "parent".into(),
                    code: "cycle",
                    message: format!("{code} is this organization or one of its descendants"),
                });
            }
            Some(Some(parent))
        }
        Some(None) => Some(None),
        None => None,
    };
    let changeset = OrganizationChangeset {
        name: changes.name.as_ref().map(Title::as_str),
        kind: changes.kind.map(OrganizationKind::as_str),
        country: changes.country.as_ref().map(CountryCode::as_str),
        parent_id,
        iati_ref: changes
            .iati_ref
            .as_ref()
            .map(|r| r.as_ref().map(IatiRef::as_str)),
        updated_at: Some(Utc::now()),
    };
    let updated: Organization =
        diesel::update(organization::table.filter(organization::id.eq(id.0)))
            .set(&changeset)
            .returning(OrganizationRow::as_returning())
            .get_result(conn)
            .await?
            .try_into()?;
    append(
        conn,
        audit,
        vec![Entry::new("update", "organization", id).changing(changes.changed_fields())],
    )
    .await?;
    Ok(updated)
}

/// Whether `organization` is `ancestor` or lies below it: walks up from `organization` through
/// its parents (`UNION` stops on a cycle already stored).
async fn is_within(
    conn: &mut AsyncPgConnection,
    organization: Uuid,
    ancestor: Uuid,
) -> Result<bool, StoreError> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        found: bool,
    }
    let row: Found = diesel::sql_query(
        "WITH RECURSIVE up(id, parent_id) AS ( \
             SELECT id, parent_id FROM organization WHERE id = $1 \
             UNION SELECT o.id, o.parent_id FROM organization o JOIN up ON o.id = up.parent_id) \
         SELECT EXISTS (SELECT 1 FROM up WHERE id = $2) AS found",
    )
    .bind::<diesel::sql_types::Uuid, _>(organization)
    .bind::<diesel::sql_types::Uuid, _>(ancestor)
    .get_result(conn)
    .await?;
    Ok(row.found)
}

/// Every live organization, in code order.
pub async fn all(db: &Db) -> Result<Vec<Organization>, StoreError> {
    let mut conn = db.conn().await?;
    let rows: Vec<OrganizationRow> = organization::table
        .filter(organization::deleted_at.is_null())
        .order(organization::code.asc())
        .select(OrganizationRow::as_select())
        .load(&mut conn)
        .await?;
    rows.into_iter().map(TryInto::try_into).collect()
}
