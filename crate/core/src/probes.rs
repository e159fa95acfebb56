//! The probe slots of the half-open state: when each probe in flight was
//! admitted, so that a lost probe expires instead of wedging the circuit.

use alloc::boxed::Box;
use alloc::vec;

use crate::time::Millis;

#[derive(Debug)]
pub(crate) struct Probes {
    /// `Some(admitted_at)` for a slot whose probe is in flight.
    slots: Box<[Option<Millis>]>,
}

impl Probes {
    pub(crate) fn new(max_in_flight: u32) -> Probes {
        let capacity = usize::try_from(max_in_flight).unwrap_or(1).max(1);
        Probes { slots: vec![None; capacity].into_boxed_slice() }
    }

    /// Takes a free slot for a probe admitted at `now`, or `None` if all are taken.
    pub(crate) fn admit(&mut self, now: Millis) -> Option<u16> {
        let (index, slot) = self.slots.iter_mut().enumerate().find(|(_, slot)| slot.is_none())?;
        *slot = Some(now);
        u16::try_from(index).ok()
    }

    /// Frees a slot; false if it held no probe (a forged or repeated settle).
    pub(crate) fn release(&mut self, index: u16) -> bool {
        self.slots.get_mut(usize::from(index)).and_then(Option::take).is_some()
    }

    /// When the oldest probe in flight times out, if any is in flight.
    pub(crate) fn first_expiry(&self, timeout: Millis) -> Option<Millis> {
        self.slots.iter().flatten().min().map(|admitted_at| admitted_at.after(timeout))
    }

    /// Moves every admission time back by `by` (see `Breaker::move_back`).
    pub(crate) fn move_back(&mut self, by: Millis) {
        self.slots.iter_mut().flatten().for_each(|admitted_at| *admitted_at = admitted_at.since(by));
    }

    pub(crate) fn clear(&mut self) {
        self.slots.iter_mut().for_each(|slot| *slot = None);
    }
}
