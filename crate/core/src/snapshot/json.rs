//! Reading a snapshot's JSON text. The text is parsed to a [`Value`] tree
//! (`crate::json`) and read one field at a time, so every refusal names its
//! field; unknown fields are refused too (they name the key), and every
//! number must be a whole number from 0 to 2^53 - 1, or a tighter bound.

use alloc::string::String;
use alloc::vec::Vec;

use super::{
    whole_up_to, Snapshot, SnapshotError, SnapshotMetrics, WindowEntry, MAX_CONSECUTIVE_OPENS, MAX_SNAPSHOT_BYTES,
    SNAPSHOT_VERSION,
};
use crate::breaker::Breaker;
use crate::config::Config;
use crate::json::{self, Map, Value};
use crate::permit::GENERATION_MASK;
use crate::status::{CallCounters, State};
use crate::text;
use crate::time::{Millis, MAX_MILLIS};

const FIELDS: [&str; 9] =
    ["version", "state", "generation", "openForMs", "forcedOpen", "probeSuccesses", "consecutiveOpens", "window", "metrics"];
const ENTRY_FIELDS: [&str; 2] = ["ageMs", "failed"];
const METRICS_FIELDS: [&str; 9] = [
    "totalCalls",
    "successfulCalls",
    "failedCalls",
    "blockedCalls",
    "ignoredCalls",
    "slowCalls",
    "stateChanges",
    "lastFailureAgoMs",
    "lastSuccessAgoMs",
];

impl Snapshot {
    /// Reads and validates ([`validate`](Snapshot::validate)) a snapshot's
    /// JSON text, at most [`MAX_SNAPSHOT_BYTES`] long. The error names the
    /// field at fault (`"snapshot"` for the text as a whole).
    pub fn from_json(text: &str) -> Result<Snapshot, SnapshotError> {
        if text.len() > MAX_SNAPSHOT_BYTES {
            let message = text!["must be at most ", MAX_SNAPSHOT_BYTES, " bytes of JSON; got ", text.len()];
            return Err(SnapshotError::new("snapshot", message));
        }
        let value = json::parse(text).map_err(|error| SnapshotError::new("snapshot", text!["is not JSON: ", error.to_text()]))?;
        let snapshot = read(&value)?;
        snapshot.validate()?;
        Ok(snapshot)
    }
}

impl Breaker {
    /// [`Breaker::restore`] from a snapshot's JSON text, for hosts that carry
    /// it as text: the config is checked first (the field is the option),
    /// then the text is read ([`Snapshot::from_json`]).
    pub fn restore_json(config: Config, text: &str, now: Millis) -> Result<Breaker, SnapshotError> {
        config.validate()?;
        Breaker::restore(config, &Snapshot::from_json(text)?, now)
    }
}

fn read(value: &Value) -> Result<Snapshot, SnapshotError> {
    let top = Object::new(String::new(), value)?;
    let version = top.whole("version", MAX_MILLIS)?;
    if version != SNAPSHOT_VERSION {
        return Err(SnapshotError::new("version", text!["must be ", SNAPSHOT_VERSION, "; got ", version]));
    }
    top.known(&FIELDS)?;
    Ok(Snapshot {
        state: top.state("state")?,
        generation: top.whole("generation", GENERATION_MASK)?,
        open_for_ms: top.whole("openForMs", MAX_MILLIS)?,
        forced_open: top.boolean("forcedOpen")?,
        probe_successes: narrow(top.whole("probeSuccesses", u32::MAX.into())?),
        consecutive_opens: narrow(top.whole("consecutiveOpens", MAX_CONSECUTIVE_OPENS.into())?),
        window: window(&top)?,
        metrics: metrics(&top)?,
    })
}

fn window(top: &Object<'_>) -> Result<Vec<WindowEntry>, SnapshotError> {
    let Value::Array(entries) = top.field("window")? else {
        return Err(SnapshotError::new("window", "must be an array"));
    };
    entries
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            let entry = Object::new(text!["window[", index, "]"], entry)?;
            entry.known(&ENTRY_FIELDS)?;
            Ok(WindowEntry { age_ms: entry.whole("ageMs", MAX_MILLIS)?, failed: entry.boolean("failed")? })
        })
        .collect()
}

