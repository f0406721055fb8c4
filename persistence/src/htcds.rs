//! What the HTCDS case release reads: the coded columns of every live case, in one query that
//! touches neither the identities nor any free text.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use gloact_domain::htcds::CaseFacts;
use gloact_domain::value::CountryCode;

use crate::db::Db;
use crate::error::StoreError;
use crate::schema::victim_case;

type FactsRow = (
    NaiveDate,
    String,
    String,
    String,
    String,
    String,
    Vec<String>,
    String,
    String,
);

/// The coded facts of every case not deleted, in id order (the release sorts them itself).
pub async fn case_facts(db: &Db) -> Result<Vec<CaseFacts>, StoreError> {
    let mut conn = db.conn().await?;
    let rows: Vec<FactsRow> = victim_case::table
        .filter(victim_case::deleted_at.is_null())
        .order(victim_case::id)
        .select((
            victim_case::identified_on,
            victim_case::district,
            victim_case::sex,
            victim_case::age_band,
            victim_case::citizenship,
            victim_case::exploitation,
            victim_case::means_of_control,
            victim_case::recruitment,
            victim_case::recruiter_relation,
        ))
        .load(&mut conn)
        .await?;
    rows.into_iter()
        .map(
            |(
                identified_on,
                district,
                sex,
                age,
                citizenship,
                exploitation,
                means,
                method,
                relation,
            )| {
                Ok(CaseFacts {
                    identified_on,
                    district,
                    sex: sex.parse()?,
                    age_band: age.parse()?,
                    citizenship: CountryCode::parse(&citizenship)?,
                    exploitation: exploitation.parse()?,
                    means_of_control: means
                        .iter()
                        .map(|m| m.parse())
                        .collect::<Result<BTreeSet<_>, _>>()?,
                    recruitment: method.parse()?,
                    recruiter_relation: relation.parse()?,
                })
            },
        )
        .collect()
}
