//! The rows of an uploaded sheet into the domain values the import service writes: each row goes
//! through the same input types and parsers as its JSON write, and every problem is reported
//! against its row and column.

use std::collections::{HashMap, HashSet};

use gloact_domain::activity::{ActivityPatch, NewActivity, NewParticipation};
use gloact_domain::indicator::Actual;
use gloact_domain::organization::{NewOrganization, OrganizationChanges};
use gloact_domain::value::Code;
use gloact_domain::{
    ActivityId, IndicatorId, IndicatorPeriodId, OrganizationId, ProgrammeId, ValueError, Violations,
};
use uuid::Uuid;

use crate::error::RowError;
use crate::input::activities::{
    ActivityPatchDto, NewActivityDto, NewParticipationDto, ParticipantsInput,
};
use crate::input::fields::Patch;
use crate::input::indicators::ActualDto;
use crate::input::organizations::{NewOrganizationDto, OrganizationPatchDto};
use crate::input::spreadsheet::{Sheet, SheetRow};
use crate::service::imports::{
    ActivityKey, ActivityRow, ActualRow, CountsRow, Fixed, Numbered, OrganizationRow, References,
};

/// The participant counts' columns.
pub const PARTICIPANT_COLUMNS: [&str; 8] = [
    "participants_female",
    "participants_male",
    "participants_other",
    "participants_judges",
    "participants_prosecutors",
    "participants_law_enforcement",
    "participants_officials",
    "participants_civil_society",
];

/// The rows parsed, and the problems of those that could not be.
#[derive(Debug)]
pub struct Parsed<T> {
    /// The rows that parsed.
    pub rows: Vec<Numbered<T>>,
    /// The problems of those that did not.
    pub errors: Vec<RowError>,
}

impl<T> Default for Parsed<T> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            errors: Vec::new(),
        }
    }
}

impl<T> Parsed<T> {
    /// Keeps a row that parsed, or its problems, named by the column each field fills.
    fn push(&mut self, row: usize, parsed: Result<T, Violations>) {
        match parsed {
            Ok(item) => self.rows.push(Numbered { row, item }),
            Err(violations) => self.errors.extend(
                violations
                    .errors()
                    .iter()
                    .map(|e| row_error(row, Some(column_of(&e.field)), &e.code, &e.message)),
            ),
        }
    }
}

/// Refuses the rows that are about the same row as an earlier one, by the cells that name it
/// (`key`; `None` for a row that names none, such as a new row without a code), whether or not
/// they parse. Returns the numbers of the rows refused, to be left out.
fn refuse_duplicates<T>(
    sheet: &Sheet,
    parsed: &mut Parsed<T>,
    key: impl Fn(&SheetRow) -> Option<String>,
) -> HashSet<usize> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut refused = HashSet::new();
    for row in &sheet.rows {
        let Some(key) = key(row) else { continue };
        match seen.get(&key) {
            Some(first) => {
                parsed.errors.push(row_error(
                    row.number,
                    None,
                    "duplicate_row",
                    &format!("row {first} is about the same row already"),
                ));
                refused.insert(row.number);
            }
            None => {
                seen.insert(key, row.number);
            }
        }
    }
    refused
}

/// The key of an id cell: the id it holds, however written, or the cell as it is.
fn id_key(cell: &str) -> String {
    Uuid::parse_str(cell.trim()).map_or_else(|_| cell.trim().to_owned(), |id| id.to_string())
}

/// A key of the cells named, trimmed (`None` when they are all blank).
fn key_of(sheet: &Sheet, row: &SheetRow, columns: &[&str]) -> Option<String> {
    let cells: Vec<String> = columns
        .iter()
        .map(|c| sheet.get(row, c).unwrap_or_default().trim().to_owned())
        .collect();
    cells
        .iter()
        .any(|c| !c.is_empty())
        .then(|| cells.join("\u{1f}"))
}

