//! Errors of values that fail to parse, and the collector that gathers them per field.

use std::fmt;

/// Why one value was refused: a stable machine code and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ValueError {
    /// Stable code, e.g. `too_long`, `invalid_format`, `out_of_order`.
    pub code: &'static str,
    /// What is wrong, in words a client developer can act on.
    pub message: String,
}

impl ValueError {
    /// A refusal with a stable code and a message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// A refused value and the input field it came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The input field, as named on the wire (`participants.female`).
    pub field: String,
    /// Stable code of the rule that failed.
    pub code: String,
    /// What is wrong.
    pub message: String,
}

/// Every field error of one input, so that a client learns all of them in one answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
pub struct Violations(Vec<FieldError>);

impl Violations {
    /// Keeps the value when it parsed; records the error against `field` when it did not.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, ValueError>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(error) => {
                self.add(field, error);
                None
            }
        }
    }

    /// Like [`Violations::check`], for an optional input.
    pub fn check_opt<T, R>(
        &mut self,
        field: &str,
        raw: Option<R>,
        parse: impl FnOnce(R) -> Result<T, ValueError>,
    ) -> Option<Option<T>> {
        match raw {
            None => Some(None),
            Some(raw) => self.check(field, parse(raw)).map(Some),
        }
    }

    /// Keeps what a nested parse gave when it succeeded; records all its refusals when not.
    pub fn check_all<T>(&mut self, parsed: Result<T, Violations>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(more) => {
                self.0.extend(more.0);
                None
            }
        }
    }

    /// Records a refusal of `field`.
    pub fn add(&mut self, field: &str, error: ValueError) {
        self.0.push(FieldError {
            field: field.to_owned(),
            code: error.code.to_owned(),
            message: error.message,
        });
    }

    /// True when nothing was refused.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The refused fields, in input order.
    pub fn errors(&self) -> &[FieldError] {
        &self.0
    }

    /// `Ok(())` when nothing was refused, else the collected errors.
    pub fn into_result(self) -> Result<(), Violations> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    /// A single refusal of one field.
    pub fn single(field: &str, error: ValueError) -> Self {
        let mut violations = Self::default();
        violations.add(field, error);
        violations
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<&str> = self.0.iter().map(|e| e.field.as_str()).collect();
        write!(f, "invalid fields: {}", fields.join(", "))
    }
}
