//! edgebreaker-core: a circuit breaker as a sans-IO state machine.
//!
//! The core owns no clock, timer or thread and allocates nothing per call:
//! the caller passes the time (milliseconds) into every operation and gets
//! decisions back. The window and probe slots are allocated once, by
//! [`Breaker::new`].
//!
//! ```
//! use edgebreaker_core::{Breaker, Config, Millis, Outcome};
//!
//! let mut breaker = Breaker::new(Config { failure_threshold: 1, ..Config::default() })?;
//! let permit = breaker.acquire(Millis(0)).expect("closed circuits admit");
//! breaker.record(permit, Outcome::Failure, Millis(5));
//! let rejected = breaker.acquire(Millis(10)).unwrap_err();
//! assert_eq!(rejected.retry_after, Some(Millis(59_995)));
//! # Ok::<(), edgebreaker_core::ConfigError>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

mod breaker;
mod cause;
mod config;
mod field_error;
pub mod fleet;
pub mod json;
mod numbers;
mod permit;
mod probes;
mod snapshot;
mod status;
pub mod text;
mod time;
mod transition_counts;
mod transitions;
mod window;

pub use breaker::Breaker;
pub use cause::{Cause, WindowTally};
pub use config::{Config, ConfigError, NumberOptions, Requirement, Rule, MAX_WINDOW_SIZE};
pub use field_error::FieldError;
pub use numbers::count_from_f64;
pub use permit::{Outcome, Permit, Rejected};
pub use snapshot::{
    Snapshot, SnapshotError, SnapshotMetrics, WindowEntry, MAX_CONSECUTIVE_OPENS, MAX_SNAPSHOT_BYTES, SNAPSHOT_VERSION,
};
pub use status::{CallCounters, Metrics, State, Status, Transition};
pub use time::{Millis, MAX_MILLIS};
pub use transition_counts::{TransitionCount, CHANGES};
pub use transitions::TRANSITIONS_KEPT;
