//! What the vectors cannot show: the Rust API's own contracts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use edgebreaker_core::{Breaker, Config, ConfigError, Millis, Outcome, Permit, State, MAX_MILLIS};

#[test]
fn js_numbers_convert_to_millis_only_when_finite_non_negative_and_exact() {
    assert_eq!(Millis::from_f64(0.0), Some(Millis(0)));
    assert_eq!(Millis::from_f64(12.9), Some(Millis(12)));
    assert_eq!(Millis::from_f64(MAX_MILLIS as f64), Some(Millis(MAX_MILLIS)));
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0, -0.5, 2f64.powi(53) + 2.0] {
        assert_eq!(Millis::from_f64(bad), None, "{bad} must be refused");
    }
}

#[test]
fn a_permit_survives_the_trip_through_a_token() {
    let mut breaker = Breaker::new(Config { half_open_max_calls: 3, failure_threshold: 1, reset_timeout_ms: 10, ..Config::default() }).unwrap();
    let closed = breaker.acquire(Millis(1)).unwrap();
    assert_eq!(Permit::from_token(closed.token(), closed.acquired_at()), closed);
    breaker.record(closed, Outcome::Failure, Millis(2));
    let probes: Vec<Permit> = (0..3).map(|_| breaker.acquire(Millis(20)).unwrap()).collect();
    for probe in probes {
        assert!(probe.is_probe());
        assert!(probe.token() < 1 << 53, "tokens fit in a JS number");
        assert_eq!(Permit::from_token(probe.token(), probe.acquired_at()), probe);
    }
}

#[test]
fn a_forged_token_is_counted_but_moves_nothing() {
    let mut breaker = Breaker::new(Config { failure_threshold: 1, ..Config::default() }).unwrap();
    breaker.record(Permit::from_token(u64::MAX, Millis(0)), Outcome::Failure, Millis(1));
    let status = breaker.status(Millis(1));
    assert_eq!(status.state, State::Closed);
    assert_eq!(status.metrics.failed_calls, 1);
    assert_eq!(status.metrics.in_flight, 0, "in-flight never goes below zero");
}

#[test]
fn config_errors_name_the_option_and_say_what_is_allowed() {
    let error = Breaker::new(Config { failure_threshold: 11, ..Config::default() }).unwrap_err();
    assert_eq!(error.option(), "failureThreshold");
    assert_eq!(error.to_string(), "failureThreshold must be an integer from 1 to windowSize (10); got 11");
    let error = Breaker::new(Config { failure_rate_threshold: Some(f64::NAN), ..Config::default() }).unwrap_err();
    assert!(matches!(error, ConfigError::FailureRateOutOfRange { .. }));
    let error = Breaker::new(Config { reset_timeout_ms: u64::MAX, ..Config::default() }).unwrap_err();
    assert_eq!(error.option(), "resetTimeoutMs");
}

#[test]
fn acquire_if_closed_needs_the_clock_once_slow_calls_are_timed_or_the_circuit_is_not_closed() {
    let mut breaker = Breaker::new(Config { failure_threshold: 1, ..Config::default() }).unwrap();
    let permit = breaker.acquire_if_closed().expect("closed, untimed: no clock needed");
    breaker.record(permit, Outcome::Failure, Millis(5));
    assert_eq!(breaker.acquire_if_closed(), None, "open: the answer depends on the time");
    let mut timed = Breaker::new(Config { slow_call_ms: Some(100), ..Config::default() }).unwrap();
    assert_eq!(timed.acquire_if_closed(), None, "slow-call timing needs the acquire time");
}

#[test]
fn extreme_times_saturate_instead_of_overflowing() {
    let mut breaker = Breaker::new(Config { failure_threshold: 1, reset_timeout_ms: MAX_MILLIS, ..Config::default() }).unwrap();
    let permit = breaker.acquire(Millis(u64::MAX - 2)).unwrap();
    breaker.record(permit, Outcome::Failure, Millis(u64::MAX - 2));
    let rejected = breaker.acquire(Millis(u64::MAX - 1)).unwrap_err();
    assert_eq!((rejected.state, rejected.retry_after), (State::Open, Some(Millis(1))), "open until u64::MAX, saturated");
    assert_eq!(breaker.state(Millis(u64::MAX)), State::HalfOpen);
}
