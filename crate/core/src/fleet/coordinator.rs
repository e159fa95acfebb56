//! The fleet's state machine, where the fleet keeps its shared state. A
//! [`Breaker`] is the fleet's phases (generation, open time with backoff,
//! half-open probe slots and their expiry): a lease stands for one of its
//! probe permits, settling a lease records that permit, and a lease not
//! settled within `probeTimeoutMs` expires as a failed probe. What a breaker
//! lacks is the fleet window (reported counts over time), the pacing of
//! syncs, and lease ids that are never reused within a half-open period (a
//! permit's token is, once its slot is free), so that a settlement delivered
//! twice frees no slot a later lease holds.

use alloc::vec::Vec;

use crate::breaker::Breaker;
use crate::config::{Config, ConfigError};
use crate::permit::{Outcome, Permit};
use crate::status::State;
use crate::time::Millis;

use super::window::{Counts, TimeBuckets};
use super::wire::MAX_SYNC_AFTER_MS;
use super::{FleetReport, FleetSnapshot, Lease, PersistedFleet};

/// The syncs per second a coordinator aims to answer: each answer asks its
/// member to wait long enough that the fleet's syncs stay within it.
pub const SYNC_BUDGET_PER_S: u64 = 500;
/// The fleet window's span without `windowMs`.
const DEFAULT_FLEET_WINDOW: Millis = Millis(60_000);
/// The span over which syncs are counted for pacing.
const PACING_SPAN: Millis = Millis(1_000);
/// The period of a member that has not reported one yet (its first sync): the default `syncIntervalMs`.
const ASSUMED_PERIOD_MS: u64 = 1_000;
/// A lease id is the generation it was granted in, then a count of leases in 13 bits.
const LEASE_COUNT_BITS: u32 = 13;

/// The fleet's decisions: see the module documentation.
#[derive(Debug)]
pub struct Coordinator {
    breaker: Breaker,
    config: Config,
    /// Reported outcomes while closed, over `windowMs` (or 60 s).
    window: TimeBuckets,
    /// The generation whose closed period the window counts: a window from
    /// an earlier closed period is emptied before it counts again.
    window_generation: u64,
    /// Syncs over the last second, each weighed by its member's period in ms (in `successes`).
    syncs: TimeBuckets,
    /// The leases in flight with the probe permit each stands for; allocated
    /// once for `halfOpenMaxCalls`, which the breaker's probe slots bound.
    leases: Vec<(Lease, Permit)>,
    /// Leases granted so far, for the next lease's id.
    leases_granted: u64,
}

impl Coordinator {
    /// Validates `config` like [`Breaker::new`]. `slowCallMs` is left out of
    /// the coordinator's breaker: members judge slowness before they report.
    pub fn new(config: Config) -> Result<Coordinator, ConfigError> {
        let breaker = Breaker::new(Config { slow_call_ms: None, ..config.clone() })?;
        let span = fleet_window(&config);
        let max_leases = usize::try_from(config.half_open_max_calls).unwrap_or(1);
        Ok(Coordinator {
            breaker,
            config,
            window: TimeBuckets::new(span),
            window_generation: 0,
            syncs: TimeBuckets::new(PACING_SPAN),
            leases: Vec::with_capacity(max_leases),
            leases_granted: 0,
        })
    }

