//! `Idempotency-Key` (IETF httpapi draft) for the writes of phones on shaky networks: the first
//! request under a key runs and its answer is kept; a retry gets that answer again
//! (`Idempotent-Replayed: true`), a different request under the same key gets 422, and a retry
//! while the first still runs gets 409. Keys belong to one caller and are kept 24 hours.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use gloact_persistence::Db;
use gloact_persistence::idempotency::{self, Claim, KeptAnswer};
use gloact_persistence::sealed::SealingKey;

use crate::error::ApiError;
use crate::service::Caller;

/// The request header.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// Said on an answer that was kept from an earlier request.
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// How long a retry waits for the first request under its key to finish.
const IN_PROGRESS_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// The key of a request, if it sent one: 1 to 255 visible ASCII characters, optionally quoted
/// (the draft's structured-field string).
fn key_of(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    if text.is_empty() || text.len() > 255 || !text.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::bad_request(
            "invalid_idempotency_key",
            "Idempotency-Key must be 1 to 255 visible ASCII characters",
        ));
    }
    Ok(Some(text.to_owned()))
}

/// What a kept answer carries, for the audit trail when it goes out again.
#[derive(Debug, Clone, Copy)]
pub enum Carries {
    /// A row of this audited type, named by the answer's `id`: a replay is recorded as a read.
    Row(&'static str),
    /// Nothing audited (ids and outcomes only).
    Nothing,
}

/// Runs `run` once per key of the caller; without a key it simply runs. The body is kept only as
/// a fingerprint keyed by `keys` (it may hold identifying fields). A replayed answer that
/// `carries` a row is on the audit trail as a read of it.
pub async fn once(
    req: &HttpRequest,
    db: &Db,
    keys: &SealingKey,
    caller: &Caller,
    body: &serde_json::Value,
    carries: Carries,
    run: impl Future<Output = Result<HttpResponse, ApiError>>,
) -> Result<HttpResponse, ApiError> {
    let Some(key) = key_of(req)? else {
        return run.await;
    };
    let owner = format!("{}/{}", caller.actor.organization, caller.actor.subject);
    // serde_json's maps are sorted, so the same JSON gives the same fingerprint however its
    // fields were ordered.
    let fingerprints =
        keys.fingerprints(format!("{} {}\n{body}", req.method(), req.path()).as_bytes());
    let mut claim = idempotency::claim(db, &owner, &key, &fingerprints).await?;
    // A retry that races the first request waits a moment for its answer, so that simultaneous
    // sends are all answered alike; only a first request still running after that is a 409.
    let deadline = tokio::time::Instant::now() + IN_PROGRESS_WAIT;
    while claim == Claim::InProgress && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        claim = idempotency::claim(db, &owner, &key, &fingerprints).await?;
    }
    match claim {
        Claim::Mismatch => Err(ApiError::IdempotencyKeyReused),
        Claim::InProgress => Err(ApiError::Conflict {
            code: "idempotency_request_in_progress",
            detail: "the first request under this key is still running: retry shortly".into(),
        }),
        Claim::Replay(kept) => {
            if let (Carries::Row(resource_type), Some(id)) = (carries, row_id(&kept)) {
                crate::service::audit::record_replayed_read(db, caller, resource_type, id).await?;
            }
            Ok(respond(&kept, true))
        }
        Claim::Run(claim) => {
            let response = run.await.unwrap_or_else(|error| error.error_response());
            if response.status().is_server_error() {
                // Our failure, not the request's: the retry should run again.
                idempotency::release(db, &owner, &key, claim).await?;
                return Ok(response);
            }
            let kept = keep(response).await?;
            idempotency::complete(db, &owner, &key, claim, &kept).await?;
            Ok(respond(&kept, false))
        }
    }
}

/// The `id` of the row a kept successful answer carries.
fn row_id(kept: &KeptAnswer) -> Option<String> {
    if !(200..300).contains(&kept.status) {
        return None;
    }
    let body: serde_json::Value = serde_json::from_slice(&kept.body).ok()?;
    body.get("id")?.as_str().map(str::to_owned)
}

/// The parts of an answer that a retry must get again.
async fn keep(response: HttpResponse) -> Result<KeptAnswer, ApiError> {
    let header = |name: header::HeaderName| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (status, etag, location, content_type) = (
        response.status().as_u16(),
        header(header::ETAG),
        header(header::LOCATION),
        header(header::CONTENT_TYPE),
    );
    let body = actix_web::body::to_bytes(response.into_body())
        .await
        .map_err(|_| ApiError::internal("could not read an answer to keep it"))?;
    Ok(KeptAnswer {
        status,
        etag,
        location,
        content_type,
        body: body.to_vec(),
    })
}

fn respond(kept: &KeptAnswer, replayed: bool) -> HttpResponse {
    let mut response =
        HttpResponse::build(StatusCode::from_u16(kept.status).unwrap_or(StatusCode::OK));
    for (name, value) in [
        (header::ETAG, &kept.etag),
        (header::LOCATION, &kept.location),
        (header::CONTENT_TYPE, &kept.content_type),
    ] {
        if let Some(value) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            response.insert_header((name, value));
        }
    }
    if replayed {
        response.insert_header((REPLAYED, HeaderValue::from_static("true")));
    }
    response.body(kept.body.clone())
}
