//! Every conformance vector in host-tests/vectors, through the component with
//! a clock the test sets before each step. Each step is also run on the
//! native core, and the component must agree with it exactly: every acquire
//! answer, every transition, and the whole status (every counter, the rates
//! to the last bit, the config), not only the keys a vector lists.

use std::path::PathBuf;

use edgebreaker_core::{Breaker, Millis, Outcome, Rejected, Transition};
use edgebreaker_wasmtime::{AcquireError, Cause, Permit, Plugin, State, Status, WindowTally};
use serde_json::{json, Value};
use wasmtime::component::ResourceAny;

#[path = "../../../../crate/core/tests/support/expect.rs"]
mod expect;
#[path = "../../../../crate/core/tests/support/walk.rs"]
mod walk;
#[path = "../../../../crate/core/tests/support/runner.rs"]
mod runner;
use runner::{run_every_vector, VectorHost};

use crate::config_json::{config_from_json, refused_as_the_core_refuses};
use crate::support::{plugin, trap};

#[test]
fn every_vector_passes_in_wasmtime_and_agrees_with_the_native_core() {
    let count = run_every_vector::<Beside>(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors"));
    println!("{count} vectors passed in wasmtime");
}

/// The component's breaker with the native one beside it: each step is done
/// on both, at the same time (the component's clock is set before every
/// call), and what the component answers must be what the core answers.
struct Beside {
    plugin: Plugin,
    breaker: ResourceAny,
    native: Breaker,
}

impl VectorHost for Beside {
    type Permit = (Permit, edgebreaker_core::Permit);

    /// Refused by the host's conversion (a value the WIT record cannot hold)
    /// or by the component, as the native core refuses it.
    fn expect_refused(config: &Value, option: &str) -> Result<(), String> {
        match config_from_json(config) {
            Err(refused) if refused == option => Ok(()),
            Err(refused) => Err(format!("host refused {refused}, expected {option}")),
            Ok(_) => refused_as_the_core_refuses(&mut plugin(), config, option),
        }
    }

    fn create(config: &Value) -> Result<Beside, String> {
        let mut plugin = plugin();
        let wit = config_from_json(config).map_err(|option| format!("host refused {option}"))?;
        let breaker = plugin.create(None, wit).map_err(trap)?.map_err(|e| format!("config refused: {}", e.message))?;
        let native_config = serde_json::from_value(config.clone()).map_err(|e| format!("bad config: {e}"))?;
        let native = Breaker::new(native_config).map_err(|e| format!("native refused: {e}"))?;
        Ok(Beside { plugin, breaker, native })
    }

    fn acquire(&mut self, at: Millis) -> Result<Result<Self::Permit, Rejected>, String> {
        self.plugin.set_time(at.0);
        match (self.plugin.acquire(self.breaker).map_err(trap)?, self.native.acquire(at)) {
            (Ok(permit), Ok(native)) => Ok(Ok((permit, native))),
            (Err(AcquireError::Rejected(rejection)), Err(native)) => {
                let got = Rejected { state: core_state(rejection.state), retry_after: rejection.retry_after_ms.map(Millis) };
                same("acquire", &got, &native)?;
                Ok(Err(got))
            }
            (got, native) => Err(format!("component {got:?}, native core {native:?}")),
        }
    }

    fn settle(&mut self, (permit, native): Self::Permit, outcome: Outcome, retry_after: Option<Millis>, at: Millis) -> Result<(), String> {
        self.plugin.set_time(at.0);
        let breaker = self.breaker;
        let settled = match (retry_after, outcome) {
            (Some(wait), _) => {
                self.native.record_retry_after(native, wait, at);
                self.plugin.failure_with_retry_after(breaker, permit, wait.0)
            }
            (None, outcome) => {
                self.native.record(native, outcome, at);
                match outcome {
                    Outcome::Success => self.plugin.success(breaker, permit),
                    Outcome::Failure => self.plugin.failure(breaker, permit),
                    Outcome::Ignored => self.plugin.ignore(breaker, permit),
                }
            }
        };
        settled.map_err(trap)?.map_err(|error| format!("permit refused: {error:?}"))
    }

    /// The whole status must agree (every counter, the rates to the last
    /// bit, the config), not only the keys a vector lists.
    fn status(&mut self, at: Millis) -> Result<Value, String> {
        self.plugin.set_time(at.0);
        let got = status_json(&self.plugin.status(self.breaker).map_err(trap)?);
        let native = serde_json::to_value(self.native.status(at)).map_err(|e| e.to_string())?;
        same("status", &got, &native)?;
        Ok(got)
    }

    fn reset(&mut self, at: Millis) -> Result<(), String> {
        self.plugin.set_time(at.0);
        self.plugin.reset(self.breaker).map_err(trap)?;
        self.native.reset(at);
        Ok(())
    }

    fn force_open(&mut self, duration: Option<Millis>, at: Millis) -> Result<(), String> {
        self.plugin.set_time(at.0);
        self.plugin.force_open(self.breaker, duration.map(|ms| ms.0)).map_err(trap)?;
        self.native.force_open(duration, at);
        Ok(())
    }

    /// Read through the component's `transitions-since` and `state-changes`,
    /// which must match the native core's.
    fn transitions_since(&mut self, seen: u64) -> Result<(Vec<Transition>, u64), String> {
        let got: Vec<Transition> = self
            .plugin
            .transitions_since(self.breaker, seen)
            .map_err(trap)?
            .iter()
            .map(|change| Transition {
                from: core_state(change.from),
                to: core_state(change.to),
                at: Millis(change.at),
                cause: core_cause(change.cause),
                open_for: change.open_for_ms.map(Millis),
            })
            .collect();
        let native: Vec<Transition> = self.native.transitions_since(seen).collect();
        same("transitions", &got, &native)?;
        let count = self.plugin.state_changes(self.breaker).map_err(trap)?;
        same("state changes", &count, &self.native.state_changes())?;
        Ok((got, count))
    }

    /// The component's text must be the native core's, to the byte.
    fn snapshot(&mut self, at: Millis) -> Result<String, String> {
        self.plugin.set_time(at.0);
        let got = self.plugin.snapshot(self.breaker).map_err(trap)?;
        same("snapshot", &got, &self.native.snapshot(at).to_json())?;
        Ok(got)
    }

    /// Restored, or refused with the native core's field and words, by both.
    fn restore(&mut self, config: &Value, snapshot: &str, at: Millis) -> Result<Result<(), String>, String> {
        self.plugin.set_time(at.0);
        let wit = config_from_json(config).map_err(|option| format!("host refused {option}"))?;
        let native_config = serde_json::from_value(config.clone()).map_err(|e| format!("bad config: {e}"))?;
        match (self.plugin.restore(None, wit, snapshot).map_err(trap)?, Breaker::restore_json(native_config, snapshot, at)) {
            (Ok(breaker), Ok(native)) => {
                let replaced = std::mem::replace(&mut self.breaker, breaker);
                self.plugin.drop_breaker(replaced).map_err(trap)?;
                self.native = native;
                Ok(Ok(()))
            }
            (Err(refused), Err(native)) => {
                let native = (native.field.clone(), native.to_string());
                same("refusal", &(refused.field.clone(), refused.message), &native)?;
                Ok(Err(refused.field))
            }
            (got, native) => Err(format!("component {:?}, native core {:?}", got.map(drop), native.map(drop))),
        }
    }
}

fn core_state(state: State) -> edgebreaker_core::State {
    match state {
        State::Closed => edgebreaker_core::State::Closed,
        State::Open => edgebreaker_core::State::Open,
        State::HalfOpen => edgebreaker_core::State::HalfOpen,
    }
}

fn core_cause(cause: Cause) -> edgebreaker_core::Cause {
    use edgebreaker_core::Cause as Core;
    let tally = |tally: WindowTally| edgebreaker_core::WindowTally { failures: tally.failures, calls: tally.calls };
    match cause {
        Cause::FailureThreshold(window) => Core::FailureThreshold(tally(window)),
        Cause::FailureRate(window) => Core::FailureRate(tally(window)),
        Cause::SlowCalls(window) => Core::SlowCalls(window.map(tally)),
        Cause::RetryAfter(wait) => Core::RetryAfter(Millis(wait)),
        Cause::ProbeFailed => Core::ProbeFailed,
        Cause::ProbeExpired => Core::ProbeExpired,
        Cause::OpenTimeElapsed => Core::OpenTimeElapsed,
        Cause::ProbesSucceeded => Core::ProbesSucceeded,
        Cause::Reset => Core::Reset,
        Cause::ForceOpen => Core::ForceOpen,
        Cause::Fleet => Core::Fleet,
    }
}

/// The status as the core's serde shape (what the vectors are written against); the name aside.
fn status_json(status: &Status) -> Value {
    let (config, metrics) = (&status.config, &status.metrics);
    json!({
        "state": core_state(status.state).as_str(),
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
fn same<T: PartialEq + std::fmt::Debug>(what: &str, component: &T, native: &T) -> Result<(), String> {
    if component == native {
        Ok(())
    } else {
        Err(format!("{what}: component {component:?}, native core {native:?}"))
    }
}
