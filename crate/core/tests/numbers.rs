//! Numbers from a host whose numbers are f64 (the wasm binding's): what can
//! be read saturates into range, what cannot be read fails closed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use edgebreaker_core::{count_from_f64, Breaker, Config, Millis, Outcome, Permit, State, MAX_MILLIS};

const UNREADABLE: [f64; 5] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0, 9_007_199_254_740_994.0];

#[test]
fn a_time_that_is_no_reading_is_the_latest_time() {
    assert_eq!(Millis::reading_from_f64(1_500.7), Millis(1_500));
    let mut breaker = Breaker::new(Config { failure_threshold: 1, reset_timeout_ms: 1_000, ..Config::default() }).unwrap();
    let permit = breaker.acquire(Millis::reading_from_f64(5_000.0)).unwrap();
    breaker.record(permit, Outcome::Failure, Millis::reading_from_f64(5_000.0));
    for bad in UNREADABLE {
        let status = breaker.status(Millis::reading_from_f64(bad));
        assert_eq!((status.state, status.retry_after_ms), (State::Open, Some(1_000)), "{bad}: no time passed");
        assert_eq!(breaker.latest_time(), Millis(5_000), "{bad}");
    }
    assert_eq!(breaker.state(Millis::reading_from_f64(6_000.0)), State::HalfOpen);
}

#[test]
fn a_wait_saturates_and_an_unreadable_one_is_the_longest() {
    assert_eq!(Millis::saturating_from_f64(2_500.9), Millis(2_500));
    for none in [0.0, -0.0, -1.0, f64::NEG_INFINITY] {
        assert_eq!(Millis::saturating_from_f64(none), Millis::ZERO, "{none}");
    }
    for longest in [f64::NAN, f64::INFINITY, MAX_MILLIS as f64, 1e300] {
        assert_eq!(Millis::saturating_from_f64(longest), Millis(MAX_MILLIS), "{longest}");
    }
}

#[test]
fn an_outcome_code_that_names_no_outcome_is_a_failure() {
    assert_eq!(Outcome::from_code(0), Outcome::Success);
    assert_eq!(Outcome::from_code(1), Outcome::Failure);
    assert_eq!(Outcome::from_code(2), Outcome::Ignored);
    for unknown in [3, 7, u8::MAX] {
        assert_eq!(Outcome::from_code(unknown), Outcome::Failure, "{unknown}");
    }
}

#[test]
fn a_permit_from_numbers_round_trips_and_a_token_that_is_none_settles_as_stale() {
    let config = Config { failure_threshold: 1, slow_call_ms: Some(10), ..Config::default() };
    let mut breaker = Breaker::new(config).unwrap();
    let issued = breaker.acquire(Millis(100)).unwrap();
    assert_eq!(Permit::from_numbers(issued.token() as f64, 100.0), issued);
    for bad in UNREADABLE {
        breaker.record(Permit::from_numbers(bad, 100.0), Outcome::Failure, Millis(200));
        assert_eq!(breaker.state(Millis(200)), State::Closed, "{bad}: a stale failure moves nothing");
    }
    // An acquire time that is no reading (-1: the clock was not read) is no slow-call timing.
    breaker.record(Permit::from_numbers(issued.token() as f64, -1.0), Outcome::Success, Millis(900));
    let metrics = breaker.status(Millis(900)).metrics;
    assert_eq!((metrics.counters.successful_calls, metrics.counters.slow_calls, metrics.in_flight), (1, 0, 0));
}

#[test]
fn a_count_that_is_none_is_zero() {
    assert_eq!(count_from_f64(12.0), 12);
    for bad in UNREADABLE {
        assert_eq!(count_from_f64(bad), 0, "{bad}");
    }
}
