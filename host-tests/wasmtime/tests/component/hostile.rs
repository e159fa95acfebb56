//! Hostile inputs: each is answered with a typed error (or handled), never a
//! trap, and the instance goes on working after every one.

use edgebreaker_core::{Breaker, MAX_MILLIS};
use edgebreaker_wasmtime::{defaults, AcquireError, Config, Permit, PermitError, Plugin, State};
use serde_json::{json, Value};

use crate::config_json::{config_from_json, refused_as_the_core_refuses};
use crate::support::plugin;

/// The instance still serves a whole call on a fresh breaker, and on `survivor`.
fn assert_still_working(plugin: &mut Plugin, survivor: wasmtime::component::ResourceAny) {
    let breaker = plugin.create(None, defaults()).expect("no trap").expect("defaults are valid");
    let permit = plugin.acquire(breaker).expect("no trap").expect("a closed breaker admits");
    plugin.success(breaker, permit).expect("no trap").expect("its own permit");
    plugin.drop_breaker(breaker).expect("no trap");
    let status = plugin.status(survivor).expect("no trap");
    assert_eq!(status.metrics.total_calls, status.metrics.successful_calls + status.metrics.failed_calls
        + status.metrics.blocked_calls + status.metrics.ignored_calls + status.metrics.in_flight);
}

/// Each refused as the native core refuses the same JSON (with its message),
/// by `create` and by the registry alike, and the instance goes on.
#[test]
fn out_of_range_configs_are_refused_naming_the_option_with_the_cores_message() {
    let mut plugin = plugin();
    let survivor = plugin.create(Some("survivor"), defaults()).unwrap().unwrap();
    let too_long = MAX_MILLIS + 1;
    let cases: Vec<(&str, Value)> = vec![
        ("windowSize", json!({ "windowSize": 0 })),
        ("windowSize", json!({ "windowSize": 4097 })),
        ("windowSize", json!({ "windowSize": u32::MAX })),
        ("failureThreshold", json!({ "failureThreshold": 0 })),
        ("failureThreshold", json!({ "failureThreshold": 11 })),
        ("failureThreshold", json!({ "failureThreshold": u32::MAX, "windowSize": 4096 })),
        ("minimumCalls", json!({ "minimumCalls": 0 })),
        ("minimumCalls", json!({ "minimumCalls": 11 })),
        ("successThreshold", json!({ "successThreshold": 0 })),
        ("halfOpenMaxCalls", json!({ "halfOpenMaxCalls": 0 })),
        ("halfOpenMaxCalls", json!({ "halfOpenMaxCalls": u32::MAX })),
        ("failureRateThreshold", json!({ "failureRateThreshold": 0.0 })),
        ("failureRateThreshold", json!({ "failureRateThreshold": -0.0 })),
        ("failureRateThreshold", json!({ "failureRateThreshold": 1.000_000_1 })),
        ("resetTimeoutMs", json!({ "resetTimeoutMs": u64::MAX })),
        ("resetTimeoutMs", json!({ "resetTimeoutMs": too_long })),
        ("windowMs", json!({ "windowMs": u64::MAX })),
        ("slowCallMs", json!({ "slowCallMs": too_long })),
        ("probeTimeoutMs", json!({ "probeTimeoutMs": u64::MAX })),
        ("maxResetTimeoutMs", json!({ "maxResetTimeoutMs": too_long })),
        ("maxResetTimeoutMs", json!({ "resetTimeoutMs": 100, "maxResetTimeoutMs": 99 })),
    ];
    for (option, json) in &cases {
        refused_as_the_core_refuses(&mut plugin, json, option).unwrap_or_else(|why| panic!("{json}: {why}"));
        let registered = plugin.get_or_create("hostile", config_from_json(json).unwrap()).expect("no trap");
        assert_eq!(registered.err().map(|error| error.option), Some((*option).to_owned()));
        assert_still_working(&mut plugin, survivor);
    }
    // Rates JSON cannot carry: the native core is given the same number.
    for rate in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let config = Config { failure_rate_threshold: Some(rate), ..defaults() };
        let error = plugin.create(None, config).expect("no trap").expect_err("refused");
        let native = Breaker::new(edgebreaker_core::Config { failure_rate_threshold: Some(rate), ..Default::default() });
        assert_eq!(error.option, "failureRateThreshold", "{rate}");
        assert_eq!(Some(error.message), native.err().map(|native| native.to_string()), "{rate}");
        let registered = plugin.get_or_create("hostile", config).expect("no trap");
        assert_eq!(registered.err().map(|error| error.option), Some("failureRateThreshold".to_owned()));
        assert_still_working(&mut plugin, survivor);
    }
    assert_eq!(plugin.list().unwrap().len(), 0, "a refused config registers nothing");
}

