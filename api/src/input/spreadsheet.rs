//! Uploaded sheets: a CSV or XLSX file read into a header and rows of text cells, as the rows'
//! parsers expect them. CSV is read by the `csv` crate and XLSX by `calamine`; what a cell
//! holds in XLSX (a number, a date) is written as the CSV export writes it.

use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use gloact_domain::spreadsheet::restore_formula;

use crate::error::{ApiError, RowError};
use crate::input::fields::Patch;

/// Largest file taken.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

/// Most rows taken, besides the header.
pub const MAX_ROWS: usize = 10_000;

/// Most columns taken.
pub const MAX_COLUMNS: usize = 200;

/// Most problems listed: a sheet wrong throughout is told its first ones.
pub const MAX_PROBLEMS: usize = 1_000;

/// The media type of CSV.
pub const CSV: &str = "text/csv";

/// The media type of an Excel workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What an import route takes, for a 415's detail.
pub const ACCEPTED: &str = "text/csv or an XLSX workbook (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet)";

/// The kinds of file taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values, UTF-8 (a byte-order mark is skipped).
    Csv,
    /// The first sheet of an Excel workbook.
    Xlsx,
}

impl Format {
    /// The format a `Content-Type` names, if it is one taken.
    pub fn of(content_type: &str) -> Option<Self> {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            CSV => Some(Self::Csv),
            XLSX => Some(Self::Xlsx),
            _ => None,
        }
    }
}

/// One row of a sheet below its header.
#[derive(Debug)]
pub struct SheetRow {
    /// Its number as the spreadsheet shows it (the header is row 1).
    pub number: usize,
    cells: Vec<String>,
}

/// A sheet read: its columns by header, and its rows that hold anything.
#[derive(Debug)]
pub struct Sheet {
    columns: HashMap<String, usize>,
    /// The header of each column (`None`: blank, or a repeat of an earlier one).
    names: Vec<Option<String>>,
    /// The row the header is on.
    header_row: usize,
    /// The rows that hold anything, in order.
    pub rows: Vec<SheetRow>,
    /// Problems met while reading (an error cell, a cell past the last column).
    pub errors: Vec<RowError>,
}

impl Sheet {
    /// Reads a file. A file that can't be read at all, or has no header, is a 400; one with
    /// more than [`MAX_ROWS`] rows too.
    pub fn read(format: Format, bytes: &[u8]) -> Result<Self, ApiError> {
        let grid = match format {
            Format::Csv => csv_grid(bytes)?,
            Format::Xlsx => xlsx_grid(bytes)?,
        };
        let mut grid = grid.into_iter();
        let (header_row, header) = grid
            .by_ref()
            .find(|(_, cells)| !blank(cells))
            .ok_or_else(|| ApiError::bad_request("empty_file", "the file holds no header row"))?;
        if header.len() > MAX_COLUMNS {
            return Err(too_many_columns());
        }
        let mut sheet = Sheet {
            columns: HashMap::new(),
            names: vec![None; header.len()],
            header_row,
            rows: Vec::new(),
            errors: Vec::new(),
        };
        // Columns whose header repeats an earlier one: reported once, in the header.
        let mut repeated = Vec::new();
        for (index, cell) in header.iter().enumerate() {
            let name = cell.text().trim().to_ascii_lowercase();
            if name.is_empty() {
                continue;
            }
            if sheet.columns.contains_key(&name) {
                sheet.errors.push(RowError {
                    row: header_row,
                    column: Some(name),
                    code: "duplicate_column".into(),
                    detail: "the column appears twice in the header".into(),
                });
                repeated.push(index);
                continue;
            }
            sheet.columns.insert(name.clone(), index);
            sheet.names[index] = Some(name);
        }
        for (number, cells) in grid {
            if blank(&cells) {
                continue;
            }
            if sheet.rows.len() == MAX_ROWS {
                return Err(too_many_rows());
            }
            let mut texts = Vec::with_capacity(cells.len());
            let mut beyond = None;
            for (index, cell) in cells.into_iter().enumerate() {
                let column = sheet.name_of(index);
                match cell {
                    Cell::Error(what) => sheet.errors.push(RowError {
                        row: number,
                        column,
                        code: "cell_error".into(),
                        detail: format!("the cell holds the spreadsheet error {what}"),
                    }),
                    Cell::Text(text) => {
                        if column.is_none() && !repeated.contains(&index) && !text.trim().is_empty()
                        {
                            beyond.get_or_insert(index + 1);
                        }
                        texts.push(text);
                    }
                }
                if texts.len() <= index {
                    texts.push(String::new());
                }
            }
            if let Some(column) = beyond {
                sheet.errors.push(RowError {
                    row: number,
                    column: None,
                    code: "extra_cell".into(),
                    detail: format!("column {column} holds a value but has no header"),
                });
            }
            sheet.rows.push(SheetRow {
                number,
                cells: texts,
            });
        }
        Ok(sheet)
    }

