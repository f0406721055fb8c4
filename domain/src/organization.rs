//! Organizations: ministries, UN agencies, the donor, civil society.

use crate::change::RowMeta;
use crate::id::OrganizationId;
use crate::value::{Code, CountryCode, IatiRef, Title};
use crate::wire_enum::wire_enum;

wire_enum! {
    /// What sort of body an organization is.
    pub enum OrganizationKind {
        /// A ministry or other state body.
        Government => "government",
        /// A UN agency or office (UNODC, IOM).
        UnAgency => "un_agency",
        /// A funder (the EU).
        Donor => "donor",
        /// A non-governmental organization.
        CivilSociety => "civil_society",
        /// Another international organization.
        InternationalOrg => "international_org",
        /// Anything else.
        Other => "other",
    }
}

/// An organization as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Organization {
    /// Chosen by the server when the organization is added (a UUIDv7, so id order is the order they
    /// were added).
    pub id: OrganizationId,
    /// Its stable code, e.g. `UNODC-BGD`.
    pub code: Code,
    /// Its full name.
    pub name: Title,
    /// What sort of body it is.
    pub kind: OrganizationKind,
    /// Where it sits.
    pub country: CountryCode,
    /// The organization it belongs to, e.g. a UNODC regional office's headquarters.
    pub parent_id: Option<OrganizationId>,
    /// Its IATI organisation identifier, when it has one.
    pub iati_ref: Option<IatiRef>,
    /// Bookkeeping.
    pub meta: RowMeta,
}

/// A new organization, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrganization {
    /// Its stable code.
    pub code: Code,
    /// Its full name.
    pub name: Title,
    /// What sort of body it is.
    pub kind: OrganizationKind,
    /// Where it sits.
    pub country: CountryCode,
    /// The code of the organization it belongs to.
    pub parent: Option<Code>,
    /// Its IATI organisation identifier.
    pub iati_ref: Option<IatiRef>,
}

/// Changes to an organization; `None` leaves a field as it is. The code never changes: partners
/// key their copies on it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrganizationChanges {
    /// New name.
    pub name: Option<Title>,
    /// New kind.
    pub kind: Option<OrganizationKind>,
    /// New country.
    pub country: Option<CountryCode>,
    /// New parent (by code), or `Some(None)` to detach it.
    pub parent: Option<Option<Code>>,
    /// New IATI reference, or `Some(None)` to clear it.
    pub iati_ref: Option<Option<IatiRef>>,
}

impl OrganizationChanges {
    /// The wire names of the fields these changes set.
    pub fn changed_fields(&self) -> Vec<&'static str> {
        [
            ("name", self.name.is_some()),
            ("kind", self.kind.is_some()),
            ("country", self.country.is_some()),
            ("parent", self.parent.is_some()),
            ("iati_ref", self.iati_ref.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

impl Organization {
    /// The part of these changes that would change this organization (whose parent, if any,
    /// has the code `parent`): fields set to what they already hold are left out, so that a
    /// row read back from an export changes only what was edited.
    pub fn differences(
        &self,
        changes: OrganizationChanges,
        parent: Option<&Code>,
    ) -> OrganizationChanges {
        fn differs<T: PartialEq>(new: Option<T>, current: &T) -> Option<T> {
            new.filter(|new| new != current)
        }
        OrganizationChanges {
            name: differs(changes.name, &self.name),
            kind: differs(changes.kind, &self.kind),
            country: differs(changes.country, &self.country),
            parent: differs(changes.parent, &parent.cloned()),
            iati_ref: differs(changes.iati_ref, &self.iati_ref),
        }
    }
}
