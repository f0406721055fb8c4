//! Statistics with small-cell protection: a count under k (11, as the CTDC publishes) is withheld,
//! and so is whatever would let it be computed back from the totals served.

use crate::actor::{Actor, Role, Scope};
use crate::wire_enum::wire_enum;

wire_enum! {
    /// What field reports can be counted by.
    pub enum ReportDimension {
        /// Month it happened (`YYYY-MM`).
        Month => "month",
        /// District.
        District => "district",
        /// Kind of report.
        Kind => "kind",
        /// Sex of identified victims.
        Sex => "sex",
        /// Age band of identified victims.
        AgeBand => "age_band",
        /// Citizenship of identified victims.
        Citizenship => "citizenship",
        /// Type of exploitation of identified victims.
        Exploitation => "exploitation",
    }
}

impl ReportDimension {
    /// Whether it counts identified victims (victim-identification reports) rather than reports.
    pub const fn counts_victims(self) -> bool {
        matches!(
            self,
            Self::Sex | Self::AgeBand | Self::Citizenship | Self::Exploitation
        )
    }
}

/// Whether a caller sees statistics exactly: UNODC and IOM with the `stats:exact` scope.
/// Everyone else gets small cells withheld.
pub fn sees_exact(actor: &Actor) -> bool {
    matches!(actor.role, Role::Unodc | Role::Iom) && actor.scopes.contains(Scope::StatsExact)
}

/// Cells counting fewer than this are withheld from callers without `stats:exact`.
pub const SMALL_CELL: u64 = 11;

/// One cell of a one-way table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// What it counts, e.g. a district.
    pub key: String,
    /// The count, unless withheld.
    pub count: Option<u64>,
    /// Whether it was withheld.
    pub suppressed: bool,
}

/// A one-way table as served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The cells, in key order.
    pub cells: Vec<Cell>,
    /// The total, unless it would reveal a withheld cell.
    pub total: Option<u64>,
}

/// Serves counts exactly.
pub fn exact(counts: Vec<(String, u64)>) -> Table {
    let total = counts.iter().map(|(_, n)| n).sum();
    Table {
        cells: counts
            .into_iter()
            .map(|(key, n)| Cell {
                key,
                count: Some(n),
                suppressed: false,
            })
            .collect(),
        total: Some(total),
    }
}

/// Withholds every cell under `k` (primary suppression), then enough else that none can be
/// computed back (complementary suppression): a lone withheld cell would be the total minus the
/// others, so the smallest shown cell is withheld with it; and a total under `k`, or one that
/// would still give a lone withheld cell away, is withheld too. Cells count at least 1.
pub fn protect(counts: Vec<(String, u64)>, k: u64) -> Table {
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    let mut hidden: Vec<bool> = counts.iter().map(|(_, n)| *n < k).collect();
    if hidden.iter().filter(|h| **h).count() == 1 {
        let smallest_shown = (0..counts.len())
            .filter(|i| !hidden[*i])
            .min_by_key(|i| counts[*i].1);
        if let Some(i) = smallest_shown {
            hidden[i] = true;
        }
    }
    let lone = hidden.iter().filter(|h| **h).count() == 1;
    let total = (total >= k && !lone).then_some(total);
    let cells = counts
        .into_iter()
        .zip(hidden)
        .map(|((key, n), hidden)| Cell {
            key,
            count: (!hidden).then_some(n),
            suppressed: hidden,
        })
        .collect();
    Table { cells, total }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(counts: &[(&str, u64)]) -> Table {
        protect(
            counts.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect(),
            SMALL_CELL,
        )
    }

    /// What a reader could compute: with the total and all but one cell known, the last one.
    fn derivable(t: &Table) -> bool {
        let hidden = t.cells.iter().filter(|c| c.count.is_none()).count();
        t.total.is_some() && hidden == 1
    }

    #[test]
    fn small_cells_are_withheld_and_none_can_be_computed_back() {
        let t = table(&[("Dhaka", 40), ("Cox's Bazar", 3), ("Teknaf", 25)]);
        assert_eq!(t.cells[1].count, None);
        assert_eq!(
            t.cells[2].count, None,
            "the smallest shown cell goes with the lone small one"
        );
        assert_eq!(t.cells[0].count, Some(40));
        assert_eq!(t.total, Some(68));
        assert!(!derivable(&t));

        let t = table(&[("Dhaka", 40), ("Cox's Bazar", 3), ("Teknaf", 2)]);
        assert_eq!(
            t.cells.iter().map(|c| c.count).collect::<Vec<_>>(),
            [Some(40), None, None]
        );
        assert!(!derivable(&t));

        let t = table(&[("Dhaka", 40), ("Khulna", 12)]);
        assert_eq!(t.total, Some(52), "nothing small: all shown");
        assert!(t.cells.iter().all(|c| !c.suppressed));

        let t = table(&[("Dhaka", 4)]);
        assert_eq!(
            (t.cells[0].count, t.total),
            (None, None),
            "one small cell and a small total: all withheld"
        );
        let t = table(&[("Dhaka", 4), ("Khulna", 3)]);
        assert_eq!(t.total, None, "a total under k is itself a small cell");
    }

    #[test]
    fn no_table_of_a_thousand_lets_a_withheld_cell_be_derived() {
        // Every table of 1 to 4 cells with counts among a spread of small and large values.
        let values = [1u64, 2, 5, 10, 11, 12, 30, 100];
        let mut checked = 0;
        for len in 1..=4usize {
            let mut index = vec![0usize; len];
            loop {
                let counts: Vec<(String, u64)> = index
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("c{i}"), values[*v]))
                    .collect();
                let t = protect(counts.clone(), SMALL_CELL);
                assert!(!derivable(&t), "{counts:?} -> {t:?}");
                for (cell, (_, n)) in t.cells.iter().zip(&counts) {
                    if *n < SMALL_CELL {
                        assert_eq!(cell.count, None, "{counts:?}");
                    }
                }
                checked += 1;
                let mut pos = 0;
                loop {
                    if pos == len {
                        break;
                    }
                    index[pos] += 1;
                    if index[pos] < values.len() {
                        break;
                    }
                    index[pos] = 0;
                    pos += 1;
                }
                if pos == len {
                    break;
                }
            }
        }
        assert!(checked > 1000);
    }

    #[test]
    fn exact_tables_show_everything() {
        let t = exact(vec![("Dhaka".into(), 3)]);
        assert_eq!((t.cells[0].count, t.total), (Some(3), Some(3)));
    }
}
