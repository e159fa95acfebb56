//! The core under random configs and operation sequences, with hostile clock
//! readings (reordered, set back, far ahead, beyond 2^53 - 1), checked after
//! every step against the state machine's invariants. Only what a correct
//! caller does is generated (each permit settled once); `component_boundary`
//! covers callers that are not.
#![no_main]

use edgebreaker_core::{Breaker, Cause, Config, Millis, Outcome, Permit, State, Transition, MAX_MILLIS};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = Unstructured::new(data);
    let _ = run(&mut input);
});

fn run(input: &mut Unstructured<'_>) -> Result<()> {
    let config = config(input)?;
    let Ok(mut breaker) = Breaker::new(config.clone()) else {
        return Ok(()); // refusals are the vectors' and unit tests' business; not panicking is checked here
    };
    let mut model =
        Model { reading: 0, counted: 0, forward: 0, permits: Vec::new(), seen_changes: 0, state: State::Closed, open: None };
    while !input.is_empty() {
        let at = model.next_reading(input)?;
        let step = input.int_in_range(0..=9u8)?;
        let changes_before = breaker.state_changes();
        let mut reopened = false;
        match step {
            0..=2 => {
                let closed_shortcut = step == 2 && breaker.acquire_if_closed().map(|p| model.admitted(p, &breaker)).is_some();
                if !closed_shortcut {
                    match breaker.acquire(Millis(at)) {
                        Ok(permit) => model.admitted(permit, &breaker),
                        Err(rejected) => {
                            assert_ne!(rejected.state, State::Closed, "a closed circuit admits every call");
                            if rejected.state == State::HalfOpen {
                                assert_eq!(rejected.retry_after, Some(Millis(0)));
                                let probes = model.current_probes(&breaker);
                                assert_eq!(probes, config.half_open_max_calls as usize, "rejected in half-open only when every slot is taken");
                            }
                        }
                    }
                }
            }
            3..=5 if !model.permits.is_empty() => {
                let index = input.choose_index(model.permits.len())?;
                let (permit, _) = model.permits.swap_remove(index);
                match input.int_in_range(0..=4u8)? {
                    0 => breaker.record(permit, Outcome::Success, Millis(at)),
                    1 => breaker.record(permit, Outcome::Failure, Millis(at)),
                    2 => breaker.record(permit, Outcome::Ignored, Millis(at)),
                    _ => breaker.record_retry_after(permit, Millis(duration(input)?), Millis(at)),
                }
                reopened = true; // a retry-after failure may open anew
            }
            6 => {
                breaker.force_open(if input.arbitrary()? { Some(Millis(duration(input)?)) } else { None }, Millis(at));
                reopened = true;
            }
            7 => {
                breaker.reset(Millis(at));
                assert_eq!(breaker.state(Millis(at)), State::Closed);
            }
            8 => {
                let _ = breaker.state(Millis(at));
            }
            _ => {}
        }
        let status = breaker.status(Millis(at));
        model.check(&breaker, &status, changes_before, reopened);
    }
    Ok(())
}

/// Valid and invalid configs alike; small values so that states change often.
fn config(input: &mut Unstructured<'_>) -> Result<Config> {
    let window_size = input.int_in_range(1..=12u32)?;
    Ok(Config {
        failure_threshold: input.int_in_range(0..=window_size + 1)?,
        window_size,
        reset_timeout_ms: input.int_in_range(0..=3_000u64)?,
        success_threshold: input.int_in_range(0..=4u32)?,
        half_open_max_calls: input.int_in_range(0..=4u32)?,
        failure_rate_threshold: if input.arbitrary()? { Some(f64::from(input.int_in_range(0..=101u8)?) / 100.0) } else { None },
        minimum_calls: if input.arbitrary()? { Some(input.int_in_range(0..=window_size)?) } else { None },
        window_ms: if input.arbitrary()? { Some(input.int_in_range(0..=5_000u64)?) } else { None },
        slow_call_ms: if input.arbitrary()? { Some(input.int_in_range(0..=500u64)?) } else { None },
        max_reset_timeout_ms: if input.arbitrary()? { Some(input.int_in_range(0..=20_000u64)?) } else { None },
        probe_timeout_ms: if input.arbitrary()? { Some(input.int_in_range(0..=5_000u64)?) } else { None },
    })
}

/// A forced-open or Retry-After duration: usually short, sometimes the longest there is, or more.
fn duration(input: &mut Unstructured<'_>) -> Result<u64> {
    Ok(match input.int_in_range(0..=9u8)? {
        0 => MAX_MILLIS,
        1 => u64::MAX,
        _ => input.int_in_range(0..=5_000u64)?,
    })
}

/// What the fuzzer knows independently of the breaker.
struct Model {
    /// The last reading passed in (the clock as the host tells it).
    reading: u64,
    /// The rule, written out independently of the core: the reading that
    /// counts (a reordering under a second, or a reading beyond 2^53 - 1,
    /// leaves it; a set-back by a second or more replaces it) ...
    counted: u64,
    /// ... and how far time moved forward at the last reading.
    forward: u64,
    /// Unsettled permits, with the state-change count they were issued at.
    permits: Vec<(Permit, u64)>,
    seen_changes: u64,
    state: State,
    /// While open for a known time: the time left.
    open: Option<u64>,
}

