//! The snapshot as JSON text, written out directly rather than through a
//! `json::Value` tree: every value is an integer, a bool, null or a fixed
//! name, so nothing needs escaping or building first.

use alloc::string::String;

use super::{Snapshot, SNAPSHOT_VERSION};
use crate::status::State;
use crate::text;
use crate::text::Piece;

/// `{"version":…,"state":"…","generation":…`: how each JSON form of a
/// circuit's state begins (a breaker's snapshot, a fleet's snapshot, a
/// fleet's persisted state), left open for the fields of its own that follow.
/// A piece of the `text!` that writes the rest, appended in place (no text of
/// its own to copy), so the breakers' wasm is no larger than with the head
/// written out in each form.
pub(crate) struct StateJsonHead {
    pub version: u64,
    pub state: State,
    pub generation: u64,
}

impl Piece for StateJsonHead {
    #[inline(always)] // into its one caller in the breakers' wasm: a call costs bytes there
    fn append_to(&self, out: &mut String) {
        r#"{"version":"#.append_to(out);
        self.version.append_to(out);
        r#","state":""#.append_to(out);
        self.state.as_str().append_to(out);
        r#"","generation":"#.append_to(out);
        self.generation.append_to(out);
    }
}

impl Snapshot {
    /// The JSON form: `{"version":1,"state":…,"generation":…,"openForMs":…,
    /// "forcedOpen":…,"probeSuccesses":…,"consecutiveOpens":…,"window":[{"ageMs":…,"failed":…},…],
    /// "metrics":{…}}`, keys always in this order.
    pub fn to_json(&self) -> String {
        let mut out = text![
            StateJsonHead { version: SNAPSHOT_VERSION, state: self.state, generation: self.generation },
            r#","openForMs":"#,
            self.open_for_ms,
            r#","forcedOpen":"#,
            self.forced_open,
            r#","probeSuccesses":"#,
            self.probe_successes,
            r#","consecutiveOpens":"#,
            self.consecutive_opens,
            r#","window":["#,
        ];
        for (index, entry) in self.window.iter().enumerate() {
            let comma = if index == 0 { "" } else { "," };
            out.push_str(&text![comma, r#"{"ageMs":"#, entry.age_ms, r#","failed":"#, entry.failed, "}"]);
        }
        let (m, c) = (&self.metrics, &self.metrics.counters);
        out.push_str(&text![
            r#"],"metrics":{"totalCalls":"#,
            c.total_calls,
            r#","successfulCalls":"#,
            c.successful_calls,
            r#","failedCalls":"#,
            c.failed_calls,
            r#","blockedCalls":"#,
            c.blocked_calls,
            r#","ignoredCalls":"#,
            c.ignored_calls,
            r#","slowCalls":"#,
            c.slow_calls,
            r#","stateChanges":"#,
            m.state_changes,
            r#","lastFailureAgoMs":"#,
            m.last_failure_ago_ms,
            r#","lastSuccessAgoMs":"#,
            m.last_success_ago_ms,
            "}}",
        ]);
        out
    }
}
