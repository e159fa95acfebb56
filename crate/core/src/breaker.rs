//! The state machine. Each rule of the semantics (the repository README) lives in one function here:
//! `trip_due` (when closed opens, and why), `open_duration` (backoff), `apply_due`
//! (what time implies: half-opening, probe expiry), `record` (outcomes).
//! Every change of state names its [`Cause`] where it is decided.

use crate::cause::{Cause, WindowTally};
use crate::config::{Config, ConfigError};
use crate::permit::{Outcome, Permit, Rejected};
use crate::probes::Probes;
use crate::status::{CallCounters, Metrics, State, Status, Transition};
use crate::time::{Millis, Timeline, MAX_MILLIS};
use crate::transition_counts::{TransitionCount, TransitionCounts};
use crate::transitions::TransitionLog;
use crate::window::Window;

/// Where the circuit is, with what each state needs to know.
///
/// Natively, with a tag of its own: acquire and record each match on the
/// phase twice, and a tag is one comparison where the niche in `until` takes
/// several (7 instructions of an acquire + record: 153 → 146 by callgrind).
/// Not in the wasm, where it would cost bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(not(target_arch = "wasm32"), repr(u8))]
pub(crate) enum Phase {
    Closed,
    /// `until: None` is forced open until `reset()`.
    Open { until: Option<Millis> },
    HalfOpen { probe_successes: u32 },
}

impl Phase {
    fn state(self) -> State {
        match self {
            Phase::Closed => State::Closed,
            Phase::Open { .. } => State::Open,
            Phase::HalfOpen { .. } => State::HalfOpen,
        }
    }
}

/// What a snapshot keeps of a breaker besides its window (see snapshot.rs).
/// Instants are on the core's time; `metrics.in_flight` is not restored.
#[derive(Debug)]
pub(crate) struct Parts {
    pub(crate) phase: Phase,
    pub(crate) generation: u64,
    pub(crate) consecutive_opens: u32,
    pub(crate) metrics: Metrics,
}

/// A circuit breaker. Create it once with [`Breaker::new`]; drive it with
/// [`acquire`](Breaker::acquire) and [`record`](Breaker::record), passing the
/// time in milliseconds to each call.
#[derive(Debug)]
pub struct Breaker {
    /// With dependent defaults filled in, as status reports it.
    config: Config,
    /// The dependent options, resolved once: `minimumCalls`, `maxResetTimeoutMs`, `probeTimeoutMs`.
    minimum_calls: usize,
    max_open_duration: Millis,
    probe_timeout: Millis,
    phase: Phase,
    /// Bumped on every change of state; permits carry the one they were issued in.
    generation: u64,
    window: Window,
    probes: Probes,
    /// Consecutive opens since the circuit last closed: the backoff exponent.
    consecutive_opens: u32,
    /// The caller's readings, mapped onto the core's time (which every
    /// instant kept here is on); reported times are readings.
    timeline: Timeline,
    /// Counted as they happen; the window's rates are left at 0 here and computed for a status.
    metrics: Metrics,
    log: TransitionLog,
    /// Every change of state over the breaker's life, by change and cause.
    transition_counts: TransitionCounts,
    /// Times the closed circuit opened on a failure (the window's rules or a
    /// Retry-After): what a fleet member reports as a local trip.
    failure_trips: u64,
    /// The latest of those trips was a Retry-After (its open time is the upstream's, not the backoff's).
    tripped_by_retry_after: bool,
}

impl Breaker {
    /// Validates `config` and allocates the window and probe slots, once.
    pub fn new(config: Config) -> Result<Breaker, ConfigError> {
        config.validate()?;
        Ok(Breaker {
            minimum_calls: usize::try_from(config.effective_minimum_calls()).unwrap_or(usize::MAX),
            max_open_duration: Millis(config.effective_max_reset_timeout_ms()),
            probe_timeout: Millis(config.effective_probe_timeout_ms()),
            config: config.resolved(),
            window: Window::new(config.window_size),
            probes: Probes::new(config.half_open_max_calls),
            phase: Phase::Closed,
            generation: 0,
            consecutive_opens: 0,
            timeline: Timeline::default(),
            metrics: Metrics::default(),
            log: TransitionLog::new(),
            transition_counts: TransitionCounts::default(),
            failure_trips: 0,
            tripped_by_retry_after: false,
        })
    }

