//! edgebreaker/lite's binding: the breaker's table from JS calls to core calls,
//! as breaker.rs has it, exported as plain wasm functions instead of through
//! wasm-bindgen. Its class machinery (a borrow-checked cell around each object,
//! the shims that carry results and vectors through the stack, the table of JS
//! values) made lite's wasm about 17.5 KB where this makes it under 15, and its
//! glue was 13 KB of JavaScript where js/src/lite/wasm.ts, the other half of
//! this file, is about 3 (unminified; `make build` prints today's sizes).
//!
//! A breaker crosses as the address of its box, as wasm-bindgen's objects do:
//! JS hands it to every call, and to `breaker_free` once, when its object is
//! collected. What does not fit in arguments and a return value crosses
//! through the instance's one [`Exchange`]: the options in; a status, the
//! latest state changes or the words of a refusal out.

use alloc::boxed::Box;
use alloc::string::String;
use edgebreaker_core::{count_from_f64, Breaker, Millis, Outcome, Permit, Rejected, State, TRANSITIONS_KEPT};

use crate::numbers::{figures_of, state_code, token, transition_numbers, FIGURES, REJECTED, TRANSITION_NUMBERS};
use crate::{config_from, refused, CORE_OPTION_FIELDS};

/// The constructor's numbers: one per option, then the mask of those given (see [`config_from`]).
const OPTION_NUMBERS: usize = CORE_OPTION_FIELDS.len() + 1;

/// Room for the longest answer, the state changes kept (js/src/lite/wasm.ts
/// has the same figure: the tests below check it).
const EXCHANGE_NUMBERS: usize = TRANSITIONS_KEPT * TRANSITION_NUMBERS;
const _: () = assert!(EXCHANGE_NUMBERS >= FIGURES + CORE_OPTION_FIELDS.len() && EXCHANGE_NUMBERS >= OPTION_NUMBERS);

/// The numbers and words that cross between JS and the breakers, one per instance.
#[repr(C)]
pub struct Exchange {
    /// First, so that the exchange's address is theirs: JS reads and writes them as a Float64Array.
    numbers: [f64; EXCHANGE_NUMBERS],
    /// The constructor's last refusal: "<option> must be <rule>", the core's words.
    refusal: String,
}

pub struct LiteBreaker {
    core: Breaker,
    last_rejection: Option<Rejected>,
}

#[no_mangle]
pub extern "C" fn exchange_new() -> Box<Exchange> {
    Box::new(Exchange { numbers: [0.0; EXCHANGE_NUMBERS], refusal: String::new() })
}

/// Where the last refusal's UTF-8 starts.
#[no_mangle]
pub extern "C" fn exchange_refusal(exchange: &Exchange) -> *const u8 {
    exchange.refusal.as_ptr()
}

/// The last refusal's length in bytes.
#[no_mangle]
pub extern "C" fn exchange_refusal_length(exchange: &Exchange) -> usize {
    exchange.refusal.len()
}

/// A breaker built from the options in the exchange, or null when the core
/// refuses them, its words then in the exchange (without the value: the JS
/// side appends it as the caller wrote it).
#[no_mangle]
pub extern "C" fn breaker_new(exchange: &mut Exchange) -> Option<Box<LiteBreaker>> {
    let options = exchange.numbers.get(..OPTION_NUMBERS).unwrap_or_default();
    match config_from(options).and_then(|config| Breaker::new(config).map_err(refused)) {
        Ok(core) => Some(Box::new(LiteBreaker { core, last_rejection: None })),
        Err(refusal) => {
            exchange.refusal = refusal;
            None
        }
    }
}

#[no_mangle]
pub extern "C" fn breaker_free(breaker: Box<LiteBreaker>) {
    drop(breaker);
}

/// A permit token (≥ 0), or -1 when rejected (then see `breaker_rejected_state`/`breaker_rejected_retry_after_ms`).
#[no_mangle]
pub extern "C" fn breaker_acquire(breaker: &mut LiteBreaker, now: f64) -> f64 {
    match breaker.core.acquire(Millis::reading_from_f64(now)) {
        Ok(permit) => token(permit),
        Err(rejected) => {
            breaker.last_rejection = Some(rejected);
            REJECTED
        }
    }
}

