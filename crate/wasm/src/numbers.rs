//! The core's answers as the numbers JavaScript reads, for both breaker
//! bindings (breaker.rs for the main entries, lite.rs for edgebreaker/lite):
//! state codes, a permit's token, a status's figures, a state change's row.

use edgebreaker_core::{Millis, Permit, State, Status, Transition};

/// What `acquire` answers instead of a token when the call is rejected.
pub(crate) const REJECTED: f64 = -1.0;

/// Numbers per transition in `transitionsSince`'s answer.
pub(crate) const TRANSITION_NUMBERS: usize = 8;

/// Numbers per breaker, in the order `figures_of` writes them (js/src/status-numbers.ts names each by its offset).
pub(crate) const FIGURES: usize = 14;

pub(crate) fn token(permit: Permit) -> f64 {
    permit.token() as f64
}

pub(crate) fn state_code(state: State) -> u8 {
    match state {
        State::Closed => 0,
        State::Open => 1,
        State::HalfOpen => 2,
    }
}

/// A state change as numbers: from, to, at, cause (its code in
/// `CoreCauseNames`), the window's failures and calls, the Retry-After and
/// the open time, each NaN where it does not apply (the open time of a change
/// to open: NaN is until reset).
pub(crate) fn transition_numbers(change: Transition) -> [f64; TRANSITION_NUMBERS] {
    let window = change.cause.window();
    let or_nan = |number: Option<f64>| number.unwrap_or(f64::NAN);
    [
        f64::from(state_code(change.from)),
        f64::from(state_code(change.to)),
        change.at.as_f64(),
        f64::from(change.cause.code()),
        or_nan(window.map(|tally| f64::from(tally.failures))),
        or_nan(window.map(|tally| f64::from(tally.calls))),
        or_nan(change.cause.retry_after().map(Millis::as_f64)),
        or_nan(change.open_for.map(Millis::as_f64)),
    ]
}

/// State (0 closed, 1 open, 2 half_open), retryAfterMs (NaN: forced open
/// until reset), totalCalls, successfulCalls, failedCalls, blockedCalls,
/// ignoredCalls, slowCalls, inFlight, stateChanges, failureRate, successRate,
/// lastFailureTime and lastSuccessTime (NaN: none yet).
pub(crate) fn figures_of(status: &Status) -> [f64; FIGURES] {
    let (metrics, counters) = (&status.metrics, &status.metrics.counters);
    let or_nan = |number: Option<u64>| number.map_or(f64::NAN, |number| number as f64);
    [
        f64::from(state_code(status.state)),
        or_nan(status.retry_after_ms),
        counters.total_calls as f64,
        counters.successful_calls as f64,
        counters.failed_calls as f64,
        counters.blocked_calls as f64,
        counters.ignored_calls as f64,
        counters.slow_calls as f64,
        metrics.in_flight as f64,
        metrics.state_changes as f64,
        metrics.failure_rate,
        metrics.success_rate,
        or_nan(metrics.last_failure_time),
        or_nan(metrics.last_success_time),
    ]
}
