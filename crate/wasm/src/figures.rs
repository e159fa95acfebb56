//! Many breakers' figures in two buffers in wasm memory: the host reads them
//! through one view each at the end, where `status` returns a Vec per breaker
//! (and a slice argument would be copied in and out per breaker).

use alloc::{string::String, vec::Vec};
use edgebreaker_core::{count_from_f64, Millis};
use wasm_bindgen::prelude::*;

use crate::breaker::WasmBreaker;
use crate::numbers::{figures_of, state_code, FIGURES};

/// Numbers in a transition row: breaker index, from, to, cause, count.
const TRANSITION_ROW: usize = 5;

#[wasm_bindgen]
pub struct WasmFigures {
    /// `FIGURES` per breaker.
    numbers: Vec<f64>,
    /// Every change of state the breakers read made, by change and cause, 5
    /// numbers a row: the breaker's index, from, to, cause code, count.
    transitions: Vec<f64>,
}

#[wasm_bindgen]
impl WasmFigures {
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)] // wasm-bindgen constructors take no Default
    pub fn new() -> WasmFigures {
        WasmFigures { numbers: Vec::new(), transitions: Vec::new() }
    }

    /// Room for `breakers` breakers' figures, NaN until read. Throws when
    /// wasm memory cannot hold them (and keeps the room it had).
    pub fn prepare(&mut self, breakers: f64) -> Result<(), String> {
        let length = usize::try_from(count_from_f64(breakers)).unwrap_or(usize::MAX).saturating_mul(FIGURES);
        let more = length.saturating_sub(self.numbers.len());
        // The count is not formatted: formatting an f64 would cost the wasm 16 KB (the JS side names it).
        self.numbers.try_reserve_exact(more).map_err(|_| String::from("no wasm memory for the figures of so many breakers"))?;
        self.numbers.clear();
        self.numbers.resize(length, f64::NAN);
        self.transitions.clear();
        Ok(())
    }

    /// Where the figures start in wasm memory, in bytes. The host makes its
    /// views after the last `read`: growing wasm memory moves no data, but
    /// replaces the buffer a view was made on.
    #[wasm_bindgen(js_name = figuresPointer)]
    pub fn figures_pointer(&self) -> usize {
        self.numbers.as_ptr() as usize
    }

    /// Where the transitions' rows start in wasm memory, in bytes.
    #[wasm_bindgen(js_name = transitionsPointer)]
    pub fn transitions_pointer(&self) -> usize {
        self.transitions.as_ptr() as usize
    }

    /// Numbers in the transitions' rows (5 a row).
    #[wasm_bindgen(js_name = transitionsLength)]
    pub fn transitions_length(&self) -> usize {
        self.transitions.len()
    }

    /// Writes `breaker`'s figures at `now` as breaker `index`'s (nothing
    /// beyond the room prepared), and adds a row for each change of state
    /// and cause it has counted.
    /// Throws, having read nothing, when wasm memory cannot hold its rows
    /// (a trap here would leave `breaker` borrowed for good).
    pub fn read(&mut self, index: f64, breaker: &mut WasmBreaker, now: f64) -> Result<(), String> {
        let rows = breaker.core.transition_counts().count().saturating_mul(TRANSITION_ROW);
        self.transitions.try_reserve(rows).map_err(|_| String::from("no wasm memory for the transition counts of so many breakers"))?;
        let status = breaker.core.status(Millis::reading_from_f64(now));
        let first = usize::try_from(count_from_f64(index)).unwrap_or(usize::MAX).saturating_mul(FIGURES);
        let slots = self.numbers.iter_mut().skip(first).take(FIGURES);
        for (slot, figure) in slots.zip(figures_of(&status)) {
            *slot = figure;
        }
        for counted in breaker.core.transition_counts() {
            let (from, to) = (f64::from(state_code(counted.from)), f64::from(state_code(counted.to)));
            self.transitions.extend([index, from, to, f64::from(counted.cause), counted.count as f64]);
        }
        Ok(())
    }
}