/// One problem of one row.
pub fn row_error(row: usize, column: Option<String>, code: &str, detail: &str) -> RowError {
    RowError {
        row,
        column,
        code: code.to_owned(),
        detail: detail.to_owned(),
    }
}

/// The column a field of the JSON inputs fills: `participants.female` is `participants_female`,
/// every field of `participations[i]` is `participations`, an actual's `value`, `female` and
/// `male` are `actual`, `actual_female` and `actual_male`; the other fields are named as their
/// columns. The route leaves out a column its kind of sheet does not have.
pub fn column_of(field: &str) -> String {
    if let Some(count) = field.strip_prefix("participants.") {
        return format!("participants_{count}");
    }
    if field.starts_with("participations") {
        return "participations".into();
    }
    match field {
        "value" => "actual".into(),
        "female" | "male" => format!("actual_{field}"),
        other => other.to_owned(),
    }
}

/// The ids a sheet holds in a column (those that parse), for looking up their codes.
pub fn ids_in(sheet: &Sheet, column: &str) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = sheet
        .rows
        .iter()
        .filter_map(|row| sheet.get(row, column))
        .filter_map(|cell| Uuid::parse_str(cell.trim()).ok())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The codes a sheet holds in a column (those that parse).
pub fn codes_in(sheet: &Sheet, column: &str) -> Vec<Code> {
    let mut codes: Vec<Code> = sheet
        .rows
        .iter()
        .filter_map(|row| sheet.get(row, column))
        .filter_map(|cell| Code::parse(cell.trim()).ok())
        .collect();
    codes.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    codes.dedup();
    codes
}

/// Parses the rows of an activities import: a row without an id is a new activity, one with an
/// id a change to it.
pub fn activities(sheet: &Sheet, refs: &References) -> Parsed<ActivityRow> {
    let mut parsed = Parsed::default();
    let refused = refuse_duplicates(sheet, &mut parsed, |row| match sheet.get(row, "id") {
        Some(id) => Some(id_key(&id)),
        None => key_of(sheet, row, &["programme", "programme_id", "code"])
            .filter(|_| sheet.get(row, "code").is_some()),
    });
    for row in sheet.rows.iter().filter(|r| !refused.contains(&r.number)) {
        let item = match sheet.get(row, "id") {
            None => new_activity(sheet, row, refs).map(ActivityRow::Create),
            Some(id) => activity_update(sheet, row, refs, &id),
        };
        parsed.push(row.number, item);
    }
    parsed
}

fn new_activity(
    sheet: &Sheet,
    row: &SheetRow,
    refs: &References,
) -> Result<NewActivity, Violations> {
    let mut v = Violations::default();
    let cell = |column: &str| sheet.get(row, column);
    let by_id = programme_by_id(sheet, row, refs, &mut v)
        .and_then(|id| refs.programme_codes.get(&id))
        .map(|code| code.as_str().to_owned());
    let programme = match (cell("programme"), by_id) {
        (Some(code), Some(by_id)) if code.trim() != by_id => {
            v.add("programme", inconsistent("programme"));
            Some(code)
        }
        (Some(code), _) | (None, Some(code)) => Some(code),
        (None, None) => None,
    };
    let parent_id = uuid_cell(sheet, row, "parent_id", &mut v).flatten();
    let participants = participants(sheet, row, &mut v);
    let participations = participation_dtos(sheet, row, &mut v);
    let new = NewActivity::try_from(NewActivityDto {
        programme: programme.unwrap_or_default(),
        parent_id,
        code: cell("code").unwrap_or_default(),
        title: cell("title").unwrap_or_default(),
        description: cell("description"),
        kind: cell("kind").unwrap_or_default(),
        pillar: cell("pillar").unwrap_or_default(),
        status: cell("status"),
        visibility: cell("visibility"),
        planned_start: cell("planned_start"),
        planned_end: cell("planned_end"),
        actual_start: cell("actual_start"),
        actual_end: cell("actual_end"),
        location: cell("location"),
        district: cell("district"),
        participants: participants.unwrap_or_default(),
        participations: participations.unwrap_or_default(),
        objectives: Vec::new(),
    });
    match v.check_all(new) {
        Some(new) if v.is_empty() => Ok(new),
        _ => Err(v),
    }
}

