//! Victim-assistance cases: the pseudonymous case row with its events and referrals, scoped reads,
//! versioned writes, and the identity sealed apart (see [`crate::sealed`]).

mod identity;
mod read;
mod rows;
mod write;

pub use identity::{
    erase_identity, identities_not_under, identity, put_identity, reseal_identities,
};
pub use read::{CaseFilter, count, get, list};
pub use write::{add_referral, create, set_referral_status, update};
