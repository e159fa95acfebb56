//! edgebreaker as a WebAssembly component: the WIT world `edgebreaker:breaker`
//! (see `wit/breaker.wit`) over edgebreaker-core.
//!
//! This crate translates and keeps books; it decides nothing about circuits.
//! What it adds to the core is what a boundary needs:
//! - time, read once per operation from the imported `clock` ([`breaker`]);
//!   a reading beyond 2^53 - 1 ms admits no call ([`circuit`]);
//! - permits as checked plain data ([`permits`], [`circuit`]), so that a
//!   forged, settled or foreign permit is a typed error instead of a second
//!   outcome, with breaker ids unlike another instance's ([`ids`]);
//! - breakers shared by name ([`registry`]).
//!
//! On wasm32 the crate is `no_std` (the core is too), so the component imports
//! nothing but the clock: no WASI at all, and a host needs nothing else to run it.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

mod breaker;
#[cfg(target_arch = "wasm32")]
mod cabi;
mod circuit;
mod convert;
mod ids;
mod permits;
mod registry;

/// Generated code; the workspace lints are for code we write.
#[allow(clippy::all, clippy::arithmetic_side_effects, clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod bindings {
    wit_bindgen::generate!({
        world: "edgebreaker",
        path: "wit",
    });
}

use bindings::exports::edgebreaker::breaker::breakers;

/// The exported world.
struct Component;

impl breakers::Guest for Component {
    type Breaker = breaker::BreakerHandle;
}

// Only a wasm build exports the world: export names such as
// `edgebreaker:breaker/breakers@0.1.0#...` are not valid native symbols, and
// a native build exists only to run the unit tests.
#[cfg(target_arch = "wasm32")]
bindings::export!(Component with_types_in bindings);

// `core` calls `memcmp`, `memcpy` and friends and, on wasm32-wasip2, expects
// libc to define them. wasi-libc's are plain code that imports nothing, and
// from a static library only what is called gets linked.
#[cfg(target_arch = "wasm32")]
#[link(name = "c")]
extern "C" {}

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

/// Nothing here panics by design (the workspace lints deny the ways in); were
/// something to, the instance traps, as wasm has no other way to stop.
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
