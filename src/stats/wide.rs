//! A fixed 256-bit unsigned integer for the fast variance path.
//!
//! Timing data has a narrow exponent range, so the exact sums that
//! [`super::pstdev`] and [`super::stdev`] need fit in 256 bits. This type
//! does the few operations they use on the stack, with no allocation; every
//! operation that could lose bits returns `None` instead, and the caller then
//! takes the general [`super::bigint`] path.

/// A non-negative integer below 2^256, as little-endian 64-bit limbs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct U256([u64; 4]);

/// The low and high 64-bit halves of a `u128`; the casts keep the bits.
fn halves(value: u128) -> (u64, u64) {
    (value as u64, (value >> 64) as u64)
}

impl U256 {
    /// The value of a `u128`.
    pub(crate) fn from_u128(value: u128) -> Self {
        let (low, high) = halves(value);
        Self([low, high, 0, 0])
    }

    /// `a * b`, exactly (the product of two `u128`s always fits).
    pub(crate) fn product(a: u128, b: u128) -> Self {
        let (a0, a1) = halves(a);
        let (b0, b1) = halves(b);
        let mut out = [0u64; 4];
        for (i, x) in [a0, a1].into_iter().enumerate() {
            let mut carry: u128 = 0;
            for (j, y) in [b0, b1].into_iter().enumerate() {
                if let Some(slot) = out.get_mut(i + j) {
                    let t = u128::from(x) * u128::from(y) + u128::from(*slot) + carry;
                    (*slot, carry) = (t as u64, t >> 64);
                }
            }
            // Row `i` reaches limb `i + 1` at most; its carry lands above.
            if let Some(slot) = out.get_mut(i + 2) {
                *slot = carry as u64;
            }
        }
        Self(out)
    }

    /// True for zero.
    pub(crate) fn is_zero(self) -> bool {
        self.0 == [0; 4]
    }

    /// Python's `int.bit_length()`: 0 for zero.
    pub(crate) fn bit_length(self) -> u32 {
        let mut bits = 0;
        for (i, &limb) in self.0.iter().enumerate() {
            if limb != 0 {
                bits = 64 * i as u32 + (64 - limb.leading_zeros());
            }
        }
        bits
    }

    /// `self + other`, or `None` on overflow.
    pub(crate) fn checked_add(self, other: Self) -> Option<Self> {
        let mut out = [0u64; 4];
        let mut carry = false;
        for ((slot, &a), &b) in out.iter_mut().zip(&self.0).zip(&other.0) {
            let (sum, c1) = a.overflowing_add(b);
            let (sum, c2) = sum.overflowing_add(u64::from(carry));
            *slot = sum;
            carry = c1 || c2;
        }
        (!carry).then_some(Self(out))
    }

    /// `self - other`, or `None` when `other` is larger.
    pub(crate) fn checked_sub(self, other: Self) -> Option<Self> {
        let mut out = [0u64; 4];
        let mut borrow = false;
        for ((slot, &a), &b) in out.iter_mut().zip(&self.0).zip(&other.0) {
            let (diff, b1) = a.overflowing_sub(b);
            let (diff, b2) = diff.overflowing_sub(u64::from(borrow));
            *slot = diff;
            borrow = b1 || b2;
        }
        (!borrow).then_some(Self(out))
    }

    /// `self * factor`, or `None` on overflow.
    pub(crate) fn checked_mul_u64(self, factor: u64) -> Option<Self> {
        let mut out = [0u64; 4];
        let mut carry: u128 = 0;
        for (slot, &limb) in out.iter_mut().zip(&self.0) {
            let t = u128::from(limb) * u128::from(factor) + carry;
            (*slot, carry) = (t as u64, t >> 64);
        }
        (carry == 0).then_some(Self(out))
    }

    /// `self << bits`, or `None` when a set bit would be shifted out.
    pub(crate) fn checked_shl(self, bits: u32) -> Option<Self> {
        if self.is_zero() {
            return Some(self);
        }
        if self.bit_length() + bits > 256 {
            return None;
        }
        let words = (bits / 64) as usize;
        let offset = bits % 64;
        let mut out = [0u64; 4];
        for (i, slot) in out.iter_mut().enumerate() {
            let Some(src) = i.checked_sub(words) else {
                continue;
            };
            let low = self.0.get(src).copied().unwrap_or(0);
            let below = src.checked_sub(1).and_then(|j| self.0.get(j)).copied();
            *slot = if offset == 0 {
                low
            } else {
                (low << offset) | (below.unwrap_or(0) >> (64 - offset))
            };
        }
        Some(Self(out))
    }

