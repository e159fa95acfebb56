//! JS numbers to the core's integer types. The core checks ranges; this only
//! refuses what the core's types cannot hold (fractions, negatives, NaN),
//! with a message that names the option. Messages leave out the value: the
//! caller has it, and formatting an f64 would add 16 KB of wasm.

use edgebreaker_core::MAX_MILLIS;

/// A count: a whole number that fits in u32.
pub(crate) fn count(option: &str, value: f64) -> Result<u32, String> {
    if value.fract() == 0.0 && value >= 0.0 && value <= f64::from(u32::MAX) {
        // Whole, in range: the cast is exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(value as u32)
    } else {
        Err(format!("{option} must be a whole number from 0 to {}", u32::MAX))
    }
}

/// A duration in ms: finite and ≥ 0; a fraction of a millisecond is dropped.
pub(crate) fn duration(option: &str, value: f64) -> Result<u64, String> {
    edgebreaker_core::Millis::from_f64(value)
        .map(|ms| ms.0)
        .ok_or_else(|| format!("{option} must be a finite number of milliseconds from 0 to {MAX_MILLIS}"))
}

pub(crate) fn optional<T>(
    value: Option<f64>,
    convert: impl FnOnce(f64) -> Result<T, String>,
) -> Result<Option<T>, String> {
    value.map(convert).transpose()
}

pub(crate) fn or_default<T>(value: Option<f64>, default: T, convert: impl FnOnce(f64) -> Result<T, String>) -> Result<T, String> {
    value.map_or(Ok(default), convert)
}
