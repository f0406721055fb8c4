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

wire_enum! {
    /// What victim-assistance cases can be counted by.
    pub enum CaseDimension {
        /// Month the person was identified (`YYYY-MM`).
        Month => "month",
        /// District where the person was identified.
        District => "district",
        /// Sex.
        Sex => "sex",
        /// Age band.
        AgeBand => "age_band",
        /// Citizenship.
        Citizenship => "citizenship",
        /// Main type of exploitation.
        Exploitation => "exploitation",
        /// Where the case stands.
        Status => "status",
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

/// Withholds every cell under `k` (primary suppression), then enough others that none can be
/// pinned down from the total, which every dimension shares and so is always known
/// (complementary suppression): the smallest shown cells are withheld with the small ones until
/// at least two are withheld and together they count at least `2k`, so that each lies somewhere
/// in a range at least `k` wide. When even that can't be had (the whole table is small), the
/// total goes too. Cells count at least 1.
pub fn protect(counts: Vec<(String, u64)>, k: u64) -> Table {
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    let mut hidden: Vec<bool> = counts.iter().map(|(_, n)| *n < k).collect();
    let protected = |hidden: &[bool]| {
        let (cells, sum) = hidden
            .iter()
            .zip(&counts)
            .filter(|(h, _)| **h)
            .fold((0, 0), |(c, s), (_, (_, n))| (c + 1, s + n));
        cells == 0 || (cells >= 2 && sum >= 2 * k)
    };
    while !protected(&hidden) {
        let smallest_shown = (0..counts.len())
            .filter(|i| !hidden[*i])
            .min_by_key(|i| counts[*i].1);
        match smallest_shown {
            Some(i) => hidden[i] = true,
            None => break,
        }
    }
    let total = protected(&hidden).then_some(total);
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

    fn shown(t: &Table) -> Vec<Option<u64>> {
        t.cells.iter().map(|c| c.count).collect()
    }

    /// Whether a reader could pin a withheld cell down: with the total (always known, every
    /// dimension shares it) and the shown cells, the withheld ones sum to a known number; each
    /// lies between 1 and that sum less the others' minimum. Too narrow a range pins it.
    fn derivable(t: &Table, total: u64, k: u64) -> bool {
        let shown: u64 = t.cells.iter().filter_map(|c| c.count).sum();
        let hidden = t.cells.iter().filter(|c| c.count.is_none()).count() as u64;
        if hidden == 0 {
            return false;
        }
        let widest = (total - shown) - (hidden - 1);
        hidden == 1 || widest < k + 1
    }

    #[test]
    fn small_cells_are_withheld_and_none_can_be_pinned_down() {
        let t = table(&[("Dhaka", 40), ("Cox's Bazar", 3), ("Teknaf", 25)]);
        assert_eq!(
            shown(&t),
            [Some(40), None, None],
            "the smallest shown cell goes with the lone small one"
        );
        assert_eq!(t.total, Some(68));
        assert!(!derivable(&t, 68, SMALL_CELL));

        // Two small cells together are still small: 1 + 1 would give both away.
        let t = table(&[
            ("Dhaka", 40),
            ("Cox's Bazar", 1),
            ("Teknaf", 1),
            ("Khulna", 30),
        ]);
        assert_eq!(shown(&t), [Some(40), None, None, None]);
        assert!(!derivable(&t, 72, SMALL_CELL));
        // A complement just over k would be pinned by the small one beside it.
        let t = table(&[("Dhaka", 40), ("Cox's Bazar", 1), ("Teknaf", 11)]);
        assert_eq!(shown(&t), [None, None, None]);
        assert!(!derivable(&t, 52, SMALL_CELL));

        let t = table(&[("Dhaka", 40), ("Khulna", 12)]);
        assert_eq!(t.total, Some(52), "nothing small: all shown");
        assert!(t.cells.iter().all(|c| !c.suppressed));

        let t = table(&[("Dhaka", 4)]);
        assert_eq!(
            (shown(&t), t.total),
            (vec![None], None),
            "a small table: all withheld"
        );
        let t = table(&[("Dhaka", 4), ("Khulna", 3)]);
        assert_eq!(
            t.total, None,
            "a whole table under 2k can't be protected: the total goes"
        );
    }

    #[test]
    fn no_table_of_thousands_lets_a_withheld_cell_be_pinned_down() {
        // Every table of 1 to 4 cells with counts among a spread of small and large values.
        let values = [1u64, 2, 5, 10, 11, 12, 30, 100];
        let mut checked = 0;
        for len in 1..=4u32 {
            for mut code in 0..values.len().pow(len) {
                let counts: Vec<(String, u64)> = (0..len)
                    .map(|i| {
                        let v = values[code % values.len()];
                        code /= values.len();
                        (format!("c{i}"), v)
                    })
                    .collect();
                let t = protect(counts.clone(), SMALL_CELL);
                let total: u64 = counts.iter().map(|(_, n)| n).sum();
                for (cell, (_, n)) in t.cells.iter().zip(&counts) {
                    if *n < SMALL_CELL {
                        assert_eq!(cell.count, None, "{counts:?}");
                    }
                }
                if t.total.is_some() {
                    assert!(!derivable(&t, total, SMALL_CELL), "{counts:?} -> {t:?}");
                }
                checked += 1;
            }
        }
        assert_eq!(checked, 4680);
    }

    #[test]
    fn exact_tables_show_everything() {
        let t = exact(vec![("Dhaka".into(), 3)]);
        assert_eq!((t.cells[0].count, t.total), (Some(3), Some(3)));
    }
}
