//! Seeded id generation: every GUID the emulator invents (scope ids, principal ids,
//! operation ids, request ids) comes from here, so the same seed and the same sequence of
//! requests give the same ids.

use std::sync::atomic::{AtomicU64, Ordering};

/// A lock-free, seeded generator of GUID-shaped ids (SplitMix64 over a counter).
#[derive(Debug)]
pub struct IdGenerator {
    seed: u64,
    counter: AtomicU64,
}

impl IdGenerator {
    pub fn new(seed: u64) -> Self {
        Self { seed, counter: AtomicU64::new(0) }
    }

    fn next_u64(&self) -> u64 {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        splitmix64(self.seed ^ splitmix64(n))
    }

    /// A lower-case GUID (`8-4-4-4-12` hex digits), version-4 shaped.
    pub fn guid(&self) -> String {
        let text = self.guid_ascii();
        // Hex digits and dashes only.
        text.iter().map(|&b| b as char).collect()
    }

    /// [`IdGenerator::guid`] as ASCII bytes, without allocating (a request id per request).
    pub fn guid_ascii(&self) -> [u8; 36] {
        let hi = self.next_u64();
        let lo = self.next_u64();
        let b = ((hi as u128) << 64) | lo as u128;
        // Set the version (4) and variant (10xx) bits so clients that validate GUIDs accept them.
        let b = (b & !(0xf << 76)) | (0x4 << 76);
        let b = (b & !(0x3 << 62)) | (0x2 << 62);
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = [b'-'; 36];
        let mut digit = 0;
        for (i, slot) in out.iter_mut().enumerate() {
            if matches!(i, 8 | 13 | 18 | 23) {
                continue;
            }
            *slot = HEX[((b >> (124 - 4 * digit)) & 0xf) as usize];
            digit += 1;
        }
        out
    }
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_guid_shape() {
        let a = IdGenerator::new(7);
        let b = IdGenerator::new(7);
        let xs: Vec<_> = (0..5).map(|_| a.guid()).collect();
        let ys: Vec<_> = (0..5).map(|_| b.guid()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs[0], xs[1]);
        assert_ne!(IdGenerator::new(8).guid(), xs[0]);
        let g = &xs[0];
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "4");
        assert!(matches!(&g[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn guids_are_the_formatted_bits_as_before() {
        // The earlier formatting, kept here: the same seed must keep giving the same ids.
        fn formatted(b: u128) -> String {
            let h = format!("{b:032x}");
            format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
        }
        let g = IdGenerator::new(42);
        let twin = IdGenerator::new(42);
        for _ in 0..1000 {
            let (hi, lo) = (twin.next_u64(), twin.next_u64());
            let b = ((hi as u128) << 64) | lo as u128;
            let b = (b & !(0xf << 76)) | (0x4 << 76);
            let b = (b & !(0x3 << 62)) | (0x2 << 62);
            assert_eq!(g.guid(), formatted(b));
        }
    }
}
