//! The IATI 2.03 export: a programme as an `iati-activity`, and the organisations file. Public
//! rows only, whoever asks: the files are meant to be published openly, so what they hold never
//! depends on the caller (a caller, when there is one, must still be allowed to read
//! programmes). Codes come from `gloact_domain::iati`; the XML is written by quick-xml, which
//! escapes text and attributes.

use std::collections::{BTreeSet, HashMap};
use std::io;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use gloact_domain::activity::ActivityDetail;
use gloact_domain::iati;
use gloact_domain::indicator::IndicatorDetail;
use gloact_domain::organization::Organization;
use gloact_domain::policy::{Action, Resource};
use gloact_domain::programme::Programme;
use gloact_domain::value::{Code, Figure};
use gloact_persistence::{Db, StoreError, activities, indicators, organizations, programmes};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::{Caller, ServiceResult, authorize};

/// The activity file of one programme: the programme as one `iati-activity`, its public
/// activities as its `related-activity` children. `None` caller: served without a token (the
/// public setting is on).
pub async fn activities_file(
    db: &Db,
    caller: Option<&Caller>,
    programme: &Code,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<u8>> {
    if let Some(caller) = caller {
        authorize(&caller.actor, Resource::Programme, Action::Read)?;
    }
    let programme = programmes::get_by_code(db, programme).await?;
    let activities = activities::public_of_programme(db, programme.id).await?;
    let indicators = indicators::of_programme(db, programme.id).await?;
    let organizations = organizations::all(db).await?;
    let file = ActivityFile {
        programme: &programme,
        activities: &activities,
        indicators: &indicators,
        organizations: organizations.iter().map(|o| (&o.code, o)).collect(),
        now,
    };
    Ok(file.write().map_err(xml_error)?)
}

/// The organisation file: every organization, each its own reporting organisation.
pub async fn organisations_file(
    db: &Db,
    caller: Option<&Caller>,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<u8>> {
    if let Some(caller) = caller {
        authorize(&caller.actor, Resource::Organization, Action::Read)?;
    }
    let organizations = organizations::all(db).await?;
    Ok(write_organisations(&organizations, now).map_err(xml_error)?)
}

fn xml_error(error: io::Error) -> StoreError {
    StoreError::Internal(format!("writing IATI XML: {error}"))
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn date(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn figure(value: Figure) -> String {
    value.get().to_string()
}

/// An organization's identifier in IATI: its IATI reference when it has one, else its code.
fn org_ref(organization: &Organization) -> &str {
    organization
        .iati_ref
        .as_ref()
        .map_or(organization.code.as_str(), |r| r.as_str())
}

type Xml = Writer<Vec<u8>>;

fn narrative(w: &mut Xml, text: &str) -> io::Result<()> {
    w.create_element("narrative")
        .write_text_content(BytesText::new(text))?;
    Ok(())
}

/// An element holding one narrative.
fn with_narrative(w: &mut Xml, name: &str, text: &str) -> io::Result<()> {
    w.create_element(name)
        .write_inner_content(|w| narrative(w, text))?;
    Ok(())
}

fn start(w: &mut Xml) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
}

fn reporting_org(w: &mut Xml, organization: &Organization) -> io::Result<()> {
    w.create_element("reporting-org")
        .with_attribute(("ref", org_ref(organization)))
        .with_attribute(("type", iati::organisation_type(organization.kind)))
        .write_inner_content(|w| narrative(w, organization.name.as_str()))?;
    Ok(())
}

struct ActivityFile<'a> {
    programme: &'a Programme,
    activities: &'a [ActivityDetail],
    indicators: &'a [IndicatorDetail],
    organizations: HashMap<&'a Code, &'a Organization>,
    now: DateTime<Utc>,
}

impl ActivityFile<'_> {
    /// The publisher: the first of the programme's implementers (in code order) that has an
    /// IATI reference, else its first implementer.
    fn reporting(&self) -> Option<&Organization> {
        let mut implementers: Vec<&Organization> = self
            .programme
            .implementers
            .iter()
            .filter_map(|code| self.organizations.get(code).copied())
            .collect();
        implementers.sort_by(|a, b| a.code.as_str().cmp(b.code.as_str()));
        implementers
            .iter()
            .find(|o| o.iati_ref.is_some())
            .or(implementers.first())
            .copied()
    }

    /// The programme's IATI identifier: the one it holds, else the reporting organisation's
    /// reference and the programme's code.
    fn identifier(&self, reporting: &Organization) -> String {
        self.programme.iati_identifier.as_ref().map_or_else(
            || format!("{}-{}", org_ref(reporting), self.programme.code),
            |id| id.as_str().to_owned(),
        )
    }

    /// Who takes part, with an IATI role: the programme's funders (1) and implementers (4),
    /// then every IATI role held in its public activities; each organization and role once.
    fn participants(&self) -> Vec<(&Organization, &'static str)> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        let programme_roles = self
            .programme
            .funders
            .iter()
            .map(|c| (c, iati::ROLE_FUNDING))
            .chain(
                self.programme
                    .implementers
                    .iter()
                    .map(|c| (c, iati::ROLE_IMPLEMENTING)),
            );
        let activity_roles = self.activities.iter().flat_map(|a| {
            a.participations.iter().filter_map(|p| {
                iati::organisation_role(p.role).map(|role| (&p.organization_code, role))
            })
        });
        for (code, role) in programme_roles.chain(activity_roles) {
            if let Some(organization) = self.organizations.get(code)
                && seen.insert((code.as_str(), role))
            {
                out.push((*organization, role));
            }
        }
        out
    }

    fn write(&self) -> io::Result<Vec<u8>> {
        let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
        start(&mut w)?;
        let now = timestamp(self.now);
        w.create_element("iati-activities")
            .with_attribute(("version", iati::VERSION))
            .with_attribute(("generated-datetime", now.as_str()))
            .write_inner_content(|w| self.write_activity(w))?;
        Ok(w.into_inner())
    }

    fn write_activity(&self, w: &mut Xml) -> io::Result<()> {
        let Some(reporting) = self.reporting() else {
            return Err(io::Error::other(
                "the programme has no implementer to report it",
            ));
        };
        let identifier = self.identifier(reporting);
        let p = self.programme;
        let last_updated = timestamp(p.meta.updated_at);
        w.create_element("iati-activity")
            .with_attribute(("last-updated-datetime", last_updated.as_str()))
            .with_attribute(("xml:lang", "en"))
            .with_attribute(("hierarchy", "1"))
            .write_inner_content(|w| {
                w.create_element("iati-identifier")
                    .write_text_content(BytesText::new(&identifier))?;
                reporting_org(w, reporting)?;
                with_narrative(w, "title", p.title.as_str())?;
                w.create_element("description")
                    .with_attribute(("type", "1"))
                    .write_inner_content(|w| narrative(w, &self.description()))?;
                for (organization, role) in self.participants() {
                    w.create_element("participating-org")
                        .with_attribute(("ref", org_ref(organization)))
                        .with_attribute(("type", iati::organisation_type(organization.kind)))
                        .with_attribute(("role", role))
                        .write_inner_content(|w| narrative(w, organization.name.as_str()))?;
                }
                let today = self.now.date_naive();
                w.create_element("activity-status")
                    .with_attribute(("code", iati::programme_status(&p.period, today)))
                    .write_empty()?;
                for (kind, day) in [
                    (iati::date_type::PLANNED_START, p.period.start()),
                    (iati::date_type::PLANNED_END, p.period.end()),
                ] {
                    let day = date(day);
                    w.create_element("activity-date")
                        .with_attribute(("type", kind))
                        .with_attribute(("iso-date", day.as_str()))
                        .write_empty()?;
                }
                let countries: Vec<&str> = p
                    .countries
                    .iter()
                    .filter_map(|c| iati::country_alpha2(*c))
                    .collect();
                let shares = iati::shares(countries.len());
                for (code, share) in countries.iter().zip(shares) {
                    let share = share.to_string();
                    let element = w
                        .create_element("recipient-country")
                        .with_attribute(("code", *code));
                    if countries.len() > 1 {
                        element
                            .with_attribute(("percentage", share.as_str()))
                            .write_empty()?;
                    } else {
                        element.write_empty()?;
                    }
                }
                let pillars: Vec<_> = self.activities.iter().map(|a| a.activity.pillar).collect();
                for (code, share) in iati::sector_shares(&pillars) {
                    let share = share.to_string();
                    w.create_element("sector")
                        .with_attribute(("vocabulary", iati::SECTOR_VOCABULARY_DAC5))
                        .with_attribute(("code", code))
                        .with_attribute(("percentage", share.as_str()))
                        .write_empty()?;
                }
                for activity in self.activities {
                    let child = format!("{identifier}-{}", activity.activity.code);
                    w.create_element("related-activity")
                        .with_attribute(("ref", child.as_str()))
                        .with_attribute(("type", iati::RELATED_CHILD))
                        .write_empty()?;
                }
                for indicator in self.indicators {
                    write_result(w, indicator)?;
                }
                Ok(())
            })?;
        Ok(())
    }

    /// The programme holds no description of its own: its title and the public activities it
    /// carries out, by title.
    fn description(&self) -> String {
        let mut text = format!("{}.", self.programme.title.as_str());
        if !self.activities.is_empty() {
            text.push_str(" Public activities:");
            for (i, a) in self.activities.iter().enumerate() {
                text.push_str(if i == 0 { " " } else { "; " });
                text.push_str(a.activity.title.as_str());
            }
            text.push('.');
        }
        text
    }
}

fn write_result(w: &mut Xml, detail: &IndicatorDetail) -> io::Result<()> {
    let indicator = &detail.indicator;
    w.create_element("result")
        .with_attribute(("type", iati::result_type(indicator.result_level)))
        .write_inner_content(|w| {
            with_narrative(w, "title", indicator.title.as_str())?;
            w.create_element("indicator")
                .with_attribute(("measure", iati::indicator_measure(indicator.measure)))
                .write_inner_content(|w| {
                    with_narrative(w, "title", indicator.title.as_str())?;
                    // IATI needs the year of a baseline; one without a year is left out.
                    if let Some(year) = indicator.baseline_year.filter(|y| *y > 0) {
                        let year = year.to_string();
                        let element = w
                            .create_element("baseline")
                            .with_attribute(("year", year.as_str()));
                        match indicator.baseline_value {
                            Some(value) => element
                                .with_attribute(("value", figure(value).as_str()))
                                .write_empty()?,
                            None => element.write_empty()?,
                        };
                    }
                    for period in &detail.periods {
                        w.create_element("period").write_inner_content(|w| {
                            let start = date(period.period.start());
                            let end = date(period.period.end());
                            w.create_element("period-start")
                                .with_attribute(("iso-date", start.as_str()))
                                .write_empty()?;
                            w.create_element("period-end")
                                .with_attribute(("iso-date", end.as_str()))
                                .write_empty()?;
                            if let Some(target) = period.target {
                                w.create_element("target")
                                    .with_attribute(("value", figure(target).as_str()))
                                    .write_empty()?;
                            }
                            if let Some(actual) = period.actual {
                                w.create_element("actual")
                                    .with_attribute(("value", figure(actual).as_str()))
                                    .write_empty()?;
                            }
                            for (sex, value) in [
                                ("female", period.actual_female),
                                ("male", period.actual_male),
                            ] {
                                if let Some(value) = value {
                                    w.create_element("actual")
                                        .with_attribute(("value", figure(value).as_str()))
                                        .write_inner_content(|w| {
                                            w.create_element("dimension")
                                                .with_attribute(("name", "sex"))
                                                .with_attribute(("value", sex))
                                                .write_empty()?;
                                            Ok(())
                                        })?;
                                }
                            }
                            Ok(())
                        })?;
                    }
                    Ok(())
                })?;
            Ok(())
        })?;
    Ok(())
}

fn write_organisations(organizations: &[Organization], now: DateTime<Utc>) -> io::Result<Vec<u8>> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    start(&mut w)?;
    let now = timestamp(now);
    w.create_element("iati-organisations")
        .with_attribute(("version", iati::VERSION))
        .with_attribute(("generated-datetime", now.as_str()))
        .write_inner_content(|w| {
            for organization in organizations {
                let last_updated = timestamp(organization.meta.updated_at);
                w.create_element("iati-organisation")
                    .with_attribute(("last-updated-datetime", last_updated.as_str()))
                    .with_attribute(("xml:lang", "en"))
                    .write_inner_content(|w| {
                        w.create_element("organisation-identifier")
                            .write_text_content(BytesText::new(org_ref(organization)))?;
                        with_narrative(w, "name", organization.name.as_str())?;
                        reporting_org(w, organization)?;
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    Ok(w.into_inner())
}
