//! The actix side of `/graphql`: the caller is authenticated exactly as for REST (a missing or
//! bad token is the same 401 problem), the body is capped by the server's body limit, and the
//! caller, the database and the request's loaders go into the request's data.

use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use async_graphql::{BatchRequest, BatchResponse, Executor, Request, Response, Value};
use async_graphql_actix_web::GraphQLSubscription;
use futures_util::Stream;
use futures_util::stream::{BoxStream, StreamExt};
use gloact_persistence::Db;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::GloactSchema;
use super::limits::{MUTATION_OVER_GET, ReadOnly, SubscriptionsOnly};
use super::loader::Loaders;
use crate::auth::{Authenticated, BearerToken, TokenError, token_service};
use crate::config::Settings;
use crate::error::ApiError;
use crate::service::Caller;
use crate::telemetry::RequestId;

/// `POST /graphql`: one operation, or a batch (a JSON array) of at most `graphql.max_batch`.
pub async fn post_graphql(
    schema: web::Data<GloactSchema>,
    db: web::Data<Db>,
    settings: web::Data<Settings>,
    Authenticated(caller): Authenticated,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    if !json {
        return Err(ApiError::UnsupportedMediaType("application/json"));
    }
    let batch: BatchRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(
            "malformed_json",
            format!("the body is not a GraphQL request: {e}"),
        )
    })?;
    run(&schema, &db, &settings, caller, batch, false).await
}

/// `GET /graphql`: GraphiQL without a query (where enabled), else one query from the query
/// string (`query`, `operationName`, `variables`). Mutations are refused: a GET must not write.
pub async fn get_graphql(
    schema: web::Data<GloactSchema>,
    db: web::Data<Db>,
    settings: web::Data<Settings>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    if req.query_string().is_empty() && settings.graphiql() {
        return Ok(super::graphiql::page());
    }
    let Authenticated(caller) = Authenticated::extract(&req).await?;
    let request = async_graphql::http::parse_query_string(req.query_string())
        .map_err(|e| ApiError::bad_request("invalid_query", e.to_string()))?;
    run(
        &schema,
        &db,
        &settings,
        caller,
        BatchRequest::Single(request),
        true,
    )
    .await
}

/// `GET /graphql` with `Upgrade: websocket`: subscriptions over graphql-transport-ws (or the
/// older graphql-ws). The token goes in the `Authorization` header of the upgrade request, checked
/// as for every request (401 without a valid one); browsers, which can't set that header on a
/// WebSocket, send it as `{"Authorization": "Bearer …"}` in the `connection_init` payload instead,
/// and the socket closes (1002, the reason starting with the error's code) unless it holds.
/// Either way it is checked again before every event.
pub async fn subscribe_graphql(
    schema: web::Data<GloactSchema>,
    db: web::Data<Db>,
    settings: web::Data<Settings>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let subscription = GraphQLSubscription::new(Coded(GloactSchema::clone(&schema)));
    let started = if req.headers().contains_key(header::AUTHORIZATION) {
        let Authenticated(caller) = Authenticated::extract(&req).await?;
        let token = BearerToken::of(&req)?;
        subscription
            .with_data(subscription_data(&db, caller, token))
            .start(&req, payload)
    } else {
        let tokens = token_service(&req)?;
        let request_id = RequestId::of(&req);
        let db = db.get_ref().clone();
        let authenticated = Arc::new(AtomicBool::new(false));
        let deadline = Duration::from_millis(settings.graphql.connection_init_timeout_ms);
        let payload = closed_unless_authenticated(payload, Arc::clone(&authenticated), deadline);
        subscription
            .on_connection_init(move |init| async move {
                let verified = async {
                    let authorization = init
                        .get("Authorization")
                        .or_else(|| init.get("authorization"))
                        .and_then(serde_json::Value::as_str)
                        .ok_or(ApiError::Unauthorized(TokenError::Missing))?;
                    let token = BearerToken::parse(authorization, tokens)?;
                    let actor = token.verify(&db).await?;
                    Ok::<_, ApiError>((token, actor))
                };
                // The socket closes with this as its reason: the code first, as a client can't
                // see `extensions` there.
                let (token, actor) = verified.await.map_err(|e| {
                    let problem = e.problem();
                    let detail = problem.detail.unwrap_or(problem.title);
                    async_graphql::Error::new(format!("{}: {detail}", problem.code))
                })?;
                authenticated.store(true, Ordering::Release);
                let caller = Caller { actor, request_id };
                Ok(subscription_data(&db, caller, token))
            })
            .start(&req, payload)
    };
    started.map_err(|e| ApiError::bad_request("invalid_upgrade", e.to_string()))
}

/// Most bytes a socket may send before its `connection_init` has authenticated it (that message
/// is a few hundred bytes; the library would buffer a fragmented message of any length).
const MAX_BYTES_BEFORE_AUTHENTICATION: usize = 16 * 1024;

