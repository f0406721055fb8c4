//! The write input of indicators: the actual reached in a period.

use gloact_domain::Violations;
use gloact_domain::indicator::Actual;
use gloact_domain::value::Figure;
use serde::Deserialize;
use utoipa::ToSchema;

/// The actual reached in a period.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ActualInput)]
pub struct ActualDto {
    /// The value: a count, or a percentage from 0 to 100.
    #[schema(example = 82.0)]
    pub value: f64,
    /// Among women, where the indicator is broken down by sex.
    pub female: Option<f64>,
    /// Among men, where the indicator is broken down by sex.
    pub male: Option<f64>,
}

impl TryFrom<ActualDto> for Actual {
    type Error = Violations;

    fn try_from(dto: ActualDto) -> Result<Self, Violations> {
        let mut v = Violations::default();
        let value = v.check("value", Figure::parse(dto.value));
        let female = v.check_opt("female", dto.female, Figure::parse).flatten();
        let male = v.check_opt("male", dto.male, Figure::parse).flatten();
        match value {
            Some(value) if v.is_empty() => Ok(Actual {
                value,
                female,
                male,
            }),
            _ => Err(v),
        }
    }
}