/// A permit token without reading a clock, or -1 when the time is needed: call `breaker_acquire`.
#[no_mangle]
pub extern "C" fn breaker_acquire_if_closed(breaker: &mut LiteBreaker) -> f64 {
    breaker.core.acquire_if_closed().map_or(REJECTED, token)
}

/// The state of the last rejection: 1 open, 2 half_open.
#[no_mangle]
pub extern "C" fn breaker_rejected_state(breaker: &LiteBreaker) -> u8 {
    breaker.last_rejection.map_or(state_code(State::Open), |rejected| state_code(rejected.state))
}

/// Time until a probe for the last rejection; NaN when forced open until reset.
#[no_mangle]
pub extern "C" fn breaker_rejected_retry_after_ms(breaker: &LiteBreaker) -> f64 {
    breaker.last_rejection.and_then(|rejected| rejected.retry_after).map_or(f64::NAN, Millis::as_f64)
}

/// Settles a permit: outcome 0 success, 1 failure, 2 ignored (`acquired_at`:
/// as breaker.rs's `record`). Returns the count of state changes so far.
///
/// The outcome crosses as a u32 and is cut to its low byte, as wasm-bindgen's
/// shim cuts breaker.rs's `u8`: a `u8` parameter here would trust JS to pass
/// a number below 256, which nothing in wasm checks.
#[no_mangle]
pub extern "C" fn breaker_record(breaker: &mut LiteBreaker, token: f64, acquired_at: f64, outcome: u32, now: f64) -> f64 {
    let permit = Permit::from_numbers(token, acquired_at);
    #[allow(clippy::cast_possible_truncation)] // the cut is the point
    let outcome = Outcome::from_code(outcome as u8);
    breaker.core.record(permit, outcome, Millis::reading_from_f64(now));
    breaker_state_changes(breaker)
}

/// Settles a permit as failed, with the upstream's Retry-After. Returns the count of state changes so far.
#[no_mangle]
pub extern "C" fn breaker_record_retry_after(breaker: &mut LiteBreaker, token: f64, acquired_at: f64, retry_after_ms: f64, now: f64) -> f64 {
    let permit = Permit::from_numbers(token, acquired_at);
    let retry_after = Millis::saturating_from_f64(retry_after_ms);
    breaker.core.record_retry_after(permit, retry_after, Millis::reading_from_f64(now));
    breaker_state_changes(breaker)
}

/// 0 closed, 1 open, 2 half_open, at `now`.
#[no_mangle]
pub extern "C" fn breaker_state(breaker: &mut LiteBreaker, now: f64) -> u8 {
    state_code(breaker.core.state(Millis::reading_from_f64(now)))
}

/// Writes the status at `now` into the exchange, as breaker.rs's `status`
/// answers it (the figures, then each option, NaN where it is off), and
/// returns how many numbers that is.
#[no_mangle]
pub extern "C" fn breaker_status(breaker: &mut LiteBreaker, now: f64, exchange: &mut Exchange) -> usize {
    let status = breaker.core.status(Millis::reading_from_f64(now));
    let mut config = status.config.to_numbers();
    let options = CORE_OPTION_FIELDS.iter().map(|(_, field)| field(&mut config).unwrap_or(f64::NAN));
    write(&mut exchange.numbers, figures_of(&status).into_iter().chain(options))
}

#[no_mangle]
pub extern "C" fn breaker_reset(breaker: &mut LiteBreaker, now: f64) {
    breaker.core.reset(Millis::reading_from_f64(now));
}

/// Open now, for `duration_ms` when `timed` is not 0, else until reset.
#[no_mangle]
pub extern "C" fn breaker_force_open(breaker: &mut LiteBreaker, timed: u32, duration_ms: f64, now: f64) {
    let duration = (timed != 0).then(|| Millis::saturating_from_f64(duration_ms));
    breaker.core.force_open(duration, Millis::reading_from_f64(now));
}

#[no_mangle]
pub extern "C" fn breaker_state_changes(breaker: &LiteBreaker) -> f64 {
    breaker.core.state_changes() as f64
}

