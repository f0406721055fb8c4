//! Cells bound for spreadsheets (CSV and XLSX exports).

/// A spreadsheet cell made safe: text a spreadsheet would run as a formula (starting with `=`,
/// `+`, `-`, `@`, a tab or a carriage return) gets a leading apostrophe, and so does text that
/// starts with one, so that [`restore_formula`] gives back exactly what was written. A negative whole
/// number (e.g. `-99`, the HTCDS code for "not known") is not a formula and stays as it is.
pub fn neutralise_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']);
    let negative_number =
        cell.len() > 1 && cell.starts_with('-') && cell[1..].bytes().all(|b| b.is_ascii_digit());
    if risky && !negative_number {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// The cell a spreadsheet import reads back from one of our exports: the apostrophe that
/// [`neutralise_formula`] put before a formula-like text is taken off again, so that a title
/// starting with `=` (or `'`) survives a round trip. In a sheet typed by hand, an apostrophe
/// stays unless what follows it looks like a formula (`'=x` reads as `=x`, as a spreadsheet
/// shows it).
pub fn restore_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.strip_prefix('\'') {
        Some(rest) if neutralise_formula(rest) == cell => std::borrow::Cow::Borrowed(rest),
        _ => std::borrow::Cow::Borrowed(cell),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(
            neutralise_formula("=HYPERLINK(\"x\")"),
            "'=HYPERLINK(\"x\")"
        );
        for risky in ["+1+2", "-cmd", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralise_formula(risky).starts_with('\''), "{risky:?}");
        }
        assert_eq!(neutralise_formula("-99"), "-99");
        assert_eq!(neutralise_formula("Cox's Bazar"), "Cox's Bazar");
    }

    #[test]
    fn neutralised_cells_read_back_as_written() {
        for cell in [
            "=HYPERLINK(\"x\")",
            "-cmd",
            "-99",
            "'quoted'",
            "'=x",
            "''",
            "plain",
            "",
        ] {
            assert_eq!(restore_formula(&neutralise_formula(cell)), cell, "{cell:?}");
        }
        assert_eq!(restore_formula("'plain"), "'plain");
    }
}
