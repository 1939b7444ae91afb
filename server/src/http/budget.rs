//! The memory every request in flight may hold, together.
//!
//! A request charges its body's bytes as they arrive, then the tree its
//! body parses into and what is decoded from it ([`crate::json::tree`]),
//! through a [`Reservation`]; everything is given back when the request is
//! answered. When a charge would take the total over the budget, the
//! request is refused at once with DynamoDB's overload answer (see
//! `handler::overloaded`) — so many slow or hostile bodies cannot together
//! hold more than the budget, whatever each one looks like.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::json::tree::Meter;

/// A request takes budget from the shared counter in steps of at least this
/// much, so the tree builder's many small charges touch it rarely.
const STEP: usize = 64 * 1024;

/// The shared budget: at most `limit` bytes held by all requests.
#[derive(Debug)]
pub(crate) struct MemoryBudget {
    limit: usize,
    used: AtomicUsize,
}

impl MemoryBudget {
    /// A budget of `limit` bytes.
    pub(crate) fn new(limit: usize) -> Arc<MemoryBudget> {
        Arc::new(MemoryBudget {
            limit,
            used: AtomicUsize::new(0),
        })
    }

    /// Takes `n` bytes if they fit.
    fn try_take(&self, n: usize) -> bool {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(n).filter(|&total| total <= self.limit)
            })
            .is_ok()
    }

    fn give_back(&self, n: usize) {
        self.used.fetch_sub(n, Ordering::AcqRel);
    }

    /// Bytes held now.
    #[cfg(test)]
    pub(crate) fn used(&self) -> usize {
        self.used.load(Ordering::Acquire)
    }
}

/// What one request holds of the budget; given back when dropped.
#[derive(Debug)]
pub(crate) struct Reservation {
    budget: Arc<MemoryBudget>,
    /// Taken from the budget.
    held: AtomicUsize,
    /// Of `held`, not yet charged (taken ahead, in [`STEP`]s).
    spare: AtomicUsize,
    /// The last charge refused, beyond what was held then.
    refused: AtomicUsize,
}

impl Reservation {
    /// An empty reservation against `budget`.
    pub(crate) fn new(budget: &Arc<MemoryBudget>) -> Reservation {
        Reservation {
            budget: budget.clone(),
            held: AtomicUsize::new(0),
            spare: AtomicUsize::new(0),
            refused: AtomicUsize::new(0),
        }
    }

    /// Whether the last refused charge could never be granted, however
    /// much other requests give back: what this request held plus what it
    /// asked for exceeds the whole budget.
    pub(crate) fn exceeds_whole_budget(&self) -> bool {
        let held = self
            .held
            .load(Ordering::Acquire)
            .saturating_sub(self.spare.load(Ordering::Acquire));
        held.saturating_add(self.refused.load(Ordering::Acquire)) > self.budget.limit
    }

    /// Charges `n` bytes; `false` if the budget cannot give them (nothing
    /// is charged then).
    pub(crate) fn charge(&self, n: usize) -> bool {
        // One request charges from one task at a time; the atomics are for
        // `Sync`, not for contention.
        let spare = self.spare.load(Ordering::Acquire);
        if n <= spare {
            self.spare.store(spare - n, Ordering::Release);
            return true;
        }
        let need = n - spare;
        let take = need.max(STEP);
        if self.budget.try_take(take) {
            self.held.fetch_add(take, Ordering::AcqRel);
            self.spare.store(take - need, Ordering::Release);
            return true;
        }
        // Near the limit, take exactly what is needed.
        if take > need && self.budget.try_take(need) {
            self.held.fetch_add(need, Ordering::AcqRel);
            self.spare.store(0, Ordering::Release);
            return true;
        }
        self.refused.store(n, Ordering::Release);
        false
    }
}

impl Meter for Reservation {
    fn charge(&self, bytes: usize) -> bool {
        Reservation::charge(self, bytes)
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.budget.give_back(*self.held.get_mut());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_are_bounded_and_given_back() {
        let budget = MemoryBudget::new(200_000);
        let a = Reservation::new(&budget);
        assert!(a.charge(10));
        assert_eq!(budget.used(), STEP);
        assert!(a.charge(STEP - 10), "from the spare");
        assert_eq!(budget.used(), STEP);
        let b = Reservation::new(&budget);
        assert!(b.charge(100_000));
        assert_eq!(budget.used(), STEP + 100_000);
        // 200_000 - 165_536 = 34_464 left: less than a step, but exact fits.
        assert!(!a.charge(40_000));
        assert!(a.charge(30_000));
        assert_eq!(budget.used(), STEP + 130_000);
        assert!(!a.exceeds_whole_budget(), "40_000 more would fit alone");
        assert!(!b.charge(150_000));
        assert!(b.exceeds_whole_budget(), "100_000 + 150_000 > 200_000");
        drop(b);
        assert_eq!(budget.used(), STEP + 30_000);
        drop(a);
        assert_eq!(budget.used(), 0);
    }
}
