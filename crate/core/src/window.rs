//! The sliding window of recent outcomes: a ring buffer allocated once, when the
//! breaker is created, holding the last `window_size` successes and failures
//! with the time each was recorded (for `windowMs` expiry).

use alloc::boxed::Box;
use alloc::vec;

use crate::time::Millis;

#[derive(Clone, Copy, Debug, Default)]
struct Entry {
    recorded_at: Millis,
    failed: bool,
}

#[derive(Debug)]
pub(crate) struct Window {
    entries: Box<[Entry]>,
    /// Where the next outcome goes; when the window is full, the oldest is here.
    next: usize,
    len: usize,
    failures: usize,
}

impl Window {
    pub(crate) fn new(capacity: u32) -> Window {
        let capacity = usize::try_from(capacity).unwrap_or(1).max(1);
        Window { entries: vec![Entry::default(); capacity].into_boxed_slice(), next: 0, len: 0, failures: 0 }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn failures(&self) -> usize {
        self.failures
    }

    /// Adds an outcome, overwriting the oldest when the window is full.
    #[inline]
    pub(crate) fn push(&mut self, recorded_at: Millis, failed: bool) {
        let capacity = self.entries.len();
        if let Some(entry) = self.entries.get_mut(self.next) {
            if self.len == capacity {
                self.failures = self.failures.saturating_sub(usize::from(entry.failed));
            } else {
                self.len = self.len.saturating_add(1);
            }
            *entry = Entry { recorded_at, failed };
            self.failures = self.failures.saturating_add(usize::from(failed));
        }
        self.next = self.next.wrapping_add(1);
        if self.next >= capacity {
            self.next = 0;
        }
    }

    /// Removes the outcomes that have left the window by `now`: one recorded at
    /// `t` leaves at `t + max_age`. Entries are in time order (the core's time never
    /// goes backwards), so only the oldest end needs looking at.
    #[cfg_attr(not(target_arch = "wasm32"), inline(never))] // a loop, called only with `windowMs`
    pub(crate) fn expire(&mut self, now: Millis, max_age: Millis) {
        while self.len > 0 {
            // The oldest of `len` entries ends just before `next`, going round.
            let capacity = self.entries.len();
            let oldest = self.next.checked_sub(self.len).unwrap_or_else(|| self.next.wrapping_add(capacity.wrapping_sub(self.len)));
            match self.entries.get(oldest) {
                Some(entry) if entry.recorded_at.after(max_age) <= now => {
                    self.failures = self.failures.saturating_sub(usize::from(entry.failed));
                    self.len = self.len.saturating_sub(1);
                }
                _ => break,
            }
        }
    }

    /// The outcomes in the window, oldest first: `(recorded_at, failed)`.
    pub(crate) fn oldest_first(&self) -> impl Iterator<Item = (Millis, bool)> + '_ {
        let (newer, older) = self.entries.split_at(self.next.min(self.entries.len()));
        let kept = older.iter().chain(newer).skip(self.entries.len().saturating_sub(self.len));
        kept.map(|entry| (entry.recorded_at, entry.failed))
    }

    /// Moves every recorded time back by `by` (see `Breaker::move_back`).
    pub(crate) fn move_back(&mut self, by: Millis) {
        self.entries.iter_mut().for_each(|entry| entry.recorded_at = entry.recorded_at.since(by));
    }

    pub(crate) fn clear(&mut self) {
        self.next = 0;
        self.len = 0;
        self.failures = 0;
    }
}