#[test]
fn the_largest_accepted_values_work() {
    let mut plugin = plugin();
    let config = Config {
        window_size: Some(4096),
        failure_threshold: Some(4096),
        half_open_max_calls: Some(4096),
        success_threshold: Some(u32::MAX),
        failure_rate_threshold: Some(1.0),
        reset_timeout_ms: Some(MAX_MILLIS),
        max_reset_timeout_ms: Some(MAX_MILLIS),
        window_ms: Some(MAX_MILLIS),
        slow_call_ms: Some(MAX_MILLIS),
        probe_timeout_ms: Some(MAX_MILLIS),
        minimum_calls: Some(4096),
    };
    let breaker = plugin.create(None, config).unwrap().expect("at the bounds is accepted");
    let permit = plugin.acquire(breaker).unwrap().unwrap();
    plugin.failure(breaker, permit).unwrap().unwrap();
    assert_eq!(plugin.state(breaker).unwrap(), State::Closed);
}

#[test]
fn an_unknown_permit_is_refused_and_changes_nothing() {
    let mut plugin = plugin();
    let breaker = plugin.create(None, defaults()).unwrap().unwrap();
    let issued = plugin.acquire(breaker).unwrap().unwrap();
    let forged = [
        Permit { ticket: issued.ticket + 1, ..issued },
        Permit { ticket: 0, ..issued },
        Permit { ticket: u64::MAX, ..issued },
        Permit { slot: issued.slot + 1, ..issued },
        Permit { slot: u32::MAX, ticket: u64::MAX, ..issued },
    ];
    let before = plugin.status(breaker).unwrap().metrics;
    for permit in forged {
        assert_eq!(plugin.success(breaker, permit).unwrap(), Err(PermitError::Unknown), "{permit:?}");
        assert_eq!(plugin.failure(breaker, permit).unwrap(), Err(PermitError::Unknown), "{permit:?}");
        assert_eq!(plugin.ignore(breaker, permit).unwrap(), Err(PermitError::Unknown), "{permit:?}");
        assert_eq!(plugin.failure_with_retry_after(breaker, permit, 5).unwrap(), Err(PermitError::Unknown));
        assert_still_working(&mut plugin, breaker);
    }
    let after = plugin.status(breaker).unwrap().metrics;
    assert_eq!(after.in_flight, before.in_flight, "the real permit is still out");
    assert_eq!(plugin.success(breaker, issued).unwrap(), Ok(()), "and still settles");
}

#[test]
fn a_settled_permit_is_refused_and_not_counted_twice() {
    let mut plugin = plugin();
    let breaker = plugin.create(None, Config { failure_threshold: Some(2), ..defaults() }).unwrap().unwrap();
    let permit = plugin.acquire(breaker).unwrap().unwrap();
    plugin.failure(breaker, permit).unwrap().unwrap();
    for _ in 0..3 {
        assert_eq!(plugin.failure(breaker, permit).unwrap(), Err(PermitError::AlreadySettled));
        assert_eq!(plugin.success(breaker, permit).unwrap(), Err(PermitError::AlreadySettled));
        assert_eq!(plugin.ignore(breaker, permit).unwrap(), Err(PermitError::AlreadySettled));
        assert_eq!(plugin.failure_with_retry_after(breaker, permit, 1).unwrap(), Err(PermitError::AlreadySettled));
        assert_still_working(&mut plugin, breaker);
    }
    // Its slot is reused by the next permits; the old one stays settled.
    let next = plugin.acquire(breaker).unwrap().unwrap();
    assert_eq!(next.slot, permit.slot);
    assert_eq!(plugin.failure(breaker, permit).unwrap(), Err(PermitError::AlreadySettled));
    plugin.success(breaker, next).unwrap().unwrap();
    let status = plugin.status(breaker).unwrap();
    assert_eq!(status.state, State::Closed, "one failure, counted once, stays under the threshold of 2");
    assert_eq!((status.metrics.failed_calls, status.metrics.in_flight), (1, 0));
}

#[test]
fn another_breakers_permit_is_refused_and_still_settles_on_its_own() {
    let mut plugin = plugin();
    let config = Config { failure_threshold: Some(1), ..defaults() };
    let mine = plugin.create(Some("mine"), config).unwrap().unwrap();
    let theirs = plugin.get_or_create("theirs", config).unwrap().unwrap();
    let permit = plugin.acquire(theirs).unwrap().unwrap();
    let own = plugin.acquire(mine).unwrap().unwrap();
    // Same slot and ticket on both (both breakers are new), so only the breaker id tells them apart.
    assert_eq!((own.slot, own.ticket), (permit.slot, permit.ticket));
    assert_eq!(plugin.failure(mine, permit).unwrap(), Err(PermitError::OtherBreaker));
    assert_eq!(plugin.failure(mine, Permit { breaker_id: u64::MAX, ..own }).unwrap(), Err(PermitError::OtherBreaker));
    assert_eq!(plugin.failure(mine, Permit { breaker_id: 0, ..own }).unwrap(), Err(PermitError::OtherBreaker));
    assert_still_working(&mut plugin, mine);
    assert_eq!(plugin.state(mine).unwrap(), State::Closed, "the foreign failure did not trip mine");
    assert_eq!(plugin.failure(theirs, permit).unwrap(), Ok(()));
    assert_eq!(plugin.state(theirs).unwrap(), State::Open);
    assert_eq!(plugin.success(mine, own).unwrap(), Ok(()));
}