fn activity_update(
    sheet: &Sheet,
    row: &SheetRow,
    refs: &References,
    id: &str,
) -> Result<ActivityRow, Violations> {
    let mut v = Violations::default();
    let id = v.check("id", parse_uuid(id));
    let version = version(sheet, row, &mut v);
    let mut programme_id = programme_by_id(sheet, row, refs, &mut v);
    if let Some(code) = sheet.get(row, "programme") {
        match Code::parse(&code)
            .ok()
            .and_then(|c| refs.programme_ids.get(&c).copied())
        {
            Some(by_code) if programme_id.is_none_or(|by_id| by_id == by_code) => {
                programme_id = Some(by_code);
            }
            Some(_) => v.add("programme", inconsistent("programme")),
            None => v.add(
                "programme",
                ValueError::new("unknown_reference", format!("no programme '{code}'")),
            ),
        }
    }
    let code = sheet
        .get(row, "code")
        .and_then(|code| v.check("code", Code::parse(&code)));
    let parent_id = sheet
        .has("parent_id")
        .then(|| uuid_cell(sheet, row, "parent_id", &mut v).map(|p| p.map(ActivityId)))
        .flatten();
    let participations = sheet
        .has("participations")
        .then(|| participations(sheet, row, &mut v))
        .flatten();
    let counts = participants(sheet, row, &mut v);
    let patch = ActivityPatch::try_from(ActivityPatchDto {
        title: sheet.patch(row, "title"),
        description: sheet.patch(row, "description"),
        kind: sheet.patch(row, "kind"),
        pillar: sheet.patch(row, "pillar"),
        status: sheet.patch(row, "status"),
        visibility: sheet.patch(row, "visibility"),
        planned_start: sheet.patch(row, "planned_start"),
        planned_end: sheet.patch(row, "planned_end"),
        actual_start: sheet.patch(row, "actual_start"),
        actual_end: sheet.patch(row, "actual_end"),
        location: sheet.patch(row, "location"),
        district: sheet.patch(row, "district"),
        participants: counts.map_or(Patch::Keep, Patch::Set),
    });
    let patch = v.check_all(patch);
    match (id, version, patch) {
        (Some(id), Some(version), Some(patch)) if v.is_empty() => Ok(ActivityRow::Update {
            id: ActivityId(id),
            version,
            patch,
            fixed: Fixed {
                programme_id,
                code,
                parent_id,
                participations,
            },
        }),
        _ => Err(v),
    }
}

/// The refusal of a code that names another row than the id beside it (`programme` and
/// `programme_id`, `parent` and `parent_id`).
fn inconsistent(column: &str) -> ValueError {
    ValueError::new(
        "inconsistent",
        format!("names another row than {column}_id beside it"),
    )
}

/// The programme a row names by `programme_id`, if it names one that exists.
fn programme_by_id(
    sheet: &Sheet,
    row: &SheetRow,
    refs: &References,
    v: &mut Violations,
) -> Option<ProgrammeId> {
    let id = ProgrammeId(uuid_cell(sheet, row, "programme_id", v).flatten()?);
    if !refs.programme_codes.contains_key(&id) {
        v.add(
            "programme_id",
            ValueError::new("unknown_reference", format!("no programme {}", id.0)),
        );
        return None;
    }
    Some(id)
}

