//! The little unsigned big-integer arithmetic that exact variance needs.
//!
//! CPython's `statistics` sums squared deviations as `Fraction`s over the
//! doubles' exact ratios, so its numerators and denominators grow past any
//! fixed width (a double spans 2^-1074..2^1024, and squaring doubles that).
//! Only a handful of operations are needed, and the numbers are short in
//! practice (a few limbs for timing data), so plain schoolbook algorithms do:
//! clarity beats speed here.

use std::cmp::Ordering;

/// A non-negative integer as little-endian 64-bit limbs, with no zero limb at
/// the top (so zero is the empty vector and equal values compare equal).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct BigUint {
    limbs: Vec<u64>,
}

impl BigUint {
    /// Zero.
    pub(crate) fn zero() -> Self {
        Self::default()
    }

    /// The value of a `u128`.
    pub(crate) fn from_u128(value: u128) -> Self {
        // Splitting into halves on purpose: the casts keep the low 64 bits.
        let low = value as u64;
        let high = (value >> 64) as u64;
        Self::from_limbs(vec![low, high])
    }

    fn from_limbs(mut limbs: Vec<u64>) -> Self {
        while limbs.last() == Some(&0) {
            limbs.pop();
        }
        Self { limbs }
    }

    /// True for zero.
    pub(crate) fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    /// Python's `int.bit_length()`: 0 for zero.
    pub(crate) fn bit_length(&self) -> u64 {
        match self.limbs.last() {
            None => 0,
            Some(&top) => {
                let full = self.limbs.len() as u64 - 1;
                full * 64 + u64::from(64 - top.leading_zeros())
            }
        }
    }

    /// Number of zero bits below the lowest set bit; 0 for zero.
    pub(crate) fn trailing_zeros(&self) -> u64 {
        let mut count = 0;
        for &limb in &self.limbs {
            if limb != 0 {
                return count + u64::from(limb.trailing_zeros());
            }
            count += 64;
        }
        0
    }

    /// The value as a `u128`, when it fits.
    pub(crate) fn to_u128(&self) -> Option<u128> {
        match self.limbs.as_slice() {
            [] => Some(0),
            [low] => Some(u128::from(*low)),
            [low, high] => Some(u128::from(*low) | (u128::from(*high) << 64)),
            _ => None,
        }
    }

    /// `self + other`.
    pub(crate) fn add(&self, other: &Self) -> Self {
        let (long, short) = if self.limbs.len() >= other.limbs.len() {
            (&self.limbs, &other.limbs)
        } else {
            (&other.limbs, &self.limbs)
        };
        let mut out = Vec::with_capacity(long.len() + 1);
        let mut carry = false;
        let padded = short.iter().copied().chain(std::iter::repeat(0));
        for (&a, b) in long.iter().zip(padded) {
            let (sum, c1) = a.overflowing_add(b);
            let (sum, c2) = sum.overflowing_add(u64::from(carry));
            out.push(sum);
            carry = c1 || c2;
        }
        out.push(u64::from(carry));
        Self::from_limbs(out)
    }

    /// `self - other`, or `None` when `other` is larger.
    pub(crate) fn checked_sub(&self, other: &Self) -> Option<Self> {
        if *self < *other {
            return None;
        }
        let mut out = self.limbs.clone();
        sub_in_place(&mut out, &other.limbs);
        Some(Self::from_limbs(out))
    }

    /// `self * other`, schoolbook.
    pub(crate) fn mul(&self, other: &Self) -> Self {
        if self.is_zero() || other.is_zero() {
            return Self::zero();
        }
        let mut out = vec![0u64; self.limbs.len() + other.limbs.len()];
        for (i, &a) in self.limbs.iter().enumerate() {
            let mut carry: u128 = 0;
            for (slot, &b) in out.iter_mut().skip(i).zip(&other.limbs) {
                let t = u128::from(a) * u128::from(b) + u128::from(*slot) + carry;
                // Low half stays in the slot, high half carries on.
                *slot = t as u64;
                carry = t >> 64;
            }
            // The row's last carry lands in a slot no earlier row has
            // reached, so it cannot overflow it.
            if let Some(slot) = out.get_mut(i + other.limbs.len()) {
                *slot = carry as u64;
            }
        }
        Self::from_limbs(out)
    }

