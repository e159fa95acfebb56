#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::arithmetic_side_effects)]
//! The decisions of a fleet kept in a shared store, one rule per test, and
//! the same story told to a `Coordinator` and to a store's phases, step by
//! step, with the same answers.

use edgebreaker_core::fleet::{Coordinator, FleetReport, PersistedFleet, SharedEvent, SharedFleet};
use edgebreaker_core::{Config, Millis, Outcome, State};

fn config() -> Config {
    Config {
        failure_threshold: 3,
        window_size: 10,
        reset_timeout_ms: 1_000,
        success_threshold: 2,
        half_open_max_calls: 2,
        max_reset_timeout_ms: Some(8_000),
        probe_timeout_ms: Some(500),
        slow_call_ms: Some(50),
        ..Config::default()
    }
}

fn fleet() -> SharedFleet {
    SharedFleet::new(config()).unwrap()
}

fn report(successes: u64, failures: u64, tripped: bool) -> FleetReport {
    FleetReport { successes, failures, tripped, retry_after_ms: None, period_ms: None }
}

fn phase(state: State, generation: u64, open_for_ms: Option<u64>, consecutive_opens: u32) -> PersistedFleet {
    PersistedFleet { state, generation, open_for_ms, consecutive_opens }
}

fn sync(successes: u64, failures: u64, tripped: bool) -> SharedEvent {
    SharedEvent::Sync { report: report(0, 0, tripped), successes, failures }
}

#[test]
fn a_store_without_a_phase_holds_a_closed_fleet_at_generation_0() {
    assert_eq!(SharedFleet::first_phase(), phase(State::Closed, 0, Some(0), 0));
}

#[test]
fn a_reported_local_trip_opens_the_fleet_for_reset_timeout_in_the_next_generation() {
    let next = fleet().next_phase(&SharedFleet::first_phase(), Millis(70_000), sync(0, 1, true));
    assert_eq!(next, Some(phase(State::Open, 1, Some(1_000), 1)));
}

#[test]
fn the_window_trips_by_the_count_rule_scaled_to_the_fleets_traffic() {
    let closed = SharedFleet::first_phase();
    assert_eq!(fleet().next_phase(&closed, Millis(5), sync(7, 3, false)).map(|next| next.state), Some(State::Open));
    assert_eq!(fleet().next_phase(&closed, Millis(5), sync(8, 3, false)), None, "3 of 11 is under the local rule's share");
}

#[test]
fn a_retry_after_trip_opens_for_the_upstreams_time_and_leaves_the_backoff_as_it_was() {
    let closed = phase(State::Closed, 4, Some(0), 2);
    let event = SharedEvent::Sync { report: FleetReport { retry_after_ms: Some(30_000), ..report(0, 1, true) }, successes: 0, failures: 1 };
    assert_eq!(fleet().next_phase(&closed, Millis(0), event), Some(phase(State::Open, 5, Some(30_000), 2)));
}

#[test]
fn reports_change_nothing_unless_the_fleet_is_closed() {
    for stored in [phase(State::Open, 1, Some(1_000), 1), phase(State::HalfOpen, 2, Some(0), 1)] {
        assert_eq!(fleet().next_phase(&stored, Millis(10), sync(0, 100, true)), None);
    }
}

#[test]
fn an_open_phase_half_opens_once_its_time_is_up_by_the_fleets_clock() {
    let open = phase(State::Open, 1, Some(1_000), 1);
    assert_eq!(fleet().next_phase(&open, Millis(999), SharedEvent::Time), None);
    assert_eq!(fleet().next_phase(&open, Millis(1_000), SharedEvent::Time), Some(phase(State::HalfOpen, 2, Some(0), 1)));
    let forced = phase(State::Open, 1, None, 0);
    assert_eq!(fleet().next_phase(&forced, Millis(u64::MAX), SharedEvent::Time), None, "open until reset stays open");
}

