//! A breaker's state as plain data, to keep across a restart or hand to
//! another machine: [`Breaker::snapshot`] and [`Breaker::restore`].
//!
//! A snapshot holds no absolute time, since clocks differ between machines and
//! restarts: the open period is the time it has left, window entries and the
//! last success and failure are ages. It holds no config either (the restoring
//! breaker's config is the one in force, and a snapshot that does not fit it is
//! refused), and no calls in flight: their permits belong to the old breaker.
//! A half-open breaker is restored with no probe in flight.
//!
//! [`Snapshot::validate`] is the one check of a snapshot's own consistency;
//! [`Breaker::restore`] runs it, then checks the fit with the config. The
//! JSON form (`snapshot/json.rs`) is read field by field, so each refusal
//! names its field.

use alloc::string::String;
use alloc::vec::Vec;

use crate::breaker::{Breaker, Parts, Phase};
use crate::config::Config;
use crate::field_error::FieldError;
use crate::permit::GENERATION_MASK;
use crate::status::{CallCounters, Metrics, State};
use crate::text;
use crate::time::{Millis, MAX_MILLIS};

mod json;
mod print;

pub(crate) use print::StateJsonHead;

/// The longest snapshot text [`Snapshot::from_json`] reads, in bytes. Hosts
/// check it too, before handing the text over.
pub const MAX_SNAPSHOT_BYTES: usize = crate::json::MAX_JSON_BYTES;

/// The snapshot format this core writes and reads (`"version"` in JSON).
pub const SNAPSHOT_VERSION: u64 = 1;

/// The largest backoff exponent kept: from 64 consecutive opens on, the open
/// time is `maxResetTimeoutMs` whatever the count, so more changes nothing.
pub const MAX_CONSECUTIVE_OPENS: u32 = 64;

/// A breaker's state at one instant, without its config or calls in flight.
/// JSON field names are given as `name` in each field's doc.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// `state`.
    pub state: State,
    /// `generation`: 0 to 2^40 - 1.
    pub generation: u64,
    /// `openForMs`: time left in the open period; 0 unless open, and 0 when forced open until reset.
    pub open_for_ms: u64,
    /// `forcedOpen`: open until reset (only when open).
    pub forced_open: bool,
    /// `probeSuccesses`: consecutive probe successes so far (only when half-open).
    pub probe_successes: u32,
    /// `consecutiveOpens`: the backoff exponent, 0 to 64.
    pub consecutive_opens: u32,
    /// `window`: the outcomes in the window, oldest first.
    pub window: Vec<WindowEntry>,
    /// `metrics`.
    pub metrics: SnapshotMetrics,
}

/// One outcome in the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowEntry {
    /// `ageMs`: how long ago it was recorded.
    pub age_ms: u64,
    /// `failed`.
    pub failed: bool,
}

/// The lifetime figures without the calls in flight, and the last success
/// and failure as ages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SnapshotMetrics {
    /// `totalCalls`, `successfulCalls`, `failedCalls`, `blockedCalls`,
    /// `ignoredCalls`, `slowCalls`: no call in flight, so `total_calls` =
    /// successful + failed + blocked + ignored; `slow_calls` at most `failed_calls`.
    pub counters: CallCounters,
    /// `stateChanges`.
    pub state_changes: u64,
    /// `lastFailureAgoMs`: how long before the snapshot the last failure was settled.
    pub last_failure_ago_ms: Option<u64>,
    /// `lastSuccessAgoMs`.
    pub last_success_ago_ms: Option<u64>,
}

/// Why a snapshot was refused: the field at fault as JSON spells it
/// (`"generation"`, `"window[3].ageMs"`, `"metrics.totalCalls"`, or an option
/// of the config such as `"failureThreshold"`), and what is wrong with it.
/// `Display` is "`<field> <message>`".
pub type SnapshotError = FieldError;

/// "must be a whole number from 0 to `max`".
pub(crate) fn whole_up_to(max: u64) -> String {
    text!["must be a whole number from 0 to ", max]
}

