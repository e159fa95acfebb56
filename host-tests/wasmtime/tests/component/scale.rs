//! Ten thousand breakers in one instance: each keeps its own state, and the
//! registry lists them all, sorted, with the right status.

use edgebreaker_wasmtime::{defaults, Config, State};

use crate::support::plugin;

const BREAKERS: usize = 10_000;

fn name(index: usize) -> String {
    format!("upstream-{index:05}")
}

#[test]
fn ten_thousand_registered_breakers_keep_their_own_state_and_list_correctly() {
    let mut plugin = plugin();
    let config = Config { failure_threshold: Some(1), reset_timeout_ms: Some(1_000), ..defaults() };
    let mut handles = Vec::with_capacity(BREAKERS);
    plugin.set_time(10);
    // Every third upstream fails once and opens; the others succeed.
    for index in 0..BREAKERS {
        let breaker = plugin.get_or_create(&name(index), config).unwrap().unwrap();
        let permit = plugin.acquire(breaker).unwrap().unwrap();
        if index % 3 == 0 {
            plugin.failure(breaker, permit).unwrap().unwrap();
        } else {
            plugin.success(breaker, permit).unwrap().unwrap();
        }
        handles.push(breaker);
    }
    plugin.set_time(500);
    let listed = plugin.list().unwrap();
    assert_eq!(listed.len(), BREAKERS);
    for (index, status) in listed.iter().enumerate() {
        assert_eq!(status.name, name(index), "sorted by name");
        let failed = index % 3 == 0;
        assert_eq!(status.state, if failed { State::Open } else { State::Closed }, "{}", status.name);
        assert_eq!(status.retry_after_ms, Some(if failed { 510 } else { 0 }), "{}", status.name);
        let metrics = &status.metrics;
        assert_eq!((metrics.total_calls, metrics.failed_calls, metrics.successful_calls), (1, u64::from(failed), u64::from(!failed)));
        assert_eq!(status.config.failure_threshold, Some(1));
    }
    // A handle and the registry see the same breaker.
    let status = plugin.status(handles[3]).unwrap();
    assert_eq!((status.name.as_str(), status.state), ("upstream-00003", State::Open));
    // Time passes for all of them at once.
    plugin.set_time(1_010);
    let half_open = plugin.list().unwrap().iter().filter(|status| status.state == State::HalfOpen).count();
    assert_eq!(half_open, BREAKERS.div_ceil(3));
    plugin.reset_all().unwrap();
    assert!(plugin.list().unwrap().iter().all(|status| status.state == State::Closed));
    // Clearing forgets the names; handles keep their breakers.
    plugin.clear().unwrap();
    assert!(plugin.list().unwrap().is_empty());
    let status = plugin.status(handles[BREAKERS - 1]).unwrap();
    assert_eq!((status.name.as_str(), status.metrics.total_calls), ("upstream-09999", 1));
}

#[test]
fn ten_thousand_unregistered_breakers_with_permits_in_flight() {
    let mut plugin = plugin();
    let mut held = Vec::with_capacity(BREAKERS);
    for _ in 0..BREAKERS {
        let breaker = plugin.create(None, defaults()).unwrap().unwrap();
        let permit = plugin.acquire(breaker).unwrap().unwrap();
        held.push((breaker, permit));
    }
    let names: std::collections::BTreeSet<String> =
        held.iter().map(|(breaker, _)| plugin.name(*breaker).unwrap()).collect();
    assert_eq!(names.len(), BREAKERS, "generated names are distinct");
    for (breaker, permit) in held.iter().rev() {
        plugin.success(*breaker, *permit).unwrap().unwrap();
    }
    for (breaker, _) in held {
        let metrics = plugin.status(breaker).unwrap().metrics;
        assert_eq!((metrics.successful_calls, metrics.in_flight), (1, 0));
        plugin.drop_breaker(breaker).unwrap();
    }
    assert!(plugin.list().unwrap().is_empty(), "create does not register");
}
