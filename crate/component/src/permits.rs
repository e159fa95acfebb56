//! The permits a breaker has issued and not yet seen settled.
//!
//! The core's permit is a `Copy` value that trusts its caller to settle it
//! once. Across a boundary the caller is another program, so the component
//! keeps each issued permit in a slot and hands out `(slot, ticket)`: settling
//! takes the permit out of its slot, and anything else is a typed error.
//! Slots are reused through a free list, so once the book has grown to the
//! most permits ever in flight at once, issuing and settling allocate nothing.

use alloc::vec::Vec;

use edgebreaker_core::Permit;

use crate::bindings::exports::edgebreaker::breaker::types::PermitError;

#[derive(Debug)]
pub(crate) struct PermitBook {
    slots: Vec<Slot>,
    /// Slots whose permit has been settled, ready for the next one.
    free: Vec<u32>,
    /// Tickets count up from 1 and are never reused, so a settled permit
    /// stays recognisable after its slot has been given to another.
    next_ticket: u64,
}

#[derive(Debug)]
struct Slot {
    /// The ticket of the last permit issued from this slot.
    ticket: u64,
    /// That permit, until it is settled.
    held: Option<Permit>,
}

impl PermitBook {
    pub(crate) fn new() -> PermitBook {
        PermitBook { slots: Vec::new(), free: Vec::new(), next_ticket: 1 }
    }

    /// Keeps `permit` and returns the `(slot, ticket)` that redeems it.
    pub(crate) fn issue(&mut self, permit: Permit) -> (u32, u64) {
        let ticket = self.next_ticket;
        self.next_ticket = self.next_ticket.saturating_add(1);
        let held = Slot { ticket, held: Some(permit) };
        if let Some(index) = self.free.pop() {
            if let Some(slot) = usize::try_from(index).ok().and_then(|i| self.slots.get_mut(i)) {
                *slot = held;
                return (index, ticket);
            }
        }
        // A wasm32 memory cannot hold u32::MAX slots; were it reached, the
        // index would be one no slot answers to, and the permit unknown.
        let index = u32::try_from(self.slots.len()).unwrap_or(u32::MAX);
        self.slots.push(held);
        (index, ticket)
    }

    /// Takes the permit out of its slot, or says why there is none to take.
    pub(crate) fn redeem(&mut self, index: u32, ticket: u64) -> Result<Permit, PermitError> {
        if ticket == 0 || ticket >= self.next_ticket {
            return Err(PermitError::Unknown);
        }
        let slot = usize::try_from(index).ok().and_then(|i| self.slots.get_mut(i)).ok_or(PermitError::Unknown)?;
        if slot.ticket == ticket {
            let permit = slot.held.take().ok_or(PermitError::AlreadySettled)?;
            self.free.push(index);
            Ok(permit)
        } else if slot.ticket > ticket {
            // Issued before this slot's current permit, so settled already (or
            // a ticket of ours paired with the wrong slot, which only forgery makes).
            Err(PermitError::AlreadySettled)
        } else {
            Err(PermitError::Unknown)
        }
    }

    /// Permits issued and not yet settled.
    #[cfg(test)]
    fn outstanding(&self) -> usize {
        self.slots.len().saturating_sub(self.free.len())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use edgebreaker_core::{Breaker, Config, Millis};

    use super::*;

    fn permit() -> Permit {
        let mut breaker = Breaker::new(Config::default()).unwrap();
        breaker.acquire(Millis(0)).unwrap()
    }

    #[test]
    fn a_permit_redeems_once_then_reads_as_settled() {
        let mut book = PermitBook::new();
        let (slot, ticket) = book.issue(permit());
        assert!(book.redeem(slot, ticket).is_ok());
        assert_eq!(book.redeem(slot, ticket), Err(PermitError::AlreadySettled));
    }

    #[test]
    fn a_settled_permit_stays_settled_after_its_slot_is_reused() {
        let mut book = PermitBook::new();
        let (slot, first) = book.issue(permit());
        book.redeem(slot, first).unwrap();
        let (reused, second) = book.issue(permit());
        assert_eq!(reused, slot);
        assert_eq!(book.redeem(slot, first), Err(PermitError::AlreadySettled));
        assert!(book.redeem(slot, second).is_ok());
    }

    #[test]
    fn tickets_and_slots_never_issued_are_unknown() {
        let mut book = PermitBook::new();
        let (slot, ticket) = book.issue(permit());
        assert_eq!(book.redeem(slot, 0), Err(PermitError::Unknown));
        assert_eq!(book.redeem(slot, ticket + 1), Err(PermitError::Unknown));
        assert_eq!(book.redeem(slot + 1, ticket), Err(PermitError::Unknown));
        assert_eq!(book.redeem(u32::MAX, u64::MAX), Err(PermitError::Unknown));
        assert!(book.redeem(slot, ticket).is_ok());
    }

    #[test]
    fn slots_are_reused_so_the_book_grows_only_to_the_most_in_flight() {
        let mut book = PermitBook::new();
        for _ in 0..1000 {
            let (a, ta) = book.issue(permit());
            let (b, tb) = book.issue(permit());
            book.redeem(a, ta).unwrap();
            book.redeem(b, tb).unwrap();
        }
        assert_eq!(book.slots.len(), 2);
        assert_eq!(book.outstanding(), 0);
    }
}
