//! The REST transport: thin handlers that parse input into domain values, call the service
//! layer and render its results. Every route is registered through utoipa-actix-web, so the
//! OpenAPI document is built from the routes actually served.

pub mod activities;
pub mod admin;
pub mod attachments;
pub mod cases;
pub mod common;
pub mod csv;
pub mod errors;
pub mod exports;
pub mod field_reports;
pub mod follow_ups;
pub mod health;
pub mod iati;
pub mod idempotency;
pub mod imports;
pub mod indicators;
pub mod jwks;
pub mod methods;
pub mod oauth;
pub mod openapi;
pub mod organizations;
pub mod programmes;
pub mod statistics;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the routes under `/api/v1`.
pub fn api_v1(cfg: &mut ServiceConfig) {
    cfg.service(organizations::list_organizations)
        .service(organizations::create_organization)
        .service(organizations::get_organization)
        .service(organizations::update_organization)
        .service(programmes::list_programmes)
        .service(programmes::get_programme)
        .service(activities::list_activities)
        .service(activities::create_activity)
        .service(activities::get_activity)
        .service(activities::update_activity)
        .service(activities::delete_activity)
        .service(follow_ups::list_follow_up_actions)
        .service(follow_ups::create_follow_up_action)
        .service(follow_ups::get_follow_up_action)
        .service(follow_ups::update_follow_up_action)
        .service(indicators::list_indicators)
        .service(indicators::get_indicator)
        .service(indicators::record_indicator_actual)
        .service(field_reports::create_field_report)
        .service(field_reports::create_field_report_batch)
        .service(field_reports::list_field_reports)
        .service(field_reports::get_field_report)
        .service(field_reports::review_field_report)
        .service(attachments::create_attachment)
        .service(attachments::list_attachments)
        .service(attachments::get_attachment)
        .service(cases::list_cases)
        .service(cases::create_case)
        .service(cases::get_case)
        .service(cases::update_case)
        .service(cases::create_case_referral)
        .service(cases::update_case_referral)
        .service(cases::get_case_identity)
        .service(cases::put_case_identity)
        .service(cases::delete_case_identity)
        .service(statistics::get_field_report_statistics)
        .service(statistics::get_case_statistics)
        .service(iati::get_iati_activities)
        .service(iati::get_iati_organisations)
        .service(exports::get_htcds_export)
        .service(imports::create_import)
        .service(oauth::create_token)
        .service(admin::create_revocation)
        .service(admin::list_audit_events);
}