    /// Asks to make a call at `now`: a permit to settle later with
    /// [`record`](Breaker::record), or the reason it is refused.
    pub fn acquire(&mut self, now: Millis) -> Result<Permit, Rejected> {
        let now = self.observe(now);
        self.metrics.counters.total_calls = self.metrics.counters.total_calls.wrapping_add(1);
        match self.phase {
            Phase::Closed => Ok(self.admit(None)),
            Phase::Open { until } => Err(self.block(until.map(|until| until.since(now)))),
            Phase::HalfOpen { .. } => match self.probes.admit(now) {
                Some(slot) => Ok(self.admit(Some(slot))),
                None => Err(self.block(Some(Millis::ZERO))),
            },
        }
    }

    /// [`acquire`](Breaker::acquire) for the one case whose answer does not
    /// depend on the time: a closed circuit with no slow-call timing. Lets a
    /// host skip reading its clock on the common path; `None` means "call
    /// `acquire` with the time".
    pub fn acquire_if_closed(&mut self) -> Option<Permit> {
        if self.phase != Phase::Closed || self.config.slow_call_ms.is_some() {
            return None;
        }
        self.metrics.counters.total_calls = self.metrics.counters.total_calls.wrapping_add(1);
        Some(self.admit(None))
    }

    /// Settles a permit with its outcome at `now`. Settle each permit once.
    pub fn record(&mut self, permit: Permit, outcome: Outcome, now: Millis) {
        self.settle(permit, outcome, now, None);
    }

    /// Settles a permit as failed because the upstream asked to be left alone
    /// for `retry_after` (HTTP `Retry-After`): the circuit opens for exactly that
    /// long, whatever the window says, and the backoff is left as it was.
    pub fn record_retry_after(&mut self, permit: Permit, retry_after: Millis, now: Millis) {
        self.settle(permit, Outcome::Failure, now, Some(retry_after));
    }

    /// The state at `now`, after applying what time implies.
    pub fn state(&mut self, now: Millis) -> State {
        self.observe(now);
        self.phase.state()
    }

    /// State, time until a probe, metrics and configuration at `now`.
    pub fn status(&mut self, now: Millis) -> Status {
        let now = self.observe_for_report(now);
        let retry_after_ms = match self.phase {
            Phase::Open { until } => until.map(|until| until.since(now).0),
            Phase::Closed | Phase::HalfOpen { .. } => Some(0),
        };
        Status { state: self.phase.state(), retry_after_ms, metrics: self.metrics_with_rates(), config: self.config.clone() }
    }

    /// Closes the circuit with an empty window and no backoff; lifetime metrics stay.
    pub fn reset(&mut self, now: Millis) {
        let now = self.observe(now);
        self.close(now, Cause::Reset);
    }

    /// Opens the circuit now, for `duration` (then half-open as usual) or, with
    /// `None`, until [`reset`](Breaker::reset). Leaves the backoff as it was.
    pub fn force_open(&mut self, duration: Option<Millis>, now: Millis) {
        let now = self.observe(now);
        self.open(now, duration, Cause::ForceOpen);
    }

    /// State changes so far; the sequence number to pass to [`transitions_since`](Breaker::transitions_since).
    pub fn state_changes(&self) -> u64 {
        self.log.count()
    }

