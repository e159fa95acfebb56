#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Runs every conformance vector in host-tests/vectors against the core.
//! The same files run in every host; see host-tests/vectors/README.md.

use std::path::PathBuf;

use edgebreaker_core::{Breaker, Config, Millis, Outcome, Permit, Rejected, Transition};
use serde_json::Value;

#[path = "support/expect.rs"]
mod expect;
#[path = "support/walk.rs"]
mod walk;
#[path = "support/runner.rs"]
mod runner;
use runner::{run_every_vector, VectorHost};

#[test]
fn every_vector_passes() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../host-tests/vectors");
    let count = run_every_vector::<Breaker>(&dir);
    println!("{count} vectors passed");
}

/// The core itself is the host: each step is one call.
impl VectorHost for Breaker {
    type Permit = Permit;

    fn expect_refused(config: &Value, option: &str) -> Result<(), String> {
        match serde_path_to_error::deserialize::<_, Config>(config.clone()) {
            // Unknown names and values of the wrong type (negative, fractional) are
            // refused by deserialisation; the error's path or message names the option.
            Err(error) if error.path().to_string() == option || error.to_string().contains(option) => Ok(()),
            Err(error) => Err(format!("config error {error:?} does not name {option}")),
            Ok(config) => match Breaker::new(config) {
                Err(error) if error.option() == option => Ok(()),
                Err(error) => Err(format!("config error names {}, expected {option}", error.option())),
                Ok(_) => Err(format!("config accepted, expected an error naming {option}")),
            },
        }
    }

    fn create(config: &Value) -> Result<Breaker, String> {
        let config: Config = serde_json::from_value(config.clone()).map_err(|e| format!("bad config: {e}"))?;
        Breaker::new(config).map_err(|e| format!("config refused: {e}"))
    }

    fn acquire(&mut self, at: Millis) -> Result<Result<Permit, Rejected>, String> {
        Ok(Breaker::acquire(self, at))
    }

    fn settle(&mut self, permit: Permit, outcome: Outcome, retry_after: Option<Millis>, at: Millis) -> Result<(), String> {
        match retry_after {
            Some(wait) => self.record_retry_after(permit, wait, at),
            None => self.record(permit, outcome, at),
        }
        Ok(())
    }

    fn status(&mut self, at: Millis) -> Result<Value, String> {
        serde_json::to_value(Breaker::status(self, at)).map_err(|e| e.to_string())
    }

    fn reset(&mut self, at: Millis) -> Result<(), String> {
        Breaker::reset(self, at);
        Ok(())
    }

    fn force_open(&mut self, duration: Option<Millis>, at: Millis) -> Result<(), String> {
        Breaker::force_open(self, duration, at);
        Ok(())
    }

    fn transitions_since(&mut self, seen: u64) -> Result<(Vec<Transition>, u64), String> {
        Ok((Breaker::transitions_since(self, seen).collect(), self.state_changes()))
    }

    fn snapshot(&mut self, at: Millis) -> Result<String, String> {
        Ok(Breaker::snapshot(self, at).to_json())
    }

    fn restore(&mut self, config: &Value, snapshot: &str, at: Millis) -> Result<Result<(), String>, String> {
        let config: Config = serde_json::from_value(config.clone()).map_err(|e| format!("bad config: {e}"))?;
        match Breaker::restore_json(config, snapshot, at) {
            Ok(restored) => {
                *self = restored;
                Ok(Ok(()))
            }
            Err(refused) => Ok(Err(refused.field)),
        }
    }
}