#[test]
fn success_threshold_probe_successes_close_the_fleet_and_clear_the_backoff() {
    let half_open = phase(State::HalfOpen, 2, Some(0), 3);
    assert_eq!(fleet().next_phase(&half_open, Millis(10), SharedEvent::ProbeSucceeded { successes: 1 }), None);
    let closed = fleet().next_phase(&half_open, Millis(10), SharedEvent::ProbeSucceeded { successes: 2 });
    assert_eq!(closed, Some(phase(State::Closed, 3, Some(0), 0)));
    assert_eq!(fleet().next_phase(&half_open, Millis(10), SharedEvent::ProbeSucceeded { successes: u64::MAX }), closed);
}

#[test]
fn a_failed_or_expired_probe_reopens_the_fleet_with_backoff() {
    let half_open = phase(State::HalfOpen, 2, Some(0), 1);
    let reopened = Some(phase(State::Open, 3, Some(2_000), 2));
    assert_eq!(fleet().next_phase(&half_open, Millis(10), SharedEvent::ProbeFailed { retry_after_ms: None }), reopened);
    assert_eq!(fleet().next_phase(&half_open, Millis(10), SharedEvent::LeaseExpired), reopened);
    let capped = phase(State::HalfOpen, 2, Some(0), 30);
    assert_eq!(fleet().next_phase(&capped, Millis(10), SharedEvent::LeaseExpired).and_then(|next| next.open_for_ms), Some(8_000));
    let by_retry_after = fleet().next_phase(&half_open, Millis(10), SharedEvent::ProbeFailed { retry_after_ms: Some(30_000) });
    assert_eq!(by_retry_after, Some(phase(State::Open, 3, Some(30_000), 1)));
}

#[test]
fn probe_outcomes_change_nothing_unless_the_fleet_is_half_open() {
    for stored in [SharedFleet::first_phase(), phase(State::Open, 1, Some(1_000), 1)] {
        for event in [SharedEvent::ProbeSucceeded { successes: 5 }, SharedEvent::ProbeFailed { retry_after_ms: None }, SharedEvent::LeaseExpired] {
            assert_eq!(fleet().next_phase(&stored, Millis(10), event), None, "{stored:?} {event:?}");
        }
    }
}

#[test]
fn a_phase_carried_into_a_store_that_lost_it_keeps_its_generation_and_the_time_it_has_left() {
    let open = phase(State::Open, 7, Some(1_000), 2);
    assert_eq!(fleet().carried(&open, Millis(400)), phase(State::Open, 7, Some(600), 2));
    assert_eq!(fleet().carried(&open, Millis(1_500)), phase(State::HalfOpen, 8, Some(0), 2), "a transition due by then applies");
    let closed = phase(State::Closed, 9, Some(0), 0);
    assert_eq!(fleet().carried(&closed, Millis(1_500)), closed);
}

#[test]
fn a_snapshot_answers_the_stored_phase_with_its_remaining_time_and_pacing() {
    let open = phase(State::Open, 1, Some(1_000), 1);
    let snapshot = fleet().snapshot(&open, Millis(300), 3_000);
    assert_eq!((snapshot.state, snapshot.generation, snapshot.open_for_ms, snapshot.sync_after_ms), (State::Open, 1, Some(700), 6));
    let late = fleet().snapshot(&open, Millis(5_000), 0);
    assert_eq!((late.state, late.open_for_ms), (State::Open, Some(0)), "only a phase in the store is answered");
    assert_eq!(fleet().snapshot(&phase(State::Open, 1, None, 0), Millis(5), 0).open_for_ms, None);
}

#[test]
fn the_limits_come_from_the_config() {
    let fleet = fleet();
    assert_eq!((fleet.window_ms(), fleet.max_leases(), fleet.probe_timeout_ms()), (60_000, 2, 500));
    let windowed = SharedFleet::new(Config { window_ms: Some(10_000), ..config() }).unwrap();
    assert_eq!(windowed.window_ms(), 10_000);
    assert!(SharedFleet::new(Config { failure_threshold: 0, ..config() }).is_err());
}

/// A store as a test holds it: the phase, when it was written, the window's
/// totals in its generation, the probe successes counted in it, and when
/// each live lease was granted.
struct Store {
    phase: PersistedFleet,
    written_at: u64,
    successes: u64,
    failures: u64,
    probe_successes: u64,
    leases: Vec<u64>,
}

