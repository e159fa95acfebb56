//! Every conformance vector in host-tests/vectors, through the component with
//! a clock the test sets before each step. Each step is also run on the
//! native core, and the component must agree with it exactly: every acquire
//! answer, every transition, and the whole status (every counter, the rates
//! to the last bit, the config), not only the keys a vector lists.

use std::collections::HashMap;
use std::path::PathBuf;

use edgebreaker_core::{Breaker, Millis, Outcome};
use edgebreaker_wasmtime::{AcquireError, Permit, Plugin, State, Status, Transition};
use serde_json::{json, Value};

#[path = "../../../../crate/core/tests/support/expect.rs"]
mod expect;
use expect::{expect_equal, expect_subset};
use wasmtime::component::ResourceAny;

use crate::config_json::config_from_json;
use crate::support::plugin;

#[test]
fn every_vector_passes_in_wasmtime_and_agrees_with_the_native_core() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("host-tests/vectors exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 40, "expected at least 40 vectors, found {}", files.len());
    let failures: Vec<String> = files
        .iter()
        .filter_map(|path| {
            let vector: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("readable")).expect("JSON");
            run(&vector).err().map(|why| format!("{}: {why}", path.file_name().unwrap_or_default().to_string_lossy()))
        })
        .collect();
    assert!(failures.is_empty(), "{} of {} vectors failed:\n{}", failures.len(), files.len(), failures.join("\n"));
    println!("{} vectors passed in wasmtime", files.len());
}

fn run(vector: &Value) -> Result<(), String> {
    let config_json = vector.get("config").cloned().unwrap_or_else(|| json!({}));
    let mut plugin = plugin();
    if let Some(expected) = vector.get("expectConfigError").and_then(Value::as_str) {
        return expect_config_error(&mut plugin, &config_json, expected);
    }
    let config = config_from_json(&config_json).map_err(|option| format!("host refused {option}"))?;
    let breaker = plugin.create(None, config).map_err(trap)?.map_err(|e| format!("config refused: {}", e.message))?;
    let native_config = serde_json::from_value(config_json).map_err(|e| format!("bad config: {e}"))?;
    let native = Breaker::new(native_config).map_err(|e| format!("native refused: {e}"))?;
    let mut run = Run { plugin, breaker, native, permits: HashMap::new(), seen: 0, transitions: Vec::new() };
    let steps = vector.get("steps").and_then(Value::as_array).ok_or("no steps")?;
    for (index, step) in steps.iter().enumerate() {
        let op = step.get("op").and_then(Value::as_str).unwrap_or_default();
        run.step(step, op).map_err(|why| format!("step {index} ({op}): {why}"))?;
    }
    Ok(())
}

/// Refused by the host's conversion (a value the WIT record cannot hold) or
/// by the component, naming `expected`; a component error says what the core says.
fn expect_config_error(plugin: &mut Plugin, config_json: &Value, expected: &str) -> Result<(), String> {
    let config = match config_from_json(config_json) {
        Err(option) if option == expected => return Ok(()),
        Err(option) => return Err(format!("host refused {option}, expected {expected}")),
        Ok(config) => config,
    };
    match plugin.create(None, config).map_err(trap)? {
        Ok(_) => Err(format!("config accepted, expected an error naming {expected}")),
        Err(error) if error.option != expected => Err(format!("config error names {}, expected {expected}", error.option)),
        Err(error) => {
            let native = serde_json::from_value(config_json.clone()).map_err(|e| e.to_string())?;
            match Breaker::new(native) {
                Err(native) if native.to_string() == error.message => Ok(()),
                other => Err(format!("component says {:?}, native core says {other:?}", error.message)),
            }
        }
    }
}

/// One vector in progress: the component's breaker and the native one beside it.
struct Run {
    plugin: Plugin,
    breaker: ResourceAny,
    native: Breaker,
    permits: HashMap<String, (Permit, edgebreaker_core::Permit)>,
    /// State changes already collected (the same count on both sides, or a step fails).
    seen: u64,
    transitions: Vec<Value>,
}

