//! What clients send to add and change follow-up actions, and its parsing into domain values.

use gloact_domain::follow_up::{FollowUpChanges, FollowUpStatus, NewFollowUpAction};
use gloact_domain::value::{Code, Narrative, Title};
use gloact_domain::{ActivityId, Violations};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::input::fields::{Patch, check_clearable, check_not_null, check_opt, parse_date};

/// A new follow-up action.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewFollowUpAction)]
pub struct NewFollowUpDto {
    /// The activity it comes from.
    pub activity_id: Uuid,
    /// The owner's code.
    #[schema(example = "UNODC-BGD")]
    pub owner: String,
    /// What is to be done.
    pub title: String,
    /// More detail.
    pub description: Option<String>,
    /// By when (YYYY-MM-DD).
    #[schema(value_type = Option<NaiveDate>)]
    pub due_date: Option<String>,
    /// Where it stands (default `open`).
    #[schema(value_type = Option<FollowUpStatus>)]
    pub status: Option<String>,
}

impl TryFrom<NewFollowUpDto> for NewFollowUpAction {
    type Error = Violations;

    fn try_from(dto: NewFollowUpDto) -> Result<Self, Violations> {
        let mut v = Violations::default();
        let owner = v.check("owner", Code::parse(&dto.owner));
        let title = v.check("title", Title::parse(&dto.title));
        let description = check_opt(
            &mut v,
            "description",
            dto.description.as_deref(),
            Narrative::parse,
        );
        let due_date = check_opt(&mut v, "due_date", dto.due_date.as_deref(), parse_date);
        let status = check_opt(&mut v, "status", dto.status.as_deref(), str::parse)
            .unwrap_or(FollowUpStatus::Open);
        match (owner, title) {
            (Some(owner), Some(title)) if v.is_empty() => Ok(NewFollowUpAction {
                activity_id: ActivityId(dto.activity_id),
                owner,
                title,
                description,
                due_date,
                status,
            }),
            _ => Err(v),
        }
    }
}

/// Changes to a follow-up action: only the fields present change; `null` clears an optional one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FollowUpActionPatch)]
pub struct FollowUpPatchDto {
    /// New owner's code (UNODC only).
    #[serde(default)]
    #[schema(value_type = String)]
    pub owner: Patch<String>,
    /// New title.
    #[serde(default)]
    #[schema(value_type = String)]
    pub title: Patch<String>,
    /// New description, or `null` to clear.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub description: Patch<String>,
    /// New due date (YYYY-MM-DD), or `null` to clear.
    #[serde(default)]
    #[schema(value_type = Option<NaiveDate>)]
    pub due_date: Patch<String>,
    /// New status.
    #[serde(default)]
    #[schema(value_type = FollowUpStatus)]
    pub status: Patch<String>,
}

impl TryFrom<FollowUpPatchDto> for FollowUpChanges {
    type Error = Violations;

    fn try_from(dto: FollowUpPatchDto) -> Result<Self, Violations> {
        let mut v = Violations::default();
        let changes = FollowUpChanges {
            owner: check_not_null(&mut v, "owner", dto.owner, Code::parse),
            title: check_not_null(&mut v, "title", dto.title, Title::parse),
            description: check_clearable(&mut v, "description", dto.description, Narrative::parse),
            due_date: check_clearable(&mut v, "due_date", dto.due_date, parse_date),
            status: check_not_null(&mut v, "status", dto.status, str::parse),
        };
        v.into_result().map(|()| changes)
    }
}
