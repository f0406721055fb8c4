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

remote_enum! {
    /// Where a victim-assistance case stands.
    CaseStatus = "gloact_domain::case::CaseStatus" { Active, FollowUp, Closed, ClosedReferred }
}

remote_enum! {
    /// Sex, as recorded by HTCDS.
    Sex = "gloact_domain::field_report::Sex" { Female, Male, Other, Unknown }
}

remote_enum! {
    /// Age band, never a birth date: `CHILD` 0–11, `ADOLESCENT` 12–17, `YOUNG_ADULT` 18–25,
    /// `ADULT` 26–40, `OLDER` 41 and over.
    AgeBand = "gloact_domain::field_report::AgeBand" {
        Child, Adolescent, YoungAdult, Adult, Older, Unknown,
    }
}

remote_enum! {
    /// Type of exploitation, after HTCDS.
    Exploitation = "gloact_domain::field_report::Exploitation" {
        Sexual, Labour, DomesticServitude, ForcedMarriage, ForcedCriminality, OrganRemoval, Other,
        Unknown,
    }
}

remote_enum! {
    /// How the person was controlled (HTCDS means of control).
    MeansOfControl = "gloact_domain::case::MeansOfControl" {
        Threats, PhysicalViolence, SexualViolence, PsychologicalAbuse, DebtBondage,
        WithheldDocuments, WithheldWages, RestrictedMovement, Substances, FalsePromises, Other,
    }
}

remote_enum! {
    /// How the person was recruited (HTCDS).
    RecruitmentMethod = "gloact_domain::case::RecruitmentMethod" {
        JobOffer, MarriageOffer, EducationOffer, TravelOffer, Abduction, SoldByFamily, Other,
        Unknown,
    }
}

remote_enum! {
    /// Who the recruiter was to the person.
    RecruiterRelation = "gloact_domain::case::RecruiterRelation" {
        Family, IntimatePartner, Friend, Employer, Agent, Stranger, Other, Unknown,
    }
}

remote_enum! {
    /// The stage of trafficking an event belongs to.
    EventStage = "gloact_domain::case::EventStage" { Recruitment, Transit, Exploitation }
}

remote_enum! {
    /// Where a referral stands.
    ReferralStatus = "gloact_domain::case::ReferralStatus" {
        Proposed, Accepted, Declined, Completed,
    }
}

remote_enum! {
    /// A service a person is referred to.
    Service = "gloact_domain::field_report::Service" {
        Shelter, Medical, Legal, Repatriation, Psychosocial,
    }
}

remote_enum! {
    /// What victim-assistance cases can be counted by.
    CaseDimension = "gloact_domain::statistics::CaseDimension" {
        Month, District, Sex, AgeBand, Citizenship, Exploitation, Status,
    }
}
