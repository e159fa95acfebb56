#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::arithmetic_side_effects)]
//! Fleet mode's rules, one test each: the coordinator (trip rule, leases,
//! expiry, pacing, persistence), the member (report, merge, admission) and
//! the wire format's refusals.

use edgebreaker_core::fleet::{
    fleet_trip_due, Admission, Coordinator, FleetError, FleetMember, FleetReport, FleetSnapshot, Lease, LeaseReturn, PersistedFleet,
};
use edgebreaker_core::{Breaker, Cause, Config, Millis, Outcome, State};

fn config() -> Config {
    Config {
        failure_threshold: 3,
        window_size: 10,
        reset_timeout_ms: 1_000,
        success_threshold: 2,
        half_open_max_calls: 2,
        max_reset_timeout_ms: Some(8_000),
        probe_timeout_ms: Some(500),
        ..Config::default()
    }
}

fn report(successes: u64, failures: u64, tripped: bool) -> FleetReport {
    FleetReport { successes, failures, tripped, retry_after_ms: None, period_ms: None }
}

/// A coordinator tripped by a reported local trip at `at`.
fn tripped_coordinator(at: u64) -> Coordinator {
    let mut coordinator = Coordinator::new(config()).unwrap();
    let snapshot = coordinator.sync(&report(0, 1, true), Millis(at));
    assert_eq!(snapshot.state, State::Open);
    coordinator
}

#[test]
fn a_reported_local_trip_opens_the_fleet_for_reset_timeout() {
    let mut coordinator = tripped_coordinator(0);
    let snapshot = coordinator.snapshot(Millis(400));
    assert_eq!((snapshot.state, snapshot.open_for_ms, snapshot.generation), (State::Open, Some(600), 1));
}

#[test]
fn the_count_rule_scales_with_the_fleets_traffic() {
    let config = config(); // 3 failures of 10: a share of 30 %
    assert!(fleet_trip_due(false, 3, 10, &config));
    assert!(!fleet_trip_due(false, 3, 11, &config), "3 of 11 is under the share");
    assert!(!fleet_trip_due(false, 2, 2, &config), "fewer failures than failureThreshold");
    assert!(fleet_trip_due(false, 300, 1_000, &config));
    assert!(!fleet_trip_due(false, 299, 1_000, &config));
    assert!(fleet_trip_due(true, 0, 0, &config), "a local trip always trips");
    assert!(fleet_trip_due(false, u64::MAX, u64::MAX, &config), "no overflow");
}

#[test]
fn the_rate_rule_needs_minimum_calls() {
    let config = Config { failure_rate_threshold: Some(0.5), minimum_calls: Some(4), ..config() };
    assert!(!fleet_trip_due(false, 2, 3, &Config { failure_threshold: 10, ..config.clone() }));
    let rate_only = Config { failure_threshold: 10, ..config };
    assert!(fleet_trip_due(false, 2, 4, &rate_only));
    assert!(!fleet_trip_due(false, 1, 4, &rate_only));
}

#[test]
fn reports_accumulate_in_the_fleet_window_and_leave_it_after_its_span() {
    let config = Config { window_ms: Some(1_000), ..config() };
    let mut coordinator = Coordinator::new(config).unwrap();
    assert_eq!(coordinator.sync(&report(5, 2, false), Millis(0)).state, State::Closed);
    // 1 s later the first report has left the window: 1 failure of 1 is not 3.
    assert_eq!(coordinator.sync(&report(0, 1, false), Millis(1_000)).state, State::Closed);
    assert_eq!(coordinator.sync(&report(0, 1, false), Millis(1_050)).state, State::Closed);
    assert_eq!(coordinator.sync(&report(1, 1, false), Millis(1_100)).state, State::Open);
}

#[test]
fn reports_while_open_or_half_open_are_not_counted() {
    let mut coordinator = tripped_coordinator(0);
    coordinator.sync(&report(0, 50, true), Millis(10));
    assert_eq!(coordinator.snapshot(Millis(1_000)).state, State::HalfOpen);
    coordinator.sync(&report(0, 50, true), Millis(1_010));
    assert_eq!(coordinator.snapshot(Millis(1_020)).state, State::HalfOpen);
}

