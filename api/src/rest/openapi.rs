//! The parts of the OpenAPI document not derived from the routes: info, the bearer scheme, and
//! the error answers every `/api/v1` operation can give.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi as _};

use crate::error::Problem;

/// The document's skeleton.
#[derive(Debug, utoipa::OpenApi)]
#[openapi(
    info(
        title = "GLO.ACT Partner API",
        description = "System of record of GLO.ACT-Bangladesh (EU/UNODC/IOM): programmes, activities, follow-up actions and the results framework. Lists are paged by cursor (`after`, `limit` up to 500) and support delta sync with `changed_after`. Writes require `If-Match` with the ETag read. Errors are RFC 9457 problem+json with a stable `code`.",
        license(name = "Apache-2.0")
    ),
    components(schemas(Problem)),
    modifiers(&Conventions)
)]
pub struct ApiDoc;

/// The skeleton of the document, before the routes are added.
pub fn skeleton() -> OpenApi {
    ApiDoc::openapi()
}

struct Conventions;

impl Modify for Conventions {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT (EdDSA)")
                    .build(),
            ),
        );
    }
}

/// Adds the bearer requirement and the common error answers to every `/api/v1` operation. Runs
/// after the routes are collected.
pub fn finish(openapi: &mut OpenApi) {
    let problem = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build()
    };
    for (path, item) in openapi.paths.paths.iter_mut() {
        if !path.starts_with("/api/v1/") {
            continue;
        }
        let operations = [
            (false, &mut item.get),
            (false, &mut item.post),
            (true, &mut item.put),
            (true, &mut item.patch),
            (true, &mut item.delete),
        ];
        for (conditional, operation) in operations {
            let Some(operation) = operation else { continue };
            operation.security = Some(vec![SecurityRequirement::new(
                "bearer",
                Vec::<String>::new(),
            )]);
            let responses = &mut operation.responses.responses;
            let mut add = |status: &str, description: &str| {
                responses
                    .entry(status.to_owned())
                    .or_insert_with(|| problem(description).into());
            };
            add(
                "400",
                "Malformed request (body, query string, path or header)",
            );
            add("401", "No valid bearer token");
            add("403", "The token's role may not do this");
            add("404", "No such resource, or none the caller may see");
            add(
                "503",
                "The database is unavailable; retry after the time in Retry-After",
            );
            if operation.request_body.is_some() || conditional {
                add(
                    "409",
                    "Conflicts with the current state (e.g. a duplicate code)",
                );
                add("422", "Invalid fields, listed in `errors`");
            }
            if conditional {
                add("412", "If-Match names a version that is no longer current");
                add("428", "If-Match is missing");
            }
        }
    }
}
