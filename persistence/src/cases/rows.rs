//! The case's rows as stored, and the case they make.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use gloact_domain::case::{Case, Consent, Recruitment, Referral, Subject, TraffickingEvent};
use gloact_domain::value::{Code, CountryCode, District};
use uuid::Uuid;

use crate::error::StoreError;
use crate::page::RowKeys;
use crate::schema::{case_event, case_referral, victim_case};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = victim_case, check_for_backend(Pg))]
pub(super) struct CaseRow {
    pub(super) id: Uuid,
    pub(super) opened_by: String,
    pub(super) identified_on: NaiveDate,
    pub(super) district: String,
    pub(super) sex: String,
    pub(super) age_band: String,
    pub(super) citizenship: String,
    pub(super) exploitation: String,
    pub(super) means_of_control: Vec<String>,
    pub(super) recruitment: String,
    pub(super) recruiter_relation: String,
    pub(super) consent: bool,
    pub(super) status: String,
    pub(super) created_at: DateTime<Utc>,
    pub(super) updated_at: DateTime<Utc>,
    pub(super) version: i32,
    pub(super) change_seq: i64,
    pub(super) deleted_at: Option<DateTime<Utc>>,
}

/// A case row with its organization's code and whether an identity is stored.
pub(super) type CaseWithOrg = (CaseRow, String, bool);

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = case_event, check_for_backend(Pg))]
pub(super) struct EventRow {
    pub(super) case_id: Uuid,
    pub(super) stage: String,
    pub(super) place: String,
    pub(super) country: String,
    pub(super) occurred_on: Option<NaiveDate>,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = case_referral, check_for_backend(Pg))]
pub(super) struct ReferralRow {
    pub(super) id: Uuid,
    pub(super) case_id: Uuid,
    pub(super) service: String,
    pub(super) status: String,
    pub(super) note: Option<String>,
    pub(super) referred_by: String,
    pub(super) created_at: DateTime<Utc>,
    pub(super) updated_at: DateTime<Utc>,
}

pub(super) fn keys((row, _, _): &CaseWithOrg) -> RowKeys {
    RowKeys {
        id: row.id,
        change_seq: row.change_seq,
        deleted_at: row.deleted_at,
    }
}

pub(super) fn to_case(
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
        meta: row_meta!(row),
    })
}
