//! wasm-bindgen bindings: tables from JS calls to core calls. Behaviour lives
//! in the core, and so does what a number that cannot be read means
//! (edgebreaker-core's `numbers` module): nothing here can trap or decide.
//!
//! The npm package ships two builds of this crate, so that an application
//! pays only for what it imports:
//! - feature `breaker`: the breakers (every entry of the package);
//! - feature `coordinators`: the fleet's coordinators, run by a Durable Object
//!   or against a shared store (edgebreaker/cloudflare, /deno, /redis).
//!
//! Both are on by default, so that the tests and lints see every table.
//!
//! On wasm32 the crate is `no_std`, like the core: std's panic machinery and
//! its formatting would cost each build about 2 KB, and with `panic = "abort"`
//! a panic traps either way (the lints forbid what could panic). Tests keep std.
#![cfg_attr(all(target_arch = "wasm32", not(test)), no_std)]

extern crate alloc;

use alloc::string::String;
use edgebreaker_core::{Config, ConfigError, NumberOptions};
use wasm_bindgen::prelude::*;

#[cfg(feature = "breaker")]
mod breaker;
#[cfg(feature = "breaker")]
mod figures;
#[cfg(feature = "breaker")]
mod fleet_member;
#[cfg(feature = "breaker")]
mod snapshot;

#[cfg(feature = "coordinators")]
mod coordinator;
#[cfg(feature = "coordinators")]
mod shared_fleet;

/// A panic traps, as `panic = "abort"` makes std's do.
#[cfg(all(target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

// wasm32-unknown-unknown has no threads, so the allocator needs no lock.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
// SAFETY: this module is only ever run on one thread (no atomics, no shared memory).
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

/// The constructor's argument in TypeScript, and its names in `status`'s
/// order: js/src/core-options.ts builds the one and checks its list against the other.
#[wasm_bindgen(typescript_custom_section)]
const CORE_OPTIONS_INTERFACE: &str = CORE_OPTIONS;
#[allow(dead_code)] // read by the custom section, which the lint does not see
const CORE_OPTIONS: &str = r#"
/** The core's options by their JS names; an absent (undefined or null) option takes the core's default. */
export interface CoreOptions {
    failureThreshold?: number;
    windowSize?: number;
    resetTimeoutMs?: number;
    successThreshold?: number;
    halfOpenMaxCalls?: number;
    failureRateThreshold?: number;
    minimumCalls?: number;
    windowMs?: number;
    slowCallMs?: number;
    maxResetTimeoutMs?: number;
    probeTimeoutMs?: number;
}
/** The options' names in the order `status` writes the config's numbers. */
export type CoreOptionNames = readonly ["failureThreshold", "windowSize", "resetTimeoutMs", "successThreshold", "halfOpenMaxCalls", "failureRateThreshold", "minimumCalls", "windowMs", "slowCallMs", "maxResetTimeoutMs", "probeTimeoutMs"];
"#;

// The constructor's options, read by name from a plain JS object: one
// imported function for all of them (a getter each would add 2 KB of glue;
// serde, kilobytes of wasm).
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "CoreOptions")]
    pub type CoreOptions;
    /// `Reflect.get(options, name)`: undefined (or null) is `None`.
    #[wasm_bindgen(js_namespace = Reflect, js_name = get)]
    fn option(options: &CoreOptions, name: &str) -> Option<f64>;
}

/// Each option's JS name (as `CORE_OPTIONS` declares it: see the test below),
/// and where the core takes it.
pub(crate) type OptionField = fn(&mut NumberOptions) -> &mut Option<f64>;
pub(crate) const CORE_OPTION_FIELDS: [(&str, OptionField); 11] = [
    ("failureThreshold", |numbers| &mut numbers.failure_threshold),
    ("windowSize", |numbers| &mut numbers.window_size),
    ("resetTimeoutMs", |numbers| &mut numbers.reset_timeout_ms),
    ("successThreshold", |numbers| &mut numbers.success_threshold),
    ("halfOpenMaxCalls", |numbers| &mut numbers.half_open_max_calls),
    ("failureRateThreshold", |numbers| &mut numbers.failure_rate_threshold),
    ("minimumCalls", |numbers| &mut numbers.minimum_calls),
    ("windowMs", |numbers| &mut numbers.window_ms),
    ("slowCallMs", |numbers| &mut numbers.slow_call_ms),
    ("maxResetTimeoutMs", |numbers| &mut numbers.max_reset_timeout_ms),
    ("probeTimeoutMs", |numbers| &mut numbers.probe_timeout_ms),
];

/// The options read by name and checked by the core; a refusal is "<option> must be <rule>".
pub(crate) fn config_from(options: &CoreOptions) -> Result<Config, String> {
    let mut numbers = NumberOptions::default();
    for (name, field) in CORE_OPTION_FIELDS {
        *field(&mut numbers) = option(options, name);
    }
    Config::from_numbers(&numbers).map_err(refused)
}

/// A refused config as the constructor throws it: "<option> must be <rule>", without the value.
pub(crate) fn refused(error: ConfigError) -> String {
    error.requirement().to_text()
}

/// The options read and checked as `WasmBreaker`'s constructor does, with the
/// same words, for the coordinators, which throw an `Error` instead of a string.
#[cfg(feature = "coordinators")]
pub(crate) fn checked_options(options: &CoreOptions) -> Result<Config, JsError> {
    config_from(options).map_err(|error| JsError::new(&error))
}

/// A config a coordinator's core refused, thrown as [`checked_options`] throws it.
#[cfg(feature = "coordinators")]
pub(crate) fn refused_error(error: ConfigError) -> JsError {
    JsError::new(&refused(error))
}

#[cfg(test)]
mod tests {
    use super::{CORE_OPTIONS, CORE_OPTION_FIELDS};

    /// The TypeScript interface and tuple (which js/src/core-options.ts checks
    /// its names against) list exactly the options the constructor reads, the
    /// tuple in the order `status` writes them.
    #[test]
    fn the_typescript_declarations_name_every_option_read_in_order() {
        let declared: Vec<&str> = CORE_OPTIONS.lines().filter_map(|line| line.trim().strip_suffix("?: number;")).collect();
        let read: Vec<&str> = CORE_OPTION_FIELDS.iter().map(|(name, _)| *name).collect();
        assert_eq!(declared, read);
        let tuple = CORE_OPTIONS.split_once("CoreOptionNames = readonly [").and_then(|(_, rest)| rest.split_once("];"));
        let ordered: Vec<&str> = tuple.map(|(names, _)| names).unwrap_or_default().split(", ").map(|name| name.trim_matches('"')).collect();
        assert_eq!(ordered, read);
    }
}
