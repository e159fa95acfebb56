//! The npm package's bindings (wasm-bindgen's, and lite.rs's plain exports):
//! tables from JS calls to core calls. Behaviour lives in the core, and so
//! does what a number that cannot be read means (edgebreaker-core's `numbers`
//! module): nothing here can trap or decide.
//!
//! The npm package ships three builds of this crate, so that an application
//! pays only for what it imports:
//! - feature `breaker-full`: the breakers with snapshots, their fleet side and
//!   the figures the exporters read (the main entries: edgebreaker in Node,
//!   Deno, browsers and workerd);
//! - feature `lite`: the breakers alone (edgebreaker/lite), exported as plain
//!   wasm functions, without wasm-bindgen (lite.rs says why);
//! - feature `coordinators`: the fleet's coordinators, run by a Durable Object
//!   or against a shared store (edgebreaker/cloudflare, /deno, /redis).
//!
//! All three are on by default, so that the tests and lints see every table.
//!
//! On wasm32 the crate is `no_std`, like the core: std's panic machinery and
//! its formatting would cost each build about 2 KB, and with `panic = "abort"`
//! a panic traps either way (the lints forbid what could panic). Tests keep std.
#![cfg_attr(all(target_arch = "wasm32", not(test)), no_std)]

extern crate alloc;

use alloc::string::String;
use edgebreaker_core::{Config, ConfigError, NumberOptions};
#[cfg(any(feature = "breaker-full", feature = "coordinators"))]
use wasm_bindgen::prelude::*;

#[cfg(any(feature = "breaker-full", feature = "lite"))]
mod numbers;

#[cfg(feature = "breaker-full")]
mod breaker;
#[cfg(feature = "breaker-full")]
mod figures;
#[cfg(feature = "breaker-full")]
mod fleet_member;
#[cfg(feature = "breaker-full")]
mod snapshot;

#[cfg(feature = "lite")]
mod lite;

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

/// The core's names in the orders the bindings hand them over as numbers: the
/// options, as the constructors read them and `status` writes them, and the
/// causes, by the code `transitionsSince` gives. The package's build turns
/// these tuples into the lists its JavaScript uses (js/scripts/core-names.mjs);
/// the tests below check them against the binding and the core.
#[cfg(any(feature = "breaker-full", feature = "coordinators"))]
#[wasm_bindgen(typescript_custom_section)]
const CORE_NAME_TUPLES_SECTION: &str = CORE_NAME_TUPLES;
#[allow(dead_code)] // read by the custom section, which the lint does not see
const CORE_NAME_TUPLES: &str = r#"
/** The core's options in the order the constructors read them (a number each, then a bit each for those given) and `status` writes them. */
export type CoreOptionNames = readonly ["failureThreshold", "windowSize", "resetTimeoutMs", "successThreshold", "halfOpenMaxCalls", "failureRateThreshold", "minimumCalls", "windowMs", "slowCallMs", "maxResetTimeoutMs", "probeTimeoutMs"];
/** The core's transition causes, each at its code (edgebreaker-core's `Cause::code`). */
export type CoreCauseNames = readonly ["failure_threshold", "failure_rate", "slow_calls", "retry_after", "probe_failed", "probe_expired", "open_time_elapsed", "probes_succeeded", "reset", "force_open", "fleet"];
"#;

/// Each option's JS name (as `CoreOptionNames` lists it: see the test below),
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

/// The constructors' options: a number per option in `CoreOptionNames` order,
/// then, as the last number, which of them were given: bit i for option i (the
/// others take the core's default; no numbers at all, every default). One copy
/// into wasm memory: read by name instead, a call back into JS and a decoded
/// string each, a new core breaker cost 6 to 7.5 µs in Node against 1.3 µs.
/// Checked by the core; a refusal is "<option> must be <rule>".
pub(crate) fn config_from(options: &[f64]) -> Result<Config, String> {
    let (given, values) = options.split_last().map_or((0, options), |(given, values)| (*given as u32, values));
    let mut numbers = NumberOptions::default();
    for (bit, ((_, field), value)) in CORE_OPTION_FIELDS.iter().zip(values).enumerate() {
        let is_given = 1u32.checked_shl(bit as u32).is_some_and(|mask| given & mask != 0);
        *field(&mut numbers) = is_given.then_some(*value);
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
pub(crate) fn checked_options(options: &[f64]) -> Result<Config, JsError> {
    config_from(options).map_err(|error| JsError::new(&error))
}

/// A config a coordinator's core refused, thrown as [`checked_options`] throws it.
#[cfg(feature = "coordinators")]
pub(crate) fn refused_error(error: ConfigError) -> JsError {
    JsError::new(&refused(error))
}

#[cfg(test)]
mod tests {
    use super::{config_from, CORE_NAME_TUPLES, CORE_OPTION_FIELDS};
    use edgebreaker_core::{Cause, Config};

    /// Only the options whose bit is set are read; a NaN given is refused, not taken for the default.
    #[test]
    fn the_mask_says_which_options_were_given() {
        let mut numbers = [0.0; 12];
        numbers[0] = 7.0; // failureThreshold, given
        numbers[2] = f64::NAN; // resetTimeoutMs, not given
        numbers[11] = 0b1.into();
        let config = config_from(&numbers).unwrap_or_default();
        assert_eq!((config.failure_threshold, config.reset_timeout_ms), (7, Config::default().reset_timeout_ms));
        numbers[11] = 0b101.into();
        assert_eq!(config_from(&numbers).err().as_deref(), Some("resetTimeoutMs must be a whole number of milliseconds from 1 to 9007199254740991"));
        assert_eq!(config_from(&[]), Ok(Config::default()), "no numbers, no mask: every default");
    }

    /// A tuple of the custom section, by its type's name.
    fn tuple(name: &str) -> Vec<&'static str> {
        let head = format!("{name} = readonly [");
        let names = CORE_NAME_TUPLES.split_once(head.as_str()).and_then(|(_, rest)| rest.split_once("];")).map(|(names, _)| names);
        names.unwrap_or_default().split(", ").map(|name| name.trim_matches('"')).collect()
    }

    /// The options' tuple lists exactly the options the constructors read, in order.
    #[test]
    fn the_typescript_tuple_names_every_option_read_in_order() {
        let read: Vec<&str> = CORE_OPTION_FIELDS.iter().map(|(name, _)| *name).collect();
        assert_eq!(tuple("CoreOptionNames"), read);
    }

    /// The causes' tuple lists each cause's name at its code (which the core's tests check `Cause::NAMES` for).
    #[test]
    fn the_typescript_tuple_names_every_cause_at_its_code() {
        assert_eq!(tuple("CoreCauseNames"), Cause::NAMES);
    }
}