fn metrics(top: &Object<'_>) -> Result<SnapshotMetrics, SnapshotError> {
    let metrics = Object::new("metrics".into(), top.field("metrics")?)?;
    metrics.known(&METRICS_FIELDS)?;
    let count = |name| metrics.whole(name, MAX_MILLIS);
    Ok(SnapshotMetrics {
        counters: CallCounters {
            total_calls: count("totalCalls")?,
            successful_calls: count("successfulCalls")?,
            failed_calls: count("failedCalls")?,
            blocked_calls: count("blockedCalls")?,
            ignored_calls: count("ignoredCalls")?,
            slow_calls: count("slowCalls")?,
        },
        state_changes: count("stateChanges")?,
        last_failure_ago_ms: metrics.nullable_whole("lastFailureAgoMs")?,
        last_success_ago_ms: metrics.nullable_whole("lastSuccessAgoMs")?,
    })
}

/// A count that passed a bound no larger than `u32::MAX`.
fn narrow(count: u64) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// A JSON object at `path` (`""` for the snapshot itself), read field by field.
struct Object<'a> {
    path: String,
    fields: &'a Map,
}

impl<'a> Object<'a> {
    fn new(path: String, value: &'a Value) -> Result<Object<'a>, SnapshotError> {
        match value {
            Value::Object(fields) => Ok(Object { path, fields }),
            _ if path.is_empty() => Err(SnapshotError::new("snapshot", "must be a JSON object")),
            _ => Err(SnapshotError::new(path, "must be an object")),
        }
    }

    /// The JSON path of one of its fields.
    fn path_of(&self, name: &str) -> String {
        if self.path.is_empty() {
            name.into()
        } else {
            text![self.path, ".", name]
        }
    }

    /// Refuses the first key that is none of `names`.
    fn known(&self, names: &[&str]) -> Result<(), SnapshotError> {
        match self.fields.keys().find(|key| !names.contains(key)) {
            Some(key) => Err(SnapshotError::new(self.path_of(key), "is not a snapshot field")),
            None => Ok(()),
        }
    }

    fn field(&self, name: &str) -> Result<&'a Value, SnapshotError> {
        self.fields.get(name).ok_or_else(|| SnapshotError::new(self.path_of(name), "is missing"))
    }

    /// A whole number from 0 to `max`.
    fn whole(&self, name: &str, max: u64) -> Result<u64, SnapshotError> {
        let value = self.field(name)?;
        match value.as_u64() {
            Some(number) if number <= max => Ok(number),
            Some(number) => Err(SnapshotError::new(self.path_of(name), text![whole_up_to(max), "; got ", number])),
            None => Err(SnapshotError::new(self.path_of(name), whole_up_to(max))),
        }
    }

    /// A whole number of milliseconds, or null.
    fn nullable_whole(&self, name: &str) -> Result<Option<u64>, SnapshotError> {
        if self.field(name)?.is_null() {
            return Ok(None);
        }
        let or_null = |error: SnapshotError| SnapshotError { message: text![error.message, " or null"], ..error };
        self.whole(name, MAX_MILLIS).map(Some).map_err(or_null)
    }

    fn boolean(&self, name: &str) -> Result<bool, SnapshotError> {
        self.field(name)?.as_bool().ok_or_else(|| SnapshotError::new(self.path_of(name), "must be true or false"))
    }

    fn state(&self, name: &str) -> Result<State, SnapshotError> {
        match self.field(name)?.as_str() {
            Some("closed") => Ok(State::Closed),
            Some("open") => Ok(State::Open),
            Some("half_open") => Ok(State::HalfOpen),
            _ => Err(SnapshotError::new(self.path_of(name), r#"must be "closed", "open" or "half_open""#)),
        }
    }
}