#[test]
fn permits_survive_a_dropped_handle_and_outlive_nothing_else() {
    let mut plugin = plugin();
    let first = plugin.get_or_create("shared", defaults()).unwrap().unwrap();
    let permit = plugin.acquire(first).unwrap().unwrap();
    plugin.drop_breaker(first).unwrap();
    // The registry kept the breaker: a new handle settles the permit.
    let again = plugin.get_or_create("shared", Config { window_size: Some(1), ..defaults() }).unwrap().unwrap();
    assert_eq!(plugin.success(again, permit).unwrap(), Ok(()));
    assert_eq!(plugin.status(again).unwrap().config.window_size, Some(10), "the first config wins");
    // A dropped handle is the host's bug: wasmtime refuses it, the instance goes on.
    assert!(plugin.acquire(first).is_err());
    assert_still_working(&mut plugin, again);
}

#[test]
fn extreme_times_and_durations_do_not_trap() {
    let mut plugin = plugin();
    let config = Config { failure_threshold: Some(1), slow_call_ms: Some(1), window_ms: Some(1), ..defaults() };
    let breaker = plugin.create(None, config).unwrap().unwrap();
    plugin.set_time(MAX_MILLIS);
    let permit = plugin.acquire(breaker).unwrap().unwrap();
    plugin.failure_with_retry_after(breaker, permit, u64::MAX).unwrap().unwrap();
    // A wait beyond the largest duration waits the largest duration.
    assert_eq!(plugin.status(breaker).unwrap().retry_after_ms, Some(MAX_MILLIS));
    plugin.set_time(0); // set back: the breaker goes on from here, still open
    assert_eq!(plugin.status(breaker).unwrap().retry_after_ms, Some(MAX_MILLIS));
    plugin.force_open(breaker, Some(u64::MAX)).unwrap();
    plugin.force_open(breaker, None).unwrap();
    assert_eq!(plugin.status(breaker).unwrap().retry_after_ms, None);
    plugin.reset(breaker).unwrap();
    assert_eq!(plugin.transitions_since(breaker, u64::MAX).unwrap(), vec![]);
    assert!(plugin.transitions_since(breaker, 0).unwrap().len() <= 8);
    assert_still_working(&mut plugin, breaker);
}

/// As JavaScript throws on a clock beyond 2^53 - 1 ms, the component admits no
/// call on one (a typed error, nothing counted); every other operation takes
/// such a reading as the latest time, so one bad reading cannot pin the breaker
/// at the end of time.
#[test]
fn a_clock_reading_beyond_2_pow_53_refuses_acquire_and_is_otherwise_the_latest_time() {
    let mut plugin = plugin();
    let config = Config { failure_threshold: Some(1), reset_timeout_ms: Some(1_000), ..defaults() };
    let breaker = plugin.create(None, config).unwrap().unwrap();
    plugin.set_time(5_000);
    let permit = plugin.acquire(breaker).unwrap().unwrap();
    for reading in [MAX_MILLIS + 1, u64::MAX] {
        plugin.set_time(reading);
        assert_eq!(plugin.acquire(breaker).unwrap(), Err(AcquireError::ClockOutOfRange(reading)));
    }
    plugin.failure(breaker, permit).unwrap().unwrap();
    plugin.set_time(5_400);
    match plugin.acquire(breaker).unwrap() {
        Err(AcquireError::Rejected(rejection)) => assert_eq!(rejection.retry_after_ms, Some(600), "opened at 5000"),
        other => panic!("expected a rejection, got {other:?}"),
    }
    plugin.set_time(u64::MAX);
    assert_eq!(plugin.state(breaker).unwrap(), State::Open, "u64::MAX is no reading: still 5400");
    let status = plugin.status(breaker).unwrap();
    assert_eq!(status.retry_after_ms, Some(600));
    assert_eq!(status.metrics.last_failure_time, Some(5_000));
    assert_eq!((status.metrics.total_calls, status.metrics.blocked_calls), (2, 1), "the refused acquires count nothing");
    plugin.set_time(6_000);
    assert_eq!(plugin.state(breaker).unwrap(), State::HalfOpen);
    let transitions = plugin.transitions_since(breaker, 0).unwrap();
    assert_eq!(transitions.iter().map(|change| change.at).collect::<Vec<_>>(), [5_000, 6_000]);
}

