//! Per-call cost of acquire + success across the component boundary in
//! wasmtime, next to the native core doing the same in this process.
//! Run with --release (`make bench`); an optional argument sets the loop count.
//!
//! Both sides take a fixed time: the component reads it through its clock
//! import on each call (part of what is measured), the core is handed it.

use std::hint::black_box;
use std::time::Instant;

use edgebreaker_core::{Breaker, Config as NativeConfig, Millis, Outcome};
use edgebreaker_wasmtime::{defaults, Runtime};

const DEFAULT_LOOPS: u32 = 1_000_000;

fn main() -> wasmtime::Result<()> {
    let loops = std::env::args().nth(1).and_then(|arg| arg.parse().ok()).unwrap_or(DEFAULT_LOOPS);
    let component = per_call_ns(loops, component_loop()?)?;
    let native = per_call_ns(loops, native_loop()?)?;
    let crossing = per_call_ns(loops, crossing_loop()?)?;
    println!("acquire + success, {loops} times each (closed circuit, fixed clock)");
    println!("  component in wasmtime {component:>9.1} ns");
    println!("  native core           {native:>9.1} ns");
    println!("  ratio                 {:>9.1}x", component / native.max(f64::MIN_POSITIVE));
    println!("  (one bare export call, state-changes: {crossing:.1} ns; acquire + success is two, plus two clock reads)");
    Ok(())
}

type Loop = Box<dyn FnMut(u32) -> wasmtime::Result<()>>;

/// Runs `body` once for warm-up, then times it.
fn per_call_ns(loops: u32, mut body: Loop) -> wasmtime::Result<f64> {
    body(loops / 10)?;
    let started = Instant::now();
    body(loops)?;
    Ok(started.elapsed().as_secs_f64() * 1e9 / f64::from(loops.max(1)))
}

fn component_loop() -> wasmtime::Result<Loop> {
    let mut plugin = Runtime::load()?.instantiate()?;
    plugin.set_time(1_000);
    let breaker = plugin.create(Some("bench"), defaults())?.map_err(|error| wasmtime::Error::msg(error.message))?;
    Ok(Box::new(move |loops| {
        for _ in 0..loops {
            let permit = plugin.acquire(breaker)?.map_err(|_| wasmtime::Error::msg("a closed circuit rejected"))?;
            plugin.success(breaker, permit)?.map_err(|error| wasmtime::format_err!("{error:?}"))?;
        }
        Ok(())
    }))
}

/// The floor: one method call on the breaker resource that does almost nothing.
fn crossing_loop() -> wasmtime::Result<Loop> {
    let mut plugin = Runtime::load()?.instantiate()?;
    let breaker = plugin.create(None, defaults())?.map_err(|error| wasmtime::Error::msg(error.message))?;
    Ok(Box::new(move |loops| {
        for _ in 0..loops {
            black_box(plugin.state_changes(breaker)?);
        }
        Ok(())
    }))
}

fn native_loop() -> wasmtime::Result<Loop> {
    let mut breaker = Breaker::new(NativeConfig::default()).map_err(wasmtime::Error::msg)?;
    let now = Millis(1_000);
    Ok(Box::new(move |loops| {
        for _ in 0..loops {
            let permit = breaker.acquire(black_box(now)).map_err(|_| wasmtime::Error::msg("a closed circuit rejected"))?;
            breaker.record(black_box(permit), Outcome::Success, black_box(now));
        }
        black_box(&breaker);
        Ok(())
    }))
}
