//! Time as the caller tells it. The core never reads a clock: every operation
//! takes `now`, and all arithmetic on instants saturates, so a clock that
//! jumps or sits near the end of the range cannot overflow anything.

/// An instant or a duration in whole milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Millis(pub u64);

/// The largest time or duration the core accepts: 2^53 - 1 ms, the largest
/// integer a JavaScript number holds exactly, so every host agrees on it.
pub const MAX_MILLIS: u64 = (1 << 53) - 1;

impl Millis {
    pub const ZERO: Millis = Millis(0);

    /// `self + duration`, saturating at `u64::MAX`.
    pub const fn after(self, duration: Millis) -> Millis {
        Millis(self.0.saturating_add(duration.0))
    }

    /// Time from `earlier` to `self`, or zero if `earlier` is later.
    pub const fn since(self, earlier: Millis) -> Millis {
        Millis(self.0.saturating_sub(earlier.0))
    }

    pub fn as_f64(self) -> f64 {
        // Values the core produces are at most MAX_MILLIS plus saturated sums;
        // f64 rounds the latter, which only affects instants past year 285,000.
        self.0 as f64
    }
}

/// How far back a reading may be and still count as a reordering: a reading
/// earlier than the latest by less than this is taken as the latest time; by
/// this much or more, the clock was set back and the breaker goes on from the
/// new reading. So a clock set back delays nothing by more than this.
pub(crate) const REORDER_TOLERANCE: Millis = Millis(1_000);

/// How far the core's time may run ahead of the caller's clock before every
/// instant the breaker keeps is moved back: far beyond any duration (at most
/// [`MAX_MILLIS`]), so the move changes no decision, and small enough that the
/// core's time stays below 2^55 (a reading plus this) however often the clock jumps.
const MAX_OFFSET: Millis = Millis(1 << 54);

/// The caller's clock readings mapped onto the core's own time, which never
/// goes backwards and moves forward exactly as far as the readings do.
///
/// - A reading at or after the latest moves time forward by the difference.
/// - A reading earlier by less than [`REORDER_TOLERANCE`] is a reordering: it
///   counts as the latest time (nothing moves).
/// - A reading earlier by more is a clock set back (or the end of a glitch
///   into the future): time stays where it is and goes on from the new
///   reading, so an open circuit still half-opens on schedule in real time,
///   and a single far-future reading costs one jump, not a breaker stuck at
///   the end of time.
/// - A reading beyond [`MAX_MILLIS`] is no reading: it counts as the latest time.
///
/// The breaker decides on the core's time and reports the caller's: a time it
/// reports is the reading that corresponds to it (see [`Timeline::reading_at`]).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Timeline {
    /// The latest reading counted, on the caller's clock.
    reading: Millis,
    /// The core's time minus `reading`: how far the clock has been set back in all.
    offset: Millis,
}

impl Timeline {
    /// Counts a reading. Returns how far every instant the breaker keeps must
    /// move back (almost always zero: see [`MAX_OFFSET`]).
    #[inline]
    pub(crate) fn observe(&mut self, reading: Millis) -> Millis {
        if reading >= self.reading {
            if reading.0 <= MAX_MILLIS {
                self.reading = reading;
            }
            return Millis::ZERO;
        }
        let set_back = self.reading.since(reading);
        if set_back < REORDER_TOLERANCE {
            return Millis::ZERO;
        }
        self.reading = reading;
        self.offset = self.offset.after(set_back);
        let excess = self.offset.since(MAX_OFFSET);
        self.offset = self.offset.since(excess);
        excess
    }

    /// The core's time: the latest reading, plus every set-back so far.
    #[inline]
    pub(crate) fn now(&self) -> Millis {
        self.reading.after(self.offset)
    }

    /// The latest reading counted, on the caller's clock.
    #[inline]
    pub(crate) fn reading(&self) -> Millis {
        self.reading
    }

    /// A moment of the core's time on the caller's clock as it reads now (a
    /// moment from before the clock was set back maps onto the new clock; one
    /// from before that clock's 0 reads as 0).
    pub(crate) fn reading_at(&self, instant: Millis) -> Millis {
        instant.since(self.offset)
    }
}
