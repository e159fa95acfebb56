//! Breaker ids that differ between instances of the component, so that a
//! permit carried to another instance names no breaker there and is refused
//! as `other-breaker` instead of settling a breaker that did not issue it.
//!
//! Counting from 1 would repeat the same ids in every instance. Nothing inside
//! an instance tells it apart from another: wasm is deterministic, so a
//! static's address, a heap pointer or a counter is the same in each, and the
//! component imports no randomness (a host supplies the clock and nothing
//! else, on purpose). What differs is when an instance starts: each instance's
//! key is the host clock's reading when it creates its first breaker, and an
//! id is the key plus a count, scrambled by a bijection (splitmix64's
//! finaliser), so ids never repeat within an instance and two instances'
//! ids meet only if their keys are within a count of each other after
//! scrambling: in practice, only when both created their first breaker in the
//! same millisecond of the host clock. A host running instances side by side
//! should still keep each permit with the instance that issued it.

use spin::Mutex;

struct Ids {
    /// Set when the first breaker is created.
    key: Option<u64>,
    /// Ids handed out so far.
    issued: u64,
}

static IDS: Mutex<Ids> = Mutex::new(Ids { key: None, issued: 0 });

/// A new breaker's number in the instance (1, 2, ...: for its default name)
/// and its id; `clock` is read once per instance, for the first.
pub(crate) fn next(clock: impl FnOnce() -> u64) -> (u64, u64) {
    let mut ids = IDS.lock();
    let key = *ids.key.get_or_insert_with(|| scramble(clock()));
    ids.issued = ids.issued.wrapping_add(1);
    (ids.issued, scramble(key.wrapping_add(ids.issued)))
}

/// splitmix64's output function: a bijection on u64 that spreads nearby inputs far apart.
fn scramble(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]
mod tests {
    use super::scramble;

    #[test]
    fn instances_started_a_millisecond_apart_share_no_id_among_their_first_thousand() {
        let ids = |reading: u64| -> Vec<u64> { (1..=1000).map(|n| scramble(scramble(reading).wrapping_add(n))).collect() };
        let first = ids(1_700_000_000_000);
        let second = ids(1_700_000_000_001);
        assert!(first.iter().all(|id| !second.contains(id)));
        let mut sorted = first.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), first.len(), "no id repeats within an instance");
    }
}
