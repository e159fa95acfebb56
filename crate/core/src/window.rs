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
    /// Index of the oldest entry.
    oldest: usize,
    len: usize,
    failures: usize,
}

impl Window {
    pub(crate) fn new(capacity: u32) -> Window {
        let capacity = usize::try_from(capacity).unwrap_or(1).max(1);
        Window { entries: vec![Entry::default(); capacity].into_boxed_slice(), oldest: 0, len: 0, failures: 0 }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn failures(&self) -> usize {
        self.failures
    }

    /// Adds an outcome, pushing out the oldest when the window is full.
    pub(crate) fn push(&mut self, recorded_at: Millis, failed: bool) {
        if self.len == self.entries.len() {
            self.drop_oldest();
        }
        let slot = self.wrap(self.oldest.wrapping_add(self.len));
        if let Some(entry) = self.entries.get_mut(slot) {
            *entry = Entry { recorded_at, failed };
            self.len = self.len.saturating_add(1);
            self.failures = self.failures.saturating_add(usize::from(failed));
        }
    }

    /// Removes the outcomes that have left the window by `now`: one recorded at
    /// `t` leaves at `t + max_age`. Entries are in time order (the core's time never
    /// goes backwards), so only the oldest end needs looking at.
    pub(crate) fn expire(&mut self, now: Millis, max_age: Millis) {
        while let Some(oldest) = self.entries.get(self.oldest).filter(|_| self.len > 0) {
            if oldest.recorded_at.after(max_age) > now {
                break;
            }
            self.drop_oldest();
        }
    }

    pub(crate) fn clear(&mut self) {
        self.oldest = 0;
        self.len = 0;
        self.failures = 0;
    }

    fn drop_oldest(&mut self) {
        if let Some(entry) = self.entries.get(self.oldest) {
            self.failures = self.failures.saturating_sub(usize::from(entry.failed));
            self.oldest = self.wrap(self.oldest.wrapping_add(1));
            self.len = self.len.saturating_sub(1);
        }
    }

    /// `index` modulo the capacity, for an index less than twice the capacity.
    fn wrap(&self, index: usize) -> usize {
        if index >= self.entries.len() {
            index.wrapping_sub(self.entries.len())
        } else {
            index
        }
    }
}
