#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Runs every fleet vector in host-tests/fleet-vectors against the core: one
//! coordinator and its members (each a local breaker with a `FleetMember`),
//! everything between them passed as JSON text, as between machines. The
//! same files run through the wasm binding in JS; see
//! host-tests/fleet-vectors/README.md for the format.

use std::collections::HashMap;
use std::path::PathBuf;

use edgebreaker_core::fleet::{lease_answer_json, Admission, Coordinator, FleetMember, FleetReport, FleetSnapshot, Lease, PersistedFleet};
use edgebreaker_core::{Breaker, Config, Millis, Outcome};
use serde_json::{json, Value};

#[path = "support/expect.rs"]
mod expect;
#[path = "support/walk.rs"]
mod walk;
use expect::{expect_equal, expect_subset};
use walk::run_each_vector;

#[test]
fn every_fleet_vector_passes() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../host-tests/fleet-vectors");
    run_each_vector(&dir, 12, run);
}

/// A member: its local breaker, its fleet side, and how far its clock is ahead of the coordinator's.
struct Member {
    local: Breaker,
    fleet: FleetMember,
    clock_offset: u64,
}

struct Fleet {
    config: Config,
    coordinator: Coordinator,
    members: Vec<Member>,
    leases: HashMap<String, String>,
}

fn run(vector: &Value) -> Result<(), String> {
    let config: Config = serde_json::from_value(vector["config"].clone()).map_err(|e| format!("bad config: {e}"))?;
    let offsets = vector.get("memberClockOffsetsMs").cloned().unwrap_or_else(|| json!([0]));
    let members = offsets
        .as_array()
        .ok_or("memberClockOffsetsMs is a list")?
        .iter()
        .map(|offset| {
            let local = Breaker::new(config.clone()).unwrap();
            Member { fleet: FleetMember::new(&local), local, clock_offset: offset.as_u64().unwrap() }
        })
        .collect();
    let mut fleet = Fleet { coordinator: Coordinator::new(config.clone()).unwrap(), config, members, leases: HashMap::new() };
    let mut at = 0;
    for (index, step) in vector["steps"].as_array().ok_or("no steps")?.iter().enumerate() {
        at = step.get("at").and_then(Value::as_u64).unwrap_or(at);
        let op = step["op"].as_str().unwrap_or_default();
        fleet.step(step, op, at).map_err(|why| format!("step {index} ({op} at {at}): {why}"))?;
    }
    Ok(())
}

impl Fleet {
    fn member(&mut self, step: &Value, at: u64) -> (&mut Member, Millis) {
        let member = &mut self.members[step.get("member").and_then(Value::as_u64).unwrap_or(0) as usize];
        let now = Millis(at.saturating_add(member.clock_offset));
        (member, now)
    }

