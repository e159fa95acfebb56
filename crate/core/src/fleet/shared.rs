//! The fleet's decisions where its state lives in a shared store (Deno KV,
//! Redis) rather than in one object that could run a [`Coordinator`]: every
//! member decides, against the store, and commits what it decided by
//! compare-and-set, so that one decision per phase wins however many race.
//!
//! The store keeps the fleet's *phase*, a [`PersistedFleet`] written at each
//! transition (its `open_for_ms` the time it had left open when written), and
//! beside it what members count: the window's outcomes, live leases, probe
//! successes. A decision takes the phase, the time elapsed since it was
//! written by the fleet's clock, and what happened; it answers the phase to
//! write next, or nothing. The rules are the [`Breaker`]'s and the
//! [`Coordinator`]'s: a breaker resumed in the stored phase is told what
//! happened, and whatever it did is the decision.
//!
//! [`Coordinator`]: super::Coordinator

use crate::breaker::Breaker;
use crate::config::{Config, ConfigError};
use crate::permit::Outcome;
use crate::status::State;
use crate::time::Millis;

use super::coordinator::{fleet_trip_due, fleet_window, sync_after_ms};
use super::{FleetReport, FleetSnapshot, PersistedFleet};

/// What happened since the phase was written, for [`SharedFleet::next_phase`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SharedEvent {
    /// Nothing but time: an open phase whose time is up half-opens.
    Time,
    /// A member synced: `report` is its own, `successes` and `failures` the
    /// fleet window's totals with its report counted.
    Sync { report: FleetReport, successes: u64, failures: u64 },
    /// A lease's probe succeeded; `successes` probe successes have been counted in this phase.
    ProbeSucceeded { successes: u64 },
    /// A lease's probe failed, with the upstream's Retry-After if it gave one.
    ProbeFailed { retry_after_ms: Option<u64> },
    /// A lease went past `probeTimeoutMs` unsettled: a failed probe.
    LeaseExpired,
}

/// One fleet's decisions over its stored phase: see the module documentation.
#[derive(Clone, Debug)]
pub struct SharedFleet {
    config: Config,
}

impl SharedFleet {
    /// Validates `config` like [`Breaker::new`]. `slowCallMs` is left out, as
    /// in a [`Coordinator`](super::Coordinator): members judge slowness before they report.
    pub fn new(config: Config) -> Result<SharedFleet, ConfigError> {
        let config = Config { slow_call_ms: None, ..config };
        Breaker::new(config.clone())?;
        Ok(SharedFleet { config })
    }

    /// The fleet window's span: `windowMs`, or a minute.
    pub fn window_ms(&self) -> u64 {
        fleet_window(&self.config).0
    }

    /// How many leases may be live at once: `halfOpenMaxCalls`.
    pub fn max_leases(&self) -> u32 {
        self.config.half_open_max_calls
    }

    /// How long a lease lives unsettled before it counts as a failed probe.
    pub fn probe_timeout_ms(&self) -> u64 {
        self.config.effective_probe_timeout_ms()
    }

    /// The phase a store holds when it holds none: closed, generation 0.
    pub fn first_phase() -> PersistedFleet {
        PersistedFleet { state: State::Closed, generation: 0, open_for_ms: Some(0), consecutive_opens: 0 }
    }

    /// The phase to write after `event`, `elapsed` after `phase` was
    /// written; `None` when the fleet stays in `phase`. Time comes first: an
    /// open phase whose time is up has half-opened before the event counts.
    pub fn next_phase(&self, phase: &PersistedFleet, elapsed: Millis, event: SharedEvent) -> Option<PersistedFleet> {
        let mut breaker = self.resumed(phase)?;
        let now = elapsed;
        let state = breaker.state(now);
        match event {
            SharedEvent::Time => {}
            SharedEvent::Sync { report, successes, failures } if state == State::Closed => {
                if let Some(retry_after) = report.retry_after_ms.filter(|_| report.tripped) {
                    // The upstream said how long to leave it alone: as one breaker would, for exactly that, backoff untouched.
                    breaker.force_open(Some(Millis(retry_after)), now);
                } else if fleet_trip_due(report.tripped, failures, successes.saturating_add(failures), &self.config) {
                    breaker.trip_now(now);
                }
            }
            SharedEvent::ProbeSucceeded { successes } if state == State::HalfOpen => {
                // The breaker closes on its successThreshold-th probe success; tell it of as many as were counted.
                for _ in 0..successes.min(u64::from(self.config.success_threshold)) {
                    if let Ok(permit) = breaker.acquire(now) {
                        breaker.record(permit, Outcome::Success, now);
                    }
                }
            }
            SharedEvent::ProbeFailed { retry_after_ms } if state == State::HalfOpen => {
                if let Ok(permit) = breaker.acquire(now) {
                    match retry_after_ms {
                        Some(retry_after) => breaker.record_retry_after(permit, Millis(retry_after), now),
                        None => breaker.record(permit, Outcome::Failure, now),
                    }
                }
            }
            SharedEvent::LeaseExpired if state == State::HalfOpen => {
                if let Ok(permit) = breaker.acquire(now) {
                    breaker.record(permit, Outcome::Failure, now);
                }
            }
            SharedEvent::Sync { .. } | SharedEvent::ProbeSucceeded { .. } | SharedEvent::ProbeFailed { .. } | SharedEvent::LeaseExpired => {}
        }
        (breaker.generation() != phase.generation).then(|| Self::phase_of(&mut breaker, now))
    }

    /// `phase` as it stands `elapsed` after it was written: any transition
    /// due by then applied, and the time it has left open. What a member
    /// writes back into a store that lost the fleet's phase.
    pub fn carried(&self, phase: &PersistedFleet, elapsed: Millis) -> PersistedFleet {
        match self.resumed(phase) {
            Some(mut breaker) => Self::phase_of(&mut breaker, elapsed),
            None => *phase,
        }
    }

    /// The fleet's snapshot for a member, `elapsed` after `phase` was
    /// written, with the pacing that the last second's syncs call for
    /// (`sync_periods`: the sum of their members' periods in ms). No
    /// transition is applied here: only a phase in the store is answered.
    pub fn snapshot(&self, phase: &PersistedFleet, elapsed: Millis, sync_periods: u64) -> FleetSnapshot {
        let open_for_ms = match phase.state {
            State::Open => phase.open_for_ms.map(|open_for| open_for.saturating_sub(elapsed.0)),
            State::Closed | State::HalfOpen => Some(0),
        };
        FleetSnapshot { generation: phase.generation, state: phase.state, open_for_ms, sync_after_ms: sync_after_ms(sync_periods) }
    }

    /// A breaker in `phase` as written at the core's time 0.
    fn resumed(&self, phase: &PersistedFleet) -> Option<Breaker> {
        let mut breaker = Breaker::new(self.config.clone()).ok()?;
        breaker.resume(phase.state, phase.open_for_ms.map(Millis), phase.generation, phase.consecutive_opens, Millis::ZERO);
        Some(breaker)
    }

    fn phase_of(breaker: &mut Breaker, now: Millis) -> PersistedFleet {
        let (state, open_for) = breaker.open_for(now);
        PersistedFleet {
            state,
            generation: breaker.generation(),
            open_for_ms: open_for.map(|open_for| open_for.0),
            consecutive_opens: breaker.consecutive_opens(),
        }
    }
}