/// The participant counts of a row, when the sheet has any of their columns; a blank cell is
/// left out (0 in a new activity, kept in a change).
fn participants(sheet: &Sheet, row: &SheetRow, v: &mut Violations) -> Option<ParticipantsInput> {
    if !PARTICIPANT_COLUMNS.iter().any(|c| sheet.has(c)) {
        return None;
    }
    let mut count = |name: &str| {
        let field = format!("participants.{name}");
        sheet
            .get(row, &format!("participants_{name}"))
            .and_then(|cell| {
                v.check(
                    &field,
                    cell.trim()
                        .parse::<i64>()
                        .map_err(|_| ValueError::new("invalid_count", "must be a whole number")),
                )
            })
    };
    Some(ParticipantsInput {
        female: count("female"),
        male: count("male"),
        other: count("other"),
        judges: count("judges"),
        prosecutors: count("prosecutors"),
        law_enforcement: count("law_enforcement"),
        officials: count("officials"),
        civil_society: count("civil_society"),
    })
}

/// The `participations` cell, `CODE:role` entries separated by `;`, as the JSON input holds them.
fn participation_dtos(
    sheet: &Sheet,
    row: &SheetRow,
    v: &mut Violations,
) -> Option<Vec<NewParticipationDto>> {
    let cell = sheet.get(row, "participations")?;
    let mut dtos = Vec::new();
    for entry in cell.split(';').map(str::trim).filter(|e| !e.is_empty()) {
        match entry.split_once(':') {
            Some((organization, role)) => dtos.push(NewParticipationDto {
                organization: organization.trim().to_owned(),
                role: role.trim().to_owned(),
            }),
            None => {
                v.add(
                    "participations",
                    ValueError::new(
                        "invalid_participations",
                        format!("'{entry}' is not CODE:role (entries separated by ;)"),
                    ),
                );
                return None;
            }
        }
    }
    Some(dtos)
}

/// The `participations` cell parsed (blank: none).
fn participations(
    sheet: &Sheet,
    row: &SheetRow,
    v: &mut Violations,
) -> Option<Vec<NewParticipation>> {
    let dtos = participation_dtos(sheet, row, v);
    if sheet.get(row, "participations").is_some() && dtos.is_none() {
        return None;
    }
    let mut parsed = Vec::new();
    for (i, dto) in dtos.unwrap_or_default().iter().enumerate() {
        let organization = v.check(
            &format!("participations[{i}].organization"),
            Code::parse(&dto.organization),
        );
        let role = v.check(&format!("participations[{i}].role"), dto.role.parse());
        if let (Some(organization), Some(role)) = (organization, role) {
            parsed.push(NewParticipation { organization, role });
        }
    }
    Some(parsed)
}

/// A cell holding an id: `None` when the sheet has no such column, `Some(None)` when blank.
fn uuid_cell(
    sheet: &Sheet,
    row: &SheetRow,
    column: &str,
    v: &mut Violations,
) -> Option<Option<Uuid>> {
    if !sheet.has(column) {
        return None;
    }
    match sheet.get(row, column) {
        None => Some(None),
        Some(cell) => v.check(column, parse_uuid(&cell)).map(Some),
    }
}

fn parse_uuid(cell: &str) -> Result<Uuid, ValueError> {
    Uuid::parse_str(cell.trim()).map_err(|_| ValueError::new("invalid_id", "must be a UUID"))
}

/// The `version` of a row about a stored row: required, as `If-Match` is on the JSON routes, so
/// that an old sheet can't silently undo later changes.
fn version(sheet: &Sheet, row: &SheetRow, v: &mut Violations) -> Option<i32> {
    let Some(cell) = sheet.get(row, "version") else {
        v.add(
            "version",
            ValueError::new(
                "required",
                "the version the row was read at is required to change a stored row",
            ),
        );
        return None;
    };
    v.check(
        "version",
        cell.trim()
            .parse::<i32>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| ValueError::new("invalid_version", "must be a whole number from 1")),
    )
}

/// Parses the rows of a participations import: counts of stored activities, named by id or by
/// programme and code.
pub fn participation_counts(sheet: &Sheet) -> Parsed<CountsRow> {
    let mut parsed = Parsed::default();
    let refused = refuse_duplicates(sheet, &mut parsed, |row| match sheet.get(row, "id") {
        Some(id) => Some(id_key(&id)),
        None => key_of(sheet, row, &["programme", "code"]),
    });
    for row in sheet.rows.iter().filter(|r| !refused.contains(&r.number)) {
        parsed.push(row.number, counts_row(sheet, row));
    }
    parsed
}