    fn step(&mut self, step: &Value, op: &str, at: u64) -> Result<(), String> {
        let expect = &step["expect"];
        let now = Millis(at);
        match op {
            "call" => {
                let (member, now) = self.member(step, at);
                let outcome = outcome(&step["outcome"]);
                let got = match member.local.acquire(now) {
                    Ok(permit) => {
                        match step["retryAfterMs"].as_u64() {
                            Some(retry_after) => member.local.record_retry_after(permit, Millis(retry_after), now),
                            None => member.local.record(permit, outcome, now),
                        }
                        "admitted"
                    }
                    Err(_) => "rejected",
                };
                expect_equal(step.get("expect").unwrap_or(&json!("admitted")), &json!(got))
            }
            "localState" => {
                let (member, now) = self.member(step, at);
                expect_equal(expect, &json!(member.local.state(now).as_str()))
            }
            "localReset" => {
                let (member, now) = self.member(step, at);
                member.local.reset(now);
                Ok(())
            }
            "tripPending" => {
                let (member, _) = self.member(step, at);
                expect_equal(expect, &json!(member.fleet.trip_pending(&member.local)))
            }
            "sync" => {
                let (member, member_now) = self.member(step, at);
                let report = member.fleet.report(&member.local, member_now).to_json();
                if let Some(expected) = step.get("expectReport") {
                    expect_subset(expected, &parse(&report), "report")?;
                }
                let answer = self.coordinator.sync(&FleetReport::from_json(&report).map_err(|e| e.to_string())?, now).to_json();
                let (member, _) = self.member(step, at);
                let snapshot = FleetSnapshot::from_json(&answer).map_err(|e| e.to_string())?;
                member.fleet.merge(&snapshot, &mut member.local, member_now).map_err(|e| format!("merge refused: {e}"))?;
                expect_subset(expect, &parse(&answer), "snapshot")
            }
            "report" => {
                let text = text_of(step, "report");
                match (FleetReport::from_json(&text), step.get("expectError")) {
                    (Err(error), Some(field)) => expect_equal(field, &json!(error.field)),
                    (Err(error), None) => Err(format!("report refused: {error}")),
                    (Ok(_), Some(field)) => Err(format!("report accepted, expected an error naming {field}")),
                    (Ok(report), None) => expect_subset(expect, &parse(&self.coordinator.sync(&report, now).to_json()), "snapshot"),
                }
            }
            "lease" => {
                let (lease, snapshot) = self.coordinator.lease(now);
                let answer = parse(&lease_answer_json(lease, &snapshot));
                if let (Some(label), Some(lease)) = (step.get("lease").and_then(Value::as_str), lease) {
                    self.leases.insert(label.to_string(), lease.to_json());
                }
                let got = json!({ "granted": !answer["lease"].is_null(), "snapshot": answer["snapshot"] });
                expect_subset(expect, &got, "lease")
            }
            "settle" => {
                let label = step["lease"].as_str().ok_or("settle names a lease")?;
                let lease_json = self.leases.get(label).ok_or_else(|| format!("no lease labelled {label}"))?;
                let lease = Lease::from_json(lease_json).map_err(|e| e.to_string())?;
                let answer = self.coordinator.settle(lease, outcome(&step["outcome"]), now).to_json();
                expect_subset(expect, &parse(&answer), "snapshot")
            }
            "snapshot" => expect_subset(expect, &parse(&self.coordinator.snapshot(now).to_json()), "snapshot"),
            "merge" => {
                let text = text_of(step, "snapshot");
                let (member, now) = self.member(step, at);
                let view_before = member.fleet.view();
                let merged = FleetSnapshot::from_json(&text).and_then(|snapshot| member.fleet.merge(&snapshot, &mut member.local, now));
                match (merged, step.get("expectError")) {
                    (Err(error), Some(field)) if member.fleet.view() == view_before => expect_equal(field, &json!(error.field)),
                    (Err(_), Some(_)) => Err("a refused merge changed the view".into()),
                    (Err(error), None) => Err(format!("merge refused: {error}")),
                    (Ok(()), Some(field)) => Err(format!("merge accepted, expected an error naming {field}")),
                    (Ok(()), None) => Ok(()),
                }
            }
            "admission" => {
                let (member, now) = self.member(step, at);
                let stale_after = Millis(step["staleAfterMs"].as_u64().ok_or("staleAfterMs")?);
                let local = member.local.state(now);
                let got = match member.fleet.admission(local, now, stale_after) {
                    Admission::Local => json!("local"),
                    Admission::Lease => json!("lease"),
                    Admission::Blocked { retry_after } => json!({ "blocked": retry_after.map(|wait| wait.0) }),
                };
                expect_equal(expect, &got)
            }
            "restart" => {
                let persisted = self.coordinator.persisted(now).to_json();
                if let Some(expected) = step.get("expectPersisted") {
                    expect_subset(expected, &parse(&persisted), "persisted")?;
                }
                let persisted = PersistedFleet::from_json(&persisted).map_err(|e| e.to_string())?;
                self.coordinator = Coordinator::restore(self.config.clone(), &persisted, now, now).map_err(|e| e.to_string())?;
                Ok(())
            }
            _ => Err(format!("unknown op {op}")),
        }
    }
}

fn outcome(name: &Value) -> Outcome {
    match name.as_str() {
        Some("success") => Outcome::Success,
        Some("ignored") => Outcome::Ignored,
        _ => Outcome::Failure,
    }
}

/// A document given as JSON (`report`) or, to tamper with it, as text (`reportText`).
fn text_of(step: &Value, field: &str) -> String {
    match step.get(format!("{field}Text")) {
        Some(Value::String(text)) => text.clone(),
        _ => step[field].to_string(),
    }
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("the core prints JSON")
}
