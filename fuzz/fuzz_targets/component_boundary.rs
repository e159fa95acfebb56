//! The component's boundary, compiled natively from the component's own
//! sources (`circuit.rs`, `permits.rs`, `convert.rs`, `ids.rs`, included by
//! path below with the same WIT bindings): what a host can pass across it.
//! Configs of any values, clock readings of any u64, and permits issued,
//! settled twice, carried to another breaker or forged. Checked after every
//! step: a permit is accepted exactly when it is one of its breaker's and
//! unsettled, every call is accounted for, a refused config says what the
//! native core says, and a reading beyond 2^53 - 1 admits nothing.
//!
//! Only `breaker.rs` (the resource: it reads the imported clock and hands the
//! reading to a `Circuit`) and `registry.rs` (a map of names) are left out;
//! the wasmtime tests drive those through the real component.
#![no_main]

extern crate alloc;

#[allow(dead_code, clippy::all)]
mod bindings {
    wit_bindgen::generate!({ world: "edgebreaker", path: "../crate/component/wit", additional_derives: [PartialEq] });
}
#[allow(dead_code)]
#[path = "../../crate/component/src/circuit.rs"]
mod circuit;
#[allow(dead_code)]
#[path = "../../crate/component/src/convert.rs"]
mod convert;
#[path = "../../crate/component/src/ids.rs"]
mod ids;
#[allow(dead_code)]
#[path = "../../crate/component/src/permits.rs"]
mod permits;

use std::collections::HashSet;

use bindings::exports::edgebreaker::breaker::types::{AcquireError, Config, Permit, PermitError};
use circuit::Circuit;
use edgebreaker_core::{Outcome, MAX_MILLIS};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = Unstructured::new(data);
    let _ = run(&mut input);
});

struct Side {
    circuit: Circuit,
    /// (slot, ticket) of every permit issued and not settled.
    outstanding: HashSet<(u32, u64)>,
    /// Every permit ever issued, settled or not.
    issued: Vec<Permit>,
}

fn run(input: &mut Unstructured<'_>) -> Result<()> {
    let mut sides = Vec::new();
    for _ in 0..2 {
        let config = config(input)?;
        let reading: u64 = input.arbitrary()?;
        match Circuit::create(None, &config, || reading) {
            Ok(circuit) => sides.push(Side { circuit, outstanding: HashSet::new(), issued: Vec::new() }),
            Err(error) => {
                let native = edgebreaker_core::Breaker::new(convert::config_from_wit(&config)).err();
                let native = native.unwrap_or_else(|| panic!("refused {config:?}, which the core accepts"));
                assert_eq!((error.option.as_str(), error.message), (native.option(), native.to_string()));
            }
        }
    }
    if sides.is_empty() {
        return Ok(());
    }
    while !input.is_empty() {
        let now = reading(input)?;
        let index = input.choose_index(sides.len())?;
        match input.int_in_range(0..=6u8)? {
            0 | 1 => {
                let side = &mut sides[index];
                let before = side.circuit.status(now).metrics;
                match side.circuit.acquire(now) {
                    Ok(permit) => {
                        assert!(now <= MAX_MILLIS, "admitted on a reading beyond 2^53 - 1");
                        assert!(side.outstanding.insert((permit.slot, permit.ticket)), "a permit issued twice");
                        side.issued.push(permit);
                    }
                    Err(AcquireError::ClockOutOfRange(reading)) => {
                        assert!(reading == now && now > MAX_MILLIS);
                        assert_eq!(side.circuit.status(now).metrics, before, "a refused reading counts nothing");
                    }
                    Err(AcquireError::Rejected(_)) => assert!(now <= MAX_MILLIS),
                }
            }
            2..=4 => {
                let permit = permit(input, &sides, index)?;
                let retry_after = if input.ratio(1, 5)? { Some(input.arbitrary()?) } else { None };
                let outcome = match input.int_in_range(0..=2u8)? {
                    0 => Outcome::Success,
                    1 => Outcome::Failure,
                    _ => Outcome::Ignored,
                };
                let own_id = own_id(&sides[index]);
                let side = &mut sides[index];
                let answer = side.circuit.settle(permit, outcome, retry_after, now);
                let key = (permit.slot, permit.ticket);
                match answer {
                    Ok(()) => {
                        assert_eq!(Some(permit.breaker_id), own_id);
                        assert!(side.outstanding.remove(&key), "accepted a permit that was not out: {permit:?}");
                    }
                    Err(PermitError::OtherBreaker) => assert_ne!(Some(permit.breaker_id), own_id),
                    Err(PermitError::AlreadySettled | PermitError::Unknown) => {
                        assert!(!side.outstanding.contains(&key), "refused a permit that was out: {permit:?}");
                    }
                }
            }
            5 => sides[index].circuit.force_open(if input.arbitrary()? { Some(input.arbitrary()?) } else { None }, now),
            6 => sides[index].circuit.reset(now),
            _ => {}
        }
        for side in &mut sides {
            let status = side.circuit.status(now);
            let m = &status.metrics;
            assert_eq!(m.total_calls, m.successful_calls + m.failed_calls + m.blocked_calls + m.ignored_calls + m.in_flight);
            assert_eq!(m.in_flight, side.outstanding.len() as u64, "in flight = permits out");
            let changes = side.circuit.state_changes();
            assert!(side.circuit.transitions_since(changes.saturating_sub(8)).len() <= 8);
        }
    }
    Ok(())
}