impl Snapshot {
    /// Checks what a snapshot must be whatever the config: numbers in range
    /// (generation below 2^40, the backoff exponent at most 64, times and
    /// counts at most 2^53 - 1), fields that only a state may set, ages
    /// oldest first, and counters that add up.
    pub fn validate(&self) -> Result<(), SnapshotError> {
        let open = self.state == State::Open;
        at_most("generation", self.generation, GENERATION_MASK)?;
        at_most("openForMs", self.open_for_ms, MAX_MILLIS)?;
        at_most("consecutiveOpens", self.consecutive_opens.into(), MAX_CONSECUTIVE_OPENS.into())?;
        if !open && self.open_for_ms != 0 {
            return Err(SnapshotError::new("openForMs", "must be 0 unless the state is open"));
        }
        if !open && self.forced_open {
            return Err(SnapshotError::new("forcedOpen", "must be false unless the state is open"));
        }
        if self.forced_open && self.open_for_ms != 0 {
            return Err(SnapshotError::new("openForMs", "must be 0 when forcedOpen is true (open until reset)"));
        }
        if self.state != State::HalfOpen && self.probe_successes != 0 {
            return Err(SnapshotError::new("probeSuccesses", "must be 0 unless the state is half_open"));
        }
        let mut previous_age = MAX_MILLIS;
        for (index, entry) in self.window.iter().enumerate() {
            if entry.age_ms > previous_age {
                let message = match index.checked_sub(1) {
                    None => whole_up_to(MAX_MILLIS),
                    Some(before) => text!["must be at most window[", before, "].ageMs (oldest first)"],
                };
                return Err(SnapshotError::new(text!["window[", index, "].ageMs"], message));
            }
            previous_age = entry.age_ms;
        }
        self.metrics.validate()
    }
}

impl SnapshotMetrics {
    fn validate(&self) -> Result<(), SnapshotError> {
        let c = &self.counters;
        let counters = [
            ("metrics.totalCalls", c.total_calls),
            ("metrics.successfulCalls", c.successful_calls),
            ("metrics.failedCalls", c.failed_calls),
            ("metrics.blockedCalls", c.blocked_calls),
            ("metrics.ignoredCalls", c.ignored_calls),
            ("metrics.slowCalls", c.slow_calls),
            ("metrics.stateChanges", self.state_changes),
            ("metrics.lastFailureAgoMs", self.last_failure_ago_ms.unwrap_or(0)),
            ("metrics.lastSuccessAgoMs", self.last_success_ago_ms.unwrap_or(0)),
        ];
        counters.into_iter().try_for_each(|(field, value)| at_most(field, value, MAX_MILLIS))?;
        let settled = [c.successful_calls, c.failed_calls, c.blocked_calls, c.ignored_calls]
            .into_iter()
            .try_fold(0u64, u64::checked_add);
        if settled != Some(c.total_calls) {
            return Err(SnapshotError::new(
                "metrics.totalCalls",
                "must equal successfulCalls + failedCalls + blockedCalls + ignoredCalls (calls in flight are not kept)",
            ));
        }
        if c.slow_calls > c.failed_calls {
            return Err(SnapshotError::new("metrics.slowCalls", "must be at most failedCalls (slow calls are failures)"));
        }
        Ok(())
    }
}

fn at_most(field: &str, value: u64, max: u64) -> Result<(), SnapshotError> {
    if value <= max {
        Ok(())
    } else {
        Err(SnapshotError::new(field, text![whole_up_to(max), "; got ", value]))
    }
}

