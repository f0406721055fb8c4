//! What hangs off activities, loaded for a set of them in three queries.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use gloact_domain::activity::{Activity, ActivityDetail, Objective, Participation};
use gloact_domain::value::{Code, Narrative};
use gloact_domain::{ActivityId, ObjectiveId, OrganizationId, ParticipationId, RowMeta};
use uuid::Uuid;

use crate::error::StoreError;
use crate::schema::{objective, organization, participation};

use super::rows::{ActivityRow, ObjectiveRow, ParticipationRow};

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
                .push(Participation {
                    id: ParticipationId(row.id),
                    activity_id: ActivityId(row.activity_id),
                    organization_id: OrganizationId(row.organization_id),
                    organization_code: Code::parse(&code)?,
                    role: row.role.parse()?,
                    meta: RowMeta {
                        created_at: row.created_at,
                        updated_at: row.updated_at,
                        version: row.version,
                        change_seq: row.change_seq,
                    },
                });
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
                .push(Objective {
                    id: ObjectiveId(row.id),
                    activity_id: ActivityId(row.activity_id),
                    description: Narrative::parse(&row.description)?,
                    achieved: row.achieved,
                    evidence: row.evidence.as_deref().map(Narrative::parse).transpose()?,
                    meta: RowMeta {
                        created_at: row.created_at,
                        updated_at: row.updated_at,
                        version: row.version,
                        change_seq: row.change_seq,
                    },
                });
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