fn counts_row(sheet: &Sheet, row: &SheetRow) -> Result<CountsRow, Violations> {
    let mut v = Violations::default();
    let activity = match (
        sheet.get(row, "id"),
        sheet.get(row, "programme"),
        sheet.get(row, "code"),
    ) {
        (Some(id), _, _) => v
            .check("id", parse_uuid(&id))
            .map(|id| ActivityKey::Id(ActivityId(id))),
        (None, Some(programme), Some(code)) => {
            let programme = v.check("programme", Code::parse(&programme));
            let code = v.check("code", Code::parse(&code));
            programme
                .zip(code)
                .map(|(programme, code)| ActivityKey::Code { programme, code })
        }
        _ => {
            v.add(
                "id",
                ValueError::new(
                    "required",
                    "name the activity by id, or by programme and code",
                ),
            );
            None
        }
    };
    let version = version(sheet, row, &mut v);
    let counts = participants(sheet, row, &mut v)
        .map(|counts| {
            ActivityPatch::try_from(ActivityPatchDto {
                participants: Patch::Set(counts),
                ..empty_patch()
            })
        })
        .transpose();
    let counts = v
        .check_all(counts)
        .flatten()
        .map(|patch| patch.participants);
    match (activity, version) {
        (Some(activity), Some(version)) if v.is_empty() => Ok(CountsRow {
            activity,
            version,
            counts: counts.unwrap_or_default(),
        }),
        _ => Err(v),
    }
}

fn empty_patch() -> ActivityPatchDto {
    ActivityPatchDto {
        title: Patch::Keep,
        description: Patch::Keep,
        kind: Patch::Keep,
        pillar: Patch::Keep,
        status: Patch::Keep,
        visibility: Patch::Keep,
        planned_start: Patch::Keep,
        planned_end: Patch::Keep,
        actual_start: Patch::Keep,
        actual_end: Patch::Keep,
        location: Patch::Keep,
        district: Patch::Keep,
        participants: Patch::Keep,
    }
}

/// Parses the rows of an indicator-actuals import: one period's actual each; a row with blank
/// actuals records nothing.
pub fn actuals(sheet: &Sheet) -> Parsed<ActualRow> {
    let mut parsed = Parsed::default();
    let refused = refuse_duplicates(sheet, &mut parsed, |row| {
        let id = |column: &str| sheet.get(row, column).map(|cell| id_key(&cell));
        id("indicator_id")
            .zip(id("period_id"))
            .map(|(indicator, period)| format!("{indicator}/{period}"))
    });
    for row in sheet.rows.iter().filter(|r| !refused.contains(&r.number)) {
        parsed.push(row.number, actual_row(sheet, row));
    }
    parsed
}

fn actual_row(sheet: &Sheet, row: &SheetRow) -> Result<ActualRow, Violations> {
    let mut v = Violations::default();
    let mut id = |column: &str| match sheet.get(row, column) {
        Some(cell) => v.check(column, parse_uuid(&cell)),
        None => {
            v.add(column, ValueError::new("required", "is required"));
            None
        }
    };
    let indicator = id("indicator_id");
    let period = id("period_id");
    let version = version(sheet, row, &mut v);
    let mut figure = |column: &str, field: &str| {
        sheet.get(row, column).and_then(|cell| {
            v.check(
                field,
                cell.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .ok_or_else(|| ValueError::new("invalid_number", "must be a number")),
            )
        })
    };
    let value = figure("actual", "value");
    let female = figure("actual_female", "female");
    let male = figure("actual_male", "male");
    let given = [
        sheet.get(row, "actual"),
        sheet.get(row, "actual_female"),
        sheet.get(row, "actual_male"),
    ]
    .iter()
    .any(Option::is_some);
    let actual = if !given {
        None
    } else if let Some(value) = value {
        v.check_all(Actual::try_from(ActualDto {
            value,
            female,
            male,
        }))
    } else {
        if sheet.get(row, "actual").is_none() {
            v.add(
                "value",
                ValueError::new(
                    "required",
                    "the actual is required with its breakdown by sex",
                ),
            );
        }
        None
    };
    match (indicator, period, version) {
        (Some(indicator), Some(period), Some(version)) if v.is_empty() => Ok(ActualRow {
            indicator: IndicatorId(indicator),
            period: IndicatorPeriodId(period),
            version,
            actual,
        }),
        _ => Err(v),
    }
}

