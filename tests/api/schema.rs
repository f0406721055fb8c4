//! The database schema: `persistence/src/schema.rs` matches what the migrations build, and every
//! migration can be reverted and applied again.

use std::collections::BTreeMap;
use std::path::Path;

use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use gloact_persistence::{migrate, revert_all};
use gloact_tests::{drop_database, fresh_database};

#[derive(diesel::QueryableByName, Debug)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    sql_type: String,
}

/// table → [(column, diesel type)] as the migrated database has them.
async fn database_columns(url: &str) -> BTreeMap<String, Vec<(String, String)>> {
    let mut conn = AsyncPgConnection::establish(url).await.unwrap();
    let columns: Vec<Column> = diesel::sql_query(
        "SELECT table_name::text, column_name::text, \
                CASE data_type WHEN 'uuid' THEN 'Uuid' WHEN 'text' THEN 'Text' WHEN 'integer' THEN 'Int4' \
                  WHEN 'bigint' THEN 'Int8' WHEN 'date' THEN 'Date' WHEN 'boolean' THEN 'Bool' \
                  WHEN 'double precision' THEN 'Float8' WHEN 'jsonb' THEN 'Jsonb' WHEN 'bytea' THEN 'Bytea' WHEN 'timestamp with time zone' THEN 'Timestamptz' \
                  WHEN 'ARRAY' THEN 'Array<' || CASE udt_name WHEN '_text' THEN 'Text' ELSE udt_name END || '>' \
                  ELSE data_type END \
                || CASE is_nullable WHEN 'YES' THEN '?' ELSE '' END AS sql_type \
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations' \
         ORDER BY table_name, ordinal_position",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let mut tables: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for c in columns {
        let sql_type = match c.sql_type.strip_suffix('?') {
            Some(inner) => format!("Nullable<{inner}>"),
            None => c.sql_type,
        };
        tables
            .entry(c.table_name)
            .or_default()
            .push((c.column_name, sql_type));
    }
    tables
}

/// table → [(column, diesel type)] as `schema.rs` declares them.
fn declared_columns() -> BTreeMap<String, Vec<(String, String)>> {
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../persistence/src/schema.rs"),
    )
    .unwrap();
    let mut tables: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in source.lines().map(str::trim) {
        if line.ends_with('{') && line.contains(" (") {
            current = Some(line.split_whitespace().next().unwrap().to_owned());
        } else if line == "}" {
            current = None;
        } else if let (Some(table), Some((column, sql_type))) = (&current, line.split_once(" -> "))
        {
            tables
                .entry(table.clone())
                .or_default()
                .push((column.to_owned(), sql_type.trim_end_matches(',').to_owned()));
        }
    }
    tables
}

#[tokio::test]
async fn schema_rs_matches_the_migrated_database() {
    let (name, url) = fresh_database().await;
    let declared = declared_columns();
    assert!(
        declared.len() >= 9,
        "the scan of schema.rs found {} tables",
        declared.len()
    );
    assert_eq!(
        declared,
        database_columns(&url).await,
        "schema.rs has drifted from the migrations"
    );
    drop_database(&name).await;
}

#[tokio::test]
async fn every_migration_reverts_and_applies_again() {
    let (name, url) = fresh_database().await;
    let before = database_columns(&url).await;
    let reverted = revert_all(&url).await.unwrap();
    assert!(reverted >= 1);
    assert!(
        database_columns(&url).await.is_empty(),
        "down.sql leaves nothing behind"
    );
    assert_eq!(migrate(&url).await.unwrap(), reverted);
    assert_eq!(database_columns(&url).await, before);
    drop_database(&name).await;
}
