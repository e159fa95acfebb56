//! The `breaker` resource: each method reads the clock once, calls the core,
//! and translates the answer. Handles share one [`Circuit`], so the registry
//! can hand out the same breaker twice.

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};

use edgebreaker_core::{Breaker, Millis, Outcome};
use spin::Mutex;

use crate::bindings::edgebreaker::breaker::clock;
use crate::bindings::exports::edgebreaker::breaker::breakers::{Breaker as BreakerResource, GuestBreaker};
use crate::bindings::exports::edgebreaker::breaker::types::{
    Config, ConfigError, Permit, PermitError, Rejection, State, Status, Transition,
};
use crate::convert::{config_error_to_wit, config_from_wit, state_to_wit, status_to_wit};
use crate::permits::PermitBook;

/// One breaker: the core state machine, its name, and the permits it has out.
#[derive(Debug)]
pub(crate) struct Circuit {
    /// Unique in the instance, so a permit names the breaker that issued it.
    id: u64,
    name: String,
    core: Breaker,
    permits: PermitBook,
}

/// A breaker that handles (and the registry) share. The lock is never
/// contended: an instance runs on one thread and is never re-entered.
pub(crate) type Shared = Arc<Mutex<Circuit>>;

/// The last breaker id handed out.
static LAST_ID: AtomicU64 = AtomicU64::new(0);

impl Circuit {
    /// Validates the config in the core; an unnamed breaker is `breaker-<id>`.
    pub(crate) fn create(name: Option<String>, config: &Config) -> Result<Shared, ConfigError> {
        let core = Breaker::new(config_from_wit(config)).map_err(|error| config_error_to_wit(&error))?;
        let id = LAST_ID.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
        let name = name.unwrap_or_else(|| format!("breaker-{id}"));
        Ok(Arc::new(Mutex::new(Circuit { id, name, core, permits: PermitBook::new() })))
    }

    pub(crate) fn status(&mut self, now: Millis) -> Status {
        status_to_wit(&self.name, self.core.status(now))
    }

    pub(crate) fn reset(&mut self, now: Millis) {
        self.core.reset(now);
    }
}

/// The time for one operation, from the host.
pub(crate) fn now() -> Millis {
    Millis(clock::now_ms())
}

/// The resource's representation: a handle to a shared breaker.
pub struct BreakerHandle(Shared);

impl BreakerHandle {
    pub(crate) fn resource(shared: Shared) -> BreakerResource {
        BreakerResource::new(BreakerHandle(shared))
    }

    fn settle(&self, permit: Permit, outcome: Outcome, retry_after: Option<Millis>) -> Result<(), PermitError> {
        let now = now();
        let mut circuit = self.0.lock();
        if permit.breaker_id != circuit.id {
            return Err(PermitError::OtherBreaker);
        }
        let issued = circuit.permits.redeem(permit.slot, permit.ticket)?;
        match retry_after {
            Some(retry_after) => circuit.core.record_retry_after(issued, retry_after, now),
            None => circuit.core.record(issued, outcome, now),
        }
        Ok(())
    }
}

impl GuestBreaker for BreakerHandle {
    fn create(name: Option<String>, config: Config) -> Result<BreakerResource, ConfigError> {
        Circuit::create(name, &config).map(BreakerHandle::resource)
    }

    fn name(&self) -> String {
        self.0.lock().name.clone()
    }

    fn acquire(&self) -> Result<Permit, Rejection> {
        let now = now();
        let mut circuit = self.0.lock();
        match circuit.core.acquire(now) {
            Ok(issued) => {
                let (slot, ticket) = circuit.permits.issue(issued);
                Ok(Permit { breaker_id: circuit.id, slot, ticket })
            }
            Err(rejected) => Err(Rejection {
                state: state_to_wit(rejected.state),
                retry_after_ms: rejected.retry_after.map(|ms| ms.0),
            }),
        }
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
        self.settle(permit, Outcome::Failure, Some(Millis(retry_after_ms)))
    }

    fn state(&self) -> State {
        let now = now();
        state_to_wit(self.0.lock().core.state(now))
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
        self.0.lock().core.force_open(duration_ms.map(Millis), now);
    }

    fn state_changes(&self) -> u64 {
        self.0.lock().core.state_changes()
    }

    fn transitions_since(&self, seen: u64) -> Vec<Transition> {
        let circuit = self.0.lock();
        circuit
            .core
            .transitions_since(seen)
            .map(|change| Transition { from: state_to_wit(change.from), to: state_to_wit(change.to), at: change.at.0 })
            .collect()
    }
}
