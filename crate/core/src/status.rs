//! What a breaker reports: its state, the changes between states, its metrics.

use crate::cause::Cause;
use crate::config::Config;
use crate::time::Millis;

/// The three states of a circuit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum State {
    Closed,
    Open,
    HalfOpen,
}

impl State {
    /// The name used in JS, JSON and the vectors: `"closed"`, `"open"`, `"half_open"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            State::Closed => "closed",
            State::Open => "open",
            State::HalfOpen => "half_open",
        }
    }
}

/// A change of state, with the time it fell due (which may be earlier than the
/// operation that observed it) and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    pub from: State,
    pub to: State,
    pub at: Millis,
    pub cause: Cause,
    /// For a change to open: how long the circuit stays open before a probe
    /// (`None`: forced open until reset). `None` for changes to other states.
    pub open_for: Option<Millis>,
}

/// The calls a breaker has counted over its life: in its [`Metrics`], and in a
/// [`Snapshot`](crate::Snapshot) (less the calls in flight). They wrap at 2^64, which at a
/// billion calls a second takes 584 years. `total_calls` is
/// `successful_calls + failed_calls + blocked_calls + ignored_calls` plus the
/// calls in flight ([`Metrics::in_flight`]; a snapshot keeps none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct CallCounters {
    /// Every attempt, blocked ones included.
    pub total_calls: u64,
    pub successful_calls: u64,
    /// Failures, slow successes included.
    pub failed_calls: u64,
    pub blocked_calls: u64,
    pub ignored_calls: u64,
    /// Successes that took at least `slow_call_ms` (also counted in `failed_calls`).
    pub slow_calls: u64,
}

/// Lifetime figures (the call counters, the calls in flight, the changes of
/// state, the last success and failure), and the rates, which describe the
/// current window.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct Metrics {
    /// In JSON, inline: `"totalCalls"` to `"slowCalls"`, then `"inFlight"`. As
    /// serde flattens them, `Metrics` (and `Status`) read and write through
    /// self-describing formats (JSON and the like), not bincode or postcard.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub counters: CallCounters,
    pub in_flight: u64,
    /// Wraps at 2^64, like the call counters.
    pub state_changes: u64,
    pub last_failure_time: Option<u64>,
    pub last_success_time: Option<u64>,
    /// Failures over outcomes in the current window; 0 when it is empty.
    pub failure_rate: f64,
    /// Successes over outcomes in the current window; 0 when it is empty.
    pub success_rate: f64,
}

/// A breaker's status at one instant. Plain data: JSON-safe with the `serde` feature.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct Status {
    pub state: State,
    /// Time left until a probe is let through: 0 when closed or half-open,
    /// `None` when forced open until reset.
    pub retry_after_ms: Option<u64>,
    pub metrics: Metrics,
    /// The configuration with dependent defaults filled in.
    pub config: Config,
}
