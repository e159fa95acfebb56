//! What the vectors cannot show: the Rust API's own contracts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use edgebreaker_core::{Breaker, Config, Millis, NumberOptions, Outcome, Permit, Rule, State, MAX_MILLIS};

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
    assert_eq!(status.metrics.counters.failed_calls, 1);
    assert_eq!(status.metrics.in_flight, 0, "in-flight never goes below zero");
}

#[test]
fn config_errors_name_the_option_and_say_what_is_allowed() {
    let error = Breaker::new(Config { failure_threshold: 11, ..Config::default() }).unwrap_err();
    assert_eq!(error.option(), "failureThreshold");
    assert_eq!(error.to_string(), "failureThreshold must be an integer from 1 to windowSize (10); got 11");
    assert_eq!(error.requirement().to_string(), "failureThreshold must be an integer from 1 to windowSize (10)");
    let error = Breaker::new(Config { failure_rate_threshold: Some(f64::NAN), ..Config::default() }).unwrap_err();
    assert_eq!(error.rule(), Rule::Rate);
    assert_eq!(error.to_string(), "failureRateThreshold must be a number greater than 0 and at most 1");
    let error = Breaker::new(Config { reset_timeout_ms: u64::MAX, ..Config::default() }).unwrap_err();
    assert_eq!(error.option(), "resetTimeoutMs");
    let error = Breaker::new(Config { reset_timeout_ms: 100, max_reset_timeout_ms: Some(99), ..Config::default() }).unwrap_err();
    assert_eq!(
        error.to_string(),
        "maxResetTimeoutMs must be a whole number of milliseconds from resetTimeoutMs (100) to 9007199254740991; got 99"
    );
}

#[test]
fn zero_durations_that_would_make_a_degenerate_breaker_are_refused() {
    let refused = |config: Config| Breaker::new(config).unwrap_err().to_string();
    assert_eq!(
        refused(Config { window_ms: Some(0), ..Config::default() }),
        "windowMs must be a whole number of milliseconds from 1 to 9007199254740991; got 0"
    );
    assert_eq!(
        refused(Config { reset_timeout_ms: 0, ..Config::default() }),
        "resetTimeoutMs must be a whole number of milliseconds from 1 to 9007199254740991; got 0"
    );
    assert_eq!(
        refused(Config { probe_timeout_ms: Some(0), ..Config::default() }),
        "probeTimeoutMs must be a whole number of milliseconds from 1 to 9007199254740991; got 0"
    );
    // A slow-call threshold of 0 is odd (every success is slow) but wedges nothing.
    assert!(Breaker::new(Config { slow_call_ms: Some(0), ..Config::default() }).is_ok());
}

/// A JS number that does not fit the option's type gets the same message as
/// a whole number out of its range: the real range, never the type's.
#[test]
fn js_numbers_are_refused_with_the_rule_of_their_option() {
    let refused = |numbers: NumberOptions| Config::from_numbers(&numbers).unwrap_err();
    let cases = [
        (NumberOptions { failure_threshold: Some(-1.0), ..NumberOptions::default() }, "failureThreshold must be an integer from 1 to windowSize (10)"),
        (NumberOptions { failure_threshold: Some(2.5), window_size: Some(20.0), ..NumberOptions::default() }, "failureThreshold must be an integer from 1 to windowSize (20)"),
        (NumberOptions { window_size: Some(-1.0), ..NumberOptions::default() }, "windowSize must be an integer from 1 to 4096"),
        (NumberOptions { window_size: Some(1e20), ..NumberOptions::default() }, "windowSize must be an integer from 1 to 4096"),
        (NumberOptions { success_threshold: Some(f64::NAN), ..NumberOptions::default() }, "successThreshold must be an integer from 1 to 4294967295"),
        (NumberOptions { half_open_max_calls: Some(f64::INFINITY), ..NumberOptions::default() }, "halfOpenMaxCalls must be an integer from 1 to 4096"),
        (NumberOptions { minimum_calls: Some(0.5), ..NumberOptions::default() }, "minimumCalls must be an integer from 1 to windowSize (10)"),
        (NumberOptions { reset_timeout_ms: Some(2.5), ..NumberOptions::default() }, "resetTimeoutMs must be a whole number of milliseconds from 1 to 9007199254740991"),
        (NumberOptions { window_ms: Some(-0.5), ..NumberOptions::default() }, "windowMs must be a whole number of milliseconds from 1 to 9007199254740991"),
        (NumberOptions { slow_call_ms: Some(2f64.powi(53)), ..NumberOptions::default() }, "slowCallMs must be a whole number of milliseconds from 0 to 9007199254740991"),
        (NumberOptions { probe_timeout_ms: Some(f64::NEG_INFINITY), ..NumberOptions::default() }, "probeTimeoutMs must be a whole number of milliseconds from 1 to 9007199254740991"),
        (NumberOptions { max_reset_timeout_ms: Some(60_000.5), ..NumberOptions::default() }, "maxResetTimeoutMs must be a whole number of milliseconds from resetTimeoutMs (60000) to 9007199254740991"),
        (NumberOptions { failure_rate_threshold: Some(1.5), ..NumberOptions::default() }, "failureRateThreshold must be a number greater than 0 and at most 1"),
    ];
    for (numbers, message) in cases {
        let error = refused(numbers);
        assert_eq!(error.requirement().to_string(), message, "{numbers:?}");
        assert_eq!(error.given(), None, "a number that is not an integer is left out of the message");
    }
    // A whole number out of range: the same words as the integer path, with the value.
    let error = refused(NumberOptions { window_size: Some(5000.0), ..NumberOptions::default() });
    assert_eq!(error, Breaker::new(Config { window_size: 5000, ..Config::default() }).unwrap_err());
    let config = Config::from_numbers(&NumberOptions { reset_timeout_ms: Some(2.0), window_ms: Some(1.0), ..NumberOptions::default() });
    assert_eq!(config, Ok(Config { reset_timeout_ms: 2, window_ms: Some(1), ..Config::default() }));
    assert_eq!(Config::from_numbers(&NumberOptions::default()), Ok(Config::default()));
}

