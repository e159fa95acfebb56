//! `make bench` (native part): ns per protected call in the closed state, for
//! the edgebreaker core and two Rust peers, interleaved rounds, median reported.

use std::hint::black_box;
use std::time::Instant;

use edgebreaker_core::{Breaker, Config, Millis, Outcome};

const CALLS_PER_ROUND: u32 = 2_000_000;
const ROUNDS: usize = 7;

fn main() {
    let mut edgebreaker = Breaker::new(Config::default()).unwrap_or_else(|error| unreachable_config(&error));
    let failsafe = failsafe::Config::new().build();
    let recloser = recloser::Recloser::default();

    let mut timings: [(&str, Vec<f64>); 4] = [
        ("edgebreaker acquire(now)+record", Vec::new()),
        ("edgebreaker acquire_if_closed+record", Vec::new()),
        ("failsafe call", Vec::new()),
        ("recloser call", Vec::new()),
    ];
    for _ in 0..ROUNDS {
        for (index, (_, samples)) in timings.iter_mut().enumerate() {
            let ns = match index {
                0 => time(|i| {
                    let now = Millis(u64::from(i));
                    if let Ok(permit) = edgebreaker.acquire(black_box(now)) {
                        edgebreaker.record(permit, black_box(Outcome::Success), now);
                    }
                }),
                1 => time(|i| {
                    if let Some(permit) = edgebreaker.acquire_if_closed() {
                        edgebreaker.record(permit, black_box(Outcome::Success), Millis(u64::from(i)));
                    }
                }),
                2 => time(|i| {
                    let _ = black_box(failsafe::CircuitBreaker::call(&failsafe, || Ok::<u32, ()>(black_box(i))));
                }),
                _ => time(|i| {
                    let _ = black_box(recloser.call(|| Ok::<u32, ()>(black_box(i))));
                }),
            };
            samples.push(ns);
        }
    }
    let ours = median(&mut timings[0].1.clone());
    println!("native, closed circuit, {CALLS_PER_ROUND} calls x {ROUNDS} rounds (median ns per call):");
    for (name, samples) in timings.iter_mut() {
        let ns = median(samples);
        println!("  {name:<38} {ns:>7.2} ns   edgebreaker acquire+record is {:.2}x this", ours / ns);
    }
}

fn time(mut call: impl FnMut(u32)) -> f64 {
    let start = Instant::now();
    for i in 0..CALLS_PER_ROUND {
        call(i);
    }
    start.elapsed().as_secs_f64() * 1e9 / f64::from(CALLS_PER_ROUND)
}

fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}

fn unreachable_config(error: &edgebreaker_core::ConfigError) -> ! {
    eprintln!("default config refused: {error}");
    std::process::exit(1)
}
