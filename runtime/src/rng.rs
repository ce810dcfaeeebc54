//! A small seeded pseudo-random generator (SplitMix64): the seeded
//! schedule's choices ([`Builder::seed`](crate::Builder::seed)) and
//! `select!`'s start branch.
//!
//! Not for anything secret: it only has to be fast, cover the range
//! evenly, and give the same sequence for the same seed on every platform.

use std::cell::Cell;

/// SplitMix64: one addition and a few multiplies and shifts per number.
#[derive(Debug)]
pub(crate) struct Rng {
    state: Cell<u64>,
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng {
            state: Cell::new(seed),
        }
    }

    pub(crate) fn next_u64(&self) -> u64 {
        let s = self.state.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
        self.state.set(s);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` at least 1), without modulo bias worth
    /// the name: the high bits of a 64 by 64 bit product.
    pub(crate) fn below(&self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// Folds `value` into the running hash `hash` (FNV-1a over its eight
/// bytes): the schedule fingerprint.
pub(crate) fn fold(hash: u64, value: u64) -> u64 {
    value.to_le_bytes().iter().fold(hash, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// FNV-1a's starting value.
pub(crate) const FOLD_START: u64 = 0xcbf2_9ce4_8422_2325;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_seed_gives_one_sequence_and_two_seeds_differ() {
        let (a, b, c) = (Rng::new(7), Rng::new(7), Rng::new(8));
        let xs: Vec<u64> = (0..16).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..16).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..16).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn below_covers_its_range_evenly() {
        let rng = Rng::new(1);
        let mut counts = [0u32; 5];
        for _ in 0..50_000 {
            counts[rng.below(5)] += 1;
        }
        // 10,000 each expected; a broken reduction skews one by far more.
        for (i, &c) in counts.iter().enumerate() {
            assert!((9_000..11_000).contains(&c), "bucket {i}: {c} of 50,000");
        }
        assert_eq!(Rng::new(3).below(1), 0);
    }
}