    /// The state changes after the first `seen`, oldest first (at most the last 8).
    pub fn transitions_since(&self, seen: u64) -> impl Iterator<Item = Transition> + '_ {
        self.log.since(seen)
    }

    /// Every change of state since the breaker was built (not restored from
    /// a snapshot), counted by change and cause; those that never happened are left out.
    pub fn transition_counts(&self) -> impl Iterator<Item = TransitionCount> + '_ {
        self.transition_counts.counted()
    }

    /// The latest reading counted: the caller's last reading, unless it was a
    /// reordering (earlier by under a second), or beyond [`MAX_MILLIS`](crate::MAX_MILLIS).
    /// A permit issued now is `acquired_at` this time.
    pub fn latest_time(&self) -> Millis {
        self.timeline.reading()
    }

    /// For a report of the whole state (status, a snapshot): applies what
    /// `now` implies, the window's `windowMs` expiry included, and returns
    /// the core's time, which every instant kept is on.
    pub(crate) fn observe_for_report(&mut self, now: Millis) -> Millis {
        let now = self.observe(now);
        if self.phase == Phase::Closed {
            self.expire_window(now);
        }
        now
    }

    /// What a snapshot keeps besides the window, as it is.
    pub(crate) fn parts(&self) -> Parts {
        Parts {
            phase: self.phase,
            generation: self.generation,
            consecutive_opens: self.consecutive_opens,
            metrics: self.metrics.clone(),
        }
    }

    /// Puts restored parts in place on a new breaker (snapshot.rs checked
    /// them against the config): no probe in flight, and no call either.
    pub(crate) fn set_parts(&mut self, parts: Parts) {
        self.probes.clear();
        self.phase = parts.phase;
        self.generation = parts.generation & crate::permit::GENERATION_MASK;
        self.consecutive_opens = parts.consecutive_opens;
        self.metrics = Metrics { in_flight: 0, failure_rate: 0.0, success_rate: 0.0, ..parts.metrics };
    }

    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn window(&self) -> &Window {
        &self.window
    }

    pub(crate) fn window_mut(&mut self) -> &mut Window {
        &mut self.window
    }

    /// Counts a call refused before it reached this breaker (by its fleet):
    /// a blocked call in the lifetime metrics, like one this breaker refused.
    pub fn count_blocked(&mut self) {
        let counters = &mut self.metrics.counters;
        counters.total_calls = counters.total_calls.wrapping_add(1);
        counters.blocked_calls = counters.blocked_calls.wrapping_add(1);
    }

    fn admit(&mut self, probe_slot: Option<u16>) -> Permit {
        self.metrics.in_flight = self.metrics.in_flight.saturating_add(1);
        Permit { generation: self.generation, probe_slot, acquired_at: self.timeline.reading() }
    }

    fn block(&mut self, retry_after: Option<Millis>) -> Rejected {
        self.metrics.counters.blocked_calls = self.metrics.counters.blocked_calls.wrapping_add(1);
        Rejected { state: self.phase.state(), retry_after }
    }

    fn settle(&mut self, permit: Permit, outcome: Outcome, now: Millis, retry_after: Option<Millis>) {
        let now = self.observe(now);
        let (outcome, slow) = self.count_outcome(permit, outcome);
        if permit.generation != self.generation {
            return; // admitted before the last change of state: counted, but moves nothing
        }
        match self.phase {
            Phase::Closed => {
                if outcome == Outcome::Ignored {
                    return;
                }
                self.expire_window(now);
                self.window.push(now, outcome == Outcome::Failure);
                if let Some(duration) = retry_after {
                    self.count_failure_trip(true);
                    self.open(now, Some(duration), Cause::RetryAfter(duration));
                } else if let Some(cause) = self.trip_due(outcome, slow) {
                    self.count_failure_trip(false);
                    self.trip(now, cause);
                }
            }
            Phase::HalfOpen { probe_successes } => {
                let Some(slot) = permit.probe_slot else { return };
                if !self.probes.release(slot) {
                    return; // not a probe in flight: settled before, or forged
                }
                match (outcome, retry_after) {
                    (Outcome::Failure, Some(duration)) => self.open(now, Some(duration), Cause::RetryAfter(duration)),
                    (Outcome::Failure, None) if slow => self.trip(now, Cause::SlowCalls(None)),
                    (Outcome::Failure, None) => self.trip(now, Cause::ProbeFailed),
                    (Outcome::Success, _) => {
                        let probe_successes = probe_successes.saturating_add(1);
                        if probe_successes >= self.config.success_threshold {
                            self.close(now, Cause::ProbesSucceeded);
                        } else {
                            self.phase = Phase::HalfOpen { probe_successes };
                        }
                    }
                    (Outcome::Ignored, _) => {}
                }
            }
            // No permit is issued while open, so a current one cannot be settled here.
            Phase::Open { .. } => {}
        }
    }

    /// Counts a settled call in the lifetime metrics and returns the outcome
    /// as the state machine should see it (a slow success is a failure), and
    /// whether it was a slow success.
    /// Times are readings: a call is timed on the caller's clock (one that
    /// spans a clock set back by a second or more is timed from the new
    /// reading), and `last*Time` are the readings they were settled at.
    fn count_outcome(&mut self, permit: Permit, outcome: Outcome) -> (Outcome, bool) {
        let now = self.timeline.reading();
        let Metrics { counters: c, in_flight, last_success_time, last_failure_time, .. } = &mut self.metrics;
        *in_flight = in_flight.saturating_sub(1);
        let slow = matches!(self.config.slow_call_ms, Some(slow) if now.since(permit.acquired_at).0 >= slow);
        match outcome {
            Outcome::Success if !slow => {
                c.successful_calls = c.successful_calls.wrapping_add(1);
                *last_success_time = Some(now.0);
                (Outcome::Success, false)
            }
            Outcome::Success | Outcome::Failure => {
                if outcome == Outcome::Success {
                    c.slow_calls = c.slow_calls.wrapping_add(1);
                }
                c.failed_calls = c.failed_calls.wrapping_add(1);
                *last_failure_time = Some(now.0);
                (Outcome::Failure, outcome == Outcome::Success)
            }
            Outcome::Ignored => {
                c.ignored_calls = c.ignored_calls.wrapping_add(1);
                (Outcome::Ignored, false)
            }
        }
    }

    /// Whether the closed window, just given `outcome` (`slow`: a slow
    /// success, seen as a failure), should open the circuit, and why: slow
    /// calls when that slow success is what made a rule hold, else the count
    /// rule when it holds, else the rate rule. Only a failure can open it.
    fn trip_due(&self, outcome: Outcome, slow: bool) -> Option<Cause> {
        if outcome != Outcome::Failure {
            return None;
        }
        let failures = self.window.failures();
        let outcomes = self.window.len();
        let by_count = failures >= self.config.failure_threshold as usize;
        let by_rate = self.config.failure_rate_threshold.is_some_and(|rate| {
            outcomes >= self.minimum_calls && ratio(failures, outcomes) >= rate
        });
        let tally = WindowTally::new(failures, outcomes);
        match (by_count, by_rate) {
            (false, false) => None,
            _ if slow => Some(Cause::SlowCalls(Some(tally))),
            (true, _) => Some(Cause::FailureThreshold(tally)),
            (false, true) => Some(Cause::FailureRate(tally)),
        }
    }

    /// Opens because of failures: for the backoff's next open time.
    fn trip(&mut self, at: Millis, cause: Cause) {
        let duration = self.open_duration();
        self.consecutive_opens = self.consecutive_opens.saturating_add(1);
        self.open(at, Some(duration), cause);
    }

    /// `min(resetTimeoutMs · 2^k, maxResetTimeoutMs)` for the k-th consecutive open.
    fn open_duration(&self) -> Millis {
        let factor = 1u64.checked_shl(self.consecutive_opens).unwrap_or(u64::MAX);
        Millis(self.config.reset_timeout_ms.saturating_mul(factor)).min(self.max_open_duration)
    }

    /// Counts the reading an operation passes in (see [`Timeline`]) and
    /// applies every transition the core's time implies, each at the time it
    /// fell due. Returns the core's time.
    #[inline]
    fn observe(&mut self, reading: Millis) -> Millis {
        let excess = self.timeline.observe(reading);
        if excess != Millis::ZERO {
            self.move_back(excess);
        }
        let now = self.timeline.now();
        // Time changes nothing while closed: keep the hot path free of the loop.
        if self.phase != Phase::Closed {
            self.apply_due(now);
        }
        now
    }

    /// Moves every kept instant back with the core's time, when the clock has
    /// been set back so often that it would otherwise run towards overflow.
    /// Instants pushed below 0 were older than any duration, so no decision changes.
    #[cold]
    #[inline(never)]
    fn move_back(&mut self, by: Millis) {
        if let Phase::Open { until: Some(until) } = self.phase {
            self.phase = Phase::Open { until: Some(until.since(by)) };
        }
        self.window.move_back(by);
        self.probes.move_back(by);
    }

    #[cold]
    #[inline(never)]
    fn apply_due(&mut self, now: Millis) {
        // Each pass either changes state at a time ≤ now or stops; from
        // half-open with no probe in flight nothing more falls due.
        loop {
            match self.phase {
                Phase::Open { until: Some(until) } if until <= now => {
                    self.probes.clear();
                    self.change_to(Phase::HalfOpen { probe_successes: 0 }, until, Cause::OpenTimeElapsed);
                }
                Phase::HalfOpen { .. } => match self.probe_expiry() {
                    Some(expired_at) if expired_at <= now => self.trip(expired_at, Cause::ProbeExpired),
                    _ => return,
                },
                _ => return,
            }
        }
    }

    fn probe_expiry(&self) -> Option<Millis> {
        self.probes.first_expiry(self.probe_timeout)
    }

    /// Opens for `duration` (at most [`MAX_MILLIS`], like every duration), or until reset.
    fn open(&mut self, at: Millis, duration: Option<Millis>, cause: Cause) {
        let until = duration.map(|duration| at.after(duration.min(Millis(MAX_MILLIS))));
        if let Phase::Open { .. } = self.phase {
            self.phase = Phase::Open { until }; // a new open period, not a new state
        } else {
            self.change_to(Phase::Open { until }, at, cause);
        }
    }

    fn close(&mut self, at: Millis, cause: Cause) {
        self.window.clear();
        self.probes.clear();
        self.consecutive_opens = 0;
        if self.phase != Phase::Closed {
            self.change_to(Phase::Closed, at, cause);
        }
    }

    fn change_to(&mut self, next: Phase, at: Millis, cause: Cause) {
        let from = self.phase.state();
        self.phase = next;
        self.generation = self.generation.wrapping_add(1) & crate::permit::GENERATION_MASK;
        self.metrics.state_changes = self.metrics.state_changes.wrapping_add(1);
        let open_for = match next {
            Phase::Open { until } => until.map(|until| until.since(at)),
            Phase::Closed | Phase::HalfOpen { .. } => None,
        };
        let transition = Transition { from, to: next.state(), at: self.timeline.reading_at(at), cause, open_for };
        self.transition_counts.count(&transition);
        self.log.push(transition);
    }

    /// Inlined natively, so that a config without `windowMs` (the usual one)
    /// costs a record one comparison here, not a call.
    #[cfg_attr(not(target_arch = "wasm32"), inline)]
    fn expire_window(&mut self, now: Millis) {
        if let Some(max_age) = self.config.window_ms {
            self.window.expire(now, Millis(max_age));
        }
    }

    fn metrics_with_rates(&self) -> Metrics {
        let outcomes = self.window.len();
        let failures = self.window.failures();
        Metrics {
            failure_rate: ratio(failures, outcomes),
            success_rate: ratio(outcomes.saturating_sub(failures), outcomes),
            ..self.metrics.clone()
        }
    }
}

