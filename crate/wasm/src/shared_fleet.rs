//! A fleet kept in a shared store (Deno KV, Redis), for the JS side that
//! talks to the store: the core's decisions over the stored phase (a
//! `PersistedFleet` as JSON text), as a table. Times are milliseconds since
//! the phase was written, by the fleet's clock; counts are the store's.

use alloc::string::String;
use edgebreaker_core::fleet::{lease_answer_json, FleetReport, Lease, LeaseReturn, PersistedFleet, SharedEvent, SharedFleet};
use edgebreaker_core::{text, Millis};
use wasm_bindgen::prelude::*;

use crate::{checked_options, refused_error};

#[wasm_bindgen]
pub struct WasmSharedFleet {
    core: SharedFleet,
}

#[wasm_bindgen]
impl WasmSharedFleet {
    /// Validates the options as `WasmBreaker`'s constructor does (same messages).
    #[wasm_bindgen(constructor)]
    pub fn new(options: &[f64]) -> Result<WasmSharedFleet, JsError> {
        let core = SharedFleet::new(checked_options(options)?).map_err(refused_error)?;
        Ok(WasmSharedFleet { core })
    }

    #[wasm_bindgen(js_name = windowMs)]
    pub fn window_ms(&self) -> f64 {
        Millis(self.core.window_ms()).as_f64()
    }

    #[wasm_bindgen(js_name = maxLeases)]
    pub fn max_leases(&self) -> u32 {
        self.core.max_leases()
    }

    #[wasm_bindgen(js_name = probeTimeoutMs)]
    pub fn probe_timeout_ms(&self) -> f64 {
        Millis(self.core.probe_timeout_ms()).as_f64()
    }

    /// A member's report, validated: `{"successes":n,"failures":n,"periodMs":n}` (0 before its first period).
    pub fn report(&self, report_json: &str) -> Result<String, JsError> {
        let report = report_from(report_json)?;
        Ok(text![r#"{"successes":"#, report.successes, r#","failures":"#, report.failures, r#","periodMs":"#, report.period_ms.unwrap_or(0), "}"])
    }

    /// A stored phase, validated and written out again; none stored (undefined) is the first phase.
    pub fn phase(&self, phase_json: Option<String>) -> Result<String, JsError> {
        match phase_json {
            Some(text) => Ok(phase_from(&text)?.to_json()),
            None => Ok(SharedFleet::first_phase().to_json()),
        }
    }

    pub fn generation(&self, phase_json: &str) -> Result<f64, JsError> {
        Ok(Millis(phase_from(phase_json)?.generation).as_f64())
    }

    /// The phase time calls for (an open phase whose time is up half-opens),
    /// then a lease gone past `probeTimeoutMs`; undefined when it stays.
    #[wasm_bindgen(js_name = afterTime)]
    pub fn after_time(&self, phase_json: &str, elapsed_ms: f64, lease_expired: bool) -> Result<Option<String>, JsError> {
        let event = if lease_expired { SharedEvent::LeaseExpired } else { SharedEvent::Time };
        self.next(phase_json, elapsed_ms, event)
    }

    /// The phase a member's sync calls for, with the window's totals (its report counted).
    #[wasm_bindgen(js_name = afterSync)]
    pub fn after_sync(&self, phase_json: &str, elapsed_ms: f64, successes: f64, failures: f64, report_json: &str) -> Result<Option<String>, JsError> {
        let report = report_from(report_json)?;
        self.next(phase_json, elapsed_ms, SharedEvent::Sync { report, successes: count(successes), failures: count(failures) })
    }

    /// The phase a probe's outcome calls for: a success with the probe
    /// successes counted in this phase so far; a failure with the upstream's
    /// Retry-After in ms, or a negative number for none.
    #[wasm_bindgen(js_name = afterProbe)]
    pub fn after_probe(&self, phase_json: &str, elapsed_ms: f64, succeeded: bool, probe_successes: f64, retry_after_ms: f64) -> Result<Option<String>, JsError> {
        let event = if succeeded {
            SharedEvent::ProbeSucceeded { successes: count(probe_successes) }
        } else {
            let retry_after_ms = (retry_after_ms >= 0.0).then(|| Millis::saturating_from_f64(retry_after_ms).0);
            SharedEvent::ProbeFailed { retry_after_ms }
        };
        self.next(phase_json, elapsed_ms, event)
    }

    /// The phase as it stands `elapsed_ms` after it was written: what a member writes back into a store that lost it.
    pub fn carried(&self, phase_json: &str, elapsed_ms: f64) -> Result<String, JsError> {
        Ok(self.core.carried(&phase_from(phase_json)?, Millis::saturating_from_f64(elapsed_ms)).to_json())
    }

    /// The fleet snapshot a member merges, with the pacing `sync_periods` (the last second's sum of periods) calls for.
    pub fn snapshot(&self, phase_json: &str, elapsed_ms: f64, sync_periods: f64) -> Result<String, JsError> {
        let phase = phase_from(phase_json)?;
        Ok(self.core.snapshot(&phase, Millis::saturating_from_f64(elapsed_ms), count(sync_periods)).to_json())
    }

    /// `{"version":1,"lease":n|null,"snapshot":{...}}`; a negative `lease` is none.
    #[wasm_bindgen(js_name = leaseAnswer)]
    pub fn lease_answer(&self, lease: f64, phase_json: &str, elapsed_ms: f64, sync_periods: f64) -> Result<String, JsError> {
        let phase = phase_from(phase_json)?;
        let snapshot = self.core.snapshot(&phase, Millis::saturating_from_f64(elapsed_ms), count(sync_periods));
        let lease = (lease >= 0.0).then(|| Lease { token: count(lease) });
        Ok(lease_answer_json(lease, &snapshot))
    }

    /// A lease given back, validated: `{"lease":n,"retryAfterMs":n|null}`.
    #[wasm_bindgen(js_name = leaseReturn)]
    pub fn lease_return(&self, lease_json: &str) -> Result<String, JsError> {
        let given = LeaseReturn::from_json(lease_json).map_err(|error| JsError::new(&error.to_text()))?;
        Ok(text![r#"{"lease":"#, given.lease.token, r#","retryAfterMs":"#, given.retry_after_ms, "}"])
    }

    fn next(&self, phase_json: &str, elapsed_ms: f64, event: SharedEvent) -> Result<Option<String>, JsError> {
        let phase = phase_from(phase_json)?;
        Ok(self.core.next_phase(&phase, Millis::saturating_from_f64(elapsed_ms), event).map(|next| next.to_json()))
    }
}

/// A stored phase; a refusal names the field (`persisted generation must be ...`).
fn phase_from(text: &str) -> Result<PersistedFleet, JsError> {
    PersistedFleet::from_json(text).map_err(|error| JsError::new(&error.to_text()))
}

fn report_from(text: &str) -> Result<FleetReport, JsError> {
    FleetReport::from_json(text).map_err(|error| JsError::new(&error.to_text()))
}

/// A count from a store: whole and not negative (the JS side checked); saturating otherwise.
fn count(value: f64) -> u64 {
    Millis::saturating_from_f64(value).0
}
