//! Which methods a path is served with, so that a known path asked with another method is
//! answered `405 Method Not Allowed` with `Allow` (RFC 9110, section 15.5.6), not `404`.
//!
//! The table is read off the OpenAPI document of the routes served (one source of truth: a new
//! route is in it as soon as it is registered), plus the few routes the document does not list.

use actix_web::http::Method;
use serde_json::Value;

/// One path template: literal segments and `{parameter}` segments, which match any one segment.
#[derive(Debug)]
struct Template {
    segments: Vec<Option<String>>,
    methods: Vec<Method>,
}

impl Template {
    fn new(path: &str, methods: Vec<Method>) -> Self {
        let segments = path
            .split('/')
            .map(|segment| {
                (!(segment.starts_with('{') && segment.ends_with('}'))).then(|| segment.to_owned())
            })
            .collect();
        Self { segments, methods }
    }

    fn matches(&self, path: &str) -> bool {
        let mut segments = path.split('/');
        let all_match = self.segments.iter().all(|template| {
            segments.next().is_some_and(|segment| match template {
                Some(literal) => literal == segment,
                None => !segment.is_empty(),
            })
        });
        all_match && segments.next().is_none()
    }
}

/// The methods served at each path.
#[derive(Debug)]
pub struct AllowedMethods {
    templates: Vec<Template>,
}

/// The keys of an OpenAPI path item that name operations.
const OPERATIONS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Routes served outside the OpenAPI document.
const UNDOCUMENTED: [(&str, &[Method]); 4] = [
    ("/graphql", &[Method::GET, Method::POST]),
    ("/api/openapi.json", &[Method::GET]),
    ("/docs", &[Method::GET]),
    ("/metrics", &[Method::GET]),
];

impl AllowedMethods {
    /// The table of a served OpenAPI document (as JSON) and the routes it does not list.
    pub fn new(spec: &Value) -> Self {
        let documented = spec["paths"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(path, item)| {
                let methods = item
                    .as_object()
                    .into_iter()
                    .flat_map(|operations| operations.keys())
                    // A path item also holds `parameters`, `summary`…: only its operations count.
                    .filter(|key| OPERATIONS.contains(&key.as_str()))
                    .filter_map(|method| Method::from_bytes(method.to_uppercase().as_bytes()).ok())
                    .collect();
                Template::new(path, methods)
            });
        let undocumented = UNDOCUMENTED
            .iter()
            .map(|(path, methods)| Template::new(path, methods.to_vec()));
        Self {
            templates: documented.chain(undocumented).collect(),
        }
    }

    /// The methods `path` is served with, in a stable order; empty when no route has this path.
    pub fn at(&self, path: &str) -> Vec<Method> {
        let mut methods: Vec<Method> = self
            .templates
            .iter()
            .filter(|template| template.matches(path))
            .flat_map(|template| template.methods.iter().cloned())
            .collect();
        methods.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        methods.dedup();
        methods
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_path_is_matched_segment_by_segment() {
        let table = AllowedMethods::new(&json!({"paths": {
            "/api/v1/activities": {"get": {}, "post": {}, "parameters": [], "summary": "x"},
            "/api/v1/activities/{id}": {"get": {}, "patch": {}, "delete": {}},
        }}));
        assert_eq!(table.at("/api/v1/activities"), [Method::GET, Method::POST]);
        assert_eq!(
            table.at("/api/v1/activities/0190"),
            [Method::DELETE, Method::GET, Method::PATCH]
        );
        assert!(table.at("/api/v1/activities/").is_empty());
        assert!(table.at("/api/v1/activities/0190/more").is_empty());
        assert!(table.at("/api/v1/nothing").is_empty());
        assert_eq!(table.at("/graphql"), [Method::GET, Method::POST]);
    }
}
