//! What a call gets and gives back: a permit in, an outcome out.

use crate::status::State;
use crate::time::Millis;

/// Generations wrap within 40 bits so a permit's [`token`](Permit::token) fits
/// exactly in a JavaScript number (2^53).
pub(crate) const GENERATION_MASK: u64 = (1 << 40) - 1;
/// Probe slots number at most 4096, so `slot + 1` fits in 13 bits.
const SLOT_BITS: u32 = 13;

/// Leave to make one call. A small `Copy` value: the generation it was issued
/// in, the probe slot it holds (half-open only) and when it was issued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Permit {
    pub(crate) generation: u64,
    pub(crate) probe_slot: Option<u16>,
    pub(crate) acquired_at: Millis,
}

impl Permit {
    /// When the permit was issued, as the breaker's latest reading (for slow-call timing).
    pub fn acquired_at(&self) -> Millis {
        self.acquired_at
    }

    /// Whether the permit is a half-open probe.
    pub fn is_probe(&self) -> bool {
        self.probe_slot.is_some()
    }

    /// The permit as one integer below 2^53 (generation and probe slot), for
    /// hosts that hand permits across a boundary as numbers. Together with
    /// [`acquired_at`](Permit::acquired_at) it rebuilds the permit with
    /// [`from_token`](Permit::from_token).
    pub fn token(&self) -> u64 {
        let slot = self.probe_slot.map_or(0, |slot| u64::from(slot).saturating_add(1));
        (self.generation << SLOT_BITS) | slot
    }

    /// Rebuilds a permit from [`token`](Permit::token) and `acquired_at`. A token
    /// that was never issued makes a permit that settles as stale: it is
    /// counted but moves nothing.
    pub fn from_token(token: u64, acquired_at: Millis) -> Permit {
        let slot = token & ((1 << SLOT_BITS) - 1);
        Permit {
            generation: (token >> SLOT_BITS) & GENERATION_MASK,
            probe_slot: slot.checked_sub(1).and_then(|slot| u16::try_from(slot).ok()),
            acquired_at,
        }
    }
}

/// How a call went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    /// Neither: leaves no trace in the window, frees a probe slot.
    Ignored,
}

/// Why a call was not admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// `Open`, or `HalfOpen` when every probe slot is taken.
    pub state: State,
    /// Time until a probe may be admitted: 0 when half-open, `None` when forced
    /// open until reset.
    pub retry_after: Option<Millis>,
}