impl Model {
    fn next_reading(&mut self, input: &mut Unstructured<'_>) -> Result<u64> {
        let now = self.reading;
        self.reading = match input.int_in_range(0..=19u8)? {
            0 => now.saturating_sub(input.int_in_range(0..=999u64)?), // reordered
            1 => now.saturating_sub(input.int_in_range(1_000..=10_000_000u64)?), // set back
            2 => MAX_MILLIS,                                                    // glitch to the end of time
            3 => input.int_in_range(MAX_MILLIS + 1..=u64::MAX)?,                  // no reading
            4 => input.int_in_range(0..=MAX_MILLIS)?,                           // anywhere
            _ => now.saturating_add(input.int_in_range(0..=700u64)?).min(MAX_MILLIS),
        };
        let reading = self.reading;
        self.forward = 0;
        if reading > MAX_MILLIS {
            // no reading
        } else if reading >= self.counted {
            self.forward = reading - self.counted;
            self.counted = reading;
        } else if self.counted - reading >= 1_000 {
            self.counted = reading;
        }
        Ok(reading)
    }

    fn admitted(&mut self, permit: Permit, breaker: &Breaker) {
        assert!(permit.acquired_at() <= breaker.latest_time());
        assert!(permit.token() < 1 << 53, "a token fits in a JS number");
        self.permits.push((permit, breaker.state_changes()));
    }

    /// Probes admitted since the circuit last changed state, still unsettled.
    fn current_probes(&self, breaker: &Breaker) -> usize {
        let changes = breaker.state_changes();
        self.permits.iter().filter(|(permit, issued_at)| permit.is_probe() && *issued_at == changes).count()
    }

    fn check(&mut self, breaker: &Breaker, status: &edgebreaker_core::Status, changes_before: u64, reopened: bool) {
        let (m, c) = (&status.metrics, &status.metrics.counters);
        let settled = c.successful_calls + c.failed_calls + c.blocked_calls + c.ignored_calls + m.in_flight;
        assert_eq!(c.total_calls, settled, "every call is accounted for: {m:?}");
        assert_eq!(m.in_flight, self.permits.len() as u64, "every unsettled permit is in flight");
        assert!(c.slow_calls <= c.failed_calls);
        assert!((0.0..=1.0).contains(&m.failure_rate));
        assert_eq!(m.state_changes, breaker.state_changes());
        let latest = breaker.latest_time();
        assert_eq!(latest.0, self.counted, "the latest time is the reading that counts");
        for time in [m.last_failure_time, m.last_success_time].into_iter().flatten() {
            assert!(time <= MAX_MILLIS);
        }
        for change in breaker.transitions_since(self.seen_changes) {
            assert_eq!(change.from, self.state, "transitions chain");
            assert_ne!(change.from, change.to);
            assert!(change.at <= latest, "a transition fell due no later than the latest reading");
            assert_cause_fits(&change);
            self.state = change.to;
        }
        self.seen_changes = breaker.state_changes();
        assert_eq!(self.state, status.state);
        if status.state == State::HalfOpen {
            let in_flight = self.current_probes(breaker);
            assert!(in_flight <= status.config.half_open_max_calls as usize, "{in_flight} probes in flight");
        }
        // No wedge: an open period shrinks exactly as far as time moved
        // forward by the rule above, and not at all when the clock went back.
        let open = match (status.state, status.retry_after_ms) {
            (State::Open, Some(left)) => {
                assert!(left <= MAX_MILLIS, "no open period is longer than the longest duration");
                Some(left)
            }
            (State::Closed | State::HalfOpen, retry_after) => {
                assert_eq!(retry_after, Some(0));
                None
            }
            (State::Open, None) => None,
        };
        if let (Some(left_before), Some(left)) = (self.open, open) {
            if !reopened && breaker.state_changes() == changes_before {
                assert_eq!(left, left_before.saturating_sub(self.forward), "the open period runs with the readings");
            }
        }
        self.open = open;
    }
}

/// A change's cause is one that can make it, with figures that add up, and
/// only a change to open says how long it stays open.
fn assert_cause_fits(change: &Transition) {
    use State::{Closed, HalfOpen, Open};
    let fits = match change.cause {
        Cause::FailureThreshold(_) | Cause::FailureRate(_) => change.from == Closed && change.to == Open,
        Cause::SlowCalls(tally) => change.to == Open && (change.from == Closed) == tally.is_some(),
        Cause::RetryAfter(_) | Cause::ForceOpen => change.to == Open,
        Cause::ProbeFailed | Cause::ProbeExpired => change.from == HalfOpen && change.to == Open,
        Cause::OpenTimeElapsed => change.from == Open && change.to == HalfOpen,
        Cause::ProbesSucceeded => change.from == HalfOpen && change.to == Closed,
        Cause::Reset => change.to == Closed,
        Cause::Fleet => false, // no fleet here
    };
    assert!(fits, "{change:?}");
    if let Some(tally) = change.cause.window() {
        assert!(1 <= tally.failures && tally.failures <= tally.calls, "{change:?}");
    }
    let open_for_fits = change.to == Open || change.open_for.is_none();
    let forced_until_reset = change.cause == Cause::ForceOpen;
    assert!(open_for_fits && (change.to != Open || change.open_for.is_some() || forced_until_reset), "{change:?}");
}
