//! A breaker's fleet side (its member of a fleet) for JS hosts, as a table.
//! Everything crossing machines is JSON text, parsed and validated by the
//! core; a refusal names the field.

use alloc::string::String;
use edgebreaker_core::fleet::{Admission, FleetSnapshot};
use edgebreaker_core::{text, Millis};
use wasm_bindgen::prelude::*;

use crate::breaker::WasmBreaker;

/// `fleetAdmission` codes.
const ADMIT_LOCAL: u8 = 0;
const ADMIT_BLOCKED: u8 = 1;
const ADMIT_LEASE: u8 = 2;

#[wasm_bindgen]
impl WasmBreaker {
    /// Counts a call its fleet refused as blocked.
    #[wasm_bindgen(js_name = countBlocked)]
    pub fn count_blocked(&mut self) {
        self.core.count_blocked();
    }

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
            .map(|error| error.to_text())
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
            text![
                r#"{"state":""#,
                view.state.as_str(),
                r#"","generation":"#,
                view.generation,
                r#","receivedAt":"#,
                view.received_at.0,
                r#","openUntil":"#,
                view.open_until.map(|until| until.0),
                "}",
            ]
        })
    }
}
