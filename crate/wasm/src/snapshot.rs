//! Snapshots cross as JSON text: the core writes it, and reads and checks it
//! (naming the field it refuses); the JS wrapper parses and stringifies.

use alloc::string::String;
use edgebreaker_core::{Breaker, Millis, MAX_SNAPSHOT_BYTES};
use wasm_bindgen::prelude::*;

use crate::breaker::WasmBreaker;
use crate::config_from;

#[wasm_bindgen]
impl WasmBreaker {
    /// The breaker's snapshot at `now`, as JSON text.
    pub fn snapshot(&mut self, now: f64) -> String {
        self.core.snapshot(Millis::reading_from_f64(now)).to_json()
    }

    /// A breaker with these options, restored from a snapshot's JSON text at
    /// `now`. Throws the string "<option> must be <rule>" for a refused
    /// option, as the constructor does, and an Error "<field> <message>" for
    /// a refused snapshot (text longer than `maxSnapshotBytes()` included).
    pub fn restore(options: &[f64], json: &str, now: f64) -> Result<WasmBreaker, JsValue> {
        let config = config_from(options)?;
        let core = Breaker::restore_json(config, json, Millis::reading_from_f64(now))
            .map_err(|refused| JsError::new(&refused.to_text()))?;
        Ok(WasmBreaker::wrapping(core))
    }
}

/// The longest snapshot text `restore` reads, in bytes (UTF-8): the wrapper
/// refuses a longer one before copying it into wasm memory.
#[wasm_bindgen(js_name = maxSnapshotBytes)]
pub fn max_snapshot_bytes() -> f64 {
    MAX_SNAPSHOT_BYTES as f64
}
