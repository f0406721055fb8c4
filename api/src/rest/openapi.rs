//! The parts of the OpenAPI document not derived from the routes: info, the bearer scheme, and
//! the error answers every `/api/v1` operation can give.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{Object, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};
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

/// Adds the bearer requirement, the error answers each kind of operation can give, and the
/// `ETag` and `Location` headers to every `/api/v1` operation. Runs after the routes are
/// collected.
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
    let header = |description: &str| {
        RefOr::T(
            HeaderBuilder::new()
                .schema(Some(Object::with_type(Type::String)))
                .description(Some(description))
                .build(),
        )
    };
    for (path, item) in openapi.paths.paths.iter_mut() {
        // The token endpoint is where clients without a token go, and answers as RFC 6749 says.
        if !path.starts_with("/api/v1/") || path == "/api/v1/oauth/token" {
            continue;
        }
        // An import's `{kind}` names a kind of sheet, not a row.
        let imports = path.starts_with("/api/v1/imports/");
        let one_row = path.contains('{') && !imports;
        let operations = [
            ("get", &mut item.get),
            ("post", &mut item.post),
            ("put", &mut item.put),
            ("patch", &mut item.patch),
            ("delete", &mut item.delete),
        ];
        for (method, operation) in operations {
            let Some(operation) = operation else { continue };
            operation.security = Some(vec![SecurityRequirement::new(
                "bearer",
                Vec::<String>::new(),
            )]);
            let mut errors = vec![
                (
                    "400",
                    "Malformed request (body, query string, path or header)",
                ),
                ("401", "No valid bearer token"),
                (
                    "503",
                    "The database is unavailable; retry after the time in Retry-After",
                ),
            ];
            if one_row {
                errors.push(("404", "No such resource, or none the caller may see"));
            }
            // Every operation refuses some role or scope (field reports, administration, writes).
            errors.push(("403", "The token's role (or its scopes) may not do this"));
            if method != "get" {
                errors.push((
                    "409",
                    "Conflicts with the current state (e.g. a duplicate code, live parts)",
                ));
            }
            if operation.request_body.is_some() {
                errors.push(("413", "The body is larger than the server accepts"));
                errors.push(("415", "The body is not application/json"));
                errors.push(("422", "Invalid fields, listed in `errors`"));
            }
            let conditional = operation.parameters.as_ref().is_some_and(|params| {
                params
                    .iter()
                    .any(|p| matches!(p, RefOr::T(p) if p.name == "If-Match"))
            });
            if conditional {
                errors.push(("412", "If-Match names a version that is no longer current; `current_version` says which is"));
                errors.push(("428", "If-Match is missing"));
            }
            let responses = &mut operation.responses.responses;
            for (status, description) in errors {
                responses
                    .entry(status.to_owned())
                    .or_insert_with(|| problem(description).into());
            }
            for (status, response) in responses.iter_mut() {
                // Attachments carry no version: their content never changes.
                let versioned =
                    (one_row || method == "post") && !path.contains("/attachments") && !imports;
                let (RefOr::T(response), true) = (response, versioned) else {
                    continue;
                };
                if status == "200" || status == "201" {
                    response.headers.insert(
                        "ETag".into(),
                        header("The version of the resource, for If-Match"),
                    );
                }
                if status == "201" {
                    response
                        .headers
                        .insert("Location".into(), header("Where the new resource is"));
                }
            }
        }
    }
}
