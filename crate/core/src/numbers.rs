//! Numbers from hosts whose numbers are f64 (JavaScript), read into core
//! values, so that a binding only translates. The config's options have
//! their own conversion, which refuses what it cannot read
//! ([`Config::from_numbers`](crate::Config::from_numbers)); an operation
//! cannot refuse, so what it is given is read by one rule:
//!
//! **What can be read saturates into range; what cannot be read fails
//! closed**, never towards admitting a call a readable number would not:
//! - a time that is no reading (NaN, negative, beyond [`MAX_MILLIS`]) is the
//!   latest time: no time passes, so nothing falls due early;
//! - a wait (a Retry-After, a forced-open duration) below 0 is none and beyond
//!   [`MAX_MILLIS`] is [`MAX_MILLIS`]; NaN is the longest wait;
//! - an outcome code that names no outcome is a failure: a report nobody can
//!   read must not hide one (as a judge that throws counts a failure);
//! - a permit token that is no token names no permit: it settles as stale,
//!   counted but moving nothing.

use crate::permit::{Outcome, Permit};
use crate::time::{Millis, MAX_MILLIS};

impl Millis {
    /// A number of milliseconds: finite, ≥ 0 and at most [`MAX_MILLIS`];
    /// fractions are dropped (floor). `None` otherwise.
    pub fn from_f64(ms: f64) -> Option<Millis> {
        if ms >= 0.0 && ms <= MAX_MILLIS as f64 {
            // In range and not NaN (NaN fails both comparisons), so the cast is exact after floor.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Some(Millis(ms as u64))
        } else {
            None
        }
    }

    /// A clock reading. One that is no reading becomes a time beyond
    /// [`MAX_MILLIS`], which every operation of a breaker takes as the latest
    /// time it has seen, and a permit's acquire time as a call that took no
    /// time (no slow-call timing).
    pub fn reading_from_f64(ms: f64) -> Millis {
        Millis::from_f64(ms).unwrap_or(Millis(u64::MAX))
    }

    /// A wait, saturating: below 0 is no wait, beyond [`MAX_MILLIS`] (or
    /// infinite) is [`MAX_MILLIS`], and NaN, a wait nobody can read, the longest.
    pub fn saturating_from_f64(ms: f64) -> Millis {
        if ms <= 0.0 {
            Millis::ZERO
        } else {
            Millis::from_f64(ms).unwrap_or(Millis(MAX_MILLIS))
        }
    }
}

impl Outcome {
    /// Outcome codes: 0 success, 1 failure, 2 ignored; any other code is a failure.
    pub fn from_code(code: u8) -> Outcome {
        match code {
            0 => Outcome::Success,
            2 => Outcome::Ignored,
            _ => Outcome::Failure,
        }
    }
}

impl Permit {
    /// [`Permit::from_token`] from numbers: a token that is not one (not a
    /// whole number from 0 to 2^53 - 1) makes a permit that settles as stale;
    /// an acquire time that is no reading (-1 for a permit issued without
    /// reading the clock) times the call as taking no time.
    pub fn from_numbers(token: f64, acquired_at: f64) -> Permit {
        let token = Millis::from_f64(token).map_or(u64::MAX, |token| token.0);
        Permit::from_token(token, Millis::reading_from_f64(acquired_at))
    }
}

/// A count (such as the state changes a host has seen): a whole number from
/// 0 to 2^53 - 1; anything else is 0.
pub fn count_from_f64(count: f64) -> u64 {
    Millis::from_f64(count).map_or(0, |count| count.0)
}