    /// The header of the column at this index, if it has one.
    fn name_of(&self, index: usize) -> Option<String> {
        self.names.get(index).cloned().flatten()
    }

    /// Refuses the columns that are not among those `known` (its kind's export's, and the few
    /// an import reads besides).
    pub fn check_columns(&mut self, known: &[&str]) {
        let mut unknown: Vec<&String> = self
            .columns
            .keys()
            .filter(|name| !known.contains(&name.as_str()))
            .collect();
        unknown.sort();
        for name in unknown {
            self.errors.push(RowError {
                row: self.header_row,
                column: Some(name.clone()),
                code: "unknown_column".into(),
                detail: format!("no such column; the columns taken are {}", known.join(", ")),
            });
        }
    }

    /// Whether the sheet has this column.
    pub fn has(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }

    /// The text of a cell, as written before the export neutralised it; `None` when the sheet
    /// has no such column or the cell is blank.
    pub fn get(&self, row: &SheetRow, column: &str) -> Option<String> {
        let index = *self.columns.get(column)?;
        let cell = row.cells.get(index)?;
        if cell.trim().is_empty() {
            return None;
        }
        Some(restore_formula(cell).into_owned())
    }

    /// A cell as a change: no such column keeps the stored value, a blank cell clears it.
    pub fn patch(&self, row: &SheetRow, column: &str) -> Patch<String> {
        if !self.has(column) {
            return Patch::Keep;
        }
        self.get(row, column).map_or(Patch::Clear, Patch::Set)
    }
}

/// A cell as read.
enum Cell {
    Text(String),
    /// A spreadsheet error such as `#DIV/0!`.
    Error(String),
}

impl Cell {
    fn text(&self) -> &str {
        match self {
            Self::Text(text) => text,
            Self::Error(_) => "",
        }
    }
}

fn blank(cells: &[Cell]) -> bool {
    cells
        .iter()
        .all(|c| matches!(c, Cell::Text(t) if t.trim().is_empty()))
}

/// The records of a CSV file, each numbered by the line it starts on (the row number a
/// spreadsheet shows, unless a cell above holds a line break).
fn csv_grid(bytes: &[u8]) -> Result<Vec<(usize, Vec<Cell>)>, ApiError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut grid = Vec::new();
    // The csv crate skips empty lines without counting them, so lines are counted here: a
    // record starts at the first byte after the previous one's end that ends no line.
    let (mut line, mut counted) = (1, 0);
    let mut record = csv::StringRecord::new();
    loop {
        let end = usize::try_from(reader.position().byte()).unwrap_or(bytes.len());
        let start = bytes
            .iter()
            .skip(end)
            .position(|b| !matches!(b, b'\r' | b'\n'))
            .map_or(bytes.len(), |skipped| end + skipped);
        line += bytes[counted.min(start)..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        counted = start;
        let read = reader.read_record(&mut record).map_err(|e| {
            let why = match e.kind() {
                csv::ErrorKind::Utf8 { .. } => "is not UTF-8 text",
                _ => "can't be read as CSV",
            };
            ApiError::bad_request("invalid_file", format!("line {line} {why}"))
        })?;
        if !read {
            break;
        }
        grid.push((
            line,
            record.iter().map(|c| Cell::Text(c.to_owned())).collect(),
        ));
    }
    Ok(grid)
}