impl Run {
    fn step(&mut self, step: &Value, op: &str) -> Result<(), String> {
        let at = step.get("at").and_then(Value::as_u64).unwrap_or(0);
        self.plugin.set_time(at);
        let now = Millis(at);
        let label = step.get("permit").and_then(Value::as_str).unwrap_or_default().to_owned();
        match op {
            "acquire" => {
                let got = match (self.plugin.acquire(self.breaker).map_err(trap)?, self.native.acquire(now)) {
                    (Ok(permit), Ok(native)) => {
                        self.permits.insert(label, (permit, native));
                        json!("admitted")
                    }
                    (Err(AcquireError::Rejected(rejection)), Err(native)) => {
                        let got = json!({ "rejected": {
                            "state": state_name(rejection.state), "retryAfterMs": rejection.retry_after_ms } });
                        let native = json!({ "rejected": {
                            "state": native.state.as_str(), "retryAfterMs": native.retry_after.map(|ms| ms.0) } });
                        same("acquire", &got, &native)?;
                        got
                    }
                    (got, native) => return Err(format!("component {got:?}, native core {native:?}")),
                };
                expect_equal(&step["expect"], &got)?;
            }
            "settle" => {
                let (permit, native) = *self.permits.get(&label).ok_or_else(|| format!("unknown permit {label}"))?;
                let breaker = self.breaker;
                let settled = match (step["outcome"].as_str(), step.get("retryAfterMs").and_then(Value::as_u64)) {
                    (_, Some(ms)) => {
                        self.native.record_retry_after(native, Millis(ms), now);
                        self.plugin.failure_with_retry_after(breaker, permit, ms)
                    }
                    (Some("success"), None) => {
                        self.native.record(native, Outcome::Success, now);
                        self.plugin.success(breaker, permit)
                    }
                    (Some("failure"), None) => {
                        self.native.record(native, Outcome::Failure, now);
                        self.plugin.failure(breaker, permit)
                    }
                    (Some("ignored"), None) => {
                        self.native.record(native, Outcome::Ignored, now);
                        self.plugin.ignore(breaker, permit)
                    }
                    (other, None) => return Err(format!("bad outcome {other:?}")),
                };
                settled.map_err(trap)?.map_err(|error| format!("permit refused: {error:?}"))?;
            }
            "status" => {
                let got = status_json(&self.plugin.status(self.breaker).map_err(trap)?);
                let native = serde_json::to_value(self.native.status(now)).map_err(|e| e.to_string())?;
                same("status", &got, &native)?;
                expect_subset(&step["expect"], &got, "status")?;
            }
            "reset" => {
                self.plugin.reset(self.breaker).map_err(trap)?;
                self.native.reset(now);
            }
            "forceOpen" => {
                let duration = step["durationMs"].as_u64();
                self.plugin.force_open(self.breaker, duration).map_err(trap)?;
                self.native.force_open(duration.map(Millis), now);
            }
            "transitions" => expect_equal(&step["expect"], &Value::Array(std::mem::take(&mut self.transitions)))?,
            other => return Err(format!("unknown op {other:?}")),
        }
        self.collect_transitions()
    }

    /// The state changes this step caused, read through the component's
    /// `transitions-since`, which must match the native core's.
    fn collect_transitions(&mut self) -> Result<(), String> {
        let changes = self.plugin.transitions_since(self.breaker, self.seen).map_err(trap)?;
        let got: Vec<Value> = changes.iter().map(transition_json).collect();
        let native: Vec<Value> = self
            .native
            .transitions_since(self.seen)
            .map(|change| json!({ "from": change.from.as_str(), "to": change.to.as_str(), "at": change.at.0 }))
            .collect();
        same("transitions", &Value::Array(got.clone()), &Value::Array(native))?;
        self.transitions.extend(got);
        self.seen = self.plugin.state_changes(self.breaker).map_err(trap)?;
        same("state changes", &json!(self.seen), &json!(self.native.state_changes()))
    }
}

fn trap(error: wasmtime::Error) -> String {
    format!("wasmtime error (the component must never trap): {error:?}")
}

fn state_name(state: State) -> &'static str {
    match state {
        State::Closed => "closed",
        State::Open => "open",
        State::HalfOpen => "half_open",
    }
}

fn transition_json(change: &Transition) -> Value {
    json!({ "from": state_name(change.from), "to": state_name(change.to), "at": change.at })
}

/// The status as the core's serde shape (what the vectors are written against); the name aside.
fn status_json(status: &Status) -> Value {
    let (config, metrics) = (&status.config, &status.metrics);
    json!({
        "state": state_name(status.state),
        "retryAfterMs": status.retry_after_ms,
        "metrics": {
            "totalCalls": metrics.total_calls,
            "successfulCalls": metrics.successful_calls,
            "failedCalls": metrics.failed_calls,
            "blockedCalls": metrics.blocked_calls,
            "ignoredCalls": metrics.ignored_calls,
            "slowCalls": metrics.slow_calls,
            "inFlight": metrics.in_flight,
            "stateChanges": metrics.state_changes,
            "lastFailureTime": metrics.last_failure_time,
            "lastSuccessTime": metrics.last_success_time,
            "failureRate": metrics.failure_rate,
            "successRate": metrics.success_rate,
        },
        "config": {
            "failureThreshold": config.failure_threshold,
            "windowSize": config.window_size,
            "resetTimeoutMs": config.reset_timeout_ms,
            "successThreshold": config.success_threshold,
            "halfOpenMaxCalls": config.half_open_max_calls,
            "failureRateThreshold": config.failure_rate_threshold,
            "minimumCalls": config.minimum_calls,
            "windowMs": config.window_ms,
            "slowCallMs": config.slow_call_ms,
            "maxResetTimeoutMs": config.max_reset_timeout_ms,
            "probeTimeoutMs": config.probe_timeout_ms,
        },
    })
}

/// The component and the native core must agree exactly.
fn same(what: &str, component: &Value, native: &Value) -> Result<(), String> {
    if component == native {
        Ok(())
    } else {
        Err(format!("{what}: component {component}, native core {native}"))
    }
}
