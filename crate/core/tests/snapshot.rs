//! Snapshots: a restored breaker behaves as the one it was taken from, on
//! another clock; every refusal names its field. (The vectors pin the JSON
//! of each state; these tests cover what a vector cannot: the Rust API, the
//! size cap, every field's refusal.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use edgebreaker_core::{Breaker, Config, Millis, Outcome, Snapshot, SnapshotError, State, MAX_SNAPSHOT_BYTES};
use serde_json::{json, Value};

fn config() -> Config {
    Config { failure_threshold: 3, window_size: 5, reset_timeout_ms: 1_000, max_reset_timeout_ms: Some(8_000), ..Config::default() }
}

fn fail(breaker: &mut Breaker, at: u64) {
    let permit = breaker.acquire(Millis(at)).unwrap();
    breaker.record(permit, Outcome::Failure, Millis(at));
}

fn succeed(breaker: &mut Breaker, at: u64) {
    let permit = breaker.acquire(Millis(at)).unwrap();
    breaker.record(permit, Outcome::Success, Millis(at));
}

/// The snapshot of a restored breaker is the snapshot it was restored from,
/// through JSON, on a clock that reads something else entirely.
fn round_trip(breaker: &mut Breaker, at: u64, elsewhere: u64) -> Breaker {
    let snapshot = breaker.snapshot(Millis(at));
    let text = snapshot.to_json();
    let read = Snapshot::from_json(&text).unwrap();
    assert_eq!(read, snapshot);
    let mut restored = Breaker::restore(config(), &read, Millis(elsewhere)).unwrap();
    assert_eq!(restored.snapshot(Millis(elsewhere)), snapshot);
    restored
}

#[test]
fn a_closed_breaker_keeps_its_window_ages_and_metrics() {
    let mut breaker = Breaker::new(config()).unwrap();
    succeed(&mut breaker, 100);
    fail(&mut breaker, 250);
    let _in_flight = breaker.acquire(Millis(260)).unwrap();
    let snapshot = breaker.snapshot(Millis(300));
    let text = snapshot.to_json();
    let expected = concat!(
        r#"{"version":1,"state":"closed","generation":0,"openForMs":0,"forcedOpen":false,"probeSuccesses":0,"#,
        r#""consecutiveOpens":0,"window":[{"ageMs":200,"failed":false},{"ageMs":50,"failed":true}],"#,
        r#""metrics":{"totalCalls":2,"successfulCalls":1,"failedCalls":1,"blockedCalls":0,"ignoredCalls":0,"#,
        r#""slowCalls":0,"stateChanges":0,"lastFailureAgoMs":50,"lastSuccessAgoMs":200}}"#
    );
    assert_eq!(text, expected, "keys in this order; the in-flight call is left out");
    let mut restored = round_trip(&mut breaker, 300, 5_000_000);
    let status = restored.status(Millis(5_000_000));
    assert_eq!(status.metrics.last_failure_time, Some(4_999_950));
    assert_eq!(status.metrics.in_flight, 0);
    fail(&mut restored, 5_000_001);
    fail(&mut restored, 5_000_002);
    assert_eq!(restored.state(Millis(5_000_002)), State::Open, "the restored failure counts toward the threshold");
}

#[test]
fn an_open_breaker_keeps_its_time_left_and_backoff() {
    let mut breaker = Breaker::new(config()).unwrap();
    (0..3).for_each(|at| fail(&mut breaker, at));
    let mut restored = round_trip(&mut breaker, 402, 10_000);
    assert_eq!(restored.acquire(Millis(10_000)).unwrap_err().retry_after, Some(Millis(600)));
    let probe = restored.acquire(Millis(10_600)).unwrap();
    restored.record(probe, Outcome::Failure, Millis(10_600));
    assert_eq!(restored.acquire(Millis(10_601)).unwrap_err().retry_after, Some(Millis(1_999)), "the backoff doubled");
}

#[test]
fn a_half_open_breaker_keeps_its_probe_successes_and_no_probe_in_flight() {
    let mut breaker = Breaker::new(Config { success_threshold: 3, ..config() }).unwrap();
    (0..3).for_each(|at| fail(&mut breaker, at));
    succeed(&mut breaker, 1_002);
    let _lost_probe = breaker.acquire(Millis(1_003)).unwrap();
    let snapshot = breaker.snapshot(Millis(1_004));
    assert_eq!((snapshot.state, snapshot.probe_successes), (State::HalfOpen, 1));
    let mut restored = Breaker::restore(Config { success_threshold: 3, ..config() }, &snapshot, Millis(7)).unwrap();
    succeed(&mut restored, 8);
    assert_eq!(restored.state(Millis(8)), State::HalfOpen);
    succeed(&mut restored, 9);
    assert_eq!(restored.state(Millis(9)), State::Closed, "1 + 2 probe successes close it");
}