    /// `self << bits`.
    pub(crate) fn shl(&self, bits: u64) -> Self {
        if self.is_zero() {
            return Self::zero();
        }
        let words = usize::try_from(bits / 64).unwrap_or(usize::MAX);
        let offset = (bits % 64) as u32;
        let mut out = vec![0u64; words];
        if offset == 0 {
            out.extend_from_slice(&self.limbs);
        } else {
            let mut carry = 0u64;
            for &limb in &self.limbs {
                out.push((limb << offset) | carry);
                carry = limb >> (64 - offset);
            }
            out.push(carry);
        }
        Self::from_limbs(out)
    }

    /// `self >> bits` (floor).
    pub(crate) fn shr(&self, bits: u64) -> Self {
        let words = usize::try_from(bits / 64).unwrap_or(usize::MAX);
        let Some(kept) = self.limbs.get(words..) else {
            return Self::zero();
        };
        let offset = (bits % 64) as u32;
        if offset == 0 {
            return Self::from_limbs(kept.to_vec());
        }
        let highs = kept.iter().skip(1).copied().chain(std::iter::once(0));
        let out = kept
            .iter()
            .zip(highs)
            .map(|(&low, high)| (low >> offset) | (high << (64 - offset)))
            .collect();
        Self::from_limbs(out)
    }

    /// `(self // divisor, self % divisor)` for a one-limb divisor, one limb
    /// at a time; `None` for zero.
    pub(crate) fn div_rem_u64(&self, divisor: u64) -> Option<(Self, u64)> {
        if divisor == 0 {
            return None;
        }
        let wide = u128::from(divisor);
        let mut rem: u128 = 0;
        let mut quotient = vec![0u64; self.limbs.len()];
        for (slot, &limb) in quotient.iter_mut().zip(&self.limbs).rev() {
            let current = (rem << 64) | u128::from(limb);
            // `rem < divisor`, so the quotient digit fits one limb.
            *slot = (current / wide) as u64;
            rem = current % wide;
        }
        Some((Self::from_limbs(quotient), rem as u64))
    }

    /// `(self // divisor, self % divisor)`; `None` for a zero divisor.
    ///
    /// Binary long division: one compare-and-subtract per quotient bit. The
    /// callers' quotients are short (about 110 bits when taking square roots),
    /// which is where this is cheap.
    pub(crate) fn div_rem(&self, divisor: &Self) -> Option<(Self, Self)> {
        if divisor.is_zero() {
            return None;
        }
        if *self < *divisor {
            return Some((Self::zero(), self.clone()));
        }
        let shift = self.bit_length() - divisor.bit_length();
        let mut rem = self.limbs.clone();
        let mut quotient = vec![0u64; usize::try_from(shift / 64 + 1).unwrap_or(usize::MAX)];
        let mut step = divisor.shl(shift).limbs;
        for bit in (0..=shift).rev() {
            if cmp_limbs(&rem, &step) != Ordering::Less {
                sub_in_place(&mut rem, &step);
                trim(&mut rem);
                let word = usize::try_from(bit / 64).unwrap_or(usize::MAX);
                if let Some(slot) = quotient.get_mut(word) {
                    *slot |= 1 << (bit % 64);
                }
            }
            shr1_in_place(&mut step);
        }
        Some((Self::from_limbs(quotient), Self::from_limbs(rem)))
    }
}

impl Ord for BigUint {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_limbs(&self.limbs, &other.limbs)
    }
}

