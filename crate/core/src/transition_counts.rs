//! Every state change over a breaker's life, counted by the change and its
//! cause, for metrics (a Prometheus `transitions_total{from,to,cause}` counter):
//! the log in transitions.rs keeps only the last few, and a scrape that comes
//! every 15 s must still see each one counted.

use alloc::boxed::Box;

use crate::cause::Cause;
use crate::status::{State, Transition};

/// The changes a circuit can make, in the order of their codes: the rules
/// change state along these five and no other.
pub const CHANGES: [(State, State); 5] = [
    (State::Closed, State::Open),
    (State::HalfOpen, State::Open),
    (State::Open, State::HalfOpen),
    (State::HalfOpen, State::Closed),
    (State::Open, State::Closed),
];

const CAUSES: usize = Cause::NAMES.len();

/// Changes counted by change and cause; wrapping at 2^64 like the lifetime counters.
type Table = [[u64; CAUSES]; CHANGES.len()];

/// How many times a breaker changed from `from` to `to` for `cause`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransitionCount {
    pub from: State,
    pub to: State,
    /// The cause's code: its index in [`Cause::NAMES`].
    pub cause: u8,
    pub count: u64,
}

/// The table is allocated at the first change: most breakers never change
/// state, and then cost one pointer, not 440 bytes.
#[derive(Debug, Default)]
pub(crate) struct TransitionCounts {
    table: Option<Box<Table>>,
}

impl TransitionCounts {
    pub(crate) fn count(&mut self, transition: &Transition) {
        let change = CHANGES.iter().position(|&change| change == (transition.from, transition.to));
        let table = self.table.get_or_insert_with(|| Box::new([[0; CAUSES]; CHANGES.len()]));
        let cell = change
            .and_then(|change| table.get_mut(change))
            .and_then(|row| row.get_mut(usize::from(transition.cause.code())));
        if let Some(cell) = cell {
            *cell = cell.wrapping_add(1);
        }
    }

    /// The changes counted at least once, by change then cause code.
    pub(crate) fn counted(&self) -> impl Iterator<Item = TransitionCount> + '_ {
        let rows = self.table.iter().flat_map(|table| CHANGES.iter().zip(table.iter()));
        rows.flat_map(|(&(from, to), row)| {
            (0u8..).zip(row.iter()).filter(|(_, count)| **count > 0).map(move |(cause, &count)| TransitionCount { from, to, cause, count })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{TransitionCount, TransitionCounts};
    use crate::cause::Cause;
    use crate::status::{State, Transition};
    use crate::time::Millis;
    use alloc::vec::Vec;

    fn change(from: State, to: State, cause: Cause) -> Transition {
        Transition { from, to, at: Millis(0), cause, open_for: None }
    }

    #[test]
    fn counts_each_change_by_its_cause_and_allocates_only_once_one_happens() {
        let mut counts = TransitionCounts::default();
        assert!(counts.table.is_none());
        counts.count(&change(State::Closed, State::Open, Cause::ProbeFailed));
        counts.count(&change(State::HalfOpen, State::Closed, Cause::Fleet));
        counts.count(&change(State::HalfOpen, State::Closed, Cause::Fleet));
        let counted: Vec<TransitionCount> = counts.counted().collect();
        assert_eq!(
            counted,
            [
                TransitionCount { from: State::Closed, to: State::Open, cause: 4, count: 1 },
                TransitionCount { from: State::HalfOpen, to: State::Closed, cause: 10, count: 2 },
            ]
        );
    }
}
