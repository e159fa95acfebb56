//! Fleet mode: many breakers (one per isolate, process or replica) acting as
//! one. A [`Coordinator`] runs wherever the fleet keeps its shared state in
//! one object (a Durable Object) and makes every fleet decision; where the
//! state lives in a shared store (Deno KV, Redis), every member decides
//! against the store with a [`SharedFleet`] and commits by compare-and-set.
//! Each member keeps its local [`Breaker`](crate::Breaker) and a
//! [`FleetMember`] beside it, which reports the local outcomes and merges the
//! coordinator's answers. What crosses between machines is plain data
//! ([`FleetReport`], [`FleetSnapshot`], [`Lease`]) with a JSON form that the
//! core parses and validates; machines exchange remaining
//! durations only, never instants, because their clocks differ.

mod coordinator;
mod member;
mod shared;
mod window;
mod wire;

use crate::field_error::FieldError;
use crate::status::State;

pub use coordinator::{fleet_trip_due, Coordinator, SYNC_BUDGET_PER_S};
pub use member::{Admission, FleetMember, FleetView};
pub use shared::{SharedEvent, SharedFleet};
pub use wire::{lease_answer_json, MAX_FLEET_JSON_BYTES};

/// A member's outcomes since its previous report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FleetReport {
    /// Successful calls (slow ones are failures: the member judged them).
    pub successes: u64,
    pub failures: u64,
    /// The member's local breaker opened on failures since its previous report.
    pub tripped: bool,
    /// The upstream's Retry-After opened it: the time it had left open, for
    /// which the fleet opens too (only with `tripped`).
    pub retry_after_ms: Option<u64>,
    /// Time since the member's previous report, by its clock (`None` on its
    /// first): how often it syncs, for the coordinator's pacing.
    pub period_ms: Option<u64>,
}

/// The fleet's state as the coordinator answers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FleetSnapshot {
    pub generation: u64,
    pub state: State,
    /// Time left open: `Some(0)` unless open, `None` when open until reset.
    pub open_for_ms: Option<u64>,
    /// How long the member should wait before its next sync (the coordinator's pacing).
    pub sync_after_ms: u64,
}

/// Leave from the coordinator to make one probe call while the fleet is
/// half-open. The token is an id below 2^53 (the generation it was granted
/// in, then a count), never reused while that half-open period lasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lease {
    pub token: u64,
}

/// A lease given back with its probe's failure by the upstream's Retry-After
/// (`{"version":1,"lease":n,"retryAfterMs":n}`), or without (`retry_after_ms: None`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeaseReturn {
    pub lease: Lease,
    pub retry_after_ms: Option<u64>,
}

/// What a coordinator must keep to survive a restart: no window, no leases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PersistedFleet {
    pub state: State,
    pub generation: u64,
    /// Time left open when persisted: `Some(0)` unless open, `None` when open until reset.
    pub open_for_ms: Option<u64>,
    /// The backoff exponent.
    pub consecutive_opens: u32,
}

/// Why fleet data was refused: the field at fault (`"generation"`,
/// `"successes"`, an unknown key's name, or the document's kind for the
/// document as a whole) and what was wrong. `Display` is "`<field> <message>`".
pub type FleetError = FieldError;
