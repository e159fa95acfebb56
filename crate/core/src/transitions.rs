//! The last few state changes, so that a host can announce every change
//! (with the time it fell due) after any operation, without allocating.

use crate::status::Transition;

/// The changes a breaker keeps for [`Breaker::transitions_since`](crate::Breaker::transitions_since):
/// more than one operation can cause (half-open → open at a probe's expiry →
/// half-open again after the open time), never anywhere near this many.
pub const TRANSITIONS_KEPT: usize = 8;

#[derive(Debug)]
pub(crate) struct TransitionLog {
    recent: [Option<Transition>; TRANSITIONS_KEPT],
    /// Changes ever logged; the sequence number of the newest.
    count: u64,
}

impl TransitionLog {
    pub(crate) fn new() -> TransitionLog {
        TransitionLog { recent: [None; TRANSITIONS_KEPT], count: 0 }
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    pub(crate) fn push(&mut self, transition: Transition) {
        if let Some(slot) = self.recent.get_mut(slot_of(self.count)) {
            *slot = Some(transition);
        }
        self.count = self.count.saturating_add(1);
    }

    /// The changes after the first `seen` (oldest first); at most the last [`TRANSITIONS_KEPT`].
    pub(crate) fn since(&self, seen: u64) -> impl Iterator<Item = Transition> + '_ {
        let first = seen.max(self.count.saturating_sub(TRANSITIONS_KEPT as u64));
        (first..self.count).filter_map(|seq| self.recent.get(slot_of(seq)).copied().flatten())
    }
}

fn slot_of(seq: u64) -> usize {
    // TRANSITIONS_KEPT is a small constant, so the remainder always fits.
    usize::try_from(seq.checked_rem(TRANSITIONS_KEPT as u64).unwrap_or(0)).unwrap_or(0)
}