    /// `self >> bits` (floor), and whether any set bit was shifted out.
    pub(crate) fn shr_sticky(self, bits: u32) -> (Self, bool) {
        if bits >= 256 {
            return (Self::default(), !self.is_zero());
        }
        let words = (bits / 64) as usize;
        let offset = bits % 64;
        let mut out = [0u64; 4];
        for (i, slot) in out.iter_mut().enumerate() {
            let low = self.0.get(i + words).copied().unwrap_or(0);
            let above = self.0.get(i + words + 1).copied().unwrap_or(0);
            *slot = if offset == 0 {
                low
            } else {
                (low >> offset) | (above << (64 - offset))
            };
        }
        (Self(out), self.trailing_zeros() < bits)
    }

    /// Number of zero bits below the lowest set bit; 256 for zero.
    fn trailing_zeros(self) -> u32 {
        let mut count = 0;
        for &limb in &self.0 {
            if limb != 0 {
                return count + limb.trailing_zeros();
            }
            count += 64;
        }
        count
    }

    /// `(self // divisor, self % divisor)`; `None` for a zero divisor.
    pub(crate) fn div_rem_u64(self, divisor: u64) -> Option<(Self, u64)> {
        if divisor == 0 {
            return None;
        }
        let wide = u128::from(divisor);
        let mut rem: u128 = 0;
        let mut out = [0u64; 4];
        for (slot, &limb) in out.iter_mut().zip(&self.0).rev() {
            let current = (rem << 64) | u128::from(limb);
            // `rem < divisor`, so each quotient digit fits one limb.
            *slot = (current / wide) as u64;
            rem = current % wide;
        }
        Some((Self(out), rem as u64))
    }

    /// The value as a `u128`, when it fits.
    pub(crate) fn to_u128(self) -> Option<u128> {
        match self.0 {
            [low, high, 0, 0] => Some(u128::from(low) | (u128::from(high) << 64)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::bigint::BigUint;
    use super::*;

    /// The same value as a [`BigUint`], to check against its arithmetic.
    fn big(x: U256) -> BigUint {
        let [a, b, c, d] = x.0;
        BigUint::from_u128(u128::from(c) | (u128::from(d) << 64))
            .shl(128)
            .add(&BigUint::from_u128(u128::from(a) | (u128::from(b) << 64)))
    }

    const SAMPLES: [u128; 8] = [
        0,
        1,
        3,
        u64::MAX as u128,
        1 << 64,
        0xDEAD_BEEF_0123_4567_89AB_CDEF,
        u128::MAX,
        (1 << 127) + 12_345,
    ];

    #[test]
    fn products_sums_and_differences_match_bigint() {
        for &a in &SAMPLES {
            for &b in &SAMPLES {
                let p = U256::product(a, b);
                assert_eq!(big(p), BigUint::from_u128(a).mul(&BigUint::from_u128(b)));
                let q = U256::product(b, a);
                let sum = big(p).add(&big(q));
                let fits = sum.bit_length() <= 256;
                assert_eq!(p.checked_add(q).map(big), fits.then_some(sum));
                let diff = p.checked_sub(U256::from_u128(a));
                assert_eq!(diff.map(big), big(p).checked_sub(&BigUint::from_u128(a)));
                assert_eq!(u64::from(p.bit_length()), big(p).bit_length());
            }
        }
        let top = U256::product(u128::MAX, u128::MAX);
        assert_eq!(top.checked_add(U256::product(1 << 127, 4)), None);
        assert_eq!(top.checked_mul_u64(2), None);
        assert_eq!(U256::from_u128(1).checked_sub(U256::from_u128(2)), None);
    }

    #[test]
    fn shifts_and_division_match_bigint() {
        for &a in &SAMPLES {
            let x = U256::product(a, 0x1234_5678_9ABC_DEF0_1357);
            for bits in [0, 1, 63, 64, 65, 100, 127, 128, 200, 255, 256, 300] {
                let (shifted, dropped) = x.shr_sticky(bits);
                assert_eq!(big(shifted), big(x).shr(u64::from(bits)));
                let back = big(shifted).shl(u64::from(bits));
                assert_eq!(dropped, back != big(x), "{a} >> {bits}");
                match x.checked_shl(bits) {
                    Some(y) => assert_eq!(big(y), big(x).shl(u64::from(bits))),
                    None => assert!(big(x).shl(u64::from(bits)).bit_length() > 256),
                }
            }
            for d in [1u64, 3, 1_000_003, u64::MAX] {
                let (q, r) = x.div_rem_u64(d).unwrap_or_default();
                let (q2, r2) = big(x).div_rem_u64(d).unwrap_or_default();
                assert_eq!((big(q), r), (q2, r2));
            }
            assert_eq!(x.div_rem_u64(0), None);
            assert_eq!(
                x.checked_mul_u64(7).map(big),
                Some(big(x).mul(&BigUint::from_u128(7)))
            );
        }
        assert_eq!(U256::from_u128(5).to_u128(), Some(5));
        assert_eq!(U256::product(1 << 100, 1 << 100).to_u128(), None);
    }
}
