//! The fleet coordinator for JS hosts, as a table: run where the fleet keeps
//! its shared state (a Durable Object). Everything crossing machines is JSON
//! text, parsed and validated by the core; a refusal is an `Error` whose
//! message names the field.

use alloc::string::String;
use edgebreaker_core::fleet::{lease_answer_json, Coordinator, FleetReport, LeaseReturn, PersistedFleet};
use edgebreaker_core::{Millis, Outcome};
use wasm_bindgen::prelude::*;

use crate::{checked_options, refused_error};

#[wasm_bindgen]
pub struct WasmFleetCoordinator {
    core: Coordinator,
}

#[wasm_bindgen]
impl WasmFleetCoordinator {
    /// Validates the options as `WasmBreaker`'s constructor does (same messages).
    #[wasm_bindgen(constructor)]
    pub fn new(options: &[f64]) -> Result<WasmFleetCoordinator, JsError> {
        let core = Coordinator::new(checked_options(options)?).map_err(refused_error)?;
        Ok(WasmFleetCoordinator { core })
    }

    /// A coordinator from `persisted()` JSON written at `written_at` and restored
    /// at `now`, readings of one clock (the options never come from it).
    pub fn restore(options: &[f64], persisted_json: &str, written_at: f64, now: f64) -> Result<WasmFleetCoordinator, JsError> {
        let config = checked_options(options)?;
        let persisted = PersistedFleet::from_json(persisted_json).map_err(|error| JsError::new(&error.to_text()))?;
        let core = Coordinator::restore(config, &persisted, Millis::reading_from_f64(written_at), Millis::reading_from_f64(now))
            .map_err(refused_error)?;
        Ok(WasmFleetCoordinator { core })
    }

    /// A member's report JSON in, the fleet snapshot JSON out.
    pub fn sync(&mut self, report_json: &str, now: f64) -> Result<String, JsError> {
        let report = FleetReport::from_json(report_json).map_err(|error| JsError::new(&error.to_text()))?;
        Ok(self.core.sync(&report, Millis::reading_from_f64(now)).to_json())
    }

    /// `{"version":1,"lease":n|null,"snapshot":{...}}`
    pub fn lease(&mut self, now: f64) -> String {
        let (lease, snapshot) = self.core.lease(Millis::reading_from_f64(now));
        lease_answer_json(lease, &snapshot)
    }

    /// Settles a lease (`{"version":1,"lease":n}`): outcome 0 success, 1
    /// failure, 2 ignored; with `"retryAfterMs":n`, a failure by the upstream's Retry-After.
    pub fn settle(&mut self, lease_json: &str, outcome: u8, now: f64) -> Result<String, JsError> {
        let given = LeaseReturn::from_json(lease_json).map_err(|error| JsError::new(&error.to_text()))?;
        let now = Millis::reading_from_f64(now);
        let snapshot = match given.retry_after_ms {
            Some(retry_after) => self.core.settle_retry_after(given.lease, Millis(retry_after), now),
            None => self.core.settle(given.lease, Outcome::from_code(outcome), now),
        };
        Ok(snapshot.to_json())
    }

    pub fn snapshot(&mut self, now: f64) -> String {
        self.core.snapshot(Millis::reading_from_f64(now)).to_json()
    }

    /// What to keep in storage to survive a restart.
    pub fn persisted(&mut self, now: f64) -> String {
        self.core.persisted(Millis::reading_from_f64(now)).to_json()
    }

    pub fn generation(&self) -> f64 {
        self.core.generation() as f64
    }
}
