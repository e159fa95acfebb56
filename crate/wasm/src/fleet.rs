//! Fleet mode for JS hosts, as a table: the coordinator (run where the fleet
//! keeps its shared state, e.g. a Durable Object) and a breaker's member side.
//! Everything crossing machines is JSON text, parsed and validated by the
//! core; a refusal is an `Error` whose message names the field.

use edgebreaker_core::fleet::{lease_answer_json, Admission, Coordinator, FleetReport, FleetSnapshot, LeaseReturn, PersistedFleet};
use edgebreaker_core::{Millis, Outcome};
use wasm_bindgen::prelude::*;

use crate::{config_from, refused, CoreOptions, WasmBreaker};

/// `fleetAdmission` codes.
const ADMIT_LOCAL: u8 = 0;
const ADMIT_BLOCKED: u8 = 1;
const ADMIT_LEASE: u8 = 2;

#[wasm_bindgen]
pub struct WasmFleetCoordinator {
    core: Coordinator,
}

#[wasm_bindgen]
impl WasmFleetCoordinator {
    /// Validates the options as `WasmBreaker`'s constructor does (same messages).
    #[wasm_bindgen(constructor)]
    pub fn new(options: &CoreOptions) -> Result<WasmFleetCoordinator, JsError> {
        let config = config_from(options).map_err(|error| JsError::new(&error))?;
        let core = Coordinator::new(config).map_err(|error| JsError::new(&refused(error)))?;
        Ok(WasmFleetCoordinator { core })
    }

    /// A coordinator from `persisted()` JSON written at `written_at` and restored
    /// at `now`, readings of one clock (the options never come from it).
    pub fn restore(options: &CoreOptions, persisted_json: &str, written_at: f64, now: f64) -> Result<WasmFleetCoordinator, JsError> {
        let config = config_from(options).map_err(|error| JsError::new(&error))?;
        let persisted = PersistedFleet::from_json(persisted_json).map_err(|error| JsError::new(&error.to_string()))?;
        let core = Coordinator::restore(config, &persisted, Millis::reading_from_f64(written_at), Millis::reading_from_f64(now))
            .map_err(|error| JsError::new(&refused(error)))?;
        Ok(WasmFleetCoordinator { core })
    }

    /// A member's report JSON in, the fleet snapshot JSON out.
    pub fn sync(&mut self, report_json: &str, now: f64) -> Result<String, JsError> {
        let report = FleetReport::from_json(report_json).map_err(|error| JsError::new(&error.to_string()))?;
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
        let given = LeaseReturn::from_json(lease_json).map_err(|error| JsError::new(&error.to_string()))?;
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

#[wasm_bindgen]
impl WasmBreaker {
    /// This breaker's report since its last one, at `now`, as JSON.
    #[wasm_bindgen(js_name = fleetReport)]
    pub fn fleet_report(&mut self, now: f64) -> String {
        self.fleet.report(&self.core, Millis::reading_from_f64(now)).to_json()
    }

    /// The last report's exchange failed: the next report carries it again.
    #[wasm_bindgen(js_name = fleetReportLost)]
    pub fn fleet_report_lost(&mut self) {
        self.fleet.report_lost();
    }

    /// The local breaker opened on failures since the last report: sync now.
    #[wasm_bindgen(js_name = fleetTripPending)]
    pub fn fleet_trip_pending(&self) -> bool {
        self.fleet.trip_pending(&self.core)
    }

    /// Merges a fleet snapshot's JSON: undefined when merged, else the refusal
    /// ("<field> <message>"), and nothing changed.
    #[wasm_bindgen(js_name = fleetMerge)]
    pub fn fleet_merge(&mut self, snapshot_json: &str, now: f64) -> Option<String> {
        let now = Millis::reading_from_f64(now);
        FleetSnapshot::from_json(snapshot_json)
            .and_then(|snapshot| self.fleet.merge(&snapshot, &mut self.core, now))
            .err()
            .map(|error| error.to_string())
    }

    /// Whether a snapshot's JSON is well-formed but of a lower generation than
    /// the last merged (overtaken by a newer answer, or replayed).
    #[wasm_bindgen(js_name = fleetIsStale)]
    pub fn fleet_is_stale(&self, snapshot_json: &str) -> bool {
        FleetSnapshot::from_json(snapshot_json).is_ok_and(|snapshot| self.fleet.is_stale(&snapshot))
    }

    /// 0 ask the local breaker, 1 blocked by the fleet (then `fleetRetryAfter()`),
    /// 2 ask the coordinator for a lease first.
    #[wasm_bindgen(js_name = fleetAdmission)]
    pub fn fleet_admission(&mut self, now: f64, stale_after_ms: f64) -> u8 {
        let now = Millis::reading_from_f64(now);
        let local = self.core.state(now);
        let now = self.core.latest_time();
        match self.fleet.admission(local, now, Millis::saturating_from_f64(stale_after_ms)) {
            Admission::Local => ADMIT_LOCAL,
            Admission::Blocked { retry_after } => {
                self.fleet_retry_after = retry_after;
                ADMIT_BLOCKED
            }
            Admission::Lease => ADMIT_LEASE,
        }
    }

    /// The time left of the fleet's open period at the last blocked admission; -1 until reset.
    #[wasm_bindgen(js_name = fleetRetryAfter)]
    pub fn fleet_retry_after(&self) -> f64 {
        self.fleet_retry_after.map_or(-1.0, Millis::as_f64)
    }

    /// `{"state":s,"generation":n,"receivedAt":n,"openUntil":n|null}` (times are
    /// this breaker's clock readings), or undefined before the first merge.
    #[wasm_bindgen(js_name = fleetView)]
    pub fn fleet_view(&self) -> Option<String> {
        self.fleet.view().map(|view| {
            let open_until = view.open_until.map_or_else(|| "null".into(), |until| until.0.to_string());
            format!(
                r#"{{"state":"{}","generation":{},"receivedAt":{},"openUntil":{open_until}}}"#,
                view.state.as_str(),
                view.generation,
                view.received_at.0,
            )
        })
    }
}