#[test]
fn leases_are_granted_only_while_half_open_and_at_most_half_open_max_calls_at_once() {
    let mut coordinator = tripped_coordinator(0);
    assert_eq!(coordinator.lease(Millis(999)).0, None, "open: no lease");
    let first = coordinator.lease(Millis(1_000)).0.expect("half-open: a lease");
    let second = coordinator.lease(Millis(1_001)).0.expect("a second slot");
    assert_ne!(first, second);
    for at in 1_002..1_100 {
        assert_eq!(coordinator.lease(Millis(at)).0, None, "both slots are taken");
    }
    // An ignored lease frees its slot.
    coordinator.settle(first, Outcome::Ignored, Millis(1_100));
    assert!(coordinator.lease(Millis(1_101)).0.is_some());
}

#[test]
fn success_threshold_successful_leases_close_the_fleet() {
    let mut coordinator = tripped_coordinator(0);
    let first = coordinator.lease(Millis(1_000)).0.unwrap();
    let second = coordinator.lease(Millis(1_000)).0.unwrap();
    assert_eq!(coordinator.settle(first, Outcome::Success, Millis(1_010)).state, State::HalfOpen);
    let snapshot = coordinator.settle(second, Outcome::Success, Millis(1_020));
    assert_eq!((snapshot.state, snapshot.generation, snapshot.open_for_ms), (State::Closed, 3, Some(0)));
    // Settling again, or a lease from that half-open period, changes nothing.
    assert_eq!(coordinator.settle(first, Outcome::Failure, Millis(1_030)).state, State::Closed);
}

#[test]
fn a_lease_not_settled_within_probe_timeout_reopens_the_fleet_with_backoff() {
    let mut coordinator = tripped_coordinator(0);
    let lease = coordinator.lease(Millis(1_000)).0.unwrap();
    // Expires at 1_500: open again for 2 × resetTimeoutMs, so half-open at 3_500.
    let snapshot = coordinator.snapshot(Millis(1_600));
    assert_eq!((snapshot.state, snapshot.open_for_ms), (State::Open, Some(1_900)));
    assert_eq!(coordinator.snapshot(Millis(3_500)).state, State::HalfOpen);
    // Its late settlement is stale.
    assert_eq!(coordinator.settle(lease, Outcome::Success, Millis(3_501)).state, State::HalfOpen);
}

#[test]
fn a_failed_lease_reopens_the_fleet_with_backoff() {
    let mut coordinator = tripped_coordinator(0);
    let lease = coordinator.lease(Millis(1_000)).0.unwrap();
    let snapshot = coordinator.settle(lease, Outcome::Failure, Millis(1_100));
    assert_eq!((snapshot.state, snapshot.open_for_ms), (State::Open, Some(2_000)));
}

#[test]
fn a_settlement_delivered_twice_frees_no_slot_a_later_lease_holds() {
    let mut coordinator = Coordinator::new(Config { half_open_max_calls: 1, success_threshold: 3, ..config() }).unwrap();
    coordinator.sync(&report(0, 0, true), Millis(0));
    let first = coordinator.lease(Millis(1_000)).0.unwrap();
    coordinator.settle(first, Outcome::Success, Millis(1_001));
    let second = coordinator.lease(Millis(1_002)).0.unwrap();
    assert_ne!(first, second, "lease ids are not reused within a half-open period");
    coordinator.settle(first, Outcome::Success, Millis(1_003)); // the first again, e.g. a retried request
    assert_eq!(coordinator.lease(Millis(1_004)).0, None, "the second still holds the only slot");
    assert_eq!(coordinator.settle(second, Outcome::Success, Millis(1_005)).state, State::HalfOpen, "2 of 3 successes");
}

