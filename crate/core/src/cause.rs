//! Why a circuit changed state, decided by the rule that changed it (in
//! breaker.rs), with the figures that justify it, so that no host has to
//! guess the reason from the pair of states.

use crate::time::Millis;

/// Why a circuit changed state. The names hosts show ([`Cause::as_str`]) are
/// snake_case like the states'.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cause {
    /// Closed → open: the window's failures reached `failureThreshold`.
    FailureThreshold(WindowTally),
    /// Closed → open: the window's failure rate reached `failureRateThreshold`
    /// (with at least `minimumCalls` outcomes) while its failures were below `failureThreshold`.
    FailureRate(WindowTally),
    /// → open because a success took at least `slowCallMs`: closed, the outcome
    /// that made the window's rule hold was a slow success (the tally is the
    /// window's); half-open, a probe succeeded too slowly (no tally).
    SlowCalls(Option<WindowTally>),
    /// → open for exactly the time the upstream asked for (HTTP `Retry-After`).
    RetryAfter(Millis),
    /// Half-open → open: a probe failed.
    ProbeFailed,
    /// Half-open → open: a probe was not settled within `probeTimeoutMs`.
    ProbeExpired,
    /// Open → half-open: the open time elapsed.
    OpenTimeElapsed,
    /// Half-open → closed: `successThreshold` consecutive probes succeeded.
    ProbesSucceeded,
    /// → closed: `reset()`.
    Reset,
    /// → open: `forceOpen()`.
    ForceOpen,
    /// → open or → closed: the breaker followed its fleet (a snapshot of the
    /// fleet opened it, or closed it as the fleet recovered); also a fleet
    /// coordinator's own trip on the failures its members reported.
    Fleet,
}

/// The window when one of its rules opened the circuit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WindowTally {
    /// Failures in the window, slow successes included.
    pub failures: u32,
    /// Outcomes in the window: successes and failures (ignored calls leave no trace).
    pub calls: u32,
}

impl WindowTally {
    pub(crate) fn new(failures: usize, calls: usize) -> WindowTally {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        WindowTally { failures: count(failures), calls: count(calls) }
    }
}

impl Cause {
    /// Every cause's name, in the order of [`Cause::code`]: a binding can hand
    /// a cause across as its code and its host look the name up here.
    pub const NAMES: [&'static str; 11] = [
        "failure_threshold",
        "failure_rate",
        "slow_calls",
        "retry_after",
        "probe_failed",
        "probe_expired",
        "open_time_elapsed",
        "probes_succeeded",
        "reset",
        "force_open",
        "fleet",
    ];

    /// The cause's index in [`Cause::NAMES`].
    pub const fn code(self) -> u8 {
        match self {
            Cause::FailureThreshold(_) => 0,
            Cause::FailureRate(_) => 1,
            Cause::SlowCalls(_) => 2,
            Cause::RetryAfter(_) => 3,
            Cause::ProbeFailed => 4,
            Cause::ProbeExpired => 5,
            Cause::OpenTimeElapsed => 6,
            Cause::ProbesSucceeded => 7,
            Cause::Reset => 8,
            Cause::ForceOpen => 9,
            Cause::Fleet => 10,
        }
    }

    /// The name used in JS, JSON, logs and the vectors, e.g. `"failure_threshold"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Cause::FailureThreshold(_) => "failure_threshold",
            Cause::FailureRate(_) => "failure_rate",
            Cause::SlowCalls(_) => "slow_calls",
            Cause::RetryAfter(_) => "retry_after",
            Cause::ProbeFailed => "probe_failed",
            Cause::ProbeExpired => "probe_expired",
            Cause::OpenTimeElapsed => "open_time_elapsed",
            Cause::ProbesSucceeded => "probes_succeeded",
            Cause::Reset => "reset",
            Cause::ForceOpen => "force_open",
            Cause::Fleet => "fleet",
        }
    }

    /// The window's tally, for a cause that is a rule of the window.
    pub const fn window(self) -> Option<WindowTally> {
        match self {
            Cause::FailureThreshold(tally) | Cause::FailureRate(tally) => Some(tally),
            Cause::SlowCalls(tally) => tally,
            _ => None,
        }
    }

    /// The upstream's Retry-After, for [`Cause::RetryAfter`].
    pub const fn retry_after(self) -> Option<Millis> {
        match self {
            Cause::RetryAfter(wait) => Some(wait),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Cause, WindowTally};
    use alloc::vec::Vec;
    use crate::time::Millis;

    /// A breaker keeps its last 8 transitions: a cause must not make them big.
    #[test]
    fn a_transition_stays_small() {
        assert!(core::mem::size_of::<crate::status::Transition>() <= 48);
        assert!(core::mem::size_of::<Cause>() <= 16);
    }

    #[test]
    fn each_cause_is_named_at_its_code() {
        let tally = WindowTally { failures: 1, calls: 2 };
        let every = [
            Cause::FailureThreshold(tally),
            Cause::FailureRate(tally),
            Cause::SlowCalls(None),
            Cause::RetryAfter(Millis(1)),
            Cause::ProbeFailed,
            Cause::ProbeExpired,
            Cause::OpenTimeElapsed,
            Cause::ProbesSucceeded,
            Cause::Reset,
            Cause::ForceOpen,
            Cause::Fleet,
        ];
        let named: Vec<(usize, &str)> = every.iter().map(|cause| (usize::from(cause.code()), cause.as_str())).collect();
        let expected: Vec<(usize, &str)> = Cause::NAMES.iter().copied().enumerate().collect();
        assert_eq!(named, expected);
    }
}