    /// A coordinator in a state [`persisted`](Coordinator::persisted) earlier
    /// (perhaps by another machine: it holds remaining durations only), with
    /// `config` (never taken from storage). `written_at` is when it was
    /// persisted and `now` when it is restored, on one clock (a `written_at`
    /// after `now` counts as `now`): an open fleet keeps its deadline, the
    /// time left open counting from `written_at`. The window starts empty.
    ///
    /// A half-open fleet comes back open for `probeTimeoutMs` from `now`, in
    /// the next generation, backoff untouched. It cannot know which leases it
    /// granted after it was written, and their probes may still run: so no
    /// lease is granted until every one of them has expired (never more than
    /// `halfOpenMaxCalls` probes at once), and the next half-open period's
    /// lease ids, which start with its generation, are none an old lease had
    /// (a late settle of an old lease frees no new holder's slot).
    pub fn restore(config: Config, persisted: &PersistedFleet, written_at: Millis, now: Millis) -> Result<Coordinator, ConfigError> {
        let mut coordinator = Coordinator::new(config)?;
        let written_at = written_at.min(now);
        let (state, open_for, generation) = match persisted.state {
            State::HalfOpen => {
                let probes_end = now.since(written_at).after(Millis(coordinator.config.effective_probe_timeout_ms()));
                (State::Open, Some(probes_end), persisted.generation.saturating_add(1))
            }
            State::Closed | State::Open => (persisted.state, persisted.open_for_ms.map(Millis), persisted.generation),
        };
        coordinator.breaker.resume(state, open_for, generation, persisted.consecutive_opens, written_at);
        coordinator.window_generation = coordinator.breaker.generation();
        Ok(coordinator)
    }

    /// A member's report at `now`: counted in the fleet window while the
    /// fleet is closed (and may trip it); ignored otherwise. Answers the
    /// fleet's state, with how long that member should wait before its next sync.
    pub fn sync(&mut self, report: &FleetReport, now: Millis) -> FleetSnapshot {
        // The buckets are on the core's time; the breaker takes readings.
        let time = self.breaker.core_time(now);
        // Each sync stands for as much of a member as its period is of a second.
        let weight = report.period_ms.unwrap_or(ASSUMED_PERIOD_MS).clamp(1, MAX_SYNC_AFTER_MS);
        self.syncs.add(time, Counts { successes: weight, failures: 0 });
        if self.breaker.open_for(now).0 == State::Closed {
            if self.window_generation != self.breaker.generation() {
                self.window.clear();
                self.window_generation = self.breaker.generation();
            }
            self.window.add(time, Counts { successes: report.successes, failures: report.failures });
            let fleet = self.window.total(time);
            if let Some(retry_after) = report.retry_after_ms.filter(|_| report.tripped) {
                // The upstream said how long to leave it alone: the fleet opens for
                // exactly that, leaving the backoff as it was, as one breaker would.
                self.breaker.force_open(Some(Millis(retry_after)), now);
            } else if fleet_trip_due(report.tripped, fleet.failures, fleet.outcomes(), &self.config) {
                self.breaker.trip_now(now);
            }
        }
        self.snapshot(now)
    }

    /// A probe lease, granted only while the fleet is half-open and fewer than
    /// `halfOpenMaxCalls` leases are in flight; with the fleet's state.
    pub fn lease(&mut self, now: Millis) -> (Option<Lease>, FleetSnapshot) {
        let lease = match self.breaker.open_for(now).0 {
            State::HalfOpen => self.breaker.acquire(now).ok().filter(Permit::is_probe).map(|permit| self.grant(permit)),
            State::Closed | State::Open => None,
        };
        (lease, self.snapshot(now))
    }

    /// Settles a lease with the probe call's outcome (a slow call already
    /// counted as a failure by the member). A lease from an earlier half-open
    /// period, settled twice or never granted changes nothing.
    pub fn settle(&mut self, lease: Lease, outcome: Outcome, now: Millis) -> FleetSnapshot {
        if let Some(permit) = self.take(lease) {
            self.breaker.record(permit, outcome, now);
        }
        self.snapshot(now)
    }

    /// Settles a lease whose probe failed with the upstream's Retry-After: the
    /// fleet opens for exactly that long, backoff untouched, as one breaker would.
    pub fn settle_retry_after(&mut self, lease: Lease, retry_after: Millis, now: Millis) -> FleetSnapshot {
        if let Some(permit) = self.take(lease) {
            self.breaker.record_retry_after(permit, retry_after, now);
        }
        self.snapshot(now)
    }

