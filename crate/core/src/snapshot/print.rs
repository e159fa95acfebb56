//! The snapshot as JSON text, written out directly rather than through a
//! `json::Value` tree: every value is an integer, a bool, null or a fixed
//! name, so nothing needs escaping or building first.

use alloc::string::String;

use super::{Snapshot, SNAPSHOT_VERSION};
use crate::status::State;
use crate::text;

/// `{"version":…,"state":"…","generation":…`: how each JSON form of a
/// circuit's state begins (a breaker's snapshot, a fleet's snapshot, a
/// fleet's persisted state), left open for the fields of its own that follow.
pub(crate) fn state_json_head(version: u64, state: State, generation: u64) -> String {
    text![r#"{"version":"#, version, r#","state":""#, state.as_str(), r#"","generation":"#, generation]
}

impl Snapshot {
    /// The JSON form: `{"version":1,"state":…,"generation":…,"openForMs":…,
    /// "forcedOpen":…,"probeSuccesses":…,"consecutiveOpens":…,"window":[{"ageMs":…,"failed":…},…],
    /// "metrics":{…}}`, keys always in this order.
    pub fn to_json(&self) -> String {
        let mut out = text![
            state_json_head(SNAPSHOT_VERSION, self.state, self.generation),
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
        let m = &self.metrics;
        out.push_str(&text![
            r#"],"metrics":{"totalCalls":"#,
            m.total_calls,
            r#","successfulCalls":"#,
            m.successful_calls,
            r#","failedCalls":"#,
            m.failed_calls,
            r#","blockedCalls":"#,
            m.blocked_calls,
            r#","ignoredCalls":"#,
            m.ignored_calls,
            r#","slowCalls":"#,
            m.slow_calls,
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