/// `part / whole`, or 0 for an empty whole.
fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// What fleet mode needs of a breaker (crate-private): the coordinator drives
/// one as the fleet's state machine, a member reads its local one.
impl Breaker {
    /// Counts `reading` like any operation and returns the core's time, which
    /// never goes backwards (the fleet window's buckets are on it).
    pub(crate) fn core_time(&mut self, reading: Millis) -> Millis {
        self.observe(reading)
    }

    /// Opens a closed circuit on the fleet's failures now, with the backoff's
    /// next open time, as a local trip would; does nothing in any other state.
    pub(crate) fn trip_now(&mut self, now: Millis) {
        let now = self.observe(now);
        if self.phase == Phase::Closed {
            self.trip(now, Cause::Fleet);
        }
    }

    /// [`force_open`](Breaker::force_open) because a snapshot of its fleet says so.
    pub(crate) fn force_open_by_fleet(&mut self, duration: Option<Millis>, now: Millis) {
        let now = self.observe(now);
        self.open(now, duration, Cause::Fleet);
    }

    /// [`reset`](Breaker::reset) because a snapshot of its fleet says it recovered.
    pub(crate) fn reset_by_fleet(&mut self, now: Millis) {
        let now = self.observe(now);
        self.close(now, Cause::Fleet);
    }

