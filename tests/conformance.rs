//! Every JSON answer a test reads is checked against the served OpenAPI document: the body must
//! be one of the schemas the contract gives for that path and status (whatever the method), so
//! a client generated from the contract can read everything the tests see. Paths the contract
//! leaves out (`/graphql`, `/metrics`) are not checked.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{Value, json};

/// The documented answers of one path template.
struct Documented {
    /// The template's segments; `None` for a `{parameter}`.
    segments: Vec<Option<String>>,
    /// For each status, a validator of the bodies any of its methods may answer with it.
    by_status: HashMap<u16, jsonschema::Validator>,
}

/// The served OpenAPI document.
pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        serde_json::from_str(&gloact_api::server::openapi_json().expect("the served contract"))
            .expect("the contract is JSON")
    })
}

fn contract() -> &'static [Documented] {
    static CONTRACT: OnceLock<Vec<Documented>> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        let spec = spec();
        let components = spec["components"].clone();
        let mut documented = Vec::new();
        for (template, operations) in spec["paths"].as_object().expect("paths") {
            let mut schemas: HashMap<u16, Vec<Value>> = HashMap::new();
            for operation in operations.as_object().expect("operations").values() {
                let Some(responses) = operation.get("responses").and_then(Value::as_object) else {
                    continue;
                };
                for (status, response) in responses {
                    let Ok(status) = status.parse::<u16>() else {
                        continue;
                    };
                    let content = response.get("content").and_then(Value::as_object);
                    for (media_type, body) in content.into_iter().flatten() {
                        if media_type.ends_with("json")
                            && let Some(schema) = body.get("schema")
                        {
                            schemas.entry(status).or_default().push(schema.clone());
                        }
                    }
                }
            }
            let by_status = schemas
                .into_iter()
                .map(|(status, any_of)| {
                    // The root carries the components, so that `#/components/schemas/...`
                    // resolves inside it.
                    let root = json!({ "components": components, "anyOf": any_of });
                    let validator = jsonschema::validator_for(&root)
                        .unwrap_or_else(|e| panic!("{template} {status}: not a schema: {e}"));
                    (status, validator)
                })
                .collect();
            let segments = template
                .split('/')
                .map(|s| (!s.starts_with('{')).then(|| s.to_owned()))
                .collect();
            documented.push(Documented {
                segments,
                by_status,
            });
        }
        documented
    })
}

/// A validator of the contract's `Problem`.
fn problem() -> &'static jsonschema::Validator {
    static PROBLEM: OnceLock<jsonschema::Validator> = OnceLock::new();
    PROBLEM.get_or_init(|| {
        let root = json!({
            "components": spec()["components"],
            "$ref": "#/components/schemas/Problem",
        });
        jsonschema::validator_for(&root).expect("Problem is a schema")
    })
}

fn matches(template: &[Option<String>], path: &str) -> bool {
    let segments: Vec<&str> = path.split('/').collect();
    segments.len() == template.len()
        && template.iter().zip(&segments).all(|(t, s)| match t {
            Some(literal) => literal == s,
            None => !s.is_empty(),
        })
}

/// Panics unless `body`, served at `path` with `status`, is documented: its path and status are
/// in the contract and it validates against one of their schemas. Literal paths win over
/// templates (`/field-reports:batch` is not `/field-reports/{id}`).
pub fn check(path: &str, status: u16, body: &Value) {
    let mut candidates: Vec<&Documented> = contract()
        .iter()
        .filter(|d| matches(&d.segments, path))
        .collect();
    candidates.sort_by_key(|d| d.segments.iter().filter(|s| s.is_none()).count());
    let Some(documented) = candidates.first() else {
        return;
    };
    // An error no operation lists (a 405 for a method the path isn't served with) is still a
    // documented problem.
    let validator = match documented.by_status.get(&status) {
        Some(validator) => validator,
        None if status >= 400 => problem(),
        None => panic!("{path} answered {status}, which the contract does not document: {body}"),
    };
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(5)
        .collect();
    assert!(
        errors.is_empty(),
        "{path} answered {status} with a body the contract does not describe: {errors:?}\n{body}"
    );
}
