//! Programmes: rows and queries. Programmes are written by the seed and by migrations of
//! programme data; the API reads them.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use gloact_domain::ProgrammeId;
use gloact_domain::programme::{PartnerRole, Programme};
use gloact_domain::value::{Code, CountryCode, IatiRef, Period, Title};
use uuid::Uuid;

use crate::db::Db;
use crate::error::StoreError;
use crate::page::{Page, PageRequest, RowKeys, paged};
use crate::schema::{organization, programme, programme_partner};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = programme, check_for_backend(diesel::pg::Pg))]
struct ProgrammeRow {
    id: Uuid,
    code: String,
    title: String,
    start_date: NaiveDate,
    end_date: NaiveDate,
    countries: Vec<String>,
    iati_identifier: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
    change_seq: i64,
    deleted_at: Option<DateTime<Utc>>,
}

impl ProgrammeRow {
    fn keys(&self) -> RowKeys {
        RowKeys {
            id: self.id,
            change_seq: self.change_seq,
            deleted_at: self.deleted_at,
        }
    }

    fn into_programme(self, partners: &[(Uuid, String, String)]) -> Result<Programme, StoreError> {
        let codes_with = |role: PartnerRole| -> Result<Vec<Code>, StoreError> {
            partners
                .iter()
                .filter(|(programme_id, r, _)| *programme_id == self.id && r == role.as_str())
                .map(|(_, _, code)| Code::parse(code).map_err(StoreError::from))
                .collect()
        };
        Ok(Programme {
            id: ProgrammeId(self.id),
            code: Code::parse(&self.code)?,
            title: Title::parse(&self.title)?,
            period: Period::new(self.start_date, self.end_date)?,
            countries: self
                .countries
                .iter()
                .map(|c| CountryCode::parse(c))
                .collect::<Result<_, _>>()?,
            iati_identifier: self
                .iati_identifier
                .as_deref()
                .map(IatiRef::parse)
                .transpose()?,
            funders: codes_with(PartnerRole::Funder)?,
            implementers: codes_with(PartnerRole::Implementer)?,
            meta: row_meta!(self),
        })
    }
}

/// Funders and implementers of these programmes: (programme id, role, organization code).
async fn partners_of(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, String, String)>, StoreError> {
    Ok(programme_partner::table
        .inner_join(organization::table)
        .filter(programme_partner::programme_id.eq_any(ids))
        .order((
            programme_partner::programme_id,
            programme_partner::role,
            organization::code,
        ))
        .select((
            programme_partner::programme_id,
            programme_partner::role,
            organization::code,
        ))
        .load(conn)
        .await?)
}

/// One page of programmes.
pub async fn list(
    db: &Db,
    request: &PageRequest,
) -> Result<Page<Programme, ProgrammeId>, StoreError> {
    let mut conn = db.conn().await?;
    crate::page::settle(&mut conn, request).await?;
    let query = programme::table
        .select(ProgrammeRow::as_select())
        .into_boxed();
    let rows: Vec<ProgrammeRow> = paged!(query, programme, request).load(&mut conn).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let partners = partners_of(&mut conn, &ids).await?;
    Page::from_rows(request, rows, ProgrammeRow::keys, |row| {
        row.into_programme(&partners)
    })
}

/// How many live programmes there are.
pub async fn count(db: &Db) -> Result<i64, StoreError> {
    let mut conn = db.conn().await?;
    Ok(programme::table
        .filter(programme::deleted_at.is_null())
        .count()
        .get_result(&mut conn)
        .await?)
}

/// The live programmes with these ids, in two queries; unknown ids are left out.
pub async fn get_many(db: &Db, ids: &[ProgrammeId]) -> Result<Vec<Programme>, StoreError> {
    let mut conn = db.conn().await?;
    let ids: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
    let rows: Vec<ProgrammeRow> = programme::table
        .filter(programme::id.eq_any(ids))
        .filter(programme::deleted_at.is_null())
        .select(ProgrammeRow::as_select())
        .load(&mut conn)
        .await?;
    let found: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let partners = partners_of(&mut conn, &found).await?;
    rows.into_iter()
        .map(|row| row.into_programme(&partners))
        .collect()
}

/// One programme by id.
pub async fn get(db: &Db, id: ProgrammeId) -> Result<Programme, StoreError> {
    one(db, Box::new(programme::id.eq(id.0))).await
}

/// The id of the live programme with this code.
pub(crate) async fn id_by_code(
    conn: &mut AsyncPgConnection,
    field: &str,
    code: &Code,
) -> Result<Uuid, StoreError> {
    programme::table
        .filter(programme::code.eq(code.as_str()))
        .filter(programme::deleted_at.is_null())
        .select(programme::id)
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| StoreError::UnknownReference {
            field: field.to_owned(),
            what: "programme",
            code: code.to_string(),
        })
}

/// One live programme by code.
pub async fn get_by_code(db: &Db, code: &Code) -> Result<Programme, StoreError> {
    one(db, Box::new(programme::code.eq(code.to_string()))).await
}

/// The live programme that meets a condition on its row, with its partners.
async fn one(
    db: &Db,
    condition: Box<dyn BoxableExpression<programme::table, Pg, SqlType = Bool>>,
) -> Result<Programme, StoreError> {
    let mut conn = db.conn().await?;
    let row: ProgrammeRow = programme::table
        .filter(condition)
        .filter(programme::deleted_at.is_null())
        .select(ProgrammeRow::as_select())
        .first(&mut conn)
        .await?;
    let partners = partners_of(&mut conn, &[row.id]).await?;
    row.into_programme(&partners)
}