fn own_id(side: &Side) -> Option<u64> {
    side.issued.first().map(|permit| permit.breaker_id)
}

/// A permit to settle on `sides[index]`: one of its own (out or settled), the
/// other breaker's, or a forgery.
fn permit(input: &mut Unstructured<'_>, sides: &[Side], index: usize) -> Result<Permit> {
    let own = &sides[index].issued;
    let other = sides.get(1 - index.min(1)).map(|side| &side.issued);
    Ok(match input.int_in_range(0..=5u8)? {
        0..=2 if !own.is_empty() => own[input.choose_index(own.len())?],
        3 if other.is_some_and(|issued| !issued.is_empty()) => {
            let issued = other.unwrap_or(own);
            issued[input.choose_index(issued.len())?]
        }
        4 if !own.is_empty() => {
            let real = own[input.choose_index(own.len())?];
            Permit { slot: input.arbitrary()?, ticket: real.ticket, ..real }
        }
        _ => Permit { breaker_id: input.arbitrary()?, slot: input.arbitrary()?, ticket: input.arbitrary()? },
    })
}

/// Any value of every field, biased towards the edges.
fn config(input: &mut Unstructured<'_>) -> Result<Config> {
    let count = |input: &mut Unstructured<'_>| -> Result<Option<u32>> {
        Ok(match input.int_in_range(0..=5u8)? {
            0 => None,
            1 => Some(input.arbitrary()?),
            _ => Some(input.int_in_range(0..=12u32)?),
        })
    };
    let duration = |input: &mut Unstructured<'_>| -> Result<Option<u64>> {
        Ok(match input.int_in_range(0..=6u8)? {
            0 => None,
            1 => Some(input.arbitrary()?),
            2 => Some(MAX_MILLIS + u64::from(input.int_in_range(0..=1u8)?)),
            _ => Some(input.int_in_range(0..=3_000u64)?),
        })
    };
    Ok(Config {
        failure_threshold: count(input)?,
        window_size: count(input)?,
        reset_timeout_ms: duration(input)?,
        success_threshold: count(input)?,
        half_open_max_calls: count(input)?,
        failure_rate_threshold: if input.arbitrary()? { Some(input.arbitrary()?) } else { None },
        minimum_calls: count(input)?,
        window_ms: duration(input)?,
        slow_call_ms: duration(input)?,
        max_reset_timeout_ms: duration(input)?,
        probe_timeout_ms: duration(input)?,
    })
}

/// A host clock reading: usually plausible, sometimes anything a u64 holds.
fn reading(input: &mut Unstructured<'_>) -> Result<u64> {
    Ok(match input.int_in_range(0..=9u8)? {
        0 => input.arbitrary()?,
        1 => MAX_MILLIS + u64::from(input.int_in_range(0..=1u8)?),
        2 => u64::MAX,
        _ => input.int_in_range(0..=20_000u64)?,
    })
}