/// Parses the rows of an organizations import: a row without an id is a new organization, one
/// with an id a change to it. The parent is named by `parent` (its code) or `parent_id`.
pub fn organizations(sheet: &Sheet, refs: &References) -> Parsed<OrganizationRow> {
    let mut parsed = Parsed::default();
    let refused = refuse_duplicates(sheet, &mut parsed, |row| match sheet.get(row, "id") {
        Some(id) => Some(id_key(&id)),
        None => key_of(sheet, row, &["code"]),
    });
    for row in sheet.rows.iter().filter(|r| !refused.contains(&r.number)) {
        parsed.push(row.number, organization_row(sheet, row, refs));
    }
    parsed
}

fn organization_row(
    sheet: &Sheet,
    row: &SheetRow,
    refs: &References,
) -> Result<OrganizationRow, Violations> {
    let mut v = Violations::default();
    // The parent by code, else by id; both blank detach it.
    let parent = match (sheet.patch(row, "parent"), sheet.has("parent_id")) {
        (Patch::Keep | Patch::Clear, true) => {
            match uuid_cell(sheet, row, "parent_id", &mut v).flatten() {
                None => Patch::Clear,
                Some(id) => match refs.organization_codes.get(&OrganizationId(id)) {
                    Some(code) => Patch::Set(code.to_string()),
                    None => {
                        v.add(
                            "parent_id",
                            ValueError::new("unknown_reference", format!("no organization {id}")),
                        );
                        Patch::Keep
                    }
                },
            }
        }
        (Patch::Set(code), true) => {
            let by_id = uuid_cell(sheet, row, "parent_id", &mut v)
                .flatten()
                .and_then(|id| refs.organization_codes.get(&OrganizationId(id)));
            if by_id.is_some_and(|by_id| by_id.as_str() != code.trim()) {
                v.add("parent", inconsistent("parent"));
            }
            Patch::Set(code)
        }
        (given, _) => given,
    };
    let Some(id) = sheet.get(row, "id") else {
        let cell = |column: &str| sheet.get(row, column);
        let new = NewOrganization::try_from(NewOrganizationDto {
            code: cell("code").unwrap_or_default(),
            name: cell("name").unwrap_or_default(),
            kind: cell("kind").unwrap_or_default(),
            country: cell("country").unwrap_or_default(),
            parent: match parent {
                Patch::Set(code) => Some(code),
                Patch::Keep | Patch::Clear => None,
            },
            iati_ref: cell("iati_ref"),
        });
        return match v.check_all(new) {
            Some(new) if v.is_empty() => Ok(OrganizationRow::Create(new)),
            _ => Err(v),
        };
    };
    let id = v.check("id", parse_uuid(&id));
    let version = version(sheet, row, &mut v);
    let code = sheet
        .get(row, "code")
        .and_then(|code| v.check("code", Code::parse(&code)));
    let changes = OrganizationChanges::try_from(OrganizationPatchDto {
        name: sheet.patch(row, "name"),
        kind: sheet.patch(row, "kind"),
        country: sheet.patch(row, "country"),
        parent,
        iati_ref: sheet.patch(row, "iati_ref"),
    });
    let changes = v.check_all(changes);
    match (id, version, changes) {
        (Some(id), Some(version), Some(changes)) if v.is_empty() => Ok(OrganizationRow::Update {
            id: OrganizationId(id),
            version,
            code,
            changes,
        }),
        _ => Err(v),
    }
}
