//! The `breaker` resource: each method reads the clock once and hands the
//! reading to its [`Circuit`]. Handles share one circuit, so the registry can
//! hand out the same breaker twice.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use edgebreaker_core::Outcome;
use spin::Mutex;

use crate::bindings::edgebreaker::breaker::clock;
use crate::bindings::exports::edgebreaker::breaker::breakers::{Breaker as BreakerResource, GuestBreaker};
use crate::bindings::exports::edgebreaker::breaker::types::{
    AcquireError, Config, ConfigError, Permit, PermitError, SnapshotError, State, Status, Transition,
};
use crate::circuit::Circuit;

/// A breaker that handles (and the registry) share. The lock is never
/// contended: an instance runs on one thread and is never re-entered.
pub(crate) type Shared = Arc<Mutex<Circuit>>;

/// A new shared breaker (the clock is read for the instance's first one only).
pub(crate) fn create(name: Option<String>, config: &Config) -> Result<Shared, ConfigError> {
    Circuit::create(name, config, clock::now_ms).map(|circuit| Arc::new(Mutex::new(circuit)))
}

/// The host's reading for one operation.
pub(crate) fn now() -> u64 {
    clock::now_ms()
}

/// The resource's representation: a handle to a shared breaker.
pub struct BreakerHandle(Shared);

impl BreakerHandle {
    pub(crate) fn resource(shared: Shared) -> BreakerResource {
        BreakerResource::new(BreakerHandle(shared))
    }

    fn settle(&self, permit: Permit, outcome: Outcome, retry_after_ms: Option<u64>) -> Result<(), PermitError> {
        let now = now();
        self.0.lock().settle(permit, outcome, retry_after_ms, now)
    }
}

impl GuestBreaker for BreakerHandle {
    fn create(name: Option<String>, config: Config) -> Result<BreakerResource, ConfigError> {
        create(name, &config).map(BreakerHandle::resource)
    }

    fn restore(name: Option<String>, config: Config, snapshot: String) -> Result<BreakerResource, SnapshotError> {
        let circuit = Circuit::restore(name, &config, &snapshot, now())?;
        Ok(BreakerHandle::resource(Arc::new(Mutex::new(circuit))))
    }

    fn name(&self) -> String {
        self.0.lock().name().into()
    }

    fn acquire(&self) -> Result<Permit, AcquireError> {
        let now = now();
        self.0.lock().acquire(now)
    }

    fn success(&self, permit: Permit) -> Result<(), PermitError> {
        self.settle(permit, Outcome::Success, None)
    }

    fn failure(&self, permit: Permit) -> Result<(), PermitError> {
        self.settle(permit, Outcome::Failure, None)
    }

    fn ignore(&self, permit: Permit) -> Result<(), PermitError> {
        self.settle(permit, Outcome::Ignored, None)
    }

    fn failure_with_retry_after(&self, permit: Permit, retry_after_ms: u64) -> Result<(), PermitError> {
        self.settle(permit, Outcome::Failure, Some(retry_after_ms))
    }

    fn state(&self) -> State {
        let now = now();
        self.0.lock().state(now)
    }

    fn status(&self) -> Status {
        let now = now();
        self.0.lock().status(now)
    }

    fn reset(&self) {
        let now = now();
        self.0.lock().reset(now);
    }

    fn force_open(&self, duration_ms: Option<u64>) {
        let now = now();
        self.0.lock().force_open(duration_ms, now);
    }

    fn snapshot(&self) -> String {
        let now = now();
        self.0.lock().snapshot(now)
    }

    fn state_changes(&self) -> u64 {
        self.0.lock().state_changes()
    }

    fn transitions_since(&self, seen: u64) -> Vec<Transition> {
        self.0.lock().transitions_since(seen)
    }
}
