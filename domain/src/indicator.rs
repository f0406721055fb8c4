//! The results framework, after IATI: indicators and their periods with targets and actuals.

use crate::change::RowMeta;
use crate::id::{IndicatorId, IndicatorPeriodId, ProgrammeId};
use crate::validation::{ValueError, Violations};
use crate::value::{Code, Figure, Period, Title};
use crate::wire_enum::wire_enum;

wire_enum! {
    /// The level of the results chain an indicator measures.
    pub enum ResultLevel {
        /// A change the programme contributes to.
        Outcome => "outcome",
        /// Something the programme delivers.
        Output => "output",
    }
}

wire_enum! {
    /// How an indicator is measured.
    pub enum Measure {
        /// A count of things or people.
        Unit => "unit",
        /// A percentage, 0 to 100.
        Percentage => "percentage",
    }
}

/// An indicator as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    /// Chosen by the server that stored it (a UUIDv7); indicators are not created over the API.
    pub id: IndicatorId,
    /// The programme it measures.
    pub programme_id: ProgrammeId,
    /// Its code, unique within the programme.
    pub code: Code,
    /// What it measures.
    pub title: Title,
    /// Outcome or output.
    pub result_level: ResultLevel,
    /// Unit or percentage.
    pub measure: Measure,
    /// The value before the programme.
    pub baseline_value: Option<Figure>,
    /// The year of the baseline.
    pub baseline_year: Option<i32>,
    /// Whether actuals are broken down by sex.
    pub disaggregated_by_sex: bool,
    /// Bookkeeping.
    pub meta: RowMeta,
}

/// One reporting period of an indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorPeriod {
    /// Chosen by the server that stored it (a UUIDv7); periods are not created over the API.
    pub id: IndicatorPeriodId,
    /// The indicator.
    pub indicator_id: IndicatorId,
    /// The days it covers.
    pub period: Period,
    /// What the programme aims for.
    pub target: Option<Figure>,
    /// What was reached.
    pub actual: Option<Figure>,
    /// What was reached among women, where the indicator is broken down by sex.
    pub actual_female: Option<Figure>,
    /// What was reached among men, where the indicator is broken down by sex.
    pub actual_male: Option<Figure>,
    /// Bookkeeping.
    pub meta: RowMeta,
}

/// An indicator with its periods, in date order.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorDetail {
    /// The indicator.
    pub indicator: Indicator,
    /// Its reporting periods.
    pub periods: Vec<IndicatorPeriod>,
}

/// An actual value reported for a period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Actual {
    /// The value.
    pub value: Figure,
    /// Among women.
    pub female: Option<Figure>,
    /// Among men.
    pub male: Option<Figure>,
}

impl Actual {
    /// Checks an actual against its indicator: percentages stay within 100, a breakdown by sex
    /// only where the indicator has one, and counts by sex add up to no more than the total.
    pub fn check_against(&self, indicator: &Indicator) -> Result<(), Violations> {
        let mut violations = Violations::default();
        let by_sex = [("female", self.female), ("male", self.male)];
        if indicator.measure == Measure::Percentage {
            for (field, figure) in [("value", Some(self.value))].into_iter().chain(by_sex) {
                if figure.is_some_and(|f| f.get() > 100.0) {
                    violations.add(
                        field,
                        ValueError::new("out_of_range", "a percentage must be at most 100"),
                    );
                }
            }
        }
        if !indicator.disaggregated_by_sex {
            for (field, figure) in by_sex {
                if figure.is_some() {
                    violations.add(
                        field,
                        ValueError::new(
                            "not_disaggregated",
                            "this indicator is not broken down by sex",
                        ),
                    );
                }
            }
        } else if indicator.measure == Measure::Unit {
            let sum = self.female.map_or(0.0, Figure::get) + self.male.map_or(0.0, Figure::get);
            if sum > self.value.get() {
                violations.add(
                    "value",
                    ValueError::new(
                        "less_than_breakdown",
                        "must be at least the sum of female and male",
                    ),
                );
            }
        }
        violations.into_result()
    }
}
