//! A member's side of the fleet, kept next to its local breaker: what to
//! report, how to merge the coordinator's answer, and how to admit a call.
//! The effective state is the more restrictive of the local breaker and a
//! fresh fleet view; a stale or missing view leaves the local breaker in
//! charge (the fleet failing never fails calls).

use crate::breaker::Breaker;
use crate::status::State;
use crate::text;
use crate::time::{Millis, MAX_MILLIS};

use super::{FleetError, FleetReport, FleetSnapshot};

/// The fleet as a member last merged it, on the member's own clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FleetView {
    pub state: State,
    pub generation: u64,
    /// When the fleet's open period ends (open only; `None`: until reset, or not open).
    pub open_until: Option<Millis>,
    /// The member's reading when it merged this view.
    pub received_at: Millis,
}

/// How a member should admit a call, given its local state and its view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// Ask the local breaker (it may block too, with its own retry time).
    Local,
    /// The fleet is open: reject, with the time left (`None`: until reset).
    Blocked { retry_after: Option<Millis> },
    /// The fleet is half-open: ask the coordinator for a probe lease first.
    Lease,
}

/// See the module documentation. Create one per local breaker.
#[derive(Clone, Debug, Default)]
pub struct FleetMember {
    /// What the reports so far have carried.
    reported: Reported,
    /// What they had carried before the last one, until its exchange is known
    /// to have failed (see [`report_lost`](FleetMember::report_lost)).
    before_last: Option<Reported>,
    view: Option<FleetView>,
}

/// The local lifetime counters, and the member's reading, at a report.
#[derive(Clone, Copy, Debug, Default)]
struct Reported {
    successes: u64,
    failures: u64,
    trips: u64,
    at: Option<Millis>,
}

impl FleetMember {
    /// A member for `local`, whose reports start from its counters as they
    /// are: a breaker restored from a snapshot reports only what it settles
    /// from now on, not its lifetime again.
    pub fn new(local: &Breaker) -> FleetMember {
        let counters = local.counters();
        let reported = Reported { successes: counters.successful_calls, failures: counters.failed_calls, trips: local.failure_trips(), at: None };
        FleetMember { reported, ..FleetMember::default() }
    }

    /// The local outcomes since the last report, and whether the local breaker
    /// opened on failures meanwhile, at `now` (a reading of the member's clock;
    /// one that is no reading counts as the local breaker's latest); the next
    /// report starts from here.
    pub fn report(&mut self, local: &Breaker, now: Millis) -> FleetReport {
        let now = if now.0 > MAX_MILLIS { local.latest_time() } else { now };
        let counters = local.counters();
        let tripped = self.trip_pending(local);
        let report = FleetReport {
            successes: counters.successful_calls.wrapping_sub(self.reported.successes).min(MAX_MILLIS),
            failures: counters.failed_calls.wrapping_sub(self.reported.failures).min(MAX_MILLIS),
            tripped,
            retry_after_ms: local.retry_after_left().filter(|_| tripped).map(|left| left.0),
            period_ms: self.reported.at.map(|at| now.since(at).0),
        };
        self.before_last = Some(self.reported);
        self.reported = Reported {
            successes: counters.successful_calls,
            failures: counters.failed_calls,
            trips: local.failure_trips(),
            at: Some(now),
        };
        report
    }

    /// The last report never reached the coordinator (its exchange failed):
    /// the next one carries what it did again, a local trip included.
    pub fn report_lost(&mut self) {
        if let Some(before) = self.before_last.take() {
            self.reported = before;
        }
    }

    /// The local breaker opened on failures since the last report: report now.
    pub fn trip_pending(&self, local: &Breaker) -> bool {
        local.failure_trips() != self.reported.trips
    }

    /// Merges the coordinator's answer at `now`. A generation lower than the
    /// last merged is refused and changes nothing. A higher one moves the
    /// local breaker: open forces it open for the fleet's remaining time
    /// (unless it is open for longer already);
    /// closed resets it (the fleet recovered), unless it opened on its own
    /// failures since its last report (that trip is the fleet's to judge);
    /// half-open leaves it be (its forced open period ends with the fleet's).
    pub fn merge(&mut self, snapshot: &FleetSnapshot, local: &mut Breaker, now: Millis) -> Result<(), FleetError> {
        let last = self.view.map(|view| view.generation);
        if let Some(last) = last.filter(|_| self.is_stale(snapshot)) {
            let message = text!["must be at least ", last, " (the last merged); got ", snapshot.generation];
            return Err(FleetError::new("generation", message));
        }
        local.core_time(now);
        let now = local.latest_time(); // a reading that is none counts as the latest
        let open_for = snapshot.open_for_ms.map(Millis);
        if last.is_none_or(|last| snapshot.generation > last) {
            match snapshot.state {
                // Open until whichever ends later: the fleet's deadline never shortens the local one.
                State::Open if until_later(open_for, local.open_for(now)) => local.force_open_by_fleet(open_for, now),
                State::Closed if !self.trip_pending(local) && local.state(now) != State::Closed => local.reset_by_fleet(now),
                State::Open | State::Closed | State::HalfOpen => {}
            }
        }
        let open_until = match snapshot.state {
            State::Open => open_for.map(|open_for| now.after(open_for)),
            State::Closed | State::HalfOpen => None,
        };
        self.view = Some(FleetView { state: snapshot.state, generation: snapshot.generation, open_until, received_at: now });
        Ok(())
    }

    /// Whether `snapshot` is of a lower generation than the last merged: an
    /// answer overtaken by a newer one (or a replay), which merge refuses.
    pub fn is_stale(&self, snapshot: &FleetSnapshot) -> bool {
        self.view.is_some_and(|view| snapshot.generation < view.generation)
    }

    /// How to admit a call at `now`, with the local breaker in `local_state`,
    /// trusting a view at most `stale_after` old (and none after the clock
    /// was set back past when it was merged: its deadline would be off). Local open: the local
    /// breaker blocks. A fresh open view blocks until the fleet's deadline
    /// and, once that has passed (the fleet is due to half-open), asks for a
    /// lease; a fresh half-open view asks for a lease. Otherwise: local.
    pub fn admission(&self, local_state: State, now: Millis, stale_after: Millis) -> Admission {
        let fresh = |view: &FleetView| view.received_at <= now && now.since(view.received_at) <= stale_after;
        let Some(view) = self.view.filter(fresh) else {
            return Admission::Local;
        };
        match (local_state, view.state) {
            (State::Open, _) => Admission::Local,
            (_, State::Open) => match view.open_until {
                Some(until) if until <= now => Admission::Lease,
                until => Admission::Blocked { retry_after: until.map(|until| until.since(now)) },
            },
            (_, State::HalfOpen) => Admission::Lease,
            (_, State::Closed) => Admission::Local,
        }
    }

    /// The fleet as last merged, for status.
    pub fn view(&self) -> Option<FleetView> {
        self.view
    }
}

/// Whether an open period of `fleet` (`None`: until reset) outlasts the local
/// breaker's, given its state and time left open.
fn until_later(fleet: Option<Millis>, (state, local): (State, Option<Millis>)) -> bool {
    let forever = Millis(u64::MAX);
    state != State::Open || fleet.unwrap_or(forever) > local.unwrap_or(forever)
}
