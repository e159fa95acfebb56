//! Instructions per closed acquire + record, counted by callgrind: the bench's
//! loop (`src/main.rs`) and nothing else, run for a given number of calls, so
//! that the difference between two counts is the cost of the calls alone. The
//! config is the default but for a window of 10 that half failures never trip.
//!
//! ```sh
//! cargo build --release -p edgebreaker-native-bench --example closed_calls
//! for calls in 10000 20000; do
//!   valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/closed_calls success $calls
//! done   # (second count - first count) / 10000 = instructions per call
//! ```
//!
//! `success`: every outcome a success; `mixed`: every other one a failure
//! (the window never holds more than half failures, so the circuit stays closed);
//! `if-closed`: `acquire_if_closed` instead of `acquire(now)`. Release builds
//! strip symbols: to see where the instructions go, build with
//! `CARGO_PROFILE_RELEASE_STRIP=false CARGO_PROFILE_RELEASE_DEBUG=1` and read
//! the output file with `callgrind_annotate --auto=yes`.

use std::hint::black_box;

use edgebreaker_core::{Breaker, Config, Millis, Outcome};

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_default();
    let calls = args.next().and_then(|calls| calls.parse::<u32>().ok()).unwrap_or(10_000);
    // A failure threshold of the whole window: `mixed` never trips it.
    let config = Config { failure_threshold: 10, window_size: 10, ..Config::default() };
    let Ok(mut breaker) = Breaker::new(config) else {
        eprintln!("closed_calls: the config was refused");
        std::process::exit(1)
    };
    match mode.as_str() {
        "success" => acquire_and_record(&mut breaker, calls, |_| Outcome::Success),
        "mixed" => acquire_and_record(&mut breaker, calls, |i| if i & 1 == 1 { Outcome::Failure } else { Outcome::Success }),
        "if-closed" => acquire_if_closed_and_record(&mut breaker, calls),
        _ => {
            eprintln!("usage: closed_calls success|mixed|if-closed [calls]");
            std::process::exit(2)
        }
    }
    let metrics = breaker.status(Millis(u64::from(calls))).metrics;
    let admitted = metrics.counters.successful_calls.saturating_add(metrics.counters.failed_calls);
    println!("{mode}: {calls} calls, {admitted} admitted, {} state changes", metrics.state_changes);
}

#[inline(never)]
fn acquire_and_record(breaker: &mut Breaker, calls: u32, outcome: impl Fn(u32) -> Outcome) {
    for i in 0..calls {
        let now = Millis(u64::from(i));
        if let Ok(permit) = breaker.acquire(black_box(now)) {
            breaker.record(permit, black_box(outcome(i)), now);
        }
    }
}

#[inline(never)]
fn acquire_if_closed_and_record(breaker: &mut Breaker, calls: u32) {
    for i in 0..calls {
        if let Some(permit) = breaker.acquire_if_closed() {
            breaker.record(permit, black_box(Outcome::Success), Millis(u64::from(i)));
        }
    }
}