    /// The state at `now` and the time left open: `Some(0)` unless open,
    /// `None` when open until reset.
    pub(crate) fn open_for(&mut self, now: Millis) -> (State, Option<Millis>) {
        let now = self.observe(now);
        match self.phase {
            Phase::Open { until } => (State::Open, until.map(|until| until.since(now))),
            Phase::Closed | Phase::HalfOpen { .. } => (self.phase.state(), Some(Millis::ZERO)),
        }
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    pub(crate) fn consecutive_opens(&self) -> u32 {
        self.consecutive_opens
    }

    pub(crate) fn failure_trips(&self) -> u64 {
        self.failure_trips
    }

    fn count_failure_trip(&mut self, by_retry_after: bool) {
        self.failure_trips = self.failure_trips.wrapping_add(1);
        self.tripped_by_retry_after = by_retry_after;
    }

    /// The open time left, as of the latest reading, when the circuit is open
    /// because the upstream's Retry-After opened it: what a fleet member
    /// reports so that the fleet opens for the upstream's time, not the backoff's.
    pub(crate) fn retry_after_left(&self) -> Option<Millis> {
        match self.phase {
            Phase::Open { until: Some(until) } if self.tripped_by_retry_after => Some(until.since(self.timeline.now())),
            _ => None,
        }
    }

    /// The call counters as they are.
    pub(crate) fn counters(&self) -> &CallCounters {
        &self.metrics.counters
    }

    /// Puts the breaker in a persisted state at `now`: `open_for` is the time
    /// left open (`None`: until reset), a half-open one has no probe in
    /// flight and no success yet. Not a state change: nothing is logged.
    pub(crate) fn resume(&mut self, state: State, open_for: Option<Millis>, generation: u64, opens: u32, now: Millis) {
        let now = self.observe(now);
        self.window.clear();
        self.probes.clear();
        let until = open_for.map(|open_for| now.after(open_for.min(Millis(MAX_MILLIS))));
        self.phase = match state {
            State::Closed => Phase::Closed,
            State::Open => Phase::Open { until },
            State::HalfOpen => Phase::HalfOpen { probe_successes: 0 },
        };
        self.generation = generation & crate::permit::GENERATION_MASK;
        self.consecutive_opens = opens;
    }
}