/// Writes the changes after the first `seen` into the exchange, as
/// breaker.rs's `transitionsSince` answers them, and returns how many numbers
/// that is (8 a change).
#[no_mangle]
pub extern "C" fn breaker_transitions_since(breaker: &LiteBreaker, seen: f64, exchange: &mut Exchange) -> usize {
    let changes = breaker.core.transitions_since(count_from_f64(seen));
    write(&mut exchange.numbers, changes.flat_map(transition_numbers))
}

/// The latest time any operation has passed in.
#[no_mangle]
pub extern "C" fn breaker_latest_time(breaker: &LiteBreaker) -> f64 {
    breaker.core.latest_time().as_f64()
}

/// `numbers` into `slots`, in order, as many as fit; how many that was.
fn write(slots: &mut [f64], numbers: impl IntoIterator<Item = f64>) -> usize {
    let mut written: usize = 0;
    for (slot, number) in slots.iter_mut().zip(numbers) {
        *slot = number;
        written = written.saturating_add(1);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaker::WasmBreaker;

    const OPTIONS: usize = CORE_OPTION_FIELDS.len();

    /// The constructor's numbers as the JS side writes them: a number per option (NaN where not given), then the mask.
    fn option_numbers(given: [Option<f64>; OPTIONS]) -> [f64; OPTION_NUMBERS] {
        let mut numbers = [f64::NAN; OPTION_NUMBERS];
        let mut mask = 0u32;
        for ((bit, slot), value) in numbers.iter_mut().enumerate().zip(given) {
            if let Some(value) = value {
                *slot = value;
                mask |= 1 << bit;
            }
        }
        numbers[OPTIONS] = f64::from(mask);
        numbers
    }

    fn exchange_with(given: [Option<f64>; OPTIONS]) -> Box<Exchange> {
        let mut exchange = exchange_new();
        let _ = write(&mut exchange.numbers, option_numbers(given));
        exchange
    }

    fn refusal(exchange: &Exchange) -> &str {
        assert_eq!(exchange_refusal(exchange), exchange.refusal.as_ptr());
        assert_eq!(exchange_refusal_length(exchange), exchange.refusal.len());
        &exchange.refusal
    }

    /// The exchange's first numbers are `expected`, bit for bit (NaN included).
    fn holds(exchange: &Exchange, expected: &[f64]) -> bool {
        let held = exchange.numbers.iter().take(expected.len()).map(|number| number.to_bits());
        held.eq(expected.iter().map(|number| number.to_bits())) && expected.len() <= EXCHANGE_NUMBERS
    }

    /// The same calls through lite's table and breaker.rs's give the same answers, number for number.
    #[test]
    fn both_tables_answer_alike() -> Result<(), String> {
        // failureThreshold 2, windowSize 4, resetTimeoutMs 1000, slowCallMs 50.
        let given = [Some(2.0), Some(4.0), Some(1000.0), None, None, None, None, None, Some(50.0), None, None];
        let mut exchange = exchange_with(given);
        let mut lite = breaker_new(&mut exchange).ok_or("refused")?;
        let mut bound = WasmBreaker::new(&option_numbers(given))?;
        let mut compare = |lite: &mut LiteBreaker, bound: &mut WasmBreaker, at: f64, what: &str| {
            assert_eq!(breaker_rejected_state(lite), bound.rejected_state(), "{what}: rejected state");
            let retry_after = bound.rejected_retry_after_ms().unwrap_or(f64::NAN);
            assert_eq!(breaker_rejected_retry_after_ms(lite).to_bits(), retry_after.to_bits(), "{what}: retry after");
            let status = bound.status(at);
            assert_eq!(breaker_status(lite, at, &mut exchange), status.len(), "{what}: status");
            assert!(holds(&exchange, &status), "{what}: status");
            let changes = bound.transitions_since(0.0);
            assert_eq!(breaker_transitions_since(lite, 0.0, &mut exchange), changes.len(), "{what}: changes");
            assert!(holds(&exchange, &changes), "{what}: changes");
            assert_eq!(breaker_latest_time(lite), bound.latest_time(), "{what}: latest time");
        };

        // Each outcome (256 + 2 cut to ignored, as wasm-bindgen cuts it), a slow success, the
        // circuit opening, a probe failed by a Retry-After, and calls while open and half-open.
        let calls = [(0.0, 0, 10.0), (10.0, 2, 20.0), (20.0, 258, 30.0), (30.0, 0, 100.0), (40.0, 1, 45.0), (50.0, 1, 55.0)];
        for (at, outcome, settled) in calls.into_iter().chain([(1100.0, 1, 1110.0), (1200.0, 0, 1210.0), (1300.0, 0, 1310.0)]) {
            let what = format!("a call at {at}");
            let (lite_token, bound_token) = (breaker_acquire(&mut lite, at), bound.acquire(at));
            assert_eq!(lite_token.to_bits(), bound_token.to_bits(), "{what}: token");
            assert_eq!(breaker_record(&mut lite, lite_token, at, outcome, settled), bound.record(bound_token, at, outcome as u8, settled), "{what}");
            compare(&mut lite, &mut bound, settled, &what);
        }
        let (lite_token, bound_token) = (breaker_acquire(&mut lite, 3000.0), bound.acquire(3000.0));
        let (lite_changes, bound_changes) =
            (breaker_record_retry_after(&mut lite, lite_token, 3000.0, 2500.0, 3010.0), bound.record_retry_after(bound_token, 3000.0, 2500.0, 3010.0));
        assert_eq!(lite_changes, bound_changes, "a Retry-After");
        compare(&mut lite, &mut bound, 3020.0, "a Retry-After");
        assert!(breaker_state_changes(&lite) >= 4.0, "the circuit opened, half-opened and opened again");

        breaker_reset(&mut lite, 6000.0);
        bound.reset(6000.0);
        let (lite_token, bound_token) = (breaker_acquire_if_closed(&mut lite), bound.acquire_if_closed());
        assert_eq!(lite_token.to_bits(), bound_token.to_bits(), "without the clock, slowCallMs set: -1");
        breaker_force_open(&mut lite, 1, 5.0, 6100.0);
        bound.force_open(Some(5.0), 6100.0);
        assert_eq!(breaker_state(&mut lite, 6106.0), bound.state(6106.0), "forced open for 5 ms, then half-open");
        compare(&mut lite, &mut bound, 6106.0, "forced open for 5 ms");
        breaker_force_open(&mut lite, 0, 5.0, 6200.0);
        bound.force_open(None, 6200.0);
        assert_eq!(breaker_state(&mut lite, 1e9), bound.state(1e9), "forced open until reset");
        compare(&mut lite, &mut bound, 1e9, "forced open until reset");
        breaker_free(lite);
        Ok(())
    }

    /// js/src/lite/wasm.ts views the exchange as EXCHANGE_NUMBERS numbers: the same figure as here.
    #[test]
    fn the_glue_views_the_whole_exchange() {
        let glue = include_str!("../../../js/src/lite/wasm.ts");
        assert!(glue.contains(&format!("const EXCHANGE_NUMBERS = {EXCHANGE_NUMBERS};")), "js/src/lite/wasm.ts's EXCHANGE_NUMBERS is not {EXCHANGE_NUMBERS}");
    }

    /// No options given: every default, whatever the numbers say.
    #[test]
    fn no_options_given_is_every_default() -> Result<(), String> {
        let mut exchange = exchange_with([None; OPTIONS]);
        let mut breaker = breaker_new(&mut exchange).ok_or("refused")?;
        assert_eq!(breaker_status(&mut breaker, 0.0, &mut exchange), FIGURES + OPTIONS);
        assert_eq!(exchange.numbers.get(FIGURES + 1), Some(&10.0), "windowSize's default");
        assert_eq!(breaker_acquire_if_closed(&mut breaker), 0.0, "the first permit's token");
        Ok(())
    }

    /// A refused option makes no breaker, and leaves the core's words in the exchange.
    #[test]
    fn a_refusal_is_null_and_its_words() {
        let mut given = [None; OPTIONS];
        given[1] = Some(0.0); // windowSize
        let mut exchange = exchange_with(given);
        assert!(breaker_new(&mut exchange).is_none());
        assert_eq!(refusal(&exchange), "windowSize must be an integer from 1 to 4096");
        given[1] = None;
        given[5] = Some(1.5); // failureRateThreshold
        let mut exchange = exchange_with(given);
        assert!(breaker_new(&mut exchange).is_none());
        assert_eq!(refusal(&exchange), "failureRateThreshold must be a number greater than 0 and at most 1");
    }
}
