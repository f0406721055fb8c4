//! GraphiQL served from the binary: the page and its scripts and styles, vendored in
//! `api/assets/graphiql/` (see its `NOTICE.md`), so that it works with no internet connection.
//! Each asset is served under a name holding a hash of its content and cached for a year; the
//! page, which names them, is not cached, and its content security policy allows scripts, styles
//! and requests to this server only.

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use sha2::{Digest, Sha256};

use crate::config::Settings;
use crate::error::ApiError;

/// The policy of the page: nothing from elsewhere, no inline script. GraphiQL sets styles on its
/// elements, hence inline styles.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// A vendored file.
struct Asset {
    /// Its name, before the hash is put in.
    name: &'static str,
    content_type: &'static str,
    content: &'static [u8],
}

const ASSETS: [Asset; 5] = [
    Asset {
        name: "graphiql.min.css",
        content_type: "text/css; charset=utf-8",
        content: include_bytes!("../../assets/graphiql/graphiql.min.css"),
    },
    Asset {
        name: "react.production.min.js",
        content_type: "text/javascript; charset=utf-8",
        content: include_bytes!("../../assets/graphiql/react.production.min.js"),
    },
    Asset {
        name: "react-dom.production.min.js",
        content_type: "text/javascript; charset=utf-8",
        content: include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    },
    Asset {
        name: "graphiql.min.js",
        content_type: "text/javascript; charset=utf-8",
        content: include_bytes!("../../assets/graphiql/graphiql.min.js"),
    },
    Asset {
        name: "graphiql-init.js",
        content_type: "text/javascript; charset=utf-8",
        content: include_bytes!("../../assets/graphiql/graphiql-init.js"),
    },
];

/// Where the assets are served.
const PREFIX: &str = "/graphql/assets/";

/// Each asset's served name (`graphiql.min.<hash>.js`), in the order of [`ASSETS`].
fn served_names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        ASSETS
            .iter()
            .map(|asset| {
                let hash = Sha256::digest(asset.content);
                let hash: String = hash.iter().take(6).map(|b| format!("{b:02x}")).collect();
                let (stem, extension) = asset.name.rsplit_once('.').unwrap_or((asset.name, ""));
                format!("{stem}.{hash}.{extension}")
            })
            .collect()
    })
}

/// The GraphiQL page.
pub fn page() -> HttpResponse {
    let names = served_names();
    let mut head = String::new();
    let mut scripts = String::new();
    for (asset, name) in ASSETS.iter().zip(names) {
        if asset.name.ends_with(".css") {
            head.push_str(&format!(
                "<link rel=\"stylesheet\" href=\"{PREFIX}{name}\">\n"
            ));
        } else {
            scripts.push_str(&format!("<script src=\"{PREFIX}{name}\"></script>\n"));
        }
    }
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>GLO.ACT Partner API: GraphiQL</title>\n{head}</head>\n\
         <body style=\"margin: 0\">\n<div id=\"graphiql\" style=\"height: 100vh\">Loading GraphiQL…</div>\n\
         {scripts}</body>\n</html>\n"
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(html)
}

/// `GET /graphql/assets/{name}`: a vendored file by its served name (its content never changes
/// under that name), where GraphiQL is on.
pub async fn asset(
    name: web::Path<String>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    if !settings.graphiql() {
        return Err(ApiError::NotFound);
    }
    let (asset, _) = ASSETS
        .iter()
        .zip(served_names())
        .find(|(_, served)| **served == *name)
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(asset.content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(asset.content))
}
