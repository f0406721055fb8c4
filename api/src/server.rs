//! The HTTP server: the app with its middleware, routes and documents, bound and ready to run.

use std::net::{SocketAddr, TcpListener};

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::{Compress, ErrorHandlers, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use gloact_persistence::Db;
use utoipa::openapi::OpenApi;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::TokenService;
use crate::config::Settings;
use crate::rest;

/// A bound server, ready to run.
pub struct Application {
    server: Server,
    /// The database, to write what is queued when the server stops.
    db: Db,
    /// The task that seals the audit trail and folds the dashboards' counts, when this replica
    /// runs one, and the key it signs checkpoints with.
    sealer: Option<(tokio::task::JoinHandle<()>, crate::auth::CheckpointKey)>,
    port: u16,
    /// The listener of `/metrics` alone, when it has one, and its port.
    metrics: Option<(Server, u16)>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

/// The OpenAPI document of the routes this server serves.
pub fn openapi() -> OpenApi {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(rest::openapi::skeleton())
        .configure(routes)
        .split_for_parts();
    rest::openapi::finish(&mut api);
    api
}

/// The OpenAPI document as the committed contract file holds it: pretty JSON.
pub fn openapi_json() -> serde_json::Result<String> {
    serde_json::to_string_pretty(&openapi())
}

fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(scope::scope("/api/v1").configure(rest::api_v1))
        .service(rest::health::get_liveness)
        .service(rest::jwks::get_jwks)
        .service(rest::health::get_readiness);
}

impl Application {
    /// Binds `settings.listen` (port 0 picks a free one) and builds the server; fails when the key
    /// of identifying fields (`settings.pii`) can't be read. With
    /// `handle_signals`, Ctrl-C and SIGTERM stop it gracefully: in-flight requests finish.
    pub fn build(
        settings: &Settings,
        db: Db,
        tokens: TokenService,
        handle_signals: bool,
    ) -> std::io::Result<Self> {
        // The key of identifying fields is checked before anything is bound: a server that can't
        // open what it stores must not start.
        let sealing_key = web::Data::new(settings.sealing_key().map_err(std::io::Error::other)?);
        let listener = TcpListener::bind(settings.listen)?;
        let port = listener.local_addr()?.port();
        let metrics = settings
            .metrics_listen
            .map(|address| metrics_server(address, db.clone()))
            .transpose()?;
        let metrics_here = metrics.is_none();
        db.start_read_recorder(settings.audit.read_queue);
        let sealer = match settings.audit.seal_interval_ms {
            0 => None,
            ms => {
                let key =
                    crate::auth::CheckpointKey::new(tokens.key()).map_err(std::io::Error::other)?;
                let task = tokio::spawn(crate::service::audit::keep_up(
                    db.clone(),
                    key.clone(),
                    std::time::Duration::from_millis(ms),
                ));
                Some((task, key))
            }
        };
        let app_db = db.clone();
        let spec = web::Data::new(openapi());
        let allowed_methods = web::Data::new(rest::methods::AllowedMethods::new(
            &serde_json::to_value(spec.get_ref()).map_err(std::io::Error::other)?,
        ));
        let db = web::Data::new(db);
        let tokens = web::Data::new(tokens);
        let shared_settings = web::Data::new(settings.clone());
        let graphql_schema = web::Data::new(crate::graphql::schema(settings));
        let max_body_bytes = settings.max_body_bytes;
        let server = HttpServer::new(move || {
            let spec_json = spec.clone();
            App::new()
                .app_data(db.clone())
                .app_data(tokens.clone())
                .app_data(sealing_key.clone())
                .app_data(shared_settings.clone())
                .app_data(graphql_schema.clone())
                .app_data(allowed_methods.clone())
                .app_data(rest::errors::json_config(max_body_bytes))
                .app_data(rest::errors::query_config())
                .app_data(rest::errors::path_config())
                .app_data(web::PayloadConfig::new(max_body_bytes))
                .wrap(ErrorHandlers::new().default_handler(rest::errors::ensure_problem))
                .wrap(Compress::default())
                .wrap(from_fn(crate::telemetry::request_span))
                .into_utoipa_app()
                .configure(routes)
                .into_app()
                .route(
                    "/api/openapi.json",
                    web::get().to(move || {
                        let spec = spec_json.clone();
                        async move { HttpResponse::Ok().json(spec.get_ref()) }
                    }),
                )
                .service(
                    SwaggerUi::new("/docs/{_:.*}")
                        .url("/docs/openapi.json", spec.get_ref().clone()),
                )
                .route(
                    "/graphql",
                    web::post().to(crate::graphql::http::post_graphql),
                )
                .route(
                    "/graphql",
                    web::get()
                        .guard(actix_web::guard::Header("upgrade", "websocket"))
                        .to(crate::graphql::http::subscribe_graphql),
                )
                .route("/graphql", web::get().to(crate::graphql::http::get_graphql))
                .route(
                    "/graphql/assets/{name}",
                    web::get().to(crate::graphql::graphiql::asset),
                )
                .configure(|cfg| {
                    if metrics_here {
                        cfg.route("/metrics", web::get().to(crate::metrics::get_metrics));
                    }
                })
                .route(
                    "/docs",
                    web::get().to(|| async {
                        HttpResponse::PermanentRedirect()
                            .insert_header(("location", "/docs/"))
                            .finish()
                    }),
                )
                .default_service(web::to(rest::errors::route_not_found))
        })
        .listen(listener)?
        .shutdown_timeout(30);
        let server = if handle_signals {
            server
        } else {
            server.disable_signals()
        };
        Ok(Self {
            server: server.run(),
            db: app_db,
            sealer,
            port,
            metrics,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// The port of the listener of `/metrics` alone, when it has one.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(_, port)| *port)
    }

    /// Serves until stopped; the listener of `/metrics` stops with the server. Then writes the
    /// audit events of reads still queued and, when this replica seals, seals what is left.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = match self.metrics {
            None => self.server.await,
            Some((metrics, _)) => {
                let metrics_handle = metrics.handle();
                let main = async {
                    let served = self.server.await;
                    metrics_handle.stop(true).await;
                    served
                };
                let (served, metrics_served) = tokio::join!(main, metrics);
                served.and(metrics_served)
            }
        };
        if let Err(error) = gloact_persistence::audit::flush_reads(&self.db).await {
            tracing::error!(%error, "audit events of reads queued at shutdown were not written");
        }
        if let Some((task, key)) = self.sealer {
            task.abort();
            if let Err(error) = crate::service::audit::seal_and_sign(&self.db, &key).await {
                tracing::error!(%error, "the audit trail was not sealed at shutdown");
            }
        }
        served
    }
}

/// The listener of `/metrics` alone, at `address`: one worker, stopped with the main server.
fn metrics_server(address: SocketAddr, db: Db) -> std::io::Result<(Server, u16)> {
    let listener = TcpListener::bind(address)?;
    let port = listener.local_addr()?.port();
    let db = web::Data::new(db);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(db.clone())
            .route("/metrics", web::get().to(crate::metrics::get_metrics))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    Ok((server, port))
}
