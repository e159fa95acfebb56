//! The JSON form of what crosses between machines. Parsing reads a
//! [`Value`] tree (`crate::json`) field by field, so every refusal names its
//! field, and refuses unknown keys, wrong versions and numbers out of range.
//! Numbers are whole, 0 to 2^53 - 1 (what a JavaScript number holds exactly)
//! unless a tighter bound applies.

use alloc::string::String;

use super::{FleetError, FleetReport, FleetSnapshot, Lease, LeaseReturn, PersistedFleet};
use crate::json::{self, Map, Value};
use crate::snapshot::{StateJsonHead, MAX_CONSECUTIVE_OPENS};
use crate::status::State;
use crate::text;
use crate::time::MAX_MILLIS;

/// The longest JSON text accepted, checked before parsing.
pub const MAX_FLEET_JSON_BYTES: usize = 65_536;

/// The coordinator never asks for a longer wait, so a member takes no longer one.
pub(crate) const MAX_SYNC_AFTER_MS: u64 = 60_000;

impl FleetReport {
    /// `{"version":1,"successes":n,"failures":n,"tripped":b}`, with `"retryAfterMs":n`
    /// after a Retry-After trip and `"periodMs":n` after the member's first report.
    pub fn to_json(&self) -> String {
        let retry_after = self.retry_after_ms.map(|ms| text![r#","retryAfterMs":"#, ms]).unwrap_or_default();
        let period = self.period_ms.map(|ms| text![r#","periodMs":"#, ms]).unwrap_or_default();
        text![
            r#"{"version":1,"successes":"#,
            self.successes,
            r#","failures":"#,
            self.failures,
            r#","tripped":"#,
            self.tripped,
            retry_after,
            period,
            "}",
        ]
    }
}

impl FleetSnapshot {
    /// `{"version":1,"state":s,"generation":n,"openForMs":n|null,"syncAfterMs":n}`
    pub fn to_json(&self) -> String {
        text![
            StateJsonHead { version: 1, state: self.state, generation: self.generation },
            r#","openForMs":"#,
            self.open_for_ms,
            r#","syncAfterMs":"#,
            self.sync_after_ms,
            "}",
        ]
    }
}

impl Lease {
    /// `{"version":1,"lease":n}`
    pub fn to_json(&self) -> String {
        text![r#"{"version":1,"lease":"#, self.token, "}"]
    }
}

/// A coordinator's answer to a lease request:
/// `{"version":1,"lease":n|null,"snapshot":{...}}` (`null`: no lease granted).
pub fn lease_answer_json(lease: Option<Lease>, snapshot: &FleetSnapshot) -> String {
    text![r#"{"version":1,"lease":"#, lease.map(|lease| lease.token), r#","snapshot":"#, snapshot.to_json(), "}"]
}

impl PersistedFleet {
    /// `{"version":1,"state":s,"generation":n,"openForMs":n,"forcedOpen":b,"consecutiveOpens":n}`
    /// (`openForMs` is 0 when forced open until reset, as in a breaker's snapshot).
    pub fn to_json(&self) -> String {
        text![
            StateJsonHead { version: 1, state: self.state, generation: self.generation },
            r#","openForMs":"#,
            self.open_for_ms.unwrap_or(0),
            r#","forcedOpen":"#,
            self.state == State::Open && self.open_for_ms.is_none(),
            r#","consecutiveOpens":"#,
            self.consecutive_opens,
            "}",
        ]
    }
}

/// Generations wrap within 40 bits (a permit token must fit in 2^53).
const MAX_GENERATION: u64 = crate::permit::GENERATION_MASK;

impl FleetReport {
    /// Parses and validates a report; the error names the field at fault.
    pub fn from_json(text: &str) -> Result<FleetReport, FleetError> {
        let doc = Document::parse("report", text, &["version", "successes", "failures", "tripped", "retryAfterMs", "periodMs"])?;
        let tripped = doc.boolean("tripped")?;
        let retry_after_ms = match doc.fields.get("retryAfterMs") {
            None => None,
            Some(_) if !tripped => return Err(FleetError::new("retryAfterMs", "is only for a trip (tripped: true)")),
            Some(_) => Some(doc.whole("retryAfterMs", MAX_MILLIS)?),
        };
        Ok(FleetReport {
            successes: doc.whole("successes", MAX_MILLIS)?,
            failures: doc.whole("failures", MAX_MILLIS)?,
            tripped,
            retry_after_ms,
            period_ms: doc.fields.get("periodMs").map(|_| doc.whole("periodMs", MAX_MILLIS)).transpose()?,
        })
    }
}

impl FleetSnapshot {
    /// Parses and validates a fleet snapshot; the error names the field at fault.
    /// `openForMs` must be 0 unless the state is open (`null`: open until reset).
    pub fn from_json(text: &str) -> Result<FleetSnapshot, FleetError> {
        let doc = Document::parse("snapshot", text, &["version", "state", "generation", "openForMs", "syncAfterMs"])?;
        let state = doc.state("state")?;
        let open_for_ms = doc.nullable_whole("openForMs", MAX_MILLIS)?;
        if state != State::Open && open_for_ms != Some(0) {
            return Err(FleetError::new("openForMs", "must be 0 unless the state is open"));
        }
        Ok(FleetSnapshot {
            generation: doc.whole("generation", MAX_GENERATION)?,
            state,
            open_for_ms,
            sync_after_ms: doc.whole("syncAfterMs", MAX_SYNC_AFTER_MS)?,
        })
    }
}

impl Lease {
    /// Parses and validates a lease.
    pub fn from_json(text: &str) -> Result<Lease, FleetError> {
        let doc = Document::parse("lease", text, &["version", "lease"])?;
        Ok(Lease { token: doc.whole("lease", MAX_MILLIS)? })
    }
}

impl LeaseReturn {
    /// Parses and validates a lease given back, with its optional `retryAfterMs`.
    pub fn from_json(text: &str) -> Result<LeaseReturn, FleetError> {
        let doc = Document::parse("lease", text, &["version", "lease", "retryAfterMs"])?;
        Ok(LeaseReturn {
            lease: Lease { token: doc.whole("lease", MAX_MILLIS)? },
            retry_after_ms: doc.fields.get("retryAfterMs").map(|_| doc.whole("retryAfterMs", MAX_MILLIS)).transpose()?,
        })
    }
}

impl PersistedFleet {
    /// Parses and validates a coordinator's persisted state.
    pub fn from_json(text: &str) -> Result<PersistedFleet, FleetError> {
        let fields = ["version", "state", "generation", "openForMs", "forcedOpen", "consecutiveOpens"];
        let doc = Document::parse("persisted", text, &fields)?;
        let state = doc.state("state")?;
        let open_for_ms = doc.whole("openForMs", MAX_MILLIS)?;
        let forced_open = doc.boolean("forcedOpen")?;
        if state != State::Open && open_for_ms != 0 {
            return Err(FleetError::new("openForMs", "must be 0 unless the state is open"));
        }
        if forced_open && (state != State::Open || open_for_ms != 0) {
            return Err(FleetError::new("forcedOpen", "may be true only when the state is open and openForMs is 0"));
        }
        let consecutive_opens = doc.whole("consecutiveOpens", MAX_CONSECUTIVE_OPENS.into())?;
        Ok(PersistedFleet {
            state,
            generation: doc.whole("generation", MAX_GENERATION)?,
            open_for_ms: if forced_open { None } else { Some(open_for_ms) },
            consecutive_opens: u32::try_from(consecutive_opens).unwrap_or(u32::MAX),
        })
    }
}

/// A JSON object of a known kind, read field by field.
struct Document {
    fields: Map,
}

impl Document {
    /// Checks the size, the syntax, that it is an object with only `known`
    /// keys, and its version.
    fn parse(kind: &str, text: &str, known: &[&str]) -> Result<Document, FleetError> {
        if text.len() > MAX_FLEET_JSON_BYTES {
            return Err(FleetError::new(kind, text!["must be at most ", MAX_FLEET_JSON_BYTES, " bytes; got ", text.len()]));
        }
        let value = json::parse(text).map_err(|error| FleetError::new(kind, text!["is not JSON: ", error.to_text()]))?;
        let Value::Object(fields) = value else {
            return Err(FleetError::new(kind, "must be a JSON object"));
        };
        if let Some(unknown) = fields.keys().find(|key| !known.contains(key)) {
            return Err(FleetError::new(unknown, text!["is not a field of a fleet ", kind]));
        }
        let doc = Document { fields };
        if doc.get("version")?.as_u64() != Some(1) {
            return Err(FleetError::new("version", "must be 1"));
        }
        Ok(doc)
    }

    fn get(&self, field: &str) -> Result<&Value, FleetError> {
        self.fields.get(field).ok_or_else(|| FleetError::new(field, "is missing"))
    }

    fn whole(&self, field: &str, max: u64) -> Result<u64, FleetError> {
        self.get(field)?
            .as_u64()
            .filter(|value| *value <= max)
            .ok_or_else(|| FleetError::new(field, text!["must be a whole number from 0 to ", max]))
    }

    fn nullable_whole(&self, field: &str, max: u64) -> Result<Option<u64>, FleetError> {
        match self.get(field)? {
            Value::Null => Ok(None),
            _ => self
                .whole(field, max)
                .map(Some)
                .map_err(|_| FleetError::new(field, text!["must be null or a whole number from 0 to ", max])),
        }
    }

    fn boolean(&self, field: &str) -> Result<bool, FleetError> {
        self.get(field)?.as_bool().ok_or_else(|| FleetError::new(field, "must be true or false"))
    }

    fn state(&self, field: &str) -> Result<State, FleetError> {
        match self.get(field)?.as_str() {
            Some("closed") => Ok(State::Closed),
            Some("open") => Ok(State::Open),
            Some("half_open") => Ok(State::HalfOpen),
            _ => Err(FleetError::new(field, r#"must be "closed", "open" or "half_open""#)),
        }
    }
}