#[test]
fn a_config_as_numbers_builds_the_same_config_back() {
    let every_option = Config {
        failure_threshold: 3,
        window_size: 20,
        reset_timeout_ms: 1_500,
        success_threshold: 4,
        half_open_max_calls: 2,
        failure_rate_threshold: Some(0.25),
        minimum_calls: Some(7),
        window_ms: Some(30_000),
        slow_call_ms: Some(800),
        max_reset_timeout_ms: Some(60_000),
        probe_timeout_ms: Some(2_500),
    };
    for config in [Config::default(), every_option] {
        assert_eq!(Config::from_numbers(&config.to_numbers()), Ok(config.clone()));
    }
    assert_eq!(Config::default().to_numbers().window_ms, None, "an option that is off is None, not a number");
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
fn readings_beyond_max_millis_are_no_reading_and_take_the_latest_time() {
    let mut breaker = Breaker::new(Config { failure_threshold: 1, reset_timeout_ms: MAX_MILLIS, ..Config::default() }).unwrap();
    let permit = breaker.acquire(Millis(MAX_MILLIS)).unwrap();
    breaker.record(permit, Outcome::Failure, Millis(u64::MAX));
    let rejected = breaker.acquire(Millis(u64::MAX)).unwrap_err();
    assert_eq!((rejected.state, rejected.retry_after), (State::Open, Some(Millis(MAX_MILLIS))), "no time passed");
    assert_eq!(breaker.latest_time(), Millis(MAX_MILLIS));
    assert_eq!(breaker.status(Millis(MAX_MILLIS + 1)).metrics.last_failure_time, Some(MAX_MILLIS));
}

/// The clock alternating between 0 and 2^53 - 1 moves the core's time 2^53 ms
/// a round; thousands of rounds would overflow a u64 but for the move back
/// that keeps it bounded. Each round still ends the open period once, and a
/// trip on a normal reading still opens for resetTimeoutMs.
#[test]
fn a_clock_jumping_to_the_end_of_time_and_back_thousands_of_times_never_wedges_the_breaker() {
    let config = Config { failure_threshold: 1, reset_timeout_ms: 1_000, success_threshold: 1, window_ms: Some(500), ..Config::default() };
    let mut breaker = Breaker::new(config).unwrap();
    for round in 0..5_000u64 {
        let base = round % 1_000 * 10_000;
        let permit = breaker.acquire(Millis(base)).unwrap_or_else(|_| panic!("round {round}: closed at {base}"));
        breaker.record(permit, Outcome::Failure, Millis(base));
        let rejected = breaker.acquire(Millis(base + 400)).unwrap_err();
        assert_eq!(rejected.retry_after, Some(Millis(600)), "round {round}: open for resetTimeoutMs");
        assert_eq!(breaker.state(Millis(MAX_MILLIS)), State::HalfOpen, "round {round}: one jump ends the open period");
        let probe = breaker.acquire(Millis(base + 500)).unwrap();
        breaker.record(probe, Outcome::Success, Millis(base + 600));
        assert_eq!(breaker.state(Millis(base + 600)), State::Closed);
    }
    let status = breaker.status(Millis(0));
    assert_eq!(status.metrics.in_flight, 0);
    assert_eq!(status.metrics.last_success_time, Some(999 * 10_000 + 600), "reported times are readings");
}

/// Permits carry the reading they were issued at, and a call is timed on the
/// caller's clock: one that spans a clock set back by a second or more is
/// timed from the new reading (it cannot look slow because of the set-back,
/// nor hide a wait behind it), while a reordering under a second is timed
/// from the latest reading.
#[test]
fn calls_are_timed_on_the_callers_clock_and_a_set_back_restarts_the_timing() {
    let mut breaker = Breaker::new(Config { slow_call_ms: Some(100), ..Config::default() }).unwrap();
    let spanning = breaker.acquire(Millis(10_000)).unwrap();
    assert_eq!((spanning.acquired_at(), breaker.latest_time()), (Millis(10_000), Millis(10_000)));
    let reordered = breaker.acquire(Millis(9_500)).unwrap();
    assert_eq!(reordered.acquired_at(), Millis(10_000), "under a second early: the latest reading");
    breaker.record(reordered, Outcome::Success, Millis(10_099));
    assert_eq!(breaker.status(Millis(10_099)).metrics.counters.slow_calls, 0, "99 ms");
    breaker.record(spanning, Outcome::Success, Millis(5_000)); // set back by 5 s
    assert_eq!(breaker.latest_time(), Millis(5_000));
    let status = breaker.status(Millis(5_000));
    assert_eq!((status.metrics.counters.slow_calls, status.metrics.last_success_time), (0, Some(5_000)));
    let slow = breaker.acquire(Millis(5_000)).unwrap();
    breaker.record(slow, Outcome::Success, Millis(5_100));
    assert_eq!(breaker.status(Millis(5_100)).metrics.counters.slow_calls, 1, "100 ms on the new clock");
}

#[test]
fn every_change_is_counted_by_its_change_and_cause_for_metrics() {
    let mut breaker = Breaker::new(Config { failure_threshold: 1, window_size: 1, reset_timeout_ms: 10, ..Config::default() }).unwrap();
    assert_eq!(breaker.transition_counts().count(), 0, "nothing counted before a change");
    let call = breaker.acquire(Millis(1)).unwrap();
    breaker.record(call, Outcome::Failure, Millis(2)); // closed → open: failure_threshold
    let probe = breaker.acquire(Millis(12)).unwrap(); // open → half_open: open_time_elapsed
    breaker.record(probe, Outcome::Failure, Millis(13)); // half_open → open: probe_failed
    breaker.reset(Millis(14)); // open → closed: reset
    breaker.force_open(None, Millis(15)); // closed → open: force_open
    breaker.reset(Millis(16)); // open → closed: reset, again
    let counted: Vec<(State, State, &str, u64)> = breaker
        .transition_counts()
        .map(|counted| (counted.from, counted.to, edgebreaker_core::Cause::NAMES[usize::from(counted.cause)], counted.count))
        .collect();
    assert_eq!(
        counted,
        [
            (State::Closed, State::Open, "failure_threshold", 1),
            (State::Closed, State::Open, "force_open", 1),
            (State::HalfOpen, State::Open, "probe_failed", 1),
            (State::Open, State::HalfOpen, "open_time_elapsed", 1),
            (State::Open, State::Closed, "reset", 2),
        ]
    );
}

#[test]
fn a_status_in_json_keeps_its_key_order_and_reads_back() {
    let mut breaker = Breaker::new(Config { failure_threshold: 2, slow_call_ms: Some(50), ..Config::default() }).unwrap();
    let slow = breaker.acquire(Millis(0)).unwrap();
    breaker.record(slow, Outcome::Success, Millis(60));
    let ignored = breaker.acquire(Millis(70)).unwrap();
    breaker.record(ignored, Outcome::Ignored, Millis(70));
    let _in_flight = breaker.acquire(Millis(80)).unwrap();
    let status = breaker.status(Millis(90));
    let text = serde_json::to_string(&status.metrics).unwrap();
    assert_eq!(
        text,
        concat!(
            r#"{"totalCalls":3,"successfulCalls":0,"failedCalls":1,"blockedCalls":0,"ignoredCalls":1,"slowCalls":1,"#,
            r#""inFlight":1,"stateChanges":0,"lastFailureTime":60,"lastSuccessTime":null,"failureRate":1.0,"successRate":0.0}"#
        )
    );
    let whole = serde_json::to_string(&status).unwrap();
    assert_eq!(serde_json::from_str::<edgebreaker_core::Status>(&whole).unwrap(), status);
}
