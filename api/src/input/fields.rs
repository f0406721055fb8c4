//! Raw input fields into domain values, with each refusal recorded against the field's name so
//! that a client hears of every bad field at once.

use chrono::{DateTime, NaiveDate, Utc};
use gloact_domain::{ValueError, Violations};
use serde::{Deserialize, Deserializer};

use crate::error::ApiError;

/// A field of a change as sent: left out (keep what is stored), `null` (clear it), or a value.
/// In a JSON body the field carries `#[serde(default)]`, so that leaving it out is `Keep`;
/// GraphQL's `MaybeUndefined` converts into it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    /// Left out: the stored value stays.
    #[default]
    Keep,
    /// `null`: the stored value is cleared, where it may be.
    Clear,
    /// A new value.
    Set(T),
}

impl<T> Patch<T> {
    /// The same change with its value mapped.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Self::Keep => Patch::Keep,
            Self::Clear => Patch::Clear,
            Self::Set(value) => Patch::Set(f(value)),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            None => Self::Clear,
            Some(value) => Self::Set(value),
        })
    }
}

/// Earliest and latest years a date may have: wide for programme data, and well inside what
/// PostgreSQL's `date` holds.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// Parses a day written exactly as `YYYY-MM-DD`, between the years 1900 and 2200.
pub fn parse_date(raw: &str) -> Result<NaiveDate, ValueError> {
    let well_formed = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let date = well_formed
        .then(|| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| ValueError::new("invalid_date", "must be a date as YYYY-MM-DD"))?;
    within_years(date)
}

/// Refuses a day or time outside the years 1900 to 2200: PostgreSQL can't hold some of what
/// chrono parses, and nothing in the programme's data lies outside.
fn within_years<T: chrono::Datelike>(value: T) -> Result<T, ValueError> {
    if !YEARS.contains(&value.year()) {
        return Err(ValueError::new(
            "out_of_range",
            "must be between the years 1900 and 2200",
        ));
    }
    Ok(value)
}

/// Checks a day that arrived already parsed (a GraphQL `NaiveDate` argument, which takes years
/// of any size and sign) by the same rules as [`parse_date`]: a 400 `invalid_date` naming the
/// argument, before PostgreSQL is asked about a day it can't hold.
pub fn check_day(name: &str, day: Option<NaiveDate>) -> Result<Option<NaiveDate>, ApiError> {
    day.map(|day| {
        within_years(day)
            .map_err(|e| ApiError::bad_request("invalid_date", format!("{name}: {}", e.message)))
    })
    .transpose()
}

/// Refuses a time outside the years 1900 to 2200, as dates are.
pub fn check_time(time: DateTime<Utc>) -> Result<DateTime<Utc>, ValueError> {
    within_years(time)
}

/// A free-text filter of a query string: at most 200 characters, none of them a control
/// character (PostgreSQL's text can't hold a NUL).
pub fn query_text(name: &str, raw: Option<&str>) -> Result<Option<String>, ApiError> {
    query_value(name, raw, |text| {
        if text.chars().count() > 200 || text.chars().any(char::is_control) {
            return Err(ValueError::new(
                "invalid_text",
                "must be at most 200 characters, none of them control characters",
            ));
        }
        Ok(text.to_owned())
    })
}

/// Parses a filter value of a query string, refusing it with a 400 naming the parameter.
pub fn query_value<T>(
    name: &str,
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, ValueError>,
) -> Result<Option<T>, ApiError> {
    raw.map(|raw| {
        parse(raw).map_err(|e| ApiError::bad_request("invalid_query", format!("{name}: {e}")))
    })
    .transpose()
}

/// Parses a change to a clearable field, as the domain's changes hold it: `None` keeps,
/// `Some(None)` clears.
pub fn check_clearable<T, R: AsRef<str>>(
    violations: &mut Violations,
    field: &str,
    raw: Patch<R>,
    parse: impl FnOnce(&str) -> Result<T, ValueError>,
) -> Option<Option<T>> {
    match raw {
        Patch::Keep => None,
        Patch::Clear => Some(None),
        Patch::Set(raw) => violations.check(field, parse(raw.as_ref())).map(Some),
    }
}

/// The value of a change to a field that can't be cleared: `null` is refused like a bad value.
pub fn not_null<T>(violations: &mut Violations, field: &str, raw: Patch<T>) -> Option<T> {
    match raw {
        Patch::Keep => None,
        Patch::Clear => {
            violations.add(
                field,
                ValueError::new(
                    "null_not_allowed",
                    "can't be cleared: leave it out to keep it",
                ),
            );
            None
        }
        Patch::Set(value) => Some(value),
    }
}

/// Parses a change to a field that can't be cleared: `null` is refused like a bad value.
pub fn check_not_null<T, R: AsRef<str>>(
    violations: &mut Violations,
    field: &str,
    raw: Patch<R>,
    parse: impl FnOnce(&str) -> Result<T, ValueError>,
) -> Option<T> {
    let raw = not_null(violations, field, raw)?;
    violations.check(field, parse(raw.as_ref()))
}

/// Parses an optional input field; `None` when it is absent or refused (then recorded).
pub fn check_opt<T, R: AsRef<str>>(
    violations: &mut Violations,
    field: &str,
    raw: Option<R>,
    parse: impl FnOnce(&str) -> Result<T, ValueError>,
) -> Option<T> {
    raw.and_then(|raw| violations.check(field, parse(raw.as_ref())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict_and_bounded() {
        assert!(parse_date("2020-01-19").is_ok());
        for bad in [
            "2020-1-19",
            " 2020-01-19",
            "2020-02-30",
            "-5000-01-01",
            "20200119",
            "2020-01-19T00:00",
        ] {
            assert_eq!(
                parse_date(bad).map_err(|e| e.code),
                Err("invalid_date"),
                "{bad}"
            );
        }
        assert_eq!(
            parse_date("1899-12-31").map_err(|e| e.code),
            Err("out_of_range")
        );
        assert_eq!(
            parse_date("2201-01-01").map_err(|e| e.code),
            Err("out_of_range")
        );
    }
}
