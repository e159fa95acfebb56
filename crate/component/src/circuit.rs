//! One breaker behind the boundary: the core, its name and id, and the
//! permits it has out. Every method takes the host clock's reading as the
//! host gave it, so this is all the boundary's logic and none of its plumbing
//! (`breaker.rs` reads the clock and hands over; the fuzz target drives this
//! file natively).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use edgebreaker_core::{Breaker, Millis, Outcome, MAX_MILLIS};

use crate::bindings::exports::edgebreaker::breaker::types::{
    AcquireError, Config, ConfigError, Permit, PermitError, Rejection, SnapshotError, State, Status, Transition,
};
use crate::convert::{cause_to_wit, config_error_to_wit, config_from_wit, snapshot_error_to_wit, state_to_wit, status_to_wit};
use crate::permits::PermitBook;

#[derive(Debug)]
pub(crate) struct Circuit {
    /// Unique in the instance and unlike other instances' (see [`crate::ids`]),
    /// so a permit names the breaker that issued it.
    id: u64,
    name: String,
    core: Breaker,
    permits: PermitBook,
}

impl Circuit {
    /// Validates the config in the core; an unnamed breaker is `breaker-<n>`,
    /// the n-th of the instance. `clock` is read for the instance's first breaker only.
    pub(crate) fn create(name: Option<String>, config: &Config, clock: impl FnOnce() -> u64) -> Result<Circuit, ConfigError> {
        let core = Breaker::new(config_from_wit(config)).map_err(|error| config_error_to_wit(&error))?;
        Ok(Circuit::named(name, core, clock))
    }

    /// As `create`, with the core restored from a snapshot's JSON text at the
    /// reading `now` (which is also the clock an instance's first breaker reads).
    pub(crate) fn restore(name: Option<String>, config: &Config, snapshot: &str, now: u64) -> Result<Circuit, SnapshotError> {
        let core = Breaker::restore_json(config_from_wit(config), snapshot, Millis(now))
            .map_err(|error| snapshot_error_to_wit(&error))?;
        Ok(Circuit::named(name, core, || now))
    }

    fn named(name: Option<String>, core: Breaker, clock: impl FnOnce() -> u64) -> Circuit {
        let (number, id) = crate::ids::next(clock);
        let name = name.unwrap_or_else(|| format!("breaker-{number}"));
        Circuit { id, name, core, permits: PermitBook::new() }
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// As in JavaScript, a call is not admitted on a clock reading beyond
    /// 2^53 - 1 ms (a host's -1 cast to u64, say): nothing is counted. Every
    /// other operation passes such a reading to the core, which takes it as
    /// the latest time.
    pub(crate) fn acquire(&mut self, now: u64) -> Result<Permit, AcquireError> {
        if now > MAX_MILLIS {
            return Err(AcquireError::ClockOutOfRange(now));
        }
        match self.core.acquire(Millis(now)) {
            Ok(issued) => {
                let (slot, ticket) = self.permits.issue(issued);
                Ok(Permit { breaker_id: self.id, slot, ticket })
            }
            Err(rejected) => Err(AcquireError::Rejected(Rejection {
                state: state_to_wit(rejected.state),
                retry_after_ms: rejected.retry_after.map(|ms| ms.0),
            })),
        }
    }

    /// Settles a permit this breaker issued and has not seen settled; anything
    /// else is a typed error and changes nothing.
    pub(crate) fn settle(
        &mut self,
        permit: Permit,
        outcome: Outcome,
        retry_after_ms: Option<u64>,
        now: u64,
    ) -> Result<(), PermitError> {
        if permit.breaker_id != self.id {
            return Err(PermitError::OtherBreaker);
        }
        let issued = self.permits.redeem(permit.slot, permit.ticket)?;
        match retry_after_ms {
            Some(retry_after) => self.core.record_retry_after(issued, Millis(retry_after), Millis(now)),
            None => self.core.record(issued, outcome, Millis(now)),
        }
        Ok(())
    }

    pub(crate) fn state(&mut self, now: u64) -> State {
        state_to_wit(self.core.state(Millis(now)))
    }

    pub(crate) fn status(&mut self, now: u64) -> Status {
        status_to_wit(&self.name, self.core.status(Millis(now)))
    }

    pub(crate) fn reset(&mut self, now: u64) {
        self.core.reset(Millis(now));
    }

    pub(crate) fn force_open(&mut self, duration_ms: Option<u64>, now: u64) {
        self.core.force_open(duration_ms.map(Millis), Millis(now));
    }

    pub(crate) fn snapshot(&mut self, now: u64) -> String {
        self.core.snapshot(Millis(now)).to_json()
    }

    pub(crate) fn state_changes(&self) -> u64 {
        self.core.state_changes()
    }

    pub(crate) fn transitions_since(&self, seen: u64) -> Vec<Transition> {
        self.core
            .transitions_since(seen)
            .map(|change| Transition {
                from: state_to_wit(change.from),
                to: state_to_wit(change.to),
                at: change.at.0,
                cause: cause_to_wit(change.cause),
                open_for_ms: change.open_for.map(|open_for| open_for.0),
            })
            .collect()
    }
}
