//! Embeds the edgebreaker component in a Rust program, with the real clock.
//! Run: cargo run -p edgebreaker-wasmtime --bin embed [path/to/edgebreaker_component.wasm]
use std::time::{SystemTime, UNIX_EPOCH};

use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Engine, Store};

wasmtime::component::bindgen!({ path: "../../crate/component/wit", world: "edgebreaker" });
use exports::edgebreaker::breaker::types::{AcquireError, Config};

/// The component's one import: milliseconds since the Unix epoch.
struct RealClock;
impl edgebreaker::breaker::clock::Host for RealClock {
    fn now_ms(&mut self) -> u64 {
        let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX)
    }
}

/// Every option at its default: write `Config { failure_threshold: Some(3), ..DEFAULTS }`.
#[rustfmt::skip]
const DEFAULTS: Config = Config { failure_threshold: None, window_size: None, reset_timeout_ms: None,
    success_threshold: None, half_open_max_calls: None, failure_rate_threshold: None, minimum_calls: None,
    window_ms: None, slow_call_ms: None, max_reset_timeout_ms: None, probe_timeout_ms: None };

fn main() -> wasmtime::Result<()> {
    let path = std::env::args().nth(1).unwrap_or("target/wasm32-wasip2/release/edgebreaker_component.wasm".into());
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    Edgebreaker::add_to_linker::<RealClock, HasSelf<RealClock>>(&mut linker, |clock| clock)?;
    let mut store = Store::new(&engine, RealClock);
    let plugin = Edgebreaker::instantiate(&mut store, &Component::from_file(&engine, path)?, &linker)?;
    let (registry, breaker) = (plugin.edgebreaker_breaker_registry(), plugin.edgebreaker_breaker_breakers().breaker());

    let config = Config { failure_threshold: Some(3), reset_timeout_ms: Some(30_000), ..DEFAULTS };
    let llm = registry.call_get_or_create(&mut store, "llm-api", config)?.map_err(|e| wasmtime::Error::msg(e.message))?;
    match breaker.call_acquire(&mut store, llm)? {
        Ok(permit) => breaker.call_success(&mut store, llm, permit)?.map_err(|e| wasmtime::format_err!("{e:?}"))?,
        Err(AcquireError::Rejected(rejected)) => println!("blocked; retry in {:?} ms", rejected.retry_after_ms),
        Err(AcquireError::ClockOutOfRange(ms)) => println!("the clock read {ms}, beyond 2^53-1 ms: not admitted"),
    }
    let status = breaker.call_status(&mut store, llm)?;
    println!("{} is {:?}: {:?}", status.name, status.state, status.metrics);
    Ok(())
}
