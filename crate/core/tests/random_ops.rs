//! Long random sequences of every operation, with hostile times and configs,
//! checking the invariants that must hold after each step. Deterministic (a
//! fixed-seed xorshift), so a failure reproduces.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use edgebreaker_core::{Breaker, Config, Millis, Outcome, Permit, Snapshot, State, MAX_MILLIS};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn random_config(rng: &mut Rng) -> Config {
    let window_size = 1 + rng.below(20) as u32;
    Config {
        failure_threshold: 1 + rng.below(u64::from(window_size)) as u32,
        window_size,
        reset_timeout_ms: 1 + rng.below(200),
        success_threshold: 1 + rng.below(4) as u32,
        half_open_max_calls: 1 + rng.below(4) as u32,
        failure_rate_threshold: (rng.below(2) == 0).then(|| (1 + rng.below(100)) as f64 / 100.0),
        minimum_calls: (rng.below(2) == 0).then(|| 1 + rng.below(u64::from(window_size)) as u32),
        window_ms: (rng.below(2) == 0).then(|| 1 + rng.below(300)),
        slow_call_ms: (rng.below(3) == 0).then(|| rng.below(50)),
        max_reset_timeout_ms: None,
        probe_timeout_ms: (rng.below(2) == 0).then(|| 1 + rng.below(300)),
    }
}

#[test]
fn invariants_hold_under_random_operations() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..300 {
        let config = random_config(&mut rng);
        let mut breaker = Breaker::new(config.clone()).unwrap_or_else(|e| panic!("{config:?}: {e}"));
        let mut now = 0u64;
        let mut permits: Vec<Permit> = Vec::new();
        let mut seen_changes = 0;
        let mut last_state = State::Closed;
        for _ in 0..400 {
            // Mostly forward, sometimes backwards, sometimes a huge jump.
            now = match rng.below(20) {
                0 => now.saturating_sub(rng.below(100)),
                1 => now + rng.below(MAX_MILLIS / 1_000_000),
                _ => now + rng.below(40),
            };
            let at = Millis(now);
            match rng.below(10) {
                0..=3 => {
                    if let Ok(permit) = breaker.acquire(at) {
                        permits.push(permit);
                    }
                }
                4..=7 if !permits.is_empty() => {
                    let permit = permits.swap_remove(rng.below(permits.len() as u64) as usize);
                    match rng.below(7) {
                        0 => breaker.record_retry_after(permit, Millis(rng.below(500)), at),
                        1 => breaker.record(permit, Outcome::Ignored, at),
                        2..=3 => breaker.record(permit, Outcome::Failure, at),
                        _ => breaker.record(permit, Outcome::Success, at),
                    }
                }
                8 => breaker.force_open((rng.below(2) == 0).then(|| Millis(rng.below(300))), at),
                9 => breaker.reset(at),
                _ => {}
            }
            let status = breaker.status(at);
            let (m, c) = (&status.metrics, &status.metrics.counters);
            assert_eq!(c.total_calls, c.successful_calls + c.failed_calls + c.blocked_calls + c.ignored_calls + m.in_flight);
            assert_eq!(m.in_flight, permits.len() as u64, "every unsettled permit is in flight");
            assert!(c.slow_calls <= c.failed_calls);
            let rates = m.failure_rate + m.success_rate;
            assert!((0.0..=1.0).contains(&m.failure_rate), "rate {}", m.failure_rate);
            assert!(rates == 0.0 || (rates - 1.0).abs() < 1e-9, "rates of a non-empty window add up to 1");
            assert_eq!(m.state_changes, breaker.state_changes());
            // Every change is counted by its change and cause, along the five changes a circuit makes.
            let counted: u64 = breaker.transition_counts().map(|counted| counted.count).sum();
            assert_eq!(counted, m.state_changes, "every change is counted once by change and cause");
            // Transitions chain: each starts where the last ended, and never stays put.
            for change in breaker.transitions_since(seen_changes) {
                assert_eq!(change.from, last_state);
                assert_ne!(change.from, change.to);
                assert!(change.at.0 <= breaker.latest_time().0);
                last_state = change.to;
            }
            seen_changes = breaker.state_changes();
            assert_eq!(last_state, status.state);
            match status.state {
                State::Closed | State::HalfOpen => assert_eq!(status.retry_after_ms, Some(0)),
                State::Open => {}
            }
            // Its snapshot, through JSON, restores a breaker that snapshots the
            // same and decides the same now (taking it changes nothing: it reads
            // the latest time, which has been observed).
            let reading = breaker.latest_time();
            let snapshot = breaker.snapshot(reading);
            assert_eq!(Snapshot::from_json(&snapshot.to_json()).as_ref(), Ok(&snapshot));
            let mut restored = Breaker::restore(config.clone(), &snapshot, reading).unwrap();
            assert_eq!(restored.snapshot(reading), snapshot);
            let again = restored.status(reading);
            assert_eq!((again.state, again.retry_after_ms), (status.state, status.retry_after_ms));
            assert_eq!(again.metrics.failure_rate, status.metrics.failure_rate);
        }
    }
}
