//! The conformance vectors' runner: one walker over host-tests/vectors and
//! one interpreter of their steps, shared by the core's runner
//! (crate/core/tests/vectors.rs) and the component's
//! (host-tests/wasmtime/tests/component/vectors.rs), which include this file
//! by path beside `expect.rs`. A host says only how it does each step
//! ([`VectorHost`]); what a step means and how its result is judged is here.

use std::collections::HashMap;
use std::path::Path;

use edgebreaker_core::{Millis, Outcome, Rejected, State, Transition};
use serde_json::{json, Value};

use super::expect::{expect_equal, expect_subset};
use super::walk::run_each_vector;

/// A breaker the vectors drive: the native core, or the component in
/// wasmtime. An `Err` is a failure of the host (a trap, a disagreement with
/// the native core), and fails the vector with its words.
pub trait VectorHost: Sized {
    type Permit: Copy;

    /// Passes when the host refuses `config` (the vector's JSON) naming `option`.
    fn expect_refused(config: &Value, option: &str) -> Result<(), String>;

    /// A breaker with `config` (the vector's JSON, options by their JS names).
    fn create(config: &Value) -> Result<Self, String>;

    fn acquire(&mut self, at: Millis) -> Result<Result<Self::Permit, Rejected>, String>;

    /// Settles with `outcome` or, given a Retry-After, as a failure that asks for that wait.
    fn settle(&mut self, permit: Self::Permit, outcome: Outcome, retry_after: Option<Millis>, at: Millis) -> Result<(), String>;

    /// The status as the core serialises it (what the vectors are written against).
    fn status(&mut self, at: Millis) -> Result<Value, String>;

    fn reset(&mut self, at: Millis) -> Result<(), String>;

    fn force_open(&mut self, duration: Option<Millis>, at: Millis) -> Result<(), String>;

    /// The state changes after the first `seen`, and the count of state changes so far.
    fn transitions_since(&mut self, seen: u64) -> Result<(Vec<Transition>, u64), String>;

    /// The snapshot's JSON text, as the host hands it out.
    fn snapshot(&mut self, at: Millis) -> Result<String, String>;

    /// Replaces the breaker with one restored from `snapshot` (JSON text) with
    /// `config` (the vector's JSON); `Ok(Err(field))` when the host refuses it
    /// naming `field`, the breaker left as it was.
    fn restore(&mut self, config: &Value, snapshot: &str, at: Millis) -> Result<Result<(), String>, String>;
}

/// Runs every vector in `dir` on `H`; fails naming each vector that did not
/// pass, and why. Returns how many ran.
pub fn run_every_vector<H: VectorHost>(dir: &Path) -> usize {
    run_each_vector(dir, 40, run::<H>)
}

fn run<H: VectorHost>(vector: &Value) -> Result<(), String> {
    let config = vector.get("config").cloned().unwrap_or_else(|| json!({}));
    if let Some(option) = vector.get("expectConfigError").and_then(Value::as_str) {
        return H::expect_refused(&config, option);
    }
    let mut run = Run { host: H::create(&config)?, config, permits: HashMap::new(), seen: 0, transitions: Vec::new() };
    let steps = vector.get("steps").and_then(Value::as_array).ok_or("no steps")?;
    for (index, step) in steps.iter().enumerate() {
        let op = step.get("op").and_then(Value::as_str).unwrap_or_default();
        run.step(step, op).map_err(|why| format!("step {index} ({op}): {why}"))?;
    }
    Ok(())
}

/// One vector in progress.
struct Run<H: VectorHost> {
    host: H,
    /// The vector's config, which a restored breaker takes too.
    config: Value,
    /// Permits by the vector's labels.
    permits: HashMap<String, H::Permit>,
    /// State changes already collected.
    seen: u64,
    /// Collected since the last "transitions" step, as the vectors write them.
    transitions: Vec<Value>,
}

impl<H: VectorHost> Run<H> {
    fn step(&mut self, step: &Value, op: &str) -> Result<(), String> {
        let at = Millis(step.get("at").and_then(Value::as_u64).unwrap_or(0));
        let label = step.get("permit").and_then(Value::as_str).unwrap_or_default().to_owned();
        match op {
            "acquire" => {
                let got = match self.host.acquire(at)? {
                    Ok(permit) => {
                        self.permits.insert(label, permit);
                        json!("admitted")
                    }
                    Err(rejected) => json!({ "rejected": {
                        "state": rejected.state.as_str(),
                        "retryAfterMs": rejected.retry_after.map(|ms| ms.0),
                    }}),
                };
                expect_equal(&step["expect"], &got)?;
            }
            "settle" => {
                let permit = *self.permits.get(&label).ok_or_else(|| format!("unknown permit {label}"))?;
                let outcome = match step["outcome"].as_str() {
                    Some("success") => Outcome::Success,
                    Some("failure") => Outcome::Failure,
                    Some("ignored") => Outcome::Ignored,
                    other => return Err(format!("bad outcome {other:?}")),
                };
                let retry_after = step.get("retryAfterMs").and_then(Value::as_u64).map(Millis);
                self.host.settle(permit, outcome, retry_after, at)?;
            }
            "status" => expect_subset(&step["expect"], &self.host.status(at)?, "status")?,
            "reset" => self.host.reset(at)?,
            "forceOpen" => self.host.force_open(step["durationMs"].as_u64().map(Millis), at)?,
            "transitions" => expect_equal(&step["expect"], &Value::Array(std::mem::take(&mut self.transitions)))?,
            "snapshot" => {
                let text = self.host.snapshot(at)?;
                let got: Value = serde_json::from_str(&text).map_err(|e| format!("snapshot is not JSON ({e}): {text}"))?;
                expect_equal(&step["expect"], &got)?;
            }
            "restore" => {
                let snapshot = step.get("snapshot").ok_or("no snapshot")?.to_string();
                match (self.host.restore(&self.config, &snapshot, at)?, step.get("expectError").and_then(Value::as_str)) {
                    // A new breaker: its state changes count from 0, and permits of the old one are gone.
                    (Ok(()), None) => {
                        self.seen = 0;
                        self.permits.clear();
                    }
                    (Err(field), Some(expected)) if field == expected => {}
                    (Err(field), expected) => return Err(format!("refused naming {field}, expected {expected:?}")),
                    (Ok(()), Some(expected)) => return Err(format!("restored, expected a refusal naming {expected}")),
                }
            }
            other => return Err(format!("unknown op {other:?}")),
        }
        let (changes, seen) = self.host.transitions_since(self.seen)?;
        self.transitions.extend(changes.iter().map(transition_json));
        self.seen = seen;
        Ok(())
    }
}

/// A transition as the vectors write it (and JS announces it): the cause by
/// name, its figures and, for a change to open, the open time (null: until reset).
fn transition_json(change: &Transition) -> Value {
    let mut json = json!({ "from": change.from.as_str(), "to": change.to.as_str(), "at": change.at.0, "cause": change.cause.as_str() });
    if let Some(tally) = change.cause.window() {
        json["failures"] = json!(tally.failures);
        json["calls"] = json!(tally.calls);
    }
    if let Some(wait) = change.cause.retry_after() {
        json["retryAfterMs"] = json!(wait.0);
    }
    if change.to == State::Open {
        json["openForMs"] = json!(change.open_for.map(|open_for| open_for.0));
    }
    json
}
