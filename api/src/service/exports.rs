//! Exports for partners: the HTCDS case release, exact for UNODC and IOM with `stats:exact`,
//! k-anonymous for everyone else (statistics are every role's to read).

use gloact_domain::htcds::{self, KAnonymity, ReleasedCase};
use gloact_domain::policy::{Action, Resource};
use gloact_domain::statistics::{self, SMALL_CELL};
use gloact_domain::value::CountryCode;
use gloact_persistence::audit::{self, Entry};
use gloact_persistence::{Db, StoreError};

use super::{Caller, ServiceResult, authorize};

/// At a rung of the generalisation ladder, at most this share of cases (in percent) may be
/// withheld before the next, coarser rung is tried.
pub const MAX_SUPPRESSED_PERCENT: usize = 5;

/// The country whose citizens stay named when citizenship is generalised.
const HOME_COUNTRY: &str = "BGD";

/// An HTCDS release as served.
#[derive(Debug)]
pub struct HtcdsExport {
    /// The released cases, one per row.
    pub cases: Vec<ReleasedCase>,
    /// Whether it is the exact release (rows carry a per-export case id).
    pub exact: bool,
    /// How many cases were withheld (always 0 in the exact release).
    pub suppressed: usize,
    /// The k of the k-anonymous release (`None` when exact).
    pub k: Option<usize>,
    /// The rung of [`htcds::LADDER`] used (0 when exact).
    pub rung: usize,
}

/// Every case, as the statistics rule has it: over all cases whatever the caller may read
/// otherwise, exact microdata only for those who see exact statistics, a k-anonymous release
/// for the others. The export is on the audit trail.
pub async fn htcds(db: &Db, caller: &Caller) -> ServiceResult<HtcdsExport> {
    authorize(&caller.actor, Resource::Statistics, Action::Read)?;
    let exact = statistics::sees_exact(&caller.actor);
    let facts = gloact_persistence::htcds::case_facts(db).await?;
    let export = if exact {
        HtcdsExport {
            cases: htcds::exact(facts),
            exact,
            suppressed: 0,
            k: None,
            rung: 0,
        }
    } else {
        let home_country =
            CountryCode::parse(HOME_COUNTRY).map_err(|e| StoreError::Internal(e.to_string()))?;
        let release = htcds::k_anonymous(
            &facts,
            KAnonymity {
                k: SMALL_CELL as usize,
                max_suppressed_percent: MAX_SUPPRESSED_PERCENT,
                home_country,
            },
        );
        HtcdsExport {
            cases: release.cases,
            exact,
            suppressed: release.suppressed,
            k: Some(SMALL_CELL as usize),
            rung: release.rung,
        }
    };
    let release = if exact { "exact" } else { "k_anonymous" };
    audit::record(
        db,
        &caller.audit_identity(),
        vec![Entry::new("export", "htcds_release", release)],
    )
    .await?;
    Ok(export)
}