#[test]
fn a_forged_lease_changes_nothing() {
    let mut coordinator = tripped_coordinator(0);
    coordinator.lease(Millis(1_000)).0.unwrap();
    for token in [0, 1, 2, 3, u64::MAX, (1 << 53) - 1] {
        assert_eq!(coordinator.settle(Lease { token }, Outcome::Success, Millis(1_001)).state, State::HalfOpen);
    }
    assert_eq!(coordinator.generation(), 2);
}

#[test]
fn a_coordinator_clock_set_back_delays_nothing() {
    let mut coordinator = Coordinator::new(config()).unwrap();
    coordinator.sync(&report(0, 0, true), Millis(10_000)); // open until 11_000
    // Set back by 5 s: the open period still ends 1 s after it began, in real time.
    assert_eq!(coordinator.sync(&report(0, 0, false), Millis(5_000)).open_for_ms, Some(1_000));
    assert_eq!(coordinator.snapshot(Millis(5_500)).open_for_ms, Some(500));
    assert_eq!(coordinator.snapshot(Millis(6_000)).state, State::HalfOpen);
}

#[test]
fn pacing_asks_for_longer_waits_as_syncs_per_second_grow() {
    let mut coordinator = Coordinator::new(config()).unwrap();
    let mut last = FleetSnapshot { generation: 0, state: State::Closed, open_for_ms: Some(0), sync_after_ms: 0 };
    for _ in 0..1_000 {
        last = coordinator.sync(&report(1, 0, false), Millis(500));
    }
    assert_eq!(last.sync_after_ms, 2_000, "1000 syncs in the last second at 500/s: wait 2 s");
    assert_eq!(coordinator.snapshot(Millis(1_600)).sync_after_ms, 0, "a second later none are counted");
    for _ in 0..100_000 {
        last = coordinator.sync(&report(1, 0, false), Millis(2_000));
    }
    assert_eq!(last.sync_after_ms, 60_000, "clamped to a minute");
}

