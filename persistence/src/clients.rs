//! Partner clients: registered credentials with the hash of their secret.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use gloact_domain::client::{Client, ClientId};
use gloact_domain::value::{Code, Title};
use gloact_domain::{Role, Scope, Scopes};
use uuid::Uuid;

use crate::audit::{Audit, Entry, append};
use crate::db::Db;
use crate::error::StoreError;
use crate::schema::{api_client, organization};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = api_client, check_for_backend(diesel::pg::Pg))]
struct ClientRow {
    client_id: String,
    name: String,
    role: String,
    scopes: Vec<String>,
    secret_hash: String,
    disabled_at: Option<DateTime<Utc>>,
}

fn to_domain((row, organization): (ClientRow, String)) -> Result<(Client, String), StoreError> {
    let scopes: Scopes = Scopes::parse(&row.scopes.join(" "))?;
    let client = Client {
        client_id: ClientId::parse(&row.client_id)?,
        name: Title::parse(&row.name)?,
        role: row.role.parse::<Role>()?,
        organization: Code::parse(&organization)?,
        scopes,
        disabled: row.disabled_at.is_some(),
    };
    Ok((client, row.secret_hash))
}

/// A client to register, with the hash of its secret (never the secret itself).
#[derive(Debug, Clone)]
pub struct NewClient {
    /// Its public id.
    pub client_id: ClientId,
    /// What system it is.
    pub name: Title,
    /// The role its tokens carry.
    pub role: Role,
    /// The organization its tokens carry.
    pub organization: Code,
    /// The scopes it may ask for.
    pub scopes: Scopes,
    /// The argon2 hash of its secret, as a PHC string.
    pub secret_hash: String,
}

/// Registers a client.
pub async fn create(db: &Db, new: &NewClient, audit: &Audit) -> Result<Client, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        let organization_id =
            crate::organizations::id_by_code(conn, "org", &new.organization).await?;
        let scopes: Vec<&str> = new.scopes.iter().map(Scope::as_str).collect();
        diesel::insert_into(api_client::table)
            .values((
                api_client::id.eq(Uuid::now_v7()),
                api_client::client_id.eq(new.client_id.as_str()),
                api_client::name.eq(new.name.as_str()),
                api_client::role.eq(new.role.as_str()),
                api_client::organization_id.eq(organization_id),
                api_client::scopes.eq(scopes),
                api_client::secret_hash.eq(&new.secret_hash),
            ))
            .execute(conn)
            .await?;
        append(
            conn,
            audit,
            vec![Entry::new("create", "client", &new.client_id)],
        )
        .await
    })
    .await?;
    Ok(find(db, &new.client_id)
        .await?
        .ok_or(StoreError::NotFound)?
        .0)
}

/// The client with this id and the hash of its secret, if it is registered.
pub async fn find(db: &Db, client_id: &ClientId) -> Result<Option<(Client, String)>, StoreError> {
    let mut conn = db.conn().await?;
    let row = api_client::table
        .inner_join(organization::table)
        .filter(api_client::client_id.eq(client_id.as_str()))
        .select((ClientRow::as_select(), organization::code))
        .first(&mut conn)
        .await
        .optional()?;
    row.map(to_domain).transpose()
}

/// Every registered client, by id.
pub async fn list(db: &Db) -> Result<Vec<Client>, StoreError> {
    let mut conn = db.conn().await?;
    let rows = api_client::table
        .inner_join(organization::table)
        .order(api_client::client_id)
        .select((ClientRow::as_select(), organization::code))
        .load(&mut conn)
        .await?;
    rows.into_iter()
        .map(|row| to_domain(row).map(|(client, _)| client))
        .collect()
}

/// Disables a client: it gets no more tokens, and the tokens it has are revoked (its subject is
/// cut off). Returns whether an enabled client was found.
pub async fn disable(db: &Db, client_id: &ClientId, audit: &Audit) -> Result<bool, StoreError> {
    let mut conn = db.conn().await?;
    let written = conn
        .transaction(async |conn| {
            let updated = diesel::update(
                api_client::table
                    .filter(api_client::client_id.eq(client_id.as_str()))
                    .filter(api_client::disabled_at.is_null()),
            )
            .set(api_client::disabled_at.eq(diesel::dsl::now))
            .execute(conn)
            .await?;
            if updated == 0 {
                return Ok(false);
            }
            crate::revocations::revoke_subject(conn, &client_id.subject()).await?;
            append(
                conn,
                audit,
                vec![Entry::new("disable", "client", client_id)],
            )
            .await?;
            Ok(true)
        })
        .await;
    // Tokens are checked against this from the next request on.
    db.gate().forget();
    written
}