    /// The probe permit a lease in flight stands for, no longer held.
    fn take(&mut self, lease: Lease) -> Option<Permit> {
        let index = self.leases.iter().position(|(held, _)| *held == lease)?;
        Some(self.leases.swap_remove(index).1)
    }

    /// The fleet's state at `now`, with the pacing the last second's syncs call for.
    pub fn snapshot(&mut self, now: Millis) -> FleetSnapshot {
        let time = self.breaker.core_time(now);
        let (state, open_for) = self.breaker.open_for(now);
        FleetSnapshot {
            generation: self.breaker.generation(),
            state,
            open_for_ms: open_for.map(|open_for| open_for.0),
            sync_after_ms: sync_after_ms(self.syncs.total(time).successes),
        }
    }

    /// What must survive a restart, at `now`.
    pub fn persisted(&mut self, now: Millis) -> PersistedFleet {
        let (state, open_for) = self.breaker.open_for(now);
        PersistedFleet {
            state,
            generation: self.breaker.generation(),
            open_for_ms: open_for.map(|open_for| open_for.0),
            consecutive_opens: self.breaker.consecutive_opens(),
        }
    }

    /// The fleet's generation: it changes with every change of state.
    pub fn generation(&self) -> u64 {
        self.breaker.generation()
    }

    /// A lease for a probe permit just issued: an id not held by any lease
    /// in flight. Leases of earlier generations are dropped first (their
    /// permits would settle as stale), so at most `halfOpenMaxCalls` are kept.
    fn grant(&mut self, permit: Permit) -> Lease {
        let generation = self.breaker.generation();
        self.leases.retain(|(lease, _)| lease.token >> LEASE_COUNT_BITS == generation);
        let lease = loop {
            let count = self.leases_granted & ((1 << LEASE_COUNT_BITS) - 1);
            self.leases_granted = self.leases_granted.wrapping_add(1);
            let lease = Lease { token: (generation << LEASE_COUNT_BITS) | count };
            if !self.leases.iter().any(|(held, _)| *held == lease) {
                break lease;
            }
        };
        self.leases.push((lease, permit));
        lease
    }
}

/// The fleet window's span: `windowMs`, or a minute.
pub(crate) fn fleet_window(config: &Config) -> Millis {
    config.window_ms.map_or(DEFAULT_FLEET_WINDOW, Millis)
}

/// Whether the closed fleet opens, with `failures` of `outcomes` in the fleet
/// window: on a member's local trip; or when the failures reach
/// `failureThreshold` and their share of the outcomes reaches the local
/// count rule's share (`failureThreshold / windowSize`), so a busy fleet does
/// not open on a handful of failures among thousands of successes; or on the
/// failure-rate rule, once the window holds `minimumCalls` outcomes.
pub fn fleet_trip_due(tripped: bool, failures: u64, outcomes: u64, config: &Config) -> bool {
    let threshold = u64::from(config.failure_threshold);
    let scaled_failures = u128::from(failures).saturating_mul(u128::from(config.window_size));
    let scaled_outcomes = u128::from(threshold).saturating_mul(u128::from(outcomes));
    let by_count = failures >= threshold && scaled_failures >= scaled_outcomes;
    let by_rate = config.failure_rate_threshold.is_some_and(|rate| {
        outcomes > 0 && outcomes >= u64::from(config.effective_minimum_calls()) && failures as f64 / outcomes as f64 >= rate
    });
    tripped || by_count || by_rate
}

/// The wait that holds the fleet to [`SYNC_BUDGET_PER_S`]: the members
/// syncing are `Σ period / 1000` (a member syncing every `p` ms syncs
/// `1000 / p` times a second), and so many members at the budget each wait
/// `members · 1000 / SYNC_BUDGET_PER_S` = `Σ period / SYNC_BUDGET_PER_S` ms;
/// at most a minute.
pub(crate) fn sync_after_ms(periods_last_second: u64) -> u64 {
    periods_last_second.div_ceil(SYNC_BUDGET_PER_S).min(MAX_SYNC_AFTER_MS)
}
