//! WIT value ↔ core value, one function per type. Nothing here decides.

use alloc::string::ToString;

use edgebreaker_core::{Cause, Config, ConfigError, Metrics, SnapshotError, State, Status, WindowTally};

use crate::bindings::exports::edgebreaker::breaker::types as wit;

/// A WIT config onto the core's defaults, one rule for every option: as
/// given, else the default (for the options that may be unset, the default
/// is unset).
pub(crate) fn config_from_wit(given: &wit::Config) -> Config {
    let defaults = Config::default();
    Config {
        failure_threshold: given.failure_threshold.unwrap_or(defaults.failure_threshold),
        window_size: given.window_size.unwrap_or(defaults.window_size),
        reset_timeout_ms: given.reset_timeout_ms.unwrap_or(defaults.reset_timeout_ms),
        success_threshold: given.success_threshold.unwrap_or(defaults.success_threshold),
        half_open_max_calls: given.half_open_max_calls.unwrap_or(defaults.half_open_max_calls),
        failure_rate_threshold: given.failure_rate_threshold.or(defaults.failure_rate_threshold),
        minimum_calls: given.minimum_calls.or(defaults.minimum_calls),
        window_ms: given.window_ms.or(defaults.window_ms),
        slow_call_ms: given.slow_call_ms.or(defaults.slow_call_ms),
        max_reset_timeout_ms: given.max_reset_timeout_ms.or(defaults.max_reset_timeout_ms),
        probe_timeout_ms: given.probe_timeout_ms.or(defaults.probe_timeout_ms),
    }
}

pub(crate) fn config_to_wit(config: &Config) -> wit::Config {
    wit::Config {
        failure_threshold: Some(config.failure_threshold),
        window_size: Some(config.window_size),
        reset_timeout_ms: Some(config.reset_timeout_ms),
        success_threshold: Some(config.success_threshold),
        half_open_max_calls: Some(config.half_open_max_calls),
        failure_rate_threshold: config.failure_rate_threshold,
        minimum_calls: config.minimum_calls,
        window_ms: config.window_ms,
        slow_call_ms: config.slow_call_ms,
        max_reset_timeout_ms: config.max_reset_timeout_ms,
        probe_timeout_ms: config.probe_timeout_ms,
    }
}

pub(crate) fn config_error_to_wit(error: &ConfigError) -> wit::ConfigError {
    wit::ConfigError { option: error.option().into(), message: error.to_string() }
}

pub(crate) fn snapshot_error_to_wit(error: &SnapshotError) -> wit::SnapshotError {
    wit::SnapshotError { field: error.field.clone(), message: error.to_string() }
}

pub(crate) fn state_to_wit(state: State) -> wit::State {
    match state {
        State::Closed => wit::State::Closed,
        State::Open => wit::State::Open,
        State::HalfOpen => wit::State::HalfOpen,
    }
}

pub(crate) fn cause_to_wit(cause: Cause) -> wit::Cause {
    match cause {
        Cause::FailureThreshold(tally) => wit::Cause::FailureThreshold(tally_to_wit(tally)),
        Cause::FailureRate(tally) => wit::Cause::FailureRate(tally_to_wit(tally)),
        Cause::SlowCalls(tally) => wit::Cause::SlowCalls(tally.map(tally_to_wit)),
        Cause::RetryAfter(wait) => wit::Cause::RetryAfter(wait.0),
        Cause::ProbeFailed => wit::Cause::ProbeFailed,
        Cause::ProbeExpired => wit::Cause::ProbeExpired,
        Cause::OpenTimeElapsed => wit::Cause::OpenTimeElapsed,
        Cause::ProbesSucceeded => wit::Cause::ProbesSucceeded,
        Cause::Reset => wit::Cause::Reset,
        Cause::ForceOpen => wit::Cause::ForceOpen,
        Cause::Fleet => wit::Cause::Fleet,
    }
}

fn tally_to_wit(tally: WindowTally) -> wit::WindowTally {
    wit::WindowTally { failures: tally.failures, calls: tally.calls }
}

pub(crate) fn status_to_wit(name: &str, status: Status) -> wit::Status {
    wit::Status {
        name: name.into(),
        state: state_to_wit(status.state),
        config: config_to_wit(&status.config),
        metrics: metrics_to_wit(&status.metrics),
        retry_after_ms: status.retry_after_ms,
    }
}

/// Flat in WIT: the call counters stand beside the other figures.
fn metrics_to_wit(metrics: &Metrics) -> wit::Metrics {
    let counters = &metrics.counters;
    wit::Metrics {
        total_calls: counters.total_calls,
        successful_calls: counters.successful_calls,
        failed_calls: counters.failed_calls,
        blocked_calls: counters.blocked_calls,
        ignored_calls: counters.ignored_calls,
        slow_calls: counters.slow_calls,
        in_flight: metrics.in_flight,
        state_changes: metrics.state_changes,
        last_failure_time: metrics.last_failure_time,
        last_success_time: metrics.last_success_time,
        failure_rate: metrics.failure_rate,
        success_rate: metrics.success_rate,
    }
}
