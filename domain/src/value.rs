//! Values parsed at the edge. Each constructor refuses what the programme's data can't hold, so
//! past the edge a value of these types needs no further checks.

use chrono::NaiveDate;

use crate::validation::ValueError;

/// A short stable identifier chosen by people: `GLOACT-BGD`, `UNODC-ROSA`, `NC-2020-M03`.
/// Upper-case letters, digits, `-`, `_` and `.`; starts with a letter or digit; 1 to 64 long.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Code(String);

impl Code {
    /// Parses a code, refusing lower case, spaces and other punctuation.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let valid_char =
            |c: char| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.');
        let starts_well = raw
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if raw.is_empty() || raw.len() > 64 || !starts_well || !raw.chars().all(valid_char) {
            return Err(ValueError::new(
                "invalid_code",
                "must be 1 to 64 upper-case letters, digits, '-', '_' or '.', starting with a letter or digit",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Trims and checks a human text: not blank, at most `max` characters, no control characters
/// other than line breaks and tabs where `multiline` allows them.
fn human_text(raw: &str, max: usize, multiline: bool) -> Result<String, ValueError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(ValueError::new("blank", "must not be blank"));
    }
    if text.chars().count() > max {
        return Err(ValueError::new(
            "too_long",
            format!("must be at most {max} characters"),
        ));
    }
    let allowed_control = |c: char| multiline && matches!(c, '\n' | '\r' | '\t');
    if text.chars().any(|c| c.is_control() && !allowed_control(c)) {
        return Err(ValueError::new(
            "invalid_characters",
            "must not contain control characters",
        ));
    }
    Ok(text.to_owned())
}

macro_rules! text_value {
    ($(#[$meta:meta])* $name:ident, max = $max:literal, multiline = $multiline:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Maximum length in characters.
            pub const MAX_CHARS: usize = $max;

            /// Trims the text and refuses it when blank, too long or holding control characters.
            pub fn parse(raw: &str) -> Result<Self, ValueError> {
                human_text(raw, $max, $multiline).map(Self)
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}

text_value!(
    /// A name or title on one line: an organization's name, an activity's title.
    Title, max = 300, multiline = false
);
text_value!(
    /// A longer text that may span lines: a description, an objective, evidence.
    Narrative, max = 10000, multiline = true
);
text_value!(
    /// A place: a venue, a town.
    Location, max = 200, multiline = false
);
text_value!(
    /// An identifier from the IATI registry (`XM-DAC-41114-PROJECT-...`, `XI-IATI-EC_INTPA`).
    IatiRef, max = 150, multiline = false
);

/// An administrative district, e.g. `Dhaka` or `Cox's Bazar`: letters (any script), spaces, `-`,
/// `'` and `.`, 2 to 100 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct District(String);

impl District {
    /// Parses a district name.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let text = raw.trim();
        let valid_char =
            |c: char| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.' | '\u{2019}');
        let length = text.chars().count();
        if !(2..=100).contains(&length) || !text.chars().all(valid_char) {
            return Err(ValueError::new(
                "invalid_district",
                "must be a district name of 2 to 100 letters, spaces, '-', ''' or '.'",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// The district's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An ISO 3166-1 alpha-3 country code, e.g. `BGD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 3]);

impl CountryCode {
    /// Parses an assigned ISO 3166-1 alpha-3 code (upper case).
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let bytes: [u8; 3] = raw
            .as_bytes()
            .try_into()
            .ok()
            .filter(|b: &[u8; 3]| b.iter().all(u8::is_ascii_uppercase))
            .ok_or_else(|| {
                ValueError::new(
                    "invalid_country",
                    "must be an ISO 3166-1 alpha-3 code in upper case, e.g. BGD",
                )
            })?;
        if crate::value::iso3166::ALPHA3.binary_search(&raw).is_err() {
            return Err(ValueError::new(
                "unknown_country",
                format!("{raw} is not an assigned ISO 3166-1 alpha-3 code"),
            ));
        }
        Ok(Self(bytes))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters get in through `parse`.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl serde::Serialize for CountryCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A number of people: never negative, at most a million.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize)]
#[serde(transparent)]
pub struct Count(u32);

impl Count {
    /// The largest count accepted: far above any meeting or workshop.
    pub const MAX: i64 = 1_000_000;

    /// Parses a count from a JSON integer.
    pub fn parse(raw: i64) -> Result<Self, ValueError> {
        if raw < 0 {
            return Err(ValueError::new("negative", "must not be negative"));
        }
        if raw > Self::MAX {
            return Err(ValueError::new(
                "too_large",
                format!("must be at most {}", Self::MAX),
            ));
        }
        Ok(Self(
            u32::try_from(raw).map_err(|_| ValueError::new("too_large", "too large"))?,
        ))
    }

    /// The count.
    pub const fn get(self) -> u32 {
        self.0
    }
}

/// A span of days that may be open at either end; when both ends are known, start <= end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DateSpan {
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
}

impl DateSpan {
    /// Refuses an end before the start.
    pub fn new(start: Option<NaiveDate>, end: Option<NaiveDate>) -> Result<Self, ValueError> {
        match (start, end) {
            (Some(s), Some(e)) if e < s => Err(ValueError::new(
                "out_of_order",
                "end must not be before start",
            )),
            _ => Ok(Self { start, end }),
        }
    }

    /// First day, when known.
    pub const fn start(&self) -> Option<NaiveDate> {
        self.start
    }

    /// Last day, when known.
    pub const fn end(&self) -> Option<NaiveDate> {
        self.end
    }
}

/// A closed span of days: both ends known, start <= end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    start: NaiveDate,
    end: NaiveDate,
}

impl Period {
    /// Refuses an end before the start.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self, ValueError> {
        if end < start {
            return Err(ValueError::new(
                "out_of_order",
                "end must not be before start",
            ));
        }
        Ok(Self { start, end })
    }

    /// First day.
    pub const fn start(&self) -> NaiveDate {
        self.start
    }

    /// Last day.
    pub const fn end(&self) -> NaiveDate {
        self.end
    }
}

/// A measured or targeted figure: finite and not negative.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, serde::Serialize)]
#[serde(transparent)]
pub struct Figure(f64);

impl Figure {
    /// Parses a figure; refuses NaN, infinities and negative numbers.
    pub fn parse(raw: f64) -> Result<Self, ValueError> {
        if !raw.is_finite() || raw < 0.0 {
            return Err(ValueError::new(
                "invalid_figure",
                "must be a finite number, not negative",
            ));
        }
        Ok(Self(raw))
    }

    /// The figure.
    pub const fn get(self) -> f64 {
        self.0
    }
}

mod iso3166 {
    /// Assigned ISO 3166-1 alpha-3 codes, sorted for binary search.
    pub(super) const ALPHA3: &[&str] = &[
        "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF",
        "ATG", "AUS", "AUT", "AZE", "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS",
        "BIH", "BLM", "BLR", "BLZ", "BMU", "BOL", "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", "CAF",
        "CAN", "CCK", "CHE", "CHL", "CHN", "CIV", "CMR", "COD", "COG", "COK", "COL", "COM", "CPV",
        "CRI", "CUB", "CUW", "CXR", "CYM", "CYP", "CZE", "DEU", "DJI", "DMA", "DNK", "DOM", "DZA",
        "ECU", "EGY", "ERI", "ESH", "ESP", "EST", "ETH", "FIN", "FJI", "FLK", "FRA", "FRO", "FSM",
        "GAB", "GBR", "GEO", "GGY", "GHA", "GIB", "GIN", "GLP", "GMB", "GNB", "GNQ", "GRC", "GRD",
        "GRL", "GTM", "GUF", "GUM", "GUY", "HKG", "HMD", "HND", "HRV", "HTI", "HUN", "IDN", "IMN",
        "IND", "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR", "ITA", "JAM", "JEY", "JOR", "JPN", "KAZ",
        "KEN", "KGZ", "KHM", "KIR", "KNA", "KOR", "KWT", "LAO", "LBN", "LBR", "LBY", "LCA", "LIE",
        "LKA", "LSO", "LTU", "LUX", "LVA", "MAC", "MAF", "MAR", "MCO", "MDA", "MDG", "MDV", "MEX",
        "MHL", "MKD", "MLI", "MLT", "MMR", "MNE", "MNG", "MNP", "MOZ", "MRT", "MSR", "MTQ", "MUS",
        "MWI", "MYS", "MYT", "NAM", "NCL", "NER", "NFK", "NGA", "NIC", "NIU", "NLD", "NOR", "NPL",
        "NRU", "NZL", "OMN", "PAK", "PAN", "PCN", "PER", "PHL", "PLW", "PNG", "POL", "PRI", "PRK",
        "PRT", "PRY", "PSE", "PYF", "QAT", "REU", "ROU", "RUS", "RWA", "SAU", "SDN", "SEN", "SGP",
        "SGS", "SHN", "SJM", "SLB", "SLE", "SLV", "SMR", "SOM", "SPM", "SRB", "SSD", "STP", "SUR",
        "SVK", "SVN", "SWE", "SWZ", "SXM", "SYC", "SYR", "TCA", "TCD", "TGO", "THA", "TJK", "TKL",
        "TKM", "TLS", "TON", "TTO", "TUN", "TUR", "TUV", "TWN", "TZA", "UGA", "UKR", "UMI", "URY",
        "USA", "UZB", "VAT", "VCT", "VEN", "VGB", "VIR", "VNM", "VUT", "WLF", "WSM", "YEM", "ZAF",
        "ZMB", "ZWE",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_list_is_sorted_and_complete() {
        assert!(iso3166::ALPHA3.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(iso3166::ALPHA3.len(), 249);
        assert!(CountryCode::parse("BGD").is_ok());
        assert_eq!(
            CountryCode::parse("XXX").map_err(|e| e.code),
            Err("unknown_country")
        );
        assert_eq!(
            CountryCode::parse("bgd").map_err(|e| e.code),
            Err("invalid_country")
        );
    }

    #[test]
    fn codes_refuse_lower_case_and_spaces() {
        assert!(Code::parse("GLOACT-BGD").is_ok());
        assert!(Code::parse("gloact").is_err());
        assert!(Code::parse("A B").is_err());
        assert!(Code::parse("-A").is_err());
        assert!(Code::parse(&"A".repeat(65)).is_err());
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(
            Title::parse("  Workshop ").map(|t| t.as_str().to_owned()),
            Ok("Workshop".to_owned())
        );
        assert_eq!(Title::parse("   ").map_err(|e| e.code), Err("blank"));
        assert_eq!(
            Title::parse("a\nb").map_err(|e| e.code),
            Err("invalid_characters")
        );
        assert!(Narrative::parse("a\nb").is_ok());
        assert_eq!(
            Title::parse(&"x".repeat(301)).map_err(|e| e.code),
            Err("too_long")
        );
    }

    #[test]
    fn districts_counts_and_spans() {
        assert!(District::parse("Cox's Bazar").is_ok());
        assert!(District::parse("ঢাকা").is_ok());
        assert!(District::parse("D1").is_err());
        assert_eq!(Count::parse(-1).map_err(|e| e.code), Err("negative"));
        assert_eq!(Count::parse(3).map(Count::get), Ok(3));
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        assert!(DateSpan::new(d("2020-01-23"), d("2020-01-19")).is_err());
        assert!(DateSpan::new(d("2020-01-19"), None).is_ok());
        assert!(Figure::parse(f64::NAN).is_err());
    }
}
