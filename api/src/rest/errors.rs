//! Every error answer is problem+json: actix's plain-text answers for bad JSON, query strings,
//! path ids, unknown routes and anything else are replaced here.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::{ApiError, PROBLEM_JSON, Problem};
use crate::rest::methods::AllowedMethods;

/// JSON bodies: size cap and problem+json for every refusal.
pub fn json_config(max_body_bytes: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(max_body_bytes)
        .error_handler(|error, _req| {
            let api_error = match &error {
                JsonPayloadError::Overflow { .. }
                | JsonPayloadError::OverflowKnownLength { .. } => ApiError::PayloadTooLarge,
                JsonPayloadError::ContentType => ApiError::UnsupportedMediaType("application/json"),
                JsonPayloadError::Deserialize(e) if e.is_data() => ApiError::bad_request(
                    "invalid_body",
                    without_values(&without_type_names(&e.to_string())),
                ),
                JsonPayloadError::Deserialize(e) => {
                    ApiError::bad_request("malformed_json", e.to_string())
                }
                _ => ApiError::bad_request("malformed_body", "the request body could not be read"),
            };
            api_error.into()
        })
}

/// serde names our Rust types in some messages ("expected struct NewActivityDto"): clients get
/// "expected a JSON object" instead.
pub(crate) fn without_type_names(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find("struct ") {
        out.push_str(&rest[..at]);
        out.push_str("a JSON object");
        let after = &rest[at + "struct ".len()..];
        let name_len = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        rest = &after[name_len..];
    }
    out.push_str(rest);
    out
}

/// serde repeats the offending value in some messages (``invalid type: integer `8801711555123`,
/// expected a string``). A value sent in the wrong place may be a name or a phone number, and
/// answers are kept (idempotency) and logged: clients get the kind of value and what was
/// expected, never the value itself.
pub(crate) fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    loop {
        let next = ["invalid type: ", "invalid value: ", "unknown variant "]
            .iter()
            .filter_map(|marker| rest.find(marker).map(|at| (at, marker.len())))
            .min();
        let Some((at, marker_len)) = next else {
            break;
        };
        let start = at + marker_len;
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        // The value runs up to ", expected" (or the end); its kind is the words before the first
        // quote or backtick.
        let end = after.find(", expected").unwrap_or(after.len());
        let unexpected = &after[..end];
        let kind_len = unexpected.find(['`', '"']).unwrap_or(unexpected.len());
        out.push_str(unexpected[..kind_len].trim_end());
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Query strings: problem+json naming what is wrong.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, _req| {
        let detail = match &error {
            QueryPayloadError::Deserialize(e) => without_values(&e.to_string()),
            _ => "the query string could not be read".to_owned(),
        };
        ApiError::bad_request("invalid_query", detail).into()
    })
}

/// Path segments such as ids: problem+json.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|error, _req| {
        let detail = match &error {
            PathError::Deserialize(_) => "the path holds an invalid id: ids are UUIDs".to_owned(),
            _ => "the path could not be read".to_owned(),
        };
        ApiError::bad_request("invalid_path", detail).into()
    })
}

/// What unknown routes get: `405` with `Allow` when the path is served with other methods,
/// `404` otherwise.
pub async fn route_not_found(req: HttpRequest) -> HttpResponse {
    let allowed = req
        .app_data::<web::Data<AllowedMethods>>()
        .map(|table| table.at(req.path()))
        .unwrap_or_default();
    if !allowed.is_empty() && !allowed.contains(req.method()) {
        let allow = allowed
            .iter()
            .map(Method::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        let mut response = problem_response(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            Some(format!("{} is served with {allow} only", req.path())),
        );
        if let Ok(value) = HeaderValue::from_str(&allow) {
            response.headers_mut().insert(header::ALLOW, value);
        }
        return response;
    }
    problem_response(
        StatusCode::NOT_FOUND,
        "route_not_found",
        Some(format!("no route {} {}", req.method(), req.path())),
    )
}

fn problem_response(status: StatusCode, code: &str, detail: Option<String>) -> HttpResponse {
    let problem = Problem {
        kind: format!("urn:gloact:problem:{code}"),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail,
        code: code.to_owned(),
        errors: Vec::new(),
        current_version: None,
        row_errors: Vec::new(),
    };
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)))
        .body(serde_json::to_string(&problem).unwrap_or_default())
}

/// The last line of defence: an error answer that is not problem+json yet (from actix itself or
/// a middleware) is replaced by one with a code derived from its status.
pub fn ensure_problem<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // The token endpoint answers as RFC 6749 says (plain JSON with `error`), not problem+json.
    let is_ours = res.request().path() == "/api/v1/oauth/token"
        || res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_ours {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let code = match status {
        StatusCode::NOT_FOUND => "route_not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "headers_too_large",
        s if s.is_client_error() => "bad_request",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        _ => "internal",
    };
    let (req, _) = res.into_parts();
    let response: HttpResponse<BoxBody> = problem_response(status, code, None);
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn type_names_are_not_sent() {
        assert_eq!(
            super::without_type_names(
                "invalid type: integer `1`, expected struct NewActivityDto at line 1 column 1"
            ),
            "invalid type: integer `1`, expected a JSON object at line 1 column 1"
        );
        assert_eq!(
            super::without_type_names("unknown field `x`"),
            "unknown field `x`"
        );
    }
}
