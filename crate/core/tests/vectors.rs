#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Runs every conformance vector in host-tests/vectors against the core.
//! The same files run in every host; see host-tests/vectors/README.md.

use std::collections::HashMap;
use std::path::PathBuf;

use edgebreaker_core::{Breaker, Config, Millis, Outcome, Permit};
use serde_json::{json, Value};

#[path = "support/expect.rs"]
mod expect;
use expect::{expect_equal, expect_subset};

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../host-tests/vectors")
}

#[test]
fn every_vector_passes() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(vectors_dir())
        .expect("host-tests/vectors exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 40, "expected at least 40 vectors, found {}", files.len());
    let failures: Vec<String> = files
        .iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(path).expect("readable vector");
            let vector: Value = serde_json::from_str(&text).expect("vector is JSON");
            run(&vector).err().map(|why| format!("{}: {why}", path.file_name().unwrap_or_default().to_string_lossy()))
        })
        .collect();
    assert!(failures.is_empty(), "{} of {} vectors failed:\n{}", failures.len(), files.len(), failures.join("\n"));
    println!("{} vectors passed", files.len());
}

fn run(vector: &Value) -> Result<(), String> {
    let config = vector.get("config").cloned().unwrap_or_else(|| json!({}));
    if let Some(expected) = vector.get("expectConfigError").and_then(Value::as_str) {
        return match serde_path_to_error::deserialize::<_, Config>(config) {
            // Unknown names and values of the wrong type (negative, fractional) are
            // refused by deserialisation; the error's path or message names the option.
            Err(error) if error.path().to_string() == expected || error.to_string().contains(expected) => Ok(()),
            Err(error) => Err(format!("config error {error:?} does not name {expected}")),
            Ok(config) => match Breaker::new(config) {
                Err(error) if error.option() == expected => Ok(()),
                Err(error) => Err(format!("config error names {}, expected {expected}", error.option())),
                Ok(_) => Err(format!("config accepted, expected an error naming {expected}")),
            },
        };
    }
    let config: Config = serde_json::from_value(config).map_err(|e| format!("bad config: {e}"))?;
    let mut breaker = Breaker::new(config).map_err(|e| format!("config refused: {e}"))?;
    let mut permits: HashMap<String, Permit> = HashMap::new();
    let mut seen_changes = 0;
    let mut transitions: Vec<Value> = Vec::new();
    let steps = vector.get("steps").and_then(Value::as_array).ok_or("no steps")?;
    for (index, step) in steps.iter().enumerate() {
        let at = Millis(step.get("at").and_then(Value::as_u64).unwrap_or(0));
        let label = || step.get("permit").and_then(Value::as_str).unwrap_or_default().to_owned();
        let op = step.get("op").and_then(Value::as_str).unwrap_or_default();
        let result = match op {
            "acquire" => {
                let got = match breaker.acquire(at) {
                    Ok(permit) => {
                        permits.insert(label(), permit);
                        json!("admitted")
                    }
                    Err(rejected) => json!({ "rejected": {
                        "state": rejected.state.as_str(),
                        "retryAfterMs": rejected.retry_after.map(|ms| ms.0),
                    }}),
                };
                expect_equal(&step["expect"], &got)
            }
            "settle" => {
                let permit = *permits.get(&label()).ok_or_else(|| format!("unknown permit {}", label()))?;
                let outcome = match step["outcome"].as_str() {
                    Some("success") => Outcome::Success,
                    Some("failure") => Outcome::Failure,
                    Some("ignored") => Outcome::Ignored,
                    other => return Err(format!("step {index}: bad outcome {other:?}")),
                };
                match step.get("retryAfterMs").and_then(Value::as_u64) {
                    Some(ms) => breaker.record_retry_after(permit, Millis(ms), at),
                    None => breaker.record(permit, outcome, at),
                }
                Ok(())
            }
            "status" => {
                let status = serde_json::to_value(breaker.status(at)).map_err(|e| e.to_string())?;
                expect_subset(&step["expect"], &status, "status")
            }
            "reset" => {
                breaker.reset(at);
                Ok(())
            }
            "forceOpen" => {
                breaker.force_open(step["durationMs"].as_u64().map(Millis), at);
                Ok(())
            }
            "transitions" => expect_equal(&step["expect"], &Value::Array(std::mem::take(&mut transitions))),
            other => Err(format!("unknown op {other:?}")),
        };
        result.map_err(|why| format!("step {index} ({op}): {why}"))?;
        for change in breaker.transitions_since(seen_changes) {
            transitions.push(json!({ "from": change.from.as_str(), "to": change.to.as_str(), "at": change.at.0 }));
        }
        seen_changes = breaker.state_changes();
    }
    Ok(())
}
