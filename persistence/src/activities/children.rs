//! What hangs off activities: loaded for a set of them in three queries, or embedded as JSON in
//! the statement that reads one activity.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use gloact_domain::activity::{Activity, ActivityDetail, Objective, Participation};
use gloact_domain::value::{Code, Narrative};
use gloact_domain::{ActivityId, ObjectiveId, OrganizationId, ParticipationId};
use uuid::Uuid;

use crate::error::StoreError;
use crate::schema::{objective, organization, participation};

use super::rows::{ActivityRow, ObjectiveRow, ParticipationRow};

/// The live participations (with their organization's code), objectives and follow-up actions
/// of the activity a query reads, each as a JSON array in id order: one statement reads an
/// activity with everything it embeds, where loading them apart takes four round trips.
pub(super) fn embedded() -> Embedded {
    use diesel::dsl::sql;
    use diesel::sql_types::Text;
    (
        sql::<Text>(
            "(SELECT coalesce(json_agg(to_jsonb(p) || jsonb_build_object('organization_code', o.code) \
               ORDER BY p.id), '[]')::text \
             FROM participation p JOIN organization o ON o.id = p.organization_id \
             WHERE p.activity_id = \"activity\".\"id\" AND p.deleted_at IS NULL)",
        ),
        sql::<Text>(
            "(SELECT coalesce(json_agg(b ORDER BY b.id), '[]')::text FROM objective b \
             WHERE b.activity_id = \"activity\".\"id\" AND b.deleted_at IS NULL)",
        ),
        sql::<Text>(crate::follow_ups::EMBEDDED_OF_ACTIVITY),
    )
}

/// The select expression of [`embedded`].
pub(super) type Embedded = (
    diesel::expression::SqlLiteral<diesel::sql_types::Text>,
    diesel::expression::SqlLiteral<diesel::sql_types::Text>,
    diesel::expression::SqlLiteral<diesel::sql_types::Text>,
);

/// What [`embedded`] selects: participations, objectives and follow-up actions as JSON text.
pub(super) type Embeds = (String, String, String);

#[derive(serde::Deserialize)]
struct EmbeddedParticipation {
    #[serde(flatten)]
    row: ParticipationRow,
    organization_code: String,
}

/// Reads a JSON array the database built from rows it holds.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("embedded rows: {e}")))
}

fn participation(row: ParticipationRow, code: &str) -> Result<Participation, StoreError> {
    Ok(Participation {
        id: ParticipationId(row.id),
        activity_id: ActivityId(row.activity_id),
        organization_id: OrganizationId(row.organization_id),
        organization_code: Code::parse(code)?,
        role: row.role.parse()?,
        meta: row_meta!(row),
    })
}

fn objective(row: ObjectiveRow) -> Result<Objective, StoreError> {
    Ok(Objective {
        id: ObjectiveId(row.id),
        activity_id: ActivityId(row.activity_id),
        description: Narrative::parse(&row.description)?,
        achieved: row.achieved,
        evidence: row.evidence.as_deref().map(Narrative::parse).transpose()?,
        meta: row_meta!(row),
    })
}

/// The participations, objectives and follow-up actions of a set of activities, by activity.
pub(super) struct Children {
    participations: HashMap<Uuid, Vec<Participation>>,
    objectives: HashMap<Uuid, Vec<Objective>>,
    follow_ups: HashMap<Uuid, Vec<gloact_domain::follow_up::FollowUpAction>>,
}

impl Children {
    pub(super) async fn load(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> Result<Self, StoreError> {
        let mut children = Self {
            participations: HashMap::new(),
            objectives: HashMap::new(),
            follow_ups: HashMap::new(),
        };
        if ids.is_empty() {
            return Ok(children);
        }
        let participations: Vec<(ParticipationRow, String)> = participation::table
            .inner_join(organization::table)
            .filter(participation::activity_id.eq_any(ids))
            .filter(participation::deleted_at.is_null())
            .order(participation::id)
            .select((ParticipationRow::as_select(), organization::code))
            .load(conn)
            .await?;
        for (row, code) in participations {
            children
                .participations
                .entry(row.activity_id)
                .or_default()
                .push(participation(row, &code)?);
        }
        let objectives: Vec<ObjectiveRow> = objective::table
            .filter(objective::activity_id.eq_any(ids))
            .filter(objective::deleted_at.is_null())
            .order(objective::id)
            .select(ObjectiveRow::as_select())
            .load(conn)
            .await?;
        for row in objectives {
            children
                .objectives
                .entry(row.activity_id)
                .or_default()
                .push(objective(row)?);
        }
        for action in crate::follow_ups::of_activities(conn, ids).await? {
            children
                .follow_ups
                .entry(action.activity_id.0)
                .or_default()
                .push(action);
        }
        Ok(children)
    }

    /// What hangs off one activity, from the JSON arrays [`embedded`] selects beside its row.
    pub(super) fn embedded(row: ActivityRow, embeds: Embeds) -> Result<ActivityDetail, StoreError> {
        let (participations, objectives, follow_ups) = embeds;
        let participations = parse::<Vec<EmbeddedParticipation>>(&participations)?
            .into_iter()
            .map(|p| participation(p.row, &p.organization_code))
            .collect::<Result<_, _>>()?;
        let objectives = parse::<Vec<ObjectiveRow>>(&objectives)?
            .into_iter()
            .map(objective)
            .collect::<Result<_, _>>()?;
        let follow_ups = crate::follow_ups::from_embedded(&follow_ups, &row.visibility)?;
        Ok(ActivityDetail {
            activity: Activity::try_from(row)?,
            participations,
            objectives,
            follow_ups,
        })
    }

    pub(super) fn attach(&mut self, row: ActivityRow) -> Result<ActivityDetail, StoreError> {
        let id = row.id;
        Ok(ActivityDetail {
            activity: Activity::try_from(row)?,
            participations: self.participations.remove(&id).unwrap_or_default(),
            objectives: self.objectives.remove(&id).unwrap_or_default(),
            follow_ups: self.follow_ups.remove(&id).unwrap_or_default(),
        })
    }
}