impl PartialOrd for BigUint {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Compares trimmed-or-not limb vectors by value.
fn cmp_limbs(a: &[u64], b: &[u64]) -> Ordering {
    let a = strip_top_zeros(a);
    let b = strip_top_zeros(b);
    a.len()
        .cmp(&b.len())
        .then_with(|| a.iter().rev().cmp(b.iter().rev()))
}

fn strip_top_zeros(limbs: &[u64]) -> &[u64] {
    let used = limbs.iter().rposition(|&l| l != 0).map_or(0, |top| top + 1);
    limbs.get(..used).unwrap_or_default()
}

fn trim(limbs: &mut Vec<u64>) {
    while limbs.last() == Some(&0) {
        limbs.pop();
    }
}

/// `a -= b`, for `a >= b` by value (callers check); `a` keeps its length.
fn sub_in_place(a: &mut [u64], b: &[u64]) {
    let mut borrow = false;
    let padded = b.iter().copied().chain(std::iter::repeat(0));
    for (slot, y) in a.iter_mut().zip(padded) {
        let (diff, b1) = slot.overflowing_sub(y);
        let (diff, b2) = diff.overflowing_sub(u64::from(borrow));
        *slot = diff;
        borrow = b1 || b2;
    }
}

fn shr1_in_place(limbs: &mut Vec<u64>) {
    let mut carry = 0u64;
    for limb in limbs.iter_mut().rev() {
        let next = *limb << 63;
        *limb = (*limb >> 1) | carry;
        carry = next;
    }
    trim(limbs);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(v: u128) -> BigUint {
        BigUint::from_u128(v)
    }

    #[test]
    fn arithmetic_matches_u128_on_small_values() {
        let samples = [
            0u128,
            1,
            2,
            3,
            7,
            64,
            u64::MAX as u128,
            1 << 64,
            12_345_678_901_234_567,
            (1 << 100) + 17,
        ];
        for &a in &samples {
            for &b in &samples {
                assert_eq!(big(a).add(&big(b)).to_u128(), a.checked_add(b));
                assert_eq!(
                    big(a).checked_sub(&big(b)).and_then(|d| d.to_u128()),
                    a.checked_sub(b)
                );
                if let Some(p) = a.checked_mul(b) {
                    assert_eq!(big(a).mul(&big(b)).to_u128(), Some(p));
                }
                if b != 0 {
                    let (q, r) = big(a).div_rem(&big(b)).unwrap_or_default();
                    assert_eq!((q.to_u128(), r.to_u128()), (Some(a / b), Some(a % b)));
                }
                assert_eq!(big(a).cmp(&big(b)), a.cmp(&b));
            }
            assert_eq!(big(a).bit_length(), u64::from(128 - a.leading_zeros()));
        }
    }

    #[test]
    fn shifts_round_trip_past_limb_boundaries() {
        let x = big(0xDEAD_BEEF_0123_4567_89AB_CDEF);
        for bits in [0, 1, 63, 64, 65, 127, 128, 200] {
            assert_eq!(x.shl(bits).shr(bits), x);
            assert_eq!(x.shl(bits).bit_length(), x.bit_length() + bits);
            assert_eq!(x.shl(bits).trailing_zeros(), x.trailing_zeros() + bits);
        }
        assert_eq!(x.shr(500), BigUint::zero());
    }

    #[test]
    fn one_limb_division_matches_long_division() {
        let n = big(1).shl(300).add(&big(987_654_321));
        for d in [1u64, 3, 1_000_003, u64::MAX] {
            let (q, r) = n.div_rem_u64(d).unwrap_or_default();
            let (q2, r2) = n.div_rem(&big(u128::from(d))).unwrap_or_default();
            assert_eq!((q, Some(u128::from(r))), (q2, r2.to_u128()));
        }
        assert!(n.div_rem_u64(0).is_none());
    }

    #[test]
    fn division_of_wide_values_is_exact() {
        // (2^300 + 12345) = q * d + r with d wide too.
        let d = big((1 << 90) + 3);
        let n = big(1).shl(300).add(&big(12_345));
        let (q, r) = n.div_rem(&d).unwrap_or_default();
        assert!(r < d);
        assert_eq!(q.mul(&d).add(&r), n);
    }
}