/// A socket's input, ended (which closes the socket) when `authenticated` isn't set by
/// `deadline`, or when more than [`MAX_BYTES_BEFORE_AUTHENTICATION`] come before it is: a socket
/// opened without a token holds the server's resources only that long, and only that much,
/// unless its `connection_init` brings a valid one.
fn closed_unless_authenticated(
    payload: web::Payload,
    authenticated: Arc<AtomicBool>,
    deadline: Duration,
) -> impl Stream<Item = Result<Bytes, PayloadError>> {
    let in_time = Arc::clone(&authenticated);
    let expired = async move {
        tokio::time::sleep(deadline).await;
        if in_time.load(Ordering::Acquire) {
            std::future::pending::<()>().await;
        }
    };
    let mut received = 0_usize;
    payload
        .take_while(move |chunk| {
            if !authenticated.load(Ordering::Acquire) {
                received += chunk.as_ref().map_or(0, Bytes::len);
            }
            std::future::ready(received <= MAX_BYTES_BEFORE_AUTHENTICATION)
        })
        .take_until(expired)
}

/// The schema as the WebSocket runs it: every error gets its stable code, as over HTTP.
#[derive(Clone)]
struct Coded(GloactSchema);

impl Executor for Coded {
    fn execute(&self, request: Request) -> impl Future<Output = Response> + Send {
        let run = self.0.execute(request);
        async move {
            let mut response = run.await;
            code_errors(&mut response);
            response
        }
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<async_graphql::Data>>,
    ) -> BoxStream<'static, Response> {
        Executor::execute_stream(&self.0, request, session_data)
            .map(|mut response| {
                code_errors(&mut response);
                response
            })
            .boxed()
    }
}

/// What a subscription's resolvers read: the database, the caller and its token (checked again
/// before every event), loaders that don't cache (a subscription lives long: what it reads must
/// be read afresh), and the mark that lets only subscriptions run.
fn subscription_data(db: &Db, caller: Caller, token: BearerToken) -> async_graphql::Data {
    let loaders = Loaders::new(db, &caller);
    loaders.uncached();
    let mut data = async_graphql::Data::default();
    data.insert(db.clone());
    data.insert(caller);
    data.insert(token);
    data.insert(loaders);
    data.insert(SubscriptionsOnly);
    data
}

async fn run(
    schema: &GloactSchema,
    db: &Db,
    settings: &Settings,
    caller: Caller,
    batch: BatchRequest,
    read_only: bool,
) -> Result<HttpResponse, ApiError> {
    let (requests, is_batch) = match batch {
        BatchRequest::Single(request) => (vec![request], false),
        BatchRequest::Batch(requests) => (requests, true),
    };
    let max = settings.graphql.max_batch;
    if requests.is_empty() || requests.len() > max {
        return Err(ApiError::bad_request(
            "invalid_batch",
            format!("a batch holds 1 to {max} operations"),
        ));
    }
    let requests = requests
        .into_iter()
        .map(|request| {
            let request = request
                .data(db.clone())
                .data(Loaders::new(db, &caller))
                .data(caller.clone());
            if read_only {
                request.data(ReadOnly)
            } else {
                request
            }
        })
        .collect();
    let mut responses = match schema.execute_batch(BatchRequest::Batch(requests)).await {
        BatchResponse::Single(response) => vec![response],
        BatchResponse::Batch(responses) => responses,
    };
    responses.iter_mut().for_each(code_errors);
    let refused_get = read_only
        && responses
            .iter()
            .flat_map(|r| &r.errors)
            .any(|e| has_code(e, MUTATION_OVER_GET));
    if refused_get {
        // As the GraphQL-over-HTTP spec says: 405, and which methods would do.
        let mut http = HttpResponse::MethodNotAllowed();
        http.insert_header((header::ALLOW, "POST"));
        http.insert_header((header::CONTENT_TYPE, crate::error::PROBLEM_JSON));
        let problem = crate::error::Problem {
            kind: format!("urn:gloact:problem:{MUTATION_OVER_GET}"),
            title: "Method not allowed".into(),
            status: 405,
            detail: Some("GET requests may hold queries only: send mutations with POST".into()),
            code: MUTATION_OVER_GET.into(),
            errors: Vec::new(),
            current_version: None,
            row_errors: Vec::new(),
        };
        return Ok(http.body(serde_json::to_string(&problem).unwrap_or_default()));
    }
    let mut http = HttpResponse::Ok();
    // Answers may hold what only this caller may see.
    http.insert_header((header::CACHE_CONTROL, "no-store"));
    Ok(if is_batch {
        http.json(&responses)
    } else {
        http.json(responses.first())
    })
}

fn has_code(error: &async_graphql::ServerError, code: &str) -> bool {
    error
        .extensions
        .as_ref()
        .and_then(|e| e.get("code"))
        .is_some_and(|c| *c == Value::from(code))
}

/// Gives every error a stable `code`: resolvers' errors have REST's codes already; parsing,
/// validation and the built-in limits get theirs here.
fn code_errors(response: &mut Response) {
    for error in &mut response.errors {
        if error
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .is_some()
        {
            continue;
        }
        let code = match error.message.as_str() {
            "Query is too complex." => "query_too_complex",
            "Query is nested too deep." => "query_too_deep",
            m if m.starts_with("The number of directives on the field") => "too_many_directives",
            _ => "invalid_graphql",
        };
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code);
    }
}
