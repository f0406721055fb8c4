//! The domain's enums as GraphQL enums. Each mirrors one domain enum variant for variant
//! (`remote`), so a variant added in the domain fails to compile here until it is added.

macro_rules! remote_enum {
    ($(#[$meta:meta])* $name:ident = $remote:literal { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
        #[graphql(remote = $remote)]
        #[allow(missing_docs, reason = "the variants are the domain enum's, documented there")]
        pub enum $name {
            $($variant),+
        }
    };
}

remote_enum! {
    /// What an activity is.
    ActivityKind = "gloact_domain::activity::ActivityKind" {
        Consultation, Meeting, Workshop, Training, ValidationWorkshop, Study, LegislativeReview,
        Awareness, Assistance, Other,
    }
}

remote_enum! {
    /// The programme's pillar an activity serves.
    Pillar = "gloact_domain::activity::Pillar" {
        Coordination, ResearchEvidence, LegislativeReview, CapacityBuilding,
        InternationalCooperation, VictimAssistance,
    }
}

remote_enum! {
    /// Where an activity stands.
    ActivityStatus = "gloact_domain::activity::ActivityStatus" {
        Planned, Ongoing, Completed, Postponed, Cancelled,
    }
}

remote_enum! {
    /// Who may see an activity: everyone, or UNODC, IOM, the EU and the organizations taking
    /// part.
    Visibility = "gloact_domain::activity::Visibility" { Public, Restricted }
}

remote_enum! {
    /// How an organization takes part in an activity (IATI roles, organizer, participant).
    ParticipationRole = "gloact_domain::activity::ParticipationRole" {
        Funding, Accountable, Extending, Implementing, Organizer, Participant,
    }
}

remote_enum! {
    /// Where a follow-up action stands.
    FollowUpStatus = "gloact_domain::follow_up::FollowUpStatus" {
        Open, InProgress, Done, Dropped,
    }
}

remote_enum! {
    /// What sort of body an organization is.
    OrganizationKind = "gloact_domain::organization::OrganizationKind" {
        Government, UnAgency, Donor, CivilSociety, InternationalOrg, Other,
    }
}

remote_enum! {
    /// The result level of an indicator.
    ResultLevel = "gloact_domain::indicator::ResultLevel" { Outcome, Output }
}

remote_enum! {
    /// How an indicator is measured.
    Measure = "gloact_domain::indicator::Measure" { Unit, Percentage }
}

remote_enum! {
    /// What a field report is about.
    FieldReportKind = "gloact_domain::field_report::FieldReportKind" {
        ActivityMonitoring, VictimIdentification, Referral, Incident, BorderObservation,
    }
}

remote_enum! {
    /// Where a field report stands in review.
    ReviewStatus = "gloact_domain::field_report::ReviewStatus" { Submitted, Verified, Rejected }
}

remote_enum! {
    /// What field reports can be counted by.
    ReportDimension = "gloact_domain::statistics::ReportDimension" {
        Month, District, Kind, Sex, AgeBand, Citizenship, Exploitation,
    }
}

remote_enum! {
    /// What activities can be counted by.
    ActivityDimension = "gloact_persistence::activities::aggregates::ActivityDimension" {
        Pillar, Kind, Status, Month, District,
    }
}
