//! Per-call cost of acquire + success across the component boundary in
//! wasmtime, next to the native core doing the same in this process, and
//! wasmtime's own floor for the same crossings (`floor.rs`).
//! Run with --release (`make bench`); an optional argument sets the loop count.
//!
//! Both sides take a fixed time: the component reads it through its clock
//! import on each call (part of what is measured), the core is handed it.

mod floor;

use std::hint::black_box;
use std::time::Instant;

use edgebreaker_core::{Breaker, Config as NativeConfig, Millis, Outcome};
use edgebreaker_wasmtime::{defaults, Runtime};

const DEFAULT_LOOPS: u32 = 1_000_000;

/// Each figure is the median of this many timed runs, taken in turn, so a
/// burst of load on a shared machine moves one run of each, not one figure.
const ROUNDS: usize = 5;

/// What acquire + success through the component should cost at most.
const TARGET_NS: f64 = 300.0;

type Loop = Box<dyn FnMut(u32) -> wasmtime::Result<()>>;

fn main() -> wasmtime::Result<()> {
    let loops = std::env::args().nth(1).and_then(|arg| arg.parse().ok()).unwrap_or(DEFAULT_LOOPS);
    let runtime = Runtime::load()?;
    let engine = &runtime.engine;
    let [component, native, state_changes, core_nop, component_nop, method, method_clock] = medians(
        loops,
        [
            component_loop(&runtime)?,
            native_loop()?,
            state_changes_loop(&runtime)?,
            floor::core_nop(engine)?,
            floor::component_nop(engine)?,
            floor::resource_method(engine)?,
            floor::resource_method_reading_clock(engine)?,
        ],
    )?;
    println!("acquire + success, {loops} times each, median of {ROUNDS} runs (closed circuit, fixed clock)");
    println!("  component in wasmtime {component:>9.1} ns   (target <= {TARGET_NS:.0} ns)");
    println!("  native core           {native:>9.1} ns");
    println!("  ratio                 {:>9.1}x", component / native.max(f64::MIN_POSITIVE));
    println!("wasmtime's floor, the same engine running the least code per crossing (src/bin/bench/floor.wat):");
    println!("  core wasm call, empty                    {core_nop:>7.1} ns");
    println!("  component export, empty                  {component_nop:>7.1} ns");
    println!("  resource method, empty (handle lent)     {method:>7.1} ns");
    println!("  resource method reading a host clock     {method_clock:>7.1} ns");
    println!("  two of those, as acquire + success make  {:>7.1} ns", 2.0 * method_clock);
    println!("  edgebreaker's state-changes (a method, no clock) {state_changes:.1} ns");
    Ok(())
}

/// Runs each body once for warm-up, then times them in turn `ROUNDS` times;
/// the median ns per call of each.
fn medians<const N: usize>(loops: u32, mut bodies: [Loop; N]) -> wasmtime::Result<[f64; N]> {
    let mut runs = [[0.0; ROUNDS]; N];
    for body in &mut bodies {
        body(loops / 10)?;
    }
    for round in 0..ROUNDS {
        for (body, times) in bodies.iter_mut().zip(&mut runs) {
            let started = Instant::now();
            body(loops)?;
            if let Some(time) = times.get_mut(round) {
                *time = started.elapsed().as_secs_f64() * 1e9 / f64::from(loops.max(1));
            }
        }
    }
    Ok(runs.map(|mut times| {
        times.sort_by(f64::total_cmp);
        times.get(ROUNDS / 2).copied().unwrap_or(f64::NAN)
    }))
}

fn component_loop(runtime: &Runtime) -> wasmtime::Result<Loop> {
    let mut plugin = runtime.instantiate()?;
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

/// One method call on the breaker resource that does almost nothing.
fn state_changes_loop(runtime: &Runtime) -> wasmtime::Result<Loop> {
    let mut plugin = runtime.instantiate()?;
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
