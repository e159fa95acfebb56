//! Counts over a span of time, in 10 buckets: the fleet window (outcomes the
//! members report) and the coordinator's sync rate. A bucket is a tenth of
//! the span; a count leaves when its bucket is more than the span old, so the
//! window ages in steps of a tenth. Fixed size: reports of any volume cost
//! the same, which a per-outcome window could not promise.

use crate::time::Millis;

const BUCKETS: u64 = 10;

/// Successes and failures (for the sync rate, `successes` counts syncs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) successes: u64,
    pub(crate) failures: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.successes = self.successes.saturating_add(other.successes);
        self.failures = self.failures.saturating_add(other.failures);
    }

    pub(crate) fn outcomes(self) -> u64 {
        self.successes.saturating_add(self.failures)
    }
}

#[derive(Clone, Debug)]
pub(crate) struct TimeBuckets {
    /// A tenth of the span, at least 1 ms.
    width: u64,
    /// Indexed by bucket number modulo 10.
    counts: [Counts; BUCKETS as usize],
    /// The number (time / width) of the newest bucket, or `None` when empty.
    newest: Option<u64>,
}

impl TimeBuckets {
    pub(crate) fn new(span: Millis) -> TimeBuckets {
        let width = span.0.div_ceil(BUCKETS).max(1);
        TimeBuckets { width, counts: [Counts::default(); BUCKETS as usize], newest: None }
    }

    /// Adds counts at `now` (the core's time, which never goes backwards).
    pub(crate) fn add(&mut self, now: Millis, counts: Counts) {
        let number = self.advance(now);
        if let Some(bucket) = self.counts.get_mut(slot(number)) {
            bucket.add(counts);
        }
    }

    /// The counts of the last span at `now`.
    pub(crate) fn total(&mut self, now: Millis) -> Counts {
        self.advance(now);
        let mut total = Counts::default();
        self.counts.iter().for_each(|bucket| total.add(*bucket));
        total
    }

    pub(crate) fn clear(&mut self) {
        self.counts = [Counts::default(); BUCKETS as usize];
        self.newest = None;
    }

    /// Empties the buckets that have left the span by `now` and makes `now`'s
    /// bucket the newest; returns its number. A time before the newest bucket
    /// (only after the breaker moved its instants back) empties everything.
    fn advance(&mut self, now: Millis) -> u64 {
        let number = now.0.checked_div(self.width).unwrap_or(0);
        match self.newest {
            Some(newest) if newest == number => {}
            Some(newest) if newest < number && number.saturating_sub(newest) < BUCKETS => {
                for gone in newest.saturating_add(1)..=number {
                    if let Some(bucket) = self.counts.get_mut(slot(gone)) {
                        *bucket = Counts::default();
                    }
                }
            }
            _ => self.counts = [Counts::default(); BUCKETS as usize],
        }
        self.newest = Some(number);
        number
    }
}

fn slot(number: u64) -> usize {
    usize::try_from(number.checked_rem(BUCKETS).unwrap_or(0)).unwrap_or(0)
}
