//! Slots for open subscriptions. Each subscription asks the database for changes several times
//! a second, so the server caps how many are open at once, and each caller's share of them,
//! so one caller (a dashboard opened in many tabs, a script) can't take every slot.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;

/// The server's slots for subscriptions.
#[derive(Debug, Clone)]
pub struct SubscriptionSlots {
    free: Arc<Semaphore>,
    per_caller: usize,
    held: Arc<Mutex<HashMap<String, usize>>>,
}

/// One open subscription's slot, given back when dropped (when the subscription ends).
#[derive(Debug)]
pub struct SubscriptionSlot {
    _permit: OwnedSemaphorePermit,
    subject: String,
    held: Arc<Mutex<HashMap<String, usize>>>,
}

impl SubscriptionSlots {
    /// `total` slots on the server, at most `per_caller` of them for one token subject.
    pub fn new(total: usize, per_caller: usize) -> Self {
        Self {
            free: Arc::new(Semaphore::new(total)),
            per_caller,
            held: Arc::default(),
        }
    }

    /// A slot for the caller `subject`: `too_many_subscriptions` (429) when it holds its share
    /// already, `unavailable` (503) when the server has none free.
    pub fn take(&self, subject: &str) -> Result<SubscriptionSlot, ApiError> {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let mine = held.get(subject).copied().unwrap_or(0);
        if mine >= self.per_caller {
            return Err(ApiError::TooManyRequests {
                code: "too_many_subscriptions",
                detail: format!(
                    "you have {mine} subscriptions open, the most one caller may; close one first"
                ),
            });
        }
        let permit = Arc::clone(&self.free)
            .try_acquire_owned()
            .map_err(|_| ApiError::Unavailable)?;
        held.insert(subject.to_owned(), mine + 1);
        Ok(SubscriptionSlot {
            _permit: permit,
            subject: subject.to_owned(),
            held: Arc::clone(&self.held),
        })
    }
}

impl Drop for SubscriptionSlot {
    fn drop(&mut self) {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = held.get_mut(&self.subject) {
            *count -= 1;
            if *count == 0 {
                held.remove(&self.subject);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_gets_its_share_and_the_server_its_total() {
        let slots = SubscriptionSlots::new(3, 2);
        let a1 = slots.take("a").unwrap();
        let _a2 = slots.take("a").unwrap();
        assert_eq!(
            slots.take("a").unwrap_err().code(),
            "too_many_subscriptions"
        );
        let _b1 = slots.take("b").unwrap();
        assert_eq!(slots.take("c").unwrap_err().code(), "unavailable");
        drop(a1);
        // The slot given back is free again, for anyone.
        let _c1 = slots.take("c").unwrap();
        assert_eq!(slots.take("a").unwrap_err().code(), "unavailable");
    }

    #[test]
    fn a_caller_whose_subscriptions_all_ended_holds_nothing() {
        let slots = SubscriptionSlots::new(4, 1);
        drop(slots.take("a").unwrap());
        let again = slots.take("a").unwrap();
        assert_eq!(slots.held.lock().unwrap().len(), 1);
        drop(again);
        assert!(slots.held.lock().unwrap().is_empty());
    }
}
