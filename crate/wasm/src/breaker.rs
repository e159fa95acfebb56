//! The breaker for JS hosts, as a table from JS calls to core calls. Numbers
//! cross as f64 (JS numbers, never BigInt); permits cross as a token
//! (generation and probe slot) plus the time they were acquired.

use alloc::{string::String, vec::Vec};
use edgebreaker_core::fleet::FleetMember;
use edgebreaker_core::{count_from_f64, Breaker, Millis, Outcome, Permit, Rejected, State};
use wasm_bindgen::prelude::*;

use crate::numbers::{figures_of, state_code, token, transition_numbers, REJECTED};
use crate::{config_from, refused, CORE_OPTION_FIELDS};

#[wasm_bindgen]
pub struct WasmBreaker {
    pub(crate) core: Breaker,
    last_rejection: Option<Rejected>,
    /// Fleet mode's member side (idle unless the host syncs): see fleet_member.rs.
    pub(crate) fleet: FleetMember,
    /// The fleet's time left open at the last blocked `fleetAdmission`.
    pub(crate) fleet_retry_after: Option<Millis>,
}

impl WasmBreaker {
    /// A binding around a core breaker, new or restored: no rejection yet, no fleet view.
    pub(crate) fn wrapping(core: Breaker) -> WasmBreaker {
        WasmBreaker {
            fleet: FleetMember::new(&core),
            fleet_retry_after: None,
            core,
            last_rejection: None,
        }
    }
}

#[wasm_bindgen]
impl WasmBreaker {
    /// Validates and builds. Throws "<option> must be <rule>" (the core's
    /// words, without the value: the JS wrapper appends it as the caller
    /// wrote it, and turns the message into a RangeError).
    #[wasm_bindgen(constructor)]
    pub fn new(options: &[f64]) -> Result<WasmBreaker, String> {
        let core = Breaker::new(config_from(options)?).map_err(refused)?;
        Ok(WasmBreaker::wrapping(core))
    }

    /// A permit token (≥ 0), or -1 when rejected (then see `rejectedState`/`rejectedRetryAfterMs`).
    pub fn acquire(&mut self, now: f64) -> f64 {
        match self.core.acquire(Millis::reading_from_f64(now)) {
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
    /// is what `acquire` was given (-1 for a permit from `acquireIfClosed`: no
    /// slow-call timing). Returns the count of state changes so far, so the
    /// caller can tell whether to announce one.
    pub fn record(&mut self, token: f64, acquired_at: f64, outcome: u8, now: f64) -> f64 {
        let permit = Permit::from_numbers(token, acquired_at);
        self.core.record(permit, Outcome::from_code(outcome), Millis::reading_from_f64(now));
        self.state_changes()
    }

    /// Settles a permit as failed, with the upstream's Retry-After: opens the circuit for that long.
    #[wasm_bindgen(js_name = recordRetryAfter)]
    pub fn record_retry_after(&mut self, token: f64, acquired_at: f64, retry_after_ms: f64, now: f64) -> f64 {
        let permit = Permit::from_numbers(token, acquired_at);
        let retry_after = Millis::saturating_from_f64(retry_after_ms);
        self.core.record_retry_after(permit, retry_after, Millis::reading_from_f64(now));
        self.state_changes()
    }

    /// 0 closed, 1 open, 2 half_open, at `now`.
    pub fn state(&mut self, now: f64) -> u8 {
        state_code(self.core.state(Millis::reading_from_f64(now)))
    }

    /// The status at `now` as numbers: the figures (`figures_of`'s 14), then
    /// the config, each option in `CoreOptionNames` order (NaN where it is off).
    pub fn status(&mut self, now: f64) -> Vec<f64> {
        let status = self.core.status(Millis::reading_from_f64(now));
        let mut config = status.config.to_numbers();
        // Loops here and in `transitions_since`, not iterator chains collected:
        // each chain cost the wasm about 700 bytes.
        let mut numbers = Vec::from(figures_of(&status));
        for (_, field) in CORE_OPTION_FIELDS {
            numbers.push(field(&mut config).unwrap_or(f64::NAN));
        }
        numbers
    }

    pub fn reset(&mut self, now: f64) {
        self.core.reset(Millis::reading_from_f64(now));
    }

    /// Open now, for `duration_ms`, or until reset when undefined.
    #[wasm_bindgen(js_name = forceOpen)]
    pub fn force_open(&mut self, duration_ms: Option<f64>, now: f64) {
        self.core.force_open(duration_ms.map(Millis::saturating_from_f64), Millis::reading_from_f64(now));
    }

    #[wasm_bindgen(js_name = stateChanges)]
    pub fn state_changes(&self) -> f64 {
        self.core.state_changes() as f64
    }

    /// The changes after the first `seen`, flattened, 8 numbers each: from,
    /// to, at, cause (its code in `CoreCauseNames`), the window's failures and
    /// calls, the Retry-After and the open time, each NaN where it does not
    /// apply (the open time of a change to open: NaN is until reset).
    #[wasm_bindgen(js_name = transitionsSince)]
    pub fn transitions_since(&self, seen: f64) -> Vec<f64> {
        let mut numbers = Vec::new();
        for change in self.core.transitions_since(count_from_f64(seen)) {
            numbers.extend_from_slice(&transition_numbers(change));
        }
        numbers
    }

    /// The latest time any operation has passed in.
    #[wasm_bindgen(js_name = latestTime)]
    pub fn latest_time(&self) -> f64 {
        self.core.latest_time().as_f64()
    }
}
