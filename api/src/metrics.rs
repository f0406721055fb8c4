//! `/metrics` in the Prometheus text format: counters and gauges of the process only, nothing
//! about the data, so it needs no token.

use actix_web::{HttpResponse, web};
use gloact_persistence::Db;

/// `GET /metrics`.
pub async fn get_metrics(db: web::Data<Db>) -> HttpResponse {
    let (size, idle) = db.pool_status();
    let body = format!(
        "# HELP gloact_db_statements_total SQL statements sent to PostgreSQL.\n\
         # TYPE gloact_db_statements_total counter\n\
         gloact_db_statements_total {}\n\
         # HELP gloact_db_pool_connections Connections the pool holds.\n\
         # TYPE gloact_db_pool_connections gauge\n\
         gloact_db_pool_connections {size}\n\
         # HELP gloact_db_pool_idle_connections Connections of the pool not in use.\n\
         # TYPE gloact_db_pool_idle_connections gauge\n\
         gloact_db_pool_idle_connections {idle}\n",
        db.statements_run()
    );
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body)
}