impl Breaker {
    /// The breaker's state at `now` (after applying what `now` implies, as
    /// [`status`](Breaker::status) does), to restore later or elsewhere with
    /// [`restore`](Breaker::restore).
    pub fn snapshot(&mut self, now: Millis) -> Snapshot {
        let now = self.observe_for_report(now);
        let reading = self.latest_time();
        let Parts { phase, generation, consecutive_opens, metrics } = self.parts();
        let (state, open_for_ms, forced_open, probe_successes) = match phase {
            Phase::Closed => (State::Closed, 0, false, 0),
            Phase::Open { until: Some(until) } => (State::Open, until.since(now).0, false, 0),
            Phase::Open { until: None } => (State::Open, 0, true, 0),
            Phase::HalfOpen { probe_successes } => (State::HalfOpen, 0, false, probe_successes),
        };
        let window = self.window().oldest_first().map(|(at, failed)| WindowEntry { age_ms: now.since(at).0, failed }).collect();
        let ago = |time: Option<u64>| time.map(|time| reading.since(Millis(time)).0);
        Snapshot {
            state,
            generation,
            open_for_ms,
            forced_open,
            probe_successes,
            consecutive_opens: consecutive_opens.min(MAX_CONSECUTIVE_OPENS),
            window,
            metrics: SnapshotMetrics {
                counters: CallCounters { total_calls: settled_calls(&metrics.counters), ..metrics.counters },
                state_changes: metrics.state_changes,
                last_failure_ago_ms: ago(metrics.last_failure_time),
                last_success_ago_ms: ago(metrics.last_success_time),
            },
        }
    }

    /// A breaker with `config` in the state `snapshot` describes, at `now`:
    /// the open period ends `openForMs` after `now`, window entries and the
    /// last success and failure are placed their age before `now` (at 0 at
    /// the earliest). Refused, naming the field, when the config is (the
    /// field is the option), when the snapshot is inconsistent
    /// ([`Snapshot::validate`]), or when it does not fit the config: a window
    /// longer than `windowSize`, or `probeSuccesses` that should have closed
    /// the circuit.
    pub fn restore(config: Config, snapshot: &Snapshot, now: Millis) -> Result<Breaker, SnapshotError> {
        let mut breaker = Breaker::new(config)?;
        snapshot.validate()?;
        fits(snapshot, breaker.config())?;
        let now = breaker.observe_for_report(now);
        let reading = breaker.latest_time();
        let phase = match snapshot.state {
            State::Closed => Phase::Closed,
            State::Open if snapshot.forced_open => Phase::Open { until: None },
            State::Open => Phase::Open { until: Some(now.after(Millis(snapshot.open_for_ms))) },
            State::HalfOpen => Phase::HalfOpen { probe_successes: snapshot.probe_successes },
        };
        let metrics = &snapshot.metrics;
        let time_of = |ago: Option<u64>| ago.map(|ago| reading.since(Millis(ago)).0);
        breaker.set_parts(Parts {
            phase,
            generation: snapshot.generation,
            consecutive_opens: snapshot.consecutive_opens,
            metrics: Metrics {
                counters: metrics.counters,
                state_changes: metrics.state_changes,
                last_failure_time: time_of(metrics.last_failure_ago_ms),
                last_success_time: time_of(metrics.last_success_ago_ms),
                ..Metrics::default()
            },
        });
        let window = breaker.window_mut();
        snapshot.window.iter().for_each(|entry| window.push(now.since(Millis(entry.age_ms)), entry.failed));
        Ok(breaker)
    }
}

/// What `total_calls - in_flight` is, but consistent even when a caller
/// settled a permit twice or forged one (counted, yet never admitted).
fn settled_calls(counters: &CallCounters) -> u64 {
    [counters.failed_calls, counters.blocked_calls, counters.ignored_calls]
        .into_iter()
        .fold(counters.successful_calls, u64::wrapping_add)
}

/// What a snapshot must be for this config.
fn fits(snapshot: &Snapshot, config: &Config) -> Result<(), SnapshotError> {
    let window_size = usize::try_from(config.window_size).unwrap_or(usize::MAX);
    if snapshot.window.len() > window_size {
        let message = text!["must hold at most windowSize (", config.window_size, ") entries; got ", snapshot.window.len()];
        return Err(SnapshotError::new("window", message));
    }
    if snapshot.state == State::HalfOpen && snapshot.probe_successes >= config.success_threshold {
        let message =
            text!["must be less than successThreshold (", config.success_threshold, "); got ", snapshot.probe_successes];
        return Err(SnapshotError::new("probeSuccesses", message));
    }
    Ok(())
}