#[test]
fn persisted_state_restores_with_remaining_durations_and_backoff() {
    let mut coordinator = tripped_coordinator(0);
    let lease = coordinator.lease(Millis(1_000)).0.unwrap();
    coordinator.settle(lease, Outcome::Failure, Millis(1_000)); // open 2 s, consecutive opens 2
    let persisted = coordinator.persisted(Millis(1_500));
    assert_eq!(persisted, PersistedFleet { state: State::Open, generation: 3, open_for_ms: Some(1_500), consecutive_opens: 2 });
    let json = persisted.to_json();
    assert_eq!(json, r#"{"version":1,"state":"open","generation":3,"openForMs":1500,"forcedOpen":false,"consecutiveOpens":2}"#);
    // Another machine, another clock.
    let mut restored = Coordinator::restore(config(), &PersistedFleet::from_json(&json).unwrap(), Millis(900_000), Millis(900_000)).unwrap();
    assert_eq!(restored.snapshot(Millis(900_000)).open_for_ms, Some(1_500));
    let lease = restored.lease(Millis(901_500)).0.expect("half-open on schedule");
    let snapshot = restored.settle(lease, Outcome::Failure, Millis(901_500));
    assert_eq!(snapshot.open_for_ms, Some(4_000), "the backoff survived");
    assert_eq!(snapshot.generation, 5);
    // Restored at the time the state was written (a Durable Object's restart), the deadline holds.
    let mut later = Coordinator::restore(config(), &persisted, Millis(900_000), Millis(901_000)).unwrap();
    assert_eq!(later.snapshot(Millis(901_000)).open_for_ms, Some(500), "a second of downtime counts");
}

#[test]
fn a_coordinator_restored_half_open_leases_nothing_until_the_old_leases_have_expired_and_never_reuses_their_ids() {
    let mut coordinator = tripped_coordinator(0);
    let persisted = coordinator.persisted(Millis(1_000)); // written as the fleet half-opened
    assert_eq!((persisted.state, persisted.generation), (State::HalfOpen, 2));
    let old = coordinator.lease(Millis(1_100)).0.unwrap();
    assert_eq!(coordinator.lease(Millis(1_100)).0.map(|lease| lease == old), Some(false));

    // Lost at 1_200 with two leases out; restored at 1_300 from what was written at 1_000.
    let mut restored = Coordinator::restore(config(), &persisted, Millis(1_000), Millis(1_300)).unwrap();
    let snapshot = restored.snapshot(Millis(1_300));
    assert_eq!((snapshot.state, snapshot.generation, snapshot.open_for_ms), (State::Open, 3, Some(500)), "open for probeTimeoutMs from the restore");
    assert_eq!(restored.lease(Millis(1_799)).0, None, "no lease while the old ones may still be probing");
    assert_eq!(restored.persisted(Millis(1_799)).consecutive_opens, 1, "the backoff is untouched: no probe failed");

    let new = restored.lease(Millis(1_800)).0.expect("half-open once they have expired");
    assert_ne!(new, old, "a lease id of the next half-open period is none the old ones had");
    let snapshot = restored.settle(old, Outcome::Failure, Millis(1_800));
    assert_eq!((snapshot.state, snapshot.generation), (State::HalfOpen, 4), "a late settle of an old lease changes nothing");
    restored.settle(new, Outcome::Success, Millis(1_801));
    let second = restored.lease(Millis(1_801)).0.unwrap();
    let snapshot = restored.settle(second, Outcome::Success, Millis(1_802));
    assert_eq!((snapshot.state, snapshot.generation), (State::Closed, 5), "the new leases close the fleet");
}

fn local() -> Breaker {
    Breaker::new(config()).unwrap()
}

fn call(breaker: &mut Breaker, outcome: Outcome, at: u64) {
    let permit = breaker.acquire(Millis(at)).unwrap();
    breaker.record(permit, outcome, Millis(at));
}

fn snapshot(state: State, generation: u64, open_for_ms: Option<u64>) -> FleetSnapshot {
    FleetSnapshot { generation, state, open_for_ms, sync_after_ms: 0 }
}

#[test]
fn a_report_carries_the_outcomes_since_the_last_and_a_local_trip() {
    let mut breaker = local();
    let mut member = FleetMember::new(&breaker);
    call(&mut breaker, Outcome::Success, 0);
    call(&mut breaker, Outcome::Failure, 1);
    assert_eq!(member.report(&breaker, Millis(1)), report(1, 1, false), "the first report: no period yet");
    let nothing_new = FleetReport { period_ms: Some(0), ..report(0, 0, false) };
    assert_eq!(member.report(&breaker, Millis(1)), nothing_new, "nothing new, at once");
    call(&mut breaker, Outcome::Failure, 2);
    assert!(!member.trip_pending(&breaker));
    call(&mut breaker, Outcome::Failure, 3); // third failure: the local breaker trips
    assert!(member.trip_pending(&breaker));
    assert_eq!(member.report(&breaker, Millis(3)), FleetReport { period_ms: Some(2), ..report(0, 2, true) }, "2 ms since the last");
    assert!(!member.trip_pending(&breaker));
}

#[test]
fn a_forced_open_is_not_a_local_trip() {
    let mut breaker = local();
    let mut member = FleetMember::new(&breaker);
    member.merge(&snapshot(State::Open, 1, Some(1_000)), &mut breaker, Millis(0)).unwrap();
    assert_eq!(breaker.state(Millis(0)), State::Open);
    assert!(!member.report(&breaker, Millis(0)).tripped);
}

#[test]
fn a_lower_generation_is_refused_and_changes_nothing() {
    let mut breaker = local();
    let mut member = FleetMember::new(&breaker);
    member.merge(&snapshot(State::Open, 5, Some(1_000)), &mut breaker, Millis(0)).unwrap();
    let view = member.view();
    let error = member.merge(&snapshot(State::Closed, 4, Some(0)), &mut breaker, Millis(10)).unwrap_err();
    assert_eq!(error.field, "generation");
    assert_eq!(error.to_string(), "generation must be at least 5 (the last merged); got 4");
    assert_eq!(member.view(), view);
    assert_eq!(breaker.state(Millis(10)), State::Open);
}

#[test]
fn merging_a_higher_open_generation_forces_the_local_breaker_open_for_the_remaining_time() {
    let mut breaker = local();
    let mut member = FleetMember::new(&breaker);
    member.merge(&snapshot(State::Open, 1, Some(700)), &mut breaker, Millis(100)).unwrap();
    assert_eq!(breaker.status(Millis(100)).retry_after_ms, Some(700));
    member.merge(&snapshot(State::Open, 1, Some(300)), &mut breaker, Millis(500)).unwrap();
    assert_eq!(breaker.status(Millis(500)).retry_after_ms, Some(300), "the same generation moves nothing");
    member.merge(&snapshot(State::Open, 3, None), &mut breaker, Millis(600)).unwrap();
    assert_eq!(breaker.status(Millis(600)).retry_after_ms, None, "open until reset");
}

#[test]
fn merging_an_open_fleet_never_shortens_a_longer_local_open_period() {
    let mut breaker = local();
    let mut member = FleetMember::new(&breaker);
    let permit = breaker.acquire(Millis(0)).unwrap();
    breaker.record_retry_after(permit, Millis(5_000), Millis(0));
    member.merge(&snapshot(State::Open, 2, Some(300)), &mut breaker, Millis(100)).unwrap();
    assert_eq!(breaker.status(Millis(100)).retry_after_ms, Some(4_900), "the upstream's 5 s stand");
}

#[test]
fn a_restored_breaker_reports_only_what_it_settled_after_the_restore() {
    let mut breaker = local();
    call(&mut breaker, Outcome::Success, 0);
    call(&mut breaker, Outcome::Failure, 1);
    let snapshot = breaker.snapshot(Millis(2));
    let mut restored = Breaker::restore(config(), &snapshot, Millis(10)).unwrap();
    let mut member = FleetMember::new(&restored);
    call(&mut restored, Outcome::Failure, 11);
    assert_eq!(member.report(&restored, Millis(12)), report(0, 1, false), "not the lifetime counts again");
}

#[test]
fn merging_a_higher_closed_generation_resets_the_local_breaker() {
    let mut breaker = local();
    let mut member = FleetMember::new(&breaker);
    member.merge(&snapshot(State::Open, 1, Some(1_000)), &mut breaker, Millis(0)).unwrap();
    member.merge(&snapshot(State::Closed, 3, Some(0)), &mut breaker, Millis(1_200)).unwrap();
    assert_eq!(breaker.state(Millis(1_200)), State::Closed);
}

#[test]
fn the_changes_a_fleet_snapshot_makes_to_the_local_breaker_are_caused_by_the_fleet() {
    let mut breaker = local();
    let mut member = FleetMember::new(&breaker);
    member.merge(&snapshot(State::Open, 1, Some(1_000)), &mut breaker, Millis(0)).unwrap();
    member.merge(&snapshot(State::Closed, 3, Some(0)), &mut breaker, Millis(1_200)).unwrap();
    let changes: Vec<(State, Cause, Option<Millis>)> =
        breaker.transitions_since(0).map(|change| (change.to, change.cause, change.open_for)).collect();
    let expected = [
        (State::Open, Cause::Fleet, Some(Millis(1_000))),
        (State::HalfOpen, Cause::OpenTimeElapsed, None),
        (State::Closed, Cause::Fleet, None),
    ];
    assert_eq!(changes, expected);
}

#[test]
fn merging_closed_leaves_an_unreported_local_trip_open() {
    let mut breaker = local();
    let mut member = FleetMember::new(&breaker);
    member.merge(&snapshot(State::Closed, 0, Some(0)), &mut breaker, Millis(0)).unwrap();
    for at in 1..4 {
        call(&mut breaker, Outcome::Failure, at);
    }
    member.merge(&snapshot(State::Closed, 2, Some(0)), &mut breaker, Millis(5)).unwrap();
    assert_eq!(breaker.state(Millis(5)), State::Open, "the fleet has not seen this trip yet");
}

#[test]
fn admission_follows_a_fresh_view_and_falls_back_to_the_local_breaker() {
    let mut breaker = local();
    let mut member = FleetMember::new(&breaker);
    let stale_after = Millis(2_000);
    assert_eq!(member.admission(State::Closed, Millis(0), stale_after), Admission::Local, "no view");
    member.merge(&snapshot(State::Open, 1, Some(1_000)), &mut breaker, Millis(0)).unwrap();
    assert_eq!(member.admission(State::Closed, Millis(400), stale_after), Admission::Blocked { retry_after: Some(Millis(600)) });
    assert_eq!(member.admission(State::Open, Millis(400), stale_after), Admission::Local, "the local breaker blocks");
    assert_eq!(member.admission(State::HalfOpen, Millis(1_000), stale_after), Admission::Lease, "the fleet is due to half-open");
    assert_eq!(member.admission(State::Closed, Millis(2_001), stale_after), Admission::Local, "stale");
    member.merge(&snapshot(State::HalfOpen, 2, Some(0)), &mut breaker, Millis(3_000)).unwrap();
    assert_eq!(member.admission(State::HalfOpen, Millis(3_000), stale_after), Admission::Lease);
    member.merge(&snapshot(State::Open, 3, None), &mut breaker, Millis(4_000)).unwrap();
    assert_eq!(member.admission(State::Closed, Millis(4_500), stale_after), Admission::Blocked { retry_after: None });
    assert_eq!(member.admission(State::Closed, Millis(2_000), stale_after), Admission::Local, "clock set back: stale");
}

fn refused(error: FleetError) -> String {
    error.field
}

#[test]
fn wire_documents_round_trip() {
    let report = report(7, 3, true);
    assert_eq!(FleetReport::from_json(&report.to_json()), Ok(report));
    for snapshot in [snapshot(State::Open, 9, None), snapshot(State::Open, 9, Some(5)), snapshot(State::HalfOpen, 1, Some(0))] {
        assert_eq!(FleetSnapshot::from_json(&snapshot.to_json()), Ok(snapshot));
    }
    assert_eq!(Lease::from_json(r#"{"version":1,"lease":16386}"#), Ok(Lease { token: 16_386 }));
    let forced = PersistedFleet { state: State::Open, generation: 2, open_for_ms: None, consecutive_opens: 0 };
    assert_eq!(PersistedFleet::from_json(&forced.to_json()), Ok(forced));
}

#[test]
fn tampered_wire_documents_are_refused_naming_the_field() {
    let cases: [(&str, &str); 16] = [
        (r#"{"version":2,"successes":1,"failures":0,"tripped":false}"#, "version"),
        (r#"{"successes":1,"failures":0,"tripped":false}"#, "version"),
        (r#"{"version":1,"successes":-1,"failures":0,"tripped":false}"#, "successes"),
        (r#"{"version":1,"successes":1.5,"failures":0,"tripped":false}"#, "successes"),
        (r#"{"version":1,"successes":9007199254740992,"failures":0,"tripped":false}"#, "successes"),
        (r#"{"version":1,"successes":1,"failures":"2","tripped":false}"#, "failures"),
        (r#"{"version":1,"successes":1,"failures":0,"tripped":0}"#, "tripped"),
        (r#"{"version":1,"successes":1,"failures":0}"#, "tripped"),
        (r#"{"version":1,"successes":1,"failures":0,"tripped":false,"extra":1}"#, "extra"),
        ("[1]", "report"),
        ("{", "report"),
        (r#"{"version":1,"state":"ajar","generation":1,"openForMs":0,"syncAfterMs":0}"#, "state"),
        (r#"{"version":1,"state":"closed","generation":1099511627776,"openForMs":0,"syncAfterMs":0}"#, "generation"),
        (r#"{"version":1,"state":"closed","generation":1,"openForMs":5,"syncAfterMs":0}"#, "openForMs"),
        (r#"{"version":1,"state":"open","generation":1,"openForMs":5,"syncAfterMs":60001}"#, "syncAfterMs"),
        (r#"{"version":1,"lease":null}"#, "lease"),
    ];
    for (text, field) in cases {
        let got = if text.contains("lease") {
            Lease::from_json(text).map(drop).map_err(refused)
        } else if text.contains("state") {
            FleetSnapshot::from_json(text).map(drop).map_err(refused)
        } else {
            FleetReport::from_json(text).map(drop).map_err(refused)
        };
        assert_eq!(got, Err(field.to_string()), "{text}");
    }
    let huge = format!(r#"{{"version":1,"successes":1,"failures":0,"tripped":false,"pad":"{}"}}"#, "x".repeat(70_000));
    let error = FleetReport::from_json(&huge).unwrap_err();
    assert_eq!(error.to_string(), format!("report must be at most 65536 bytes; got {}", huge.len()));
    let forced_closed = r#"{"version":1,"state":"closed","generation":1,"openForMs":0,"forcedOpen":true,"consecutiveOpens":0}"#;
    assert_eq!(PersistedFleet::from_json(forced_closed).map_err(refused), Err("forcedOpen".to_string()));
    let backoff = r#"{"version":1,"state":"closed","generation":1,"openForMs":0,"forcedOpen":false,"consecutiveOpens":65}"#;
    assert_eq!(PersistedFleet::from_json(backoff).map_err(refused), Err("consecutiveOpens".to_string()));
}

/// xorshift64: a fixed sequence, so a failure is reproducible.
struct Random(u64);

impl Random {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }
}

#[test]
fn random_syncs_leases_and_settlements_never_put_more_than_half_open_max_calls_leases_in_flight() {
    for seed in 1..=8 {
        let config = Config { half_open_max_calls: 3, success_threshold: 4, ..config() };
        let mut coordinator = Coordinator::new(config).unwrap();
        let mut random = Random(seed);
        let mut now = 0u64;
        let mut granted: Vec<(Lease, u64)> = Vec::new(); // every lease ever granted, with its generation
        let mut in_flight: Vec<Lease> = Vec::new(); // of the current half-open period
        let mut period = u64::MAX;
        for _ in 0..20_000 {
            now = match random.below(20) {
                0 => now.saturating_sub(random.below(3_000)), // the clock set back (or reordered)
                _ => now + random.below(120),
            };
            let snapshot = match random.below(4) {
                0 => coordinator.sync(&report(random.below(5), random.below(3), random.below(50) == 0), Millis(now)),
                1 => {
                    let (lease, snapshot) = coordinator.lease(Millis(now));
                    if let Some(lease) = lease {
                        assert_eq!(snapshot.state, State::HalfOpen);
                        if snapshot.generation != period {
                            (period, in_flight) = (snapshot.generation, Vec::new());
                        }
                        in_flight.push(lease);
                        assert!(in_flight.len() <= 3, "seed {seed}: {} leases in flight", in_flight.len());
                        granted.push((lease, snapshot.generation));
                    }
                    snapshot
                }
                2 if !granted.is_empty() => {
                    let (lease, _) = granted[random.below(granted.len() as u64) as usize];
                    in_flight.retain(|held| *held != lease);
                    let outcome = [Outcome::Success, Outcome::Failure, Outcome::Ignored][random.below(3) as usize];
                    coordinator.settle(lease, outcome, Millis(now))
                }
                _ => coordinator.snapshot(Millis(now)),
            };
            if snapshot.generation != period {
                (period, in_flight) = (snapshot.generation, Vec::new());
            }
            assert!(snapshot.sync_after_ms <= 60_000);
            assert!(snapshot.state == State::Open || snapshot.open_for_ms == Some(0));
        }
        assert!(granted.len() > 50, "seed {seed}: the fleet half-opened and leased ({})", granted.len());
    }
}

#[test]
fn a_retry_after_trip_opens_the_fleet_for_the_upstream_s_time_not_the_backoff_s() {
    let mut breaker = local();
    let mut member = FleetMember::new(&breaker);
    let permit = breaker.acquire(Millis(0)).unwrap();
    breaker.record_retry_after(permit, Millis(2_000), Millis(500));
    let sent = member.report(&breaker, Millis(500));
    assert_eq!(sent, FleetReport { retry_after_ms: Some(2_000), ..report(0, 1, true) });

    assert_eq!(FleetReport::from_json(&sent.to_json()), Ok(sent), "the wire carries it");

    let mut coordinator = Coordinator::new(config()).unwrap();
    let answer = coordinator.sync(&sent, Millis(9_000));
    assert_eq!((answer.state, answer.open_for_ms), (State::Open, Some(2_000)));
    // The backoff is left as it was: the next trip opens for resetTimeoutMs.
    coordinator.lease(Millis(11_000));
    let reopened = coordinator.sync(&report(0, 0, false), Millis(11_000 + 500));
    assert_eq!(reopened.state, State::Open, "the lease expired at probeTimeoutMs: a failed probe");
    assert_eq!(reopened.open_for_ms, Some(config().reset_timeout_ms), "first backoff step, as after one ordinary trip");
    // An ordinary trip after it carries no Retry-After.
    assert_eq!(member.report(&breaker, Millis(12_000)).retry_after_ms, None);
}

#[test]
fn a_retry_after_without_a_trip_is_refused() {
    let text = r#"{"version":1,"successes":0,"failures":1,"tripped":false,"retryAfterMs":5}"#;
    assert_eq!(FleetReport::from_json(text).unwrap_err().to_string(), "retryAfterMs is only for a trip (tripped: true)");
}

#[test]
fn pacing_holds_a_fleet_of_any_size_to_the_budget() {
    // 3,000 members, each syncing as told; after a few rounds the coordinator
    // answers 3000 · 1000 / 500 = 6 s, which is 500 syncs a second.
    let mut coordinator = Coordinator::new(config()).unwrap();
    let members = 3_000u64;
    let mut period = 1_000u64; // every member's first sync: the default interval
    let mut at = 0u64;
    for _round in 0..4 {
        let mut answer = 0;
        for member in 0..members {
            let report = FleetReport { period_ms: Some(period), ..report(1, 0, false) };
            answer = coordinator.sync(&report, Millis(at + member * period / members)).sync_after_ms;
        }
        at += period;
        period = answer.max(1_000);
    }
    assert_eq!(period, 6_000, "3000 members at 500 syncs a second");
}

#[test]
fn a_probe_failed_by_the_upstream_s_retry_after_opens_the_fleet_for_that_long() {
    let mut coordinator = tripped_coordinator(0);
    let lease = coordinator.lease(Millis(1_000)).0.unwrap();
    let given = LeaseReturn::from_json(&format!(r#"{{"version":1,"lease":{},"retryAfterMs":300000}}"#, lease.token)).unwrap();
    assert_eq!(given, LeaseReturn { lease, retry_after_ms: Some(300_000) });
    let snapshot = coordinator.settle_retry_after(given.lease, Millis(300_000), Millis(1_200));
    assert_eq!((snapshot.state, snapshot.open_for_ms), (State::Open, Some(300_000)), "not the backoff's 2 s");
    let again = coordinator.settle_retry_after(lease, Millis(5), Millis(1_300));
    assert_eq!(again.open_for_ms, Some(299_900), "a lease settles once");
}

#[test]
fn a_lost_report_is_carried_by_the_next_one_trip_included() {
    let mut breaker = local();
    let mut member = FleetMember::new(&breaker);
    for at in 0..3 {
        call(&mut breaker, Outcome::Failure, at); // the third trips
    }
    assert!(member.report(&breaker, Millis(5)).tripped);
    member.report_lost();
    assert!(member.trip_pending(&breaker), "the trip is still to be reported");
    let again = member.report(&breaker, Millis(10));
    assert_eq!((again.successes, again.failures, again.tripped), (0, 3, true));
    assert_eq!(again.period_ms, None, "still the first report, as far as the coordinator knows");
    member.report_lost();
    member.report_lost(); // twice changes nothing more
    assert_eq!(member.report(&breaker, Millis(12)).failures, 3);
}
