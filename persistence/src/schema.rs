// @generated in the shape of `diesel print-schema` from migrations/; keep the two in step (the
// `schema_rs_matches_the_migrated_database` test in tests/api/schema.rs compares them against a
// migrated database).

diesel::table! {
    activity_tally (dimension, audience, programme_id, key) {
        programme_id -> Uuid,
        audience -> Uuid,
        dimension -> Text,
        key -> Text,
        activities -> Int8,
        female -> Int8,
        male -> Int8,
        other -> Int8,
        judges -> Int8,
        prosecutors -> Int8,
        law_enforcement -> Int8,
        officials -> Int8,
        civil_society -> Int8,
    }
}

// The deltas have no key (writers only insert, the fold takes them all): diesel needs one named.
diesel::table! {
    activity_tally_delta (programme_id) {
        programme_id -> Uuid,
        audience -> Uuid,
        dimension -> Text,
        key -> Text,
        activities -> Int8,
        female -> Int8,
        male -> Int8,
        other -> Int8,
        judges -> Int8,
        prosecutors -> Int8,
        law_enforcement -> Int8,
        officials -> Int8,
        civil_society -> Int8,
    }
}

diesel::table! {
    api_client (id) {
        id -> Uuid,
        client_id -> Text,
        name -> Text,
        role -> Text,
        organization_id -> Uuid,
        scopes -> Array<Text>,
        secret_hash -> Text,
        created_at -> Timestamptz,
        disabled_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    audit_event (pos) {
        seq -> Nullable<Int8>,
        occurred_at -> Timestamptz,
        actor -> Text,
        role -> Text,
        organization -> Text,
        action -> Text,
        resource_type -> Text,
        resource_id -> Nullable<Text>,
        resource_ids -> Array<Text>,
        request_id -> Nullable<Text>,
        changed_fields -> Array<Text>,
        prev_hash -> Nullable<Text>,
        hash -> Nullable<Text>,
        pos -> Int8,
    }
}

diesel::table! {
    audit_checkpoint (seq) {
        seq -> Int8,
        hash -> Text,
        signed_at -> Timestamptz,
        key_id -> Text,
        signature -> Text,
    }
}

diesel::table! {
    change_clock (only_row) {
        only_row -> Bool,
        base -> Int8,
        xid0 -> Int8,
    }
}

diesel::table! {
    activity (id) {
        id -> Uuid,
        programme_id -> Uuid,
        parent_id -> Nullable<Uuid>,
        code -> Text,
        title -> Text,
        description -> Nullable<Text>,
        kind -> Text,
        pillar -> Text,
        status -> Text,
        visibility -> Text,
        planned_start -> Nullable<Date>,
        planned_end -> Nullable<Date>,
        actual_start -> Nullable<Date>,
        actual_end -> Nullable<Date>,
        location -> Nullable<Text>,
        district -> Nullable<Text>,
        participants_female -> Int4,
        participants_male -> Int4,
        participants_other -> Int4,
        judges -> Int4,
        prosecutors -> Int4,
        law_enforcement -> Int4,
        officials -> Int4,
        civil_society -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        change_seq -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    case_event (id) {
        id -> Uuid,
        case_id -> Uuid,
        position -> Int4,
        stage -> Text,
        place -> Text,
        country -> Text,
        occurred_on -> Nullable<Date>,
    }
}

diesel::table! {
    case_identity (case_id) {
        case_id -> Uuid,
        key_id -> Text,
        nonce -> Bytea,
        ciphertext -> Bytea,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    case_referral (id) {
        id -> Uuid,
        case_id -> Uuid,
        from_organization_id -> Uuid,
        to_organization_id -> Uuid,
        service -> Text,
        status -> Text,
        note -> Nullable<Text>,
        referred_by -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    field_report (id) {
        id -> Uuid,
        kind -> Text,
        payload -> Jsonb,
        occurred_at -> Timestamptz,
        received_at -> Timestamptz,
        reporter -> Text,
        organization_id -> Uuid,
        district -> Text,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
        accuracy_m -> Nullable<Float8>,
        activity_id -> Nullable<Uuid>,
        narrative -> Nullable<Text>,
        review_status -> Text,
        review_reason -> Nullable<Text>,
        content_hash -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        change_seq -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    field_report_attachment (id) {
        id -> Uuid,
        report_id -> Uuid,
        media_type -> Text,
        size_bytes -> Int4,
        sha256 -> Text,
        data -> Bytea,
        uploaded_by -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    follow_up_action (id) {
        id -> Uuid,
        activity_id -> Uuid,
        owner_organization_id -> Uuid,
        title -> Text,
        description -> Nullable<Text>,
        due_date -> Nullable<Date>,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        change_seq -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    idempotency_key (owner, key) {
        owner -> Text,
        key -> Text,
        fingerprint -> Text,
        claim -> Uuid,
        started_at -> Timestamptz,
        status_code -> Nullable<Int4>,
        etag -> Nullable<Text>,
        location -> Nullable<Text>,
        content_type -> Nullable<Text>,
        body -> Nullable<Bytea>,
        completed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    indicator (id) {
        id -> Uuid,
        programme_id -> Uuid,
        code -> Text,
        title -> Text,
        result_level -> Text,
        measure -> Text,
        baseline_value -> Nullable<Float8>,
        baseline_year -> Nullable<Int4>,
        disaggregated_by_sex -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        change_seq -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    indicator_period (id) {
        id -> Uuid,
        indicator_id -> Uuid,
        period_start -> Date,
        period_end -> Date,
        target_value -> Nullable<Float8>,
        actual_value -> Nullable<Float8>,
        actual_female -> Nullable<Float8>,
        actual_male -> Nullable<Float8>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        change_seq -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    objective (id) {
        id -> Uuid,
        activity_id -> Uuid,
        description -> Text,
        achieved -> Bool,
        evidence -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        change_seq -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    organization (id) {
        id -> Uuid,
        code -> Text,
        name -> Text,
        kind -> Text,
        country -> Text,
        parent_id -> Nullable<Uuid>,
        iati_ref -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        change_seq -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    participation (id) {
        id -> Uuid,
        activity_id -> Uuid,
        organization_id -> Uuid,
        role -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        change_seq -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    programme (id) {
        id -> Uuid,
        code -> Text,
        title -> Text,
        start_date -> Date,
        end_date -> Date,
        countries -> Array<Text>,
        iati_identifier -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        change_seq -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    revoked_subject (subject) {
        subject -> Text,
        not_before -> Timestamptz,
        revoked_at -> Timestamptz,
    }
}

diesel::table! {
    revoked_token (jti) {
        jti -> Text,
        expires_at -> Timestamptz,
        revoked_at -> Timestamptz,
        revoked_by -> Text,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    programme_partner (programme_id, role, organization_id) {
        programme_id -> Uuid,
        organization_id -> Uuid,
        role -> Text,
    }
}

diesel::table! {
    sight_lost (change_seq) {
        change_seq -> Int8,
        entity -> Text,
        row_id -> Uuid,
        activity_id -> Uuid,
        lost_at -> Timestamptz,
    }
}

diesel::table! {
    victim_case (id) {
        id -> Uuid,
        organization_id -> Uuid,
        opened_by -> Text,
        identified_on -> Date,
        district -> Text,
        sex -> Text,
        age_band -> Text,
        citizenship -> Text,
        exploitation -> Text,
        means_of_control -> Array<Text>,
        recruitment -> Text,
        recruiter_relation -> Text,
        consent -> Bool,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        change_seq -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(activity -> programme (programme_id));
diesel::joinable!(api_client -> organization (organization_id));
diesel::joinable!(case_event -> victim_case (case_id));
diesel::joinable!(case_identity -> victim_case (case_id));
diesel::joinable!(case_referral -> victim_case (case_id));
diesel::joinable!(field_report -> activity (activity_id));
diesel::joinable!(field_report -> organization (organization_id));
diesel::joinable!(field_report_attachment -> field_report (report_id));
diesel::joinable!(follow_up_action -> activity (activity_id));
diesel::joinable!(follow_up_action -> organization (owner_organization_id));
diesel::joinable!(indicator -> programme (programme_id));
diesel::joinable!(indicator_period -> indicator (indicator_id));
diesel::joinable!(objective -> activity (activity_id));
diesel::joinable!(participation -> activity (activity_id));
diesel::joinable!(participation -> organization (organization_id));
diesel::joinable!(programme_partner -> organization (organization_id));
diesel::joinable!(programme_partner -> programme (programme_id));
diesel::joinable!(sight_lost -> activity (activity_id));
diesel::joinable!(victim_case -> organization (organization_id));

diesel::allow_tables_to_appear_in_same_query!(
    activity,
    activity_tally,
    activity_tally_delta,
    api_client,
    audit_checkpoint,
    audit_event,
    case_event,
    case_identity,
    case_referral,
    change_clock,
    field_report,
    field_report_attachment,
    follow_up_action,
    idempotency_key,
    indicator,
    indicator_period,
    objective,
    organization,
    participation,
    programme,
    programme_partner,
    revoked_subject,
    revoked_token,
    sight_lost,
    victim_case,
);