#[test]
fn forced_open_until_reset_survives() {
    let mut breaker = Breaker::new(config()).unwrap();
    breaker.force_open(None, Millis(5));
    let mut restored = round_trip(&mut breaker, 6, 99_999_999);
    assert_eq!(restored.acquire(Millis(99_999_999)).unwrap_err().retry_after, None);
    restored.reset(Millis(100_000_000));
    assert_eq!(restored.state(Millis(100_000_000)), State::Closed);
}

#[test]
fn a_breaker_given_a_forged_permit_still_snapshots_what_it_can_restore() {
    let mut breaker = Breaker::new(config()).unwrap();
    breaker.record(edgebreaker_core::Permit::from_token(u64::MAX, Millis(0)), Outcome::Failure, Millis(1));
    let snapshot = breaker.snapshot(Millis(2));
    assert_eq!((snapshot.metrics.counters.total_calls, snapshot.metrics.counters.failed_calls), (1, 1));
    round_trip(&mut breaker, 2, 3);
}

#[test]
fn ages_older_than_the_restoring_clock_saturate_at_zero() {
    let mut breaker = Breaker::new(Config { window_ms: Some(10_000), ..config() }).unwrap();
    fail(&mut breaker, 1_000);
    let snapshot = breaker.snapshot(Millis(9_000));
    let mut restored = Breaker::restore(Config { window_ms: Some(10_000), ..config() }, &snapshot, Millis(3_000)).unwrap();
    let status = restored.status(Millis(3_000));
    assert_eq!(status.metrics.last_failure_time, Some(0));
    assert_eq!(status.metrics.failure_rate, 1.0, "recorded at 0, it leaves at 10000");
    assert_eq!(restored.status(Millis(10_000)).metrics.failure_rate, 0.0);
}

fn refused(text: &str) -> SnapshotError {
    Snapshot::from_json(text).expect_err(text)
}

fn valid() -> Value {
    let mut breaker = Breaker::new(config()).unwrap();
    fail(&mut breaker, 0);
    succeed(&mut breaker, 1);
    serde_json::from_str(&breaker.snapshot(Millis(2)).to_json()).unwrap()
}

/// The valid snapshot with the field at `pointer` (a JSON pointer) set to `value`, or added.
fn with(pointer: &str, value: Value) -> String {
    let mut snapshot = valid();
    let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", ""));
    match snapshot.pointer_mut(parent).expect(pointer) {
        Value::Object(fields) if !pointer.is_empty() => drop(fields.insert(key.into(), value)),
        _ => *snapshot.pointer_mut(pointer).expect(pointer) = value,
    }
    snapshot.to_string()
}