/// Breaker ids restart in every instance; a permit must still name the
/// instance's breaker, so that one carried to another instance is refused.
#[test]
fn a_permit_from_another_instance_is_refused_as_other_breaker() {
    let mut first = plugin();
    let mut second = plugin();
    first.set_time(1_700_000_000_000);
    second.set_time(1_700_000_000_001);
    let config = Config { failure_threshold: Some(1), ..defaults() };
    let theirs = first.create(None, config).unwrap().unwrap();
    let mine = second.create(None, config).unwrap().unwrap();
    assert_eq!((first.name(theirs).unwrap(), second.name(mine).unwrap()), ("breaker-1".into(), "breaker-1".into()));
    let foreign = first.acquire(theirs).unwrap().unwrap();
    let own = second.acquire(mine).unwrap().unwrap();
    assert_eq!((own.slot, own.ticket), (foreign.slot, foreign.ticket), "only the breaker id tells them apart");
    assert_ne!(own.breaker_id, foreign.breaker_id);
    for settle in [Plugin::success, Plugin::failure, Plugin::ignore] {
        assert_eq!(settle(&mut second, mine, foreign).unwrap(), Err(PermitError::OtherBreaker));
    }
    assert_eq!(second.failure_with_retry_after(mine, foreign, 5).unwrap(), Err(PermitError::OtherBreaker));
    let status = second.status(mine).unwrap();
    assert_eq!((status.state, status.metrics.failed_calls, status.metrics.in_flight), (State::Closed, 0, 1));
    assert_eq!(second.success(mine, own).unwrap(), Ok(()), "its own permit still settles");
    assert_eq!(first.failure(theirs, foreign).unwrap(), Ok(()), "and the other on the instance that issued it");
    assert_eq!(first.state(theirs).unwrap(), State::Open);
    // Registry breakers, and later breakers of each instance, differ too.
    let (a, b) = (first.get_or_create("llm", config).unwrap().unwrap(), second.get_or_create("llm", config).unwrap().unwrap());
    let foreign = first.acquire(a).unwrap().unwrap();
    assert_eq!(second.failure(b, foreign).unwrap(), Err(PermitError::OtherBreaker));
}

#[test]
fn odd_names_are_just_names() {
    let mut plugin = plugin();
    let long = "n".repeat(1 << 20);
    for name in ["", " ", "ünïcödé ⚡", "breaker-1", long.as_str()] {
        let breaker = plugin.get_or_create(name, defaults()).unwrap().unwrap();
        assert_eq!(plugin.name(breaker).unwrap(), name);
    }
    assert_eq!(plugin.list().unwrap().len(), 5);
    assert!(plugin.remove("").unwrap());
    assert!(!plugin.remove("").unwrap());
    assert_eq!(plugin.list().unwrap().len(), 4);
}

/// A 10 MB snapshot, text that is not JSON or not UTF-8-shaped data, a
/// config the core refuses and clocks beyond 2^53: each a `snapshot-error`
/// naming the field (the option for a config), never a trap.
#[test]
fn hostile_snapshots_are_refused_naming_the_field() {
    let mut plugin = plugin();
    let survivor = plugin.create(Some("survivor"), defaults()).unwrap().unwrap();
    let huge = format!("{{\"version\":1,\"pad\":\"{}\"}}", "x".repeat(10 << 20));
    let cases: Vec<(&str, Config, String)> = vec![
        ("snapshot", defaults(), huge),
        ("snapshot", defaults(), "\u{0}\u{ffff}".into()),
        ("snapshot", defaults(), "[1,2,3]".into()),
        ("version", defaults(), "{}".into()),
        ("failureThreshold", Config { failure_threshold: Some(0), ..defaults() }, "{}".into()),
    ];
    for (field, config, text) in cases {
        let refused = plugin.restore(None, config, &text).expect("no trap").expect_err("refused");
        assert_eq!(refused.field, field, "{}", refused.message);
        assert!(refused.message.starts_with(field), "{}", refused.message);
        assert_still_working(&mut plugin, survivor);
    }
    let text = plugin.snapshot(survivor).expect("no trap");
    for now in [0, MAX_MILLIS, MAX_MILLIS + 1, u64::MAX] {
        plugin.set_time(now);
        let restored = plugin.restore(Some("restored"), defaults(), &text).expect("no trap").expect("restored");
        assert_eq!(plugin.snapshot(restored).expect("no trap"), text);
        plugin.set_time(0); // beyond 2^53, no call is admitted
        assert_still_working(&mut plugin, restored);
    }
}
