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

    /// Converts a JavaScript-style number of milliseconds: finite, ≥ 0 and at
    /// most [`MAX_MILLIS`]; fractions are dropped (floor). `None` otherwise.
    pub fn from_f64(ms: f64) -> Option<Millis> {
        if ms >= 0.0 && ms <= MAX_MILLIS as f64 {
            // In range and not NaN (NaN fails both comparisons), so the cast is exact after floor.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Some(Millis(ms as u64))
        } else {
            None
        }
    }

    pub fn as_f64(self) -> f64 {
        // Values the core produces are at most MAX_MILLIS plus saturated sums;
        // f64 rounds the latter, which only affects instants past year 285,000.
        self.0 as f64
    }
}