#[test]
fn each_refusal_names_its_field() {
    let cases = [
        (with("/version", json!(2)), "version", "version must be 1; got 2"),
        (with("/state", json!("ajar")), "state", r#"state must be "closed", "open" or "half_open""#),
        (with("/generation", json!(-1)), "generation", "generation must be a whole number from 0 to 1099511627775"),
        (with("/generation", json!(1u64 << 40)), "generation", "generation must be a whole number from 0 to 1099511627775; got 1099511627776"),
        (with("/openForMs", json!(1u64 << 53)), "openForMs", "openForMs must be a whole number from 0 to 9007199254740991; got 9007199254740992"),
        (with("/openForMs", json!(1.5)), "openForMs", "openForMs must be a whole number from 0 to 9007199254740991"),
        (with("/openForMs", json!(5)), "openForMs", "openForMs must be 0 unless the state is open"),
        (with("/forcedOpen", json!("no")), "forcedOpen", "forcedOpen must be true or false"),
        (with("/forcedOpen", json!(true)), "forcedOpen", "forcedOpen must be false unless the state is open"),
        (with("/probeSuccesses", json!(1)), "probeSuccesses", "probeSuccesses must be 0 unless the state is half_open"),
        (with("/consecutiveOpens", json!(65)), "consecutiveOpens", "consecutiveOpens must be a whole number from 0 to 64; got 65"),
        (with("/window", json!({})), "window", "window must be an array"),
        (with("/window/0", json!(3)), "window[0]", "window[0] must be an object"),
        (with("/window/1/ageMs", json!(5)), "window[1].ageMs", "window[1].ageMs must be at most window[0].ageMs (oldest first)"),
        (with("/window/1/failed", json!(null)), "window[1].failed", "window[1].failed must be true or false"),
        (with("/window/1/extra", json!(1)), "window[1].extra", "window[1].extra is not a snapshot field"),
        (with("/metrics/totalCalls", json!(3)), "metrics.totalCalls", "metrics.totalCalls must equal successfulCalls + failedCalls + blockedCalls + ignoredCalls (calls in flight are not kept)"),
        (with("/metrics/slowCalls", json!(2)), "metrics.slowCalls", "metrics.slowCalls must be at most failedCalls (slow calls are failures)"),
        (with("/metrics/lastSuccessAgoMs", json!("1")), "metrics.lastSuccessAgoMs", "metrics.lastSuccessAgoMs must be a whole number from 0 to 9007199254740991 or null"),
        (with("/metrics/inFlight", json!(0)), "metrics.inFlight", "metrics.inFlight is not a snapshot field"),
        (with("/config", json!({})), "config", "config is not a snapshot field"),
        (with("", json!([])), "snapshot", "snapshot must be a JSON object"),
        ("{\"version\":1".into(), "snapshot", ""),
    ];
    for (text, field, message) in cases {
        let error = refused(&text);
        assert_eq!(error.field, field, "{text}");
        if !message.is_empty() {
            assert_eq!(error.to_string(), message, "{text}");
        }
    }
    let mut missing = valid();
    missing.as_object_mut().unwrap().remove("window");
    assert_eq!(refused(&missing.to_string()).to_string(), "window is missing");
}

#[test]
fn text_longer_than_the_cap_is_refused_before_it_is_parsed() {
    let padded = format!("{}{}", valid(), " ".repeat(MAX_SNAPSHOT_BYTES));
    let error = refused(&padded);
    assert_eq!(error.field, "snapshot");
    assert_eq!(error.message, format!("must be at most {MAX_SNAPSHOT_BYTES} bytes of JSON; got {}", padded.len()));
    let fits = format!("{}{}", valid(), " ".repeat(MAX_SNAPSHOT_BYTES - valid().to_string().len()));
    assert!(Snapshot::from_json(&fits).is_ok(), "exactly the cap is read");
}

#[test]
fn a_snapshot_that_does_not_fit_the_config_is_refused_naming_the_field() {
    let mut breaker = Breaker::new(Config { window_size: 5, failure_threshold: 5, ..config() }).unwrap();
    (0..4).for_each(|at| fail(&mut breaker, at));
    let snapshot = breaker.snapshot(Millis(4));
    let error = Breaker::restore(Config { window_size: 3, failure_threshold: 3, ..config() }, &snapshot, Millis(0)).unwrap_err();
    assert_eq!(error.to_string(), "window must hold at most windowSize (3) entries; got 4");

    let half_open = Snapshot { state: State::HalfOpen, probe_successes: 2, window: Vec::new(), ..snapshot.clone() };
    let error = Breaker::restore(config(), &half_open, Millis(0)).unwrap_err();
    assert_eq!(error.to_string(), "probeSuccesses must be less than successThreshold (2); got 2");

    let error = Breaker::restore(Config { failure_threshold: 0, ..config() }, &snapshot, Millis(0)).unwrap_err();
    assert_eq!(error.field, "failureThreshold", "config errors name the option");
    assert_eq!(error.to_string(), "failureThreshold must be an integer from 1 to windowSize (5); got 0");
}

#[test]
fn restore_validates_a_snapshot_built_in_rust_as_from_json_does() {
    let mut breaker = Breaker::new(config()).unwrap();
    let snapshot = Snapshot { generation: u64::MAX, ..breaker.snapshot(Millis(0)) };
    assert_eq!(Breaker::restore(config(), &snapshot, Millis(0)).unwrap_err().field, "generation");
}

#[test]
fn the_backoff_exponent_is_kept_at_most_64_which_changes_no_open_time() {
    let mut breaker = Breaker::new(Config { failure_threshold: 1, window_size: 1, reset_timeout_ms: 1, max_reset_timeout_ms: Some(1 << 40), probe_timeout_ms: Some(1), ..Config::default() }).unwrap();
    fail(&mut breaker, 0);
    let mut at = 0u64;
    for _ in 0..70 {
        // The open time doubles up to 2^40 ms; each probe expires 1 ms after it is let through.
        at += breaker.acquire(Millis(at)).unwrap_err().retry_after.unwrap().0;
        let _lost = breaker.acquire(Millis(at)).unwrap();
        at += 1;
    }
    let snapshot = breaker.snapshot(Millis(at));
    assert_eq!(snapshot.consecutive_opens, 64);
    let restored = Breaker::restore(breaker_config_of(&mut breaker), &Snapshot::from_json(&snapshot.to_json()).unwrap(), Millis(0));
    assert!(restored.is_ok());
}

fn breaker_config_of(breaker: &mut Breaker) -> Config {
    breaker.status(Millis(0)).config
}

#[test]
fn the_largest_window_full_of_the_oldest_ages_round_trips_within_the_cap() {
    let config = Config { window_size: 4096, failure_threshold: 4096, window_ms: Some((1 << 53) - 1), ..Config::default() };
    let mut breaker = Breaker::new(config.clone()).unwrap();
    for call in 0..4096u64 {
        let permit = breaker.acquire(Millis(call)).unwrap();
        breaker.record(permit, if call % 2 == 0 { Outcome::Success } else { Outcome::Failure }, Millis(call));
    }
    // Every age 16 digits long: the longest text a breaker's own snapshot can be.
    let snapshot = breaker.snapshot(Millis((1 << 53) - 2));
    assert_eq!(snapshot.window.len(), 4096);
    let json = snapshot.to_json();
    assert!(json.len() <= MAX_SNAPSHOT_BYTES, "{} bytes", json.len());
    let at = Millis((1 << 53) - 2);
    let mut restored = Breaker::restore(config, &Snapshot::from_json(&json).unwrap(), at).unwrap();
    assert!(restored.snapshot(at) == snapshot, "the restored breaker's snapshot differs");
}
