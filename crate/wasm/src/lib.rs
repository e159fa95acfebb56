//! wasm-bindgen bindings: a table from JS calls to core calls. Numbers cross
//! as f64 (JS numbers, never BigInt); permits cross as a token (generation and
//! probe slot) plus the time they were acquired. Behaviour lives in the core.
//!
//! Nothing here can trap: times the JS wrapper failed to validate are taken as
//! "no time has passed" (the core's latest time), never as an error path that
//! could panic.

use edgebreaker_core::{Breaker, Config, ConfigError, Millis, NumberOptions, Outcome, Permit, Rejected, State, MAX_MILLIS};
use wasm_bindgen::prelude::*;

// wasm32-unknown-unknown has no threads, so the allocator needs no lock.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
// SAFETY: this module is only ever run on one thread (no atomics, no shared memory).
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

/// `acquire` returns this instead of a token when the call is rejected.
const REJECTED: f64 = -1.0;

#[wasm_bindgen]
pub struct WasmBreaker {
    core: Breaker,
    last_rejection: Option<Rejected>,
}

#[wasm_bindgen]
impl WasmBreaker {
    /// Validates and builds; an absent (undefined) option takes the core's
    /// default. Throws "<option> must be <rule>" (the core's words, without
    /// the value: the JS wrapper appends it as the caller wrote it, and turns
    /// the message into a RangeError).
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        failure_threshold: Option<f64>,
        window_size: Option<f64>,
        reset_timeout_ms: Option<f64>,
        success_threshold: Option<f64>,
        half_open_max_calls: Option<f64>,
        failure_rate_threshold: Option<f64>,
        minimum_calls: Option<f64>,
        window_ms: Option<f64>,
        slow_call_ms: Option<f64>,
        max_reset_timeout_ms: Option<f64>,
        probe_timeout_ms: Option<f64>,
    ) -> Result<WasmBreaker, String> {
        let numbers = NumberOptions {
            failure_threshold,
            window_size,
            reset_timeout_ms,
            success_threshold,
            half_open_max_calls,
            failure_rate_threshold,
            minimum_calls,
            window_ms,
            slow_call_ms,
            max_reset_timeout_ms,
            probe_timeout_ms,
        };
        let refused = |error: ConfigError| error.requirement().to_string();
        let core = Config::from_numbers(&numbers).and_then(Breaker::new).map_err(refused)?;
        Ok(WasmBreaker { core, last_rejection: None })
    }

    /// A permit token (≥ 0), or -1 when rejected (then see `rejectedState`/`rejectedRetryAfterMs`).
    pub fn acquire(&mut self, now: f64) -> f64 {
        let now = self.time(now);
        match self.core.acquire(now) {
            Ok(permit) => token(permit),
            Err(rejected) => {
                self.last_rejection = Some(rejected);
                REJECTED
            }
        }
    }

    /// A permit token without reading a clock, or -1 when the time is needed: call `acquire(now)`.
    #[wasm_bindgen(js_name = acquireIfClosed)]
    pub fn acquire_if_closed(&mut self) -> f64 {
        self.core.acquire_if_closed().map_or(REJECTED, token)
    }

    /// The state of the last rejection: 1 open, 2 half_open.
    #[wasm_bindgen(js_name = rejectedState)]
    pub fn rejected_state(&self) -> u8 {
        self.last_rejection.map_or(state_code(State::Open), |rejected| state_code(rejected.state))
    }

    /// Time until a probe for the last rejection; undefined when forced open until reset.
    #[wasm_bindgen(js_name = rejectedRetryAfterMs)]
    pub fn rejected_retry_after_ms(&self) -> Option<f64> {
        self.last_rejection.and_then(|rejected| rejected.retry_after).map(Millis::as_f64)
    }

    /// Settles a permit: outcome 0 success, 1 failure, 2 ignored. `acquired_at`
    /// is what `acquire` was given (any invalid value, e.g. -1 for a permit from
    /// `acquireIfClosed`, means "unknown": no slow-call timing). Returns the
    /// count of state changes so far, so the caller can tell whether to announce one.
    pub fn record(&mut self, token: f64, acquired_at: f64, outcome: u8, now: f64) -> f64 {
        let now = self.time(now);
        let outcome = match outcome {
            0 => Outcome::Success,
            1 => Outcome::Failure,
            _ => Outcome::Ignored,
        };
        self.core.record(self.permit(token, acquired_at, now), outcome, now);
        self.state_changes()
    }

    /// Settles a permit as failed, with the upstream's Retry-After: opens the circuit for that long.
    #[wasm_bindgen(js_name = recordRetryAfter)]
    pub fn record_retry_after(&mut self, token: f64, acquired_at: f64, retry_after_ms: f64, now: f64) -> f64 {
        let now = self.time(now);
        // Fail closed: NaN or a wait beyond the largest time waits that longest time (f64::min
        // drops NaN); a negative wait is none.
        let retry_after = Millis::from_f64(retry_after_ms.min(MAX_MILLIS as f64)).unwrap_or(Millis::ZERO);
        self.core.record_retry_after(self.permit(token, acquired_at, now), retry_after, now);
        self.state_changes()
    }

    /// 0 closed, 1 open, 2 half_open, at `now`.
    pub fn state(&mut self, now: f64) -> u8 {
        let now = self.time(now);
        state_code(self.core.state(now))
    }

    /// `{ state, retryAfterMs, metrics, config }` as a plain JSON-safe object.
    pub fn status(&mut self, now: f64) -> Result<JsValue, String> {
        let now = self.time(now);
        let status = self.core.status(now);
        serde::Serialize::serialize(&status, &serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|error| error.to_string())
    }

    pub fn reset(&mut self, now: f64) {
        let now = self.time(now);
        self.core.reset(now);
    }

    /// Open now, for `duration_ms`, or until reset when undefined.
    #[wasm_bindgen(js_name = forceOpen)]
    pub fn force_open(&mut self, duration_ms: Option<f64>, now: f64) {
        let now = self.time(now);
        self.core.force_open(duration_ms.and_then(Millis::from_f64), now);
    }

    #[wasm_bindgen(js_name = stateChanges)]
    pub fn state_changes(&self) -> f64 {
        self.core.state_changes() as f64
    }

    /// The changes after the first `seen`, flattened: [from, to, at, from, to, at, ...].
    #[wasm_bindgen(js_name = transitionsSince)]
    pub fn transitions_since(&self, seen: f64) -> Vec<f64> {
        let seen = Millis::from_f64(seen).map_or(0, |seen| seen.0);
        self.core
            .transitions_since(seen)
            .flat_map(|change| [f64::from(state_code(change.from)), f64::from(state_code(change.to)), change.at.as_f64()])
            .collect()
    }

    /// The latest time any operation has passed in.
    #[wasm_bindgen(js_name = latestTime)]
    pub fn latest_time(&self) -> f64 {
        self.core.latest_time().as_f64()
    }
}

impl WasmBreaker {
    fn time(&self, now: f64) -> Millis {
        Millis::from_f64(now).unwrap_or(self.core.latest_time())
    }

    fn permit(&self, token: f64, acquired_at: f64, now: Millis) -> Permit {
        let token = Millis::from_f64(token).map_or(u64::MAX, |token| token.0);
        Permit::from_token(token, Millis::from_f64(acquired_at).unwrap_or(now))
    }
}

fn token(permit: Permit) -> f64 {
    permit.token() as f64
}

fn state_code(state: State) -> u8 {
    match state {
        State::Closed => 0,
        State::Open => 1,
        State::HalfOpen => 2,
    }
}
