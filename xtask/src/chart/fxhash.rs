//! A small multiply-rotate hasher for in-process maps keyed by short
//! strings (template names, function names, include counters). The std
//! default (SipHash) resists hash flooding, which these maps do not need:
//! their keys come from the chart being rendered, and a slow lookup only
//! costs that chart's own render time.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

const K: u64 = 0xf135_7aea_2e62_a9c5;

/// Word-at-a-time hasher: `h = (rotl(h, 26) ^ w) * K` per 8 bytes, with a
/// final multiply-fold so the high bits (which hashbrown uses for its
/// control bytes) depend on every input bit.
#[derive(Clone, Copy, Default)]
pub struct FxHasher {
    h: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.h = (self.h.rotate_left(26) ^ w).wrapping_mul(K);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, mut b: &[u8]) {
        while b.len() >= 8 {
            self.add(u64::from_le_bytes([
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
            ]));
            b = &b[8..];
        }
        if b.len() >= 4 {
            let lo = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            let t = &b[b.len() - 4..];
            let hi = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
            self.add(u64::from(lo) | (u64::from(hi) << 32));
        } else if !b.is_empty() {
            let w = u64::from(b[0]) | (u64::from(b[b.len() / 2]) << 8) | (u64::from(b[b.len() - 1]) << 16);
            self.add(w);
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        let m = u128::from(self.h) * u128::from(K);
        (m as u64) ^ ((m >> 64) as u64)
    }
}

pub type FxBuild = BuildHasherDefault<FxHasher>;
pub type FxHashMap<K, V> = HashMap<K, V, FxBuild>;
pub type FxHashSet<K> = HashSet<K, FxBuild>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn distinguishes_short_keys() {
        let b = FxBuild::default();
        let keys = [
            "", "a", "b", "ab", "ba", "abc", "abcd", "abcde", "include", "includf", "x.tpl", "x.tpm",
        ];
        let mut seen = FxHashSet::default();
        for k in keys {
            assert!(seen.insert(b.hash_one(k)), "collision for {k:?}");
        }
        let mut m: FxHashMap<String, usize> = FxHashMap::default();
        for (i, k) in keys.iter().enumerate() {
            m.insert((*k).to_string(), i);
        }
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(m.get(*k), Some(&i));
        }
    }
}
