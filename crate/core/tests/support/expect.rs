//! How the vector runner (`runner.rs`) compares a vector's expectations with
//! what a host did. Included by path beside it, by the core's tests
//! (crate/core/tests/vectors.rs) and the component's
//! (host-tests/wasmtime/tests/component/vectors.rs).

use serde_json::Value;

pub fn expect_equal(expected: &Value, got: &Value) -> Result<(), String> {
    if expected == got {
        Ok(())
    } else {
        Err(format!("expected {expected}, got {got}"))
    }
}

/// Every key in `expected` must match `got`; numbers (the rates) within 1e-9, as the format says.
pub fn expect_subset(expected: &Value, got: &Value, path: &str) -> Result<(), String> {
    match (expected, got) {
        (Value::Object(expected), Value::Object(got)) => expected.iter().try_for_each(|(key, value)| {
            expect_subset(value, got.get(key).unwrap_or(&Value::Null), &format!("{path}.{key}"))
        }),
        (Value::Number(a), Value::Number(b))
            if (a.as_f64().unwrap_or(f64::NAN) - b.as_f64().unwrap_or(0.0)).abs() < 1e-9 =>
        {
            Ok(())
        }
        _ if expected == got => Ok(()),
        _ => Err(format!("{path}: expected {expected}, got {got}")),
    }
}
