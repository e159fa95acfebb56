//! The snapshot as JSON text, written out directly rather than through a
//! `json::Value` tree: every value is an integer, a bool, null or a fixed
//! name, so nothing needs escaping or building first.

use alloc::string::String;
use core::fmt::{self, Write};

use super::{Snapshot, SNAPSHOT_VERSION};
use crate::json::Nullable;

impl Snapshot {
    /// The JSON form: `{"version":1,"state":…,"generation":…,"openForMs":…,
    /// "forcedOpen":…,"probeSuccesses":…,"consecutiveOpens":…,"window":[{"ageMs":…,"failed":…},…],
    /// "metrics":{…}}`, keys always in this order.
    pub fn to_json(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = self.write_json(&mut text);
        text
    }

    fn write_json(&self, out: &mut String) -> fmt::Result {
        write!(
            out,
            concat!(
                r#"{{"version":{},"state":"{}","generation":{},"openForMs":{},"forcedOpen":{},"#,
                r#""probeSuccesses":{},"consecutiveOpens":{},"window":["#,
            ),
            SNAPSHOT_VERSION,
            self.state.as_str(),
            self.generation,
            self.open_for_ms,
            self.forced_open,
            self.probe_successes,
            self.consecutive_opens,
        )?;
        for (index, entry) in self.window.iter().enumerate() {
            let comma = if index == 0 { "" } else { "," };
            write!(out, r#"{comma}{{"ageMs":{},"failed":{}}}"#, entry.age_ms, entry.failed)?;
        }
        let m = &self.metrics;
        write!(
            out,
            concat!(
                r#"],"metrics":{{"totalCalls":{},"successfulCalls":{},"failedCalls":{},"blockedCalls":{},"#,
                r#""ignoredCalls":{},"slowCalls":{},"stateChanges":{},"lastFailureAgoMs":{},"lastSuccessAgoMs":{}}}}}"#,
            ),
            m.total_calls,
            m.successful_calls,
            m.failed_calls,
            m.blocked_calls,
            m.ignored_calls,
            m.slow_calls,
            m.state_changes,
            Nullable(m.last_failure_ago_ms),
            Nullable(m.last_success_ago_ms),
        )
    }
}

