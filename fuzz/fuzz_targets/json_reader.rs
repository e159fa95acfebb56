//! The wire's JSON reader (`edgebreaker_core::json`) on arbitrary bytes,
//! against serde_json as a reference, and the wire documents (fleet reports,
//! snapshots, leases, persisted state; breaker snapshots) read from the same
//! text.
#![no_main]

use edgebreaker_core::fleet::{FleetReport, FleetSnapshot, Lease, PersistedFleet};
use edgebreaker_core::json::{parse, Value};
use edgebreaker_core::Snapshot;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let reference = serde_json::from_str::<serde_json::Value>(text);
    match parse(text) {
        Ok(value) => {
            // Printing reads back to the same value, and prints the same again.
            let printed = value.to_json();
            assert_eq!(parse(&printed).as_ref(), Ok(&value), "{text:?} printed as {printed:?}");
            assert_eq!(parse(&printed).map(|again| again.to_json()), Ok(printed.clone()));
            // Whatever it takes, serde_json takes, to the same value (but for
            // numbers beyond f64, which serde_json refuses and this keeps as text).
            match reference {
                Ok(reference) => assert_eq!(as_serde(&value), reference, "{text:?}"),
                Err(error) if error.to_string().contains("number out of range") => {}
                Err(error) => panic!("{text:?} read, serde_json refuses it: {error}"),
            }
        }
        Err(error) => {
            // What it refuses that serde_json takes is refused for a rule of
            // its own: depth, duplicate keys, key count or length.
            if reference.is_ok() {
                let own_rule = ["nested more than", "duplicate key", "more than 256 keys", "longer than"].iter().any(|rule| error.message.contains(rule));
                assert!(own_rule, "{text:?} refused ({error}), serde_json takes it");
            }
        }
    }
    // The wire documents read without panicking, and what they take prints back to itself.
    if let Ok(report) = FleetReport::from_json(text) {
        assert_eq!(FleetReport::from_json(&report.to_json()), Ok(report));
    }
    if let Ok(snapshot) = FleetSnapshot::from_json(text) {
        assert_eq!(FleetSnapshot::from_json(&snapshot.to_json()), Ok(snapshot));
    }
    if let Ok(lease) = Lease::from_json(text) {
        assert_eq!(Lease::from_json(&lease.to_json()), Ok(lease));
    }
    if let Ok(persisted) = PersistedFleet::from_json(text) {
        assert_eq!(PersistedFleet::from_json(&persisted.to_json()), Ok(persisted));
    }
    if let Ok(snapshot) = Snapshot::from_json(text) {
        assert_eq!(Snapshot::from_json(&snapshot.to_json()), Ok(snapshot));
    }
});

/// The same value as serde_json holds it (numbers other than whole ones
/// through serde_json's own reading of their text).
fn as_serde(value: &Value) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(value) => serde_json::Value::Bool(*value),
        Value::Number(number) => match number.as_u64() {
            Some(whole) => serde_json::Value::from(whole),
            None => serde_json::from_str(&value.to_json()).unwrap_or_default(),
        },
        Value::String(text) => serde_json::Value::String(text.clone()),
        Value::Array(items) => serde_json::Value::Array(items.iter().map(as_serde).collect()),
        Value::Object(members) => {
            serde_json::Value::Object(members.iter().map(|(key, value)| (key.to_string(), as_serde(value))).collect())
        }
    }
}