/// The rows of an XLSX workbook's first sheet, numbered as Excel shows them. Its cells are read
/// one at a time (a sheet's declared size can't make the server allocate a grid for it), and a
/// cell past the row or column limits refuses the file.
fn xlsx_grid(bytes: &[u8]) -> Result<Vec<(usize, Vec<Cell>)>, ApiError> {
    let unreadable =
        |_| ApiError::bad_request("invalid_file", "the file can't be read as an XLSX workbook");
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(unreadable)?;
    let first = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| ApiError::bad_request("empty_file", "the workbook has no sheet"))?;
    let mut reader = workbook
        .worksheet_cells_reader(&first)
        .map_err(unreadable)?;
    let mut rows: BTreeMap<usize, Vec<(usize, Data)>> = BTreeMap::new();
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        let value = Data::from(cell.get_value().clone());
        if value == Data::Empty {
            continue;
        }
        let (row, column) = cell.get_position();
        let (row, column) = (row as usize, column as usize);
        // Blank rows count here too: a sheet this tall is refused before it is held.
        if row >= 2 * MAX_ROWS {
            return Err(too_many_rows());
        }
        if column >= MAX_COLUMNS {
            return Err(too_many_columns());
        }
        rows.entry(row).or_default().push((column, value));
    }
    Ok(rows
        .into_iter()
        .map(|(row, values)| {
            let width = values.iter().map(|(c, _)| c + 1).max().unwrap_or_default();
            let mut cells: Vec<Cell> = (0..width).map(|_| Cell::Text(String::new())).collect();
            for (column, value) in values {
                cells[column] = xlsx_cell(&value);
            }
            (row + 1, cells)
        })
        .collect())
}

fn too_many_columns() -> ApiError {
    ApiError::bad_request(
        "too_many_columns",
        format!("a sheet may hold at most {MAX_COLUMNS} columns"),
    )
}

fn too_many_rows() -> ApiError {
    ApiError::bad_request(
        "too_many_rows",
        format!("a sheet may hold at most {MAX_ROWS} rows besides its header"),
    )
}

/// An XLSX cell as the CSV export would write it: a whole number without a fraction, a date
/// as `YYYY-MM-DD`, a time as RFC 3339.
fn xlsx_cell(data: &Data) -> Cell {
    Cell::Text(match data {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(when) => match when.as_datetime() {
            Some(at) if at.time() == chrono::NaiveTime::MIN => at.date().to_string(),
            Some(at) => at.and_utc().to_rfc3339(),
            None => return Cell::Error("(a date out of range)".into()),
        },
        Data::Error(e) => return Cell::Error(e.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(sheet: &Sheet, column: &str) -> Vec<(usize, Option<String>)> {
        sheet
            .rows
            .iter()
            .map(|row| (row.number, sheet.get(row, column)))
            .collect()
    }

    #[test]
    fn csv_rows_are_numbered_as_a_spreadsheet_shows_them() {
        let sheet = Sheet::read(
            Format::Csv,
            b"\xEF\xBB\xBF Title ,Code\nfirst,A\n\n,\n'=x,B\r\n\r\nlast,C\n",
        )
        .unwrap();
        assert!(sheet.has("title") && sheet.has("code"));
        assert_eq!(
            cells(&sheet, "title"),
            [
                (2, Some("first".into())),
                (5, Some("=x".into())),
                (7, Some("last".into()))
            ]
        );
        assert!(sheet.errors.is_empty());
    }

    #[test]
    fn cells_past_the_header_and_repeated_columns_are_problems() {
        let sheet = Sheet::read(Format::Csv, b"a,a\n1,2,3\n").unwrap();
        let codes: Vec<(usize, &str)> = sheet
            .errors
            .iter()
            .map(|e| (e.row, e.code.as_str()))
            .collect();
        assert_eq!(codes, [(1, "duplicate_column"), (2, "extra_cell")]);
    }

    #[test]
    fn only_csv_and_xlsx_are_taken() {
        assert_eq!(Format::of("text/csv; charset=utf-8"), Some(Format::Csv));
        assert_eq!(Format::of(XLSX), Some(Format::Xlsx));
        assert_eq!(Format::of("application/json"), None);
    }
}