impl Store {
    fn new() -> Store {
        Store { phase: SharedFleet::first_phase(), written_at: 0, successes: 0, failures: 0, probe_successes: 0, leases: Vec::new() }
    }

    /// What a member does at `now`: the transition time calls for, a lease
    /// gone past probeTimeoutMs, then `event`; each committed as it comes.
    fn decide(&mut self, fleet: &SharedFleet, now: u64, event: SharedEvent) {
        self.commit(fleet, now, SharedEvent::Time);
        if self.leases.iter().any(|&granted| granted + fleet.probe_timeout_ms() <= now) {
            self.commit(fleet, now, SharedEvent::LeaseExpired);
        }
        self.commit(fleet, now, event);
    }

    fn commit(&mut self, fleet: &SharedFleet, now: u64, event: SharedEvent) {
        if let Some(phase) = fleet.next_phase(&self.phase, Millis(now - self.written_at), event) {
            *self = Store { phase, written_at: now, ..Store::new() };
        }
    }
}

#[test]
fn a_store_told_the_same_story_as_a_coordinator_answers_the_same_phases() {
    let fleet = fleet();
    let mut coordinator = Coordinator::new(config()).unwrap();
    let mut store = Store::new();
    let mut leases = Vec::new();
    // At each time, a sync (successes, failures, tripped), a lease, or the latest lease settled.
    let story: &[(u64, &str, u64, u64, bool)] = &[
        (100, "sync", 5, 0, false),
        (200, "sync", 2, 2, false),
        (300, "sync", 0, 1, false), // 3 failures of 10: the count rule opens the fleet for 1 s
        (900, "sync", 0, 0, false),
        (1_400, "lease", 0, 0, false), // half-open since 1300
        (1_450, "failed", 0, 0, false), // open again, for 2 s
        (3_000, "sync", 0, 0, false),
        (3_500, "lease", 0, 0, false), // half-open since 3450
        // The lease expires at 4000: the coordinator opens the fleet then, and a store's member when it sees
        // the expired lease (here at once; at worst a sync interval later, which the open time then adds).
        (4_000, "sync", 0, 0, false),
        (4_100, "sync", 0, 0, false),
        (8_200, "lease", 0, 0, false), // half-open since 8000
        (8_210, "lease", 0, 0, false),
        (8_300, "succeeded", 0, 0, false),
        (8_310, "succeeded", 0, 0, false), // closed, the backoff cleared
        (8_400, "sync", 10, 0, false),
        (8_500, "sync", 0, 1, true), // a local trip: open for 1 s
        (9_000, "sync", 0, 0, false),
    ];
    for &(now, what, successes, failures, tripped) in story {
        let at = Millis(now);
        let answered = match what {
            "sync" => {
                store.decide(&fleet, now, SharedEvent::Time);
                if store.phase.state == State::Closed {
                    store.successes += successes;
                    store.failures += failures;
                }
                let event = SharedEvent::Sync { report: report(successes, failures, tripped), successes: store.successes, failures: store.failures };
                store.decide(&fleet, now, event);
                coordinator.sync(&report(successes, failures, tripped), at)
            }
            "lease" => {
                store.decide(&fleet, now, SharedEvent::Time);
                assert_eq!(store.phase.state, State::HalfOpen, "at {now}");
                store.leases.push(now);
                let (lease, snapshot) = coordinator.lease(at);
                leases.push(lease.expect("a lease"));
                snapshot
            }
            _ => {
                store.leases.pop();
                let (outcome, event) = if what == "failed" {
                    (Outcome::Failure, SharedEvent::ProbeFailed { retry_after_ms: None })
                } else {
                    store.probe_successes += 1;
                    (Outcome::Success, SharedEvent::ProbeSucceeded { successes: store.probe_successes })
                };
                store.decide(&fleet, now, event);
                coordinator.settle(leases.pop().expect("a lease to settle"), outcome, at)
            }
        };
        let stored = fleet.snapshot(&store.phase, Millis(now - store.written_at), 0);
        assert_eq!(
            (stored.state, stored.generation, stored.open_for_ms),
            (answered.state, answered.generation, answered.open_for_ms),
            "at {now} ({what})"
        );
    }
    assert_eq!((store.phase.state, store.phase.generation), (State::Open, 8));
}
