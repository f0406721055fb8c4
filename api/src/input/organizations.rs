//! The write inputs of organizations: a new one and a change to one.

use gloact_domain::Violations;
use gloact_domain::organization::{NewOrganization, OrganizationChanges, OrganizationKind};
use gloact_domain::value::{Code, CountryCode, IatiRef, Title};
use serde::Deserialize;
use utoipa::ToSchema;

use super::fields::{Patch, check_clearable, check_not_null, check_opt};

/// A new organization.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewOrganization)]
pub struct NewOrganizationDto {
    /// Stable code: upper-case letters, digits, `-`, `_`, `.`.
    #[schema(example = "MOWCA-BGD")]
    pub code: String,
    /// Full name.
    #[schema(example = "Ministry of Women and Children Affairs")]
    pub name: String,
    /// What sort of body it is.
    #[schema(value_type = OrganizationKind)]
    pub kind: String,
    /// ISO 3166-1 alpha-3 country code.
    #[schema(example = "BGD")]
    pub country: String,
    /// Code of the organization it belongs to.
    pub parent: Option<String>,
    /// IATI organisation identifier.
    pub iati_ref: Option<String>,
}

impl TryFrom<NewOrganizationDto> for NewOrganization {
    type Error = Violations;

    fn try_from(dto: NewOrganizationDto) -> Result<Self, Violations> {
        let mut v = Violations::default();
        let code = v.check("code", Code::parse(&dto.code));
        let name = v.check("name", Title::parse(&dto.name));
        let kind = v.check("kind", dto.kind.parse());
        let country = v.check("country", CountryCode::parse(&dto.country));
        let parent = check_opt(&mut v, "parent", dto.parent.as_deref(), Code::parse);
        let iati_ref = check_opt(&mut v, "iati_ref", dto.iati_ref.as_deref(), IatiRef::parse);
        match (code, name, kind, country) {
            (Some(code), Some(name), Some(kind), Some(country)) if v.is_empty() => {
                Ok(NewOrganization {
                    code,
                    name,
                    kind,
                    country,
                    parent,
                    iati_ref,
                })
            }
            _ => Err(v),
        }
    }
}

/// Changes to an organization: only the fields present change; `null` clears an optional one.
/// The code never changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = OrganizationPatch)]
pub struct OrganizationPatchDto {
    /// New name.
    #[serde(default)]
    #[schema(value_type = String)]
    pub name: Patch<String>,
    /// New kind.
    #[serde(default)]
    #[schema(value_type = OrganizationKind)]
    pub kind: Patch<String>,
    /// New country.
    #[serde(default)]
    #[schema(value_type = String)]
    pub country: Patch<String>,
    /// New parent's code, or `null` to detach.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub parent: Patch<String>,
    /// New IATI identifier, or `null` to clear.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub iati_ref: Patch<String>,
}

impl TryFrom<OrganizationPatchDto> for OrganizationChanges {
    type Error = Violations;

    fn try_from(dto: OrganizationPatchDto) -> Result<Self, Violations> {
        let mut v = Violations::default();
        let changes = OrganizationChanges {
            name: check_not_null(&mut v, "name", dto.name, Title::parse),
            kind: check_not_null(&mut v, "kind", dto.kind, str::parse),
            country: check_not_null(&mut v, "country", dto.country, CountryCode::parse),
            parent: check_clearable(&mut v, "parent", dto.parent, Code::parse),
            iati_ref: check_clearable(&mut v, "iati_ref", dto.iati_ref, IatiRef::parse),
        };
        v.into_result().map(|()| changes)
    }
}
