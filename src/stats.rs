//! CPython's `statistics` functions that the profiler calls, bit for bit.
//!
//! The reference computes its coefficients of variation and medians with
//! Python's `statistics` module, and several primitives compare them against
//! thresholds, so a last-bit difference can flip a label. Everything here
//! follows CPython 3.11's algorithms exactly:
//!
//! * [`fsum`] is `math.fsum`: Shewchuk's exact partials, then CPython's own
//!   final rounding, including its half-way correction and its handling of
//!   infinities, NaNs and intermediate overflow.
//! * [`fmean`] is `fsum(data) / n`.
//! * [`median`] sorts like Python (stable, by `<`) and averages the middle
//!   pair with one float addition and one halving.
//! * [`pstdev`] and [`stdev`] sum the squared deviations *exactly*, as
//!   `statistics._ss` does with `Fraction`s, and take a correctly rounded
//!   square root of that rational (`_float_sqrt_of_frac`). No float formula
//!   reproduces these results, so the exact rationals are rebuilt here with a
//!   small big integer ([`bigint`]). Every double is `m * 2^e`, so all sums of
//!   them and their squares are integers over a power of two.
//! * [`correlation`] is 3.11's `fsum`-based Pearson coefficient.
//!
//! Python versions differ in one place that matters: `correlation`. 3.12
//! replaced its `fsum` deviations with `math.sumprod`,
//! and 3.13 also replaced `sqrt(sxx * syy)` with `_sqrtprod`
//! (both kept, for the tests, in `newer_pythons`). `fmean`, `median`, `pstdev` and `stdev` give the
//! same bits on 3.11, 3.12 and 3.13 (the tests check this when those
//! interpreters are installed); 3.10 and earlier computed `stdev` with float
//! arithmetic and would differ.

mod bigint;
#[cfg(test)]
mod newer_pythons;
mod wide;

use bigint::BigUint;
use wide::U256;

/// Why `math.fsum` raised instead of returning a sum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FsumError {
    /// `OverflowError`: finite inputs whose running sum left the double range.
    #[error("intermediate overflow in fsum")]
    IntermediateOverflow,

    /// `ValueError`: both `inf` and `-inf` were summed.
    #[error("-inf + inf in fsum")]
    InfMinusInf,
}

/// `math.fsum(values)`: the correctly rounded sum, as CPython computes it.
///
/// Non-finite inputs follow CPython: a NaN anywhere gives NaN, infinities of
/// one sign give that infinity.
///
/// # Errors
///
/// [`FsumError::IntermediateOverflow`] when finite inputs overflow (Python's
/// `OverflowError`), [`FsumError::InfMinusInf`] when both infinities occur
/// (Python's `ValueError`).
pub fn fsum(values: impl IntoIterator<Item = f64>) -> Result<f64, FsumError> {
    // Non-overlapping partials, smallest magnitude first; their exact sum is
    // the exact sum of everything seen so far.
    let mut partials = Partials::default();
    let mut special_sum = 0.0;
    let mut inf_sum = 0.0;

    for value in values {
        let mut x = value;
        let mut kept = 0;
        for j in 0..partials.len() {
            let Some(&partial) = partials.get(j) else {
                break;
            };
            let (big, small) = if x.abs() < partial.abs() {
                (partial, x)
            } else {
                (x, partial)
            };
            let hi = big + small;
            let lo = small - (hi - big);
            if lo != 0.0 {
                if let Some(slot) = partials.get_mut(kept) {
                    *slot = lo;
                }
                kept += 1;
            }
            x = hi;
        }
        partials.truncate(kept);

        if x != 0.0 {
            if !x.is_finite() {
                // A non-finite running sum comes either from a non-finite
                // input or from overflow; CPython tells them apart by the
                // input itself.
                if value.is_finite() {
                    return Err(FsumError::IntermediateOverflow);
                }
                if value.is_infinite() {
                    inf_sum += value;
                }
                special_sum += value;
                partials.clear();
            } else {
                partials.push(x);
            }
        }
    }

    // NaN compares unequal to zero too, so a NaN input lands here.
    if special_sum != 0.0 {
        if inf_sum.is_nan() {
            return Err(FsumError::InfMinusInf);
        }
        return Ok(special_sum);
    }

    let Some(mut hi) = partials.pop() else {
        return Ok(0.0);
    };
    // Add the partials from the top until a sum is inexact; `lo` is then the
    // rounding error of that last addition.
    let mut lo = 0.0;
    while let Some(y) = partials.pop() {
        let x = hi;
        hi = x + y;
        lo = y - (hi - x);
        if lo != 0.0 {
            break;
        }
    }
    // CPython's half-way fix: when `hi` sits exactly half an ulp from the
    // true sum and the remaining partials push the same way, round away,
    // so `fsum([1e-16, 1, 1e16])` rounds up as the exact sum does.
    if let Some(&next) = partials.last()
        && ((lo < 0.0 && next < 0.0) || (lo > 0.0 && next > 0.0))
    {
        let y = lo * 2.0;
        let x = hi + y;
        if y == x - hi {
            hi = x;
        }
    }
    Ok(hi)
}

/// `fsum`'s partials: on the stack up to 32 of them, as CPython keeps them,
/// then on the heap. The profiler calls `fsum` once per command or burst on
/// a handful of values, where an allocation per call was most of the cost.
struct Partials {
    inline: [f64; 32],
    len: usize,
    /// All the partials once more than 32 were needed (then `len` is unused).
    spilled: Option<Vec<f64>>,
}

impl Default for Partials {
    fn default() -> Self {
        Partials {
            inline: [0.0; 32],
            len: 0,
            spilled: None,
        }
    }
}

impl Partials {
    fn as_slice(&self) -> &[f64] {
        match &self.spilled {
            Some(heap) => heap,
            None => self.inline.get(..self.len).unwrap_or_default(),
        }
    }

    fn as_mut_slice(&mut self) -> &mut [f64] {
        match &mut self.spilled {
            Some(heap) => heap,
            None => self.inline.get_mut(..self.len).unwrap_or_default(),
        }
    }

    fn len(&self) -> usize {
        self.as_slice().len()
    }

    fn get(&self, i: usize) -> Option<&f64> {
        self.as_slice().get(i)
    }

    fn get_mut(&mut self, i: usize) -> Option<&mut f64> {
        self.as_mut_slice().get_mut(i)
    }

    fn last(&self) -> Option<&f64> {
        self.as_slice().last()
    }

    fn push(&mut self, x: f64) {
        if let Some(heap) = &mut self.spilled {
            heap.push(x);
        } else if let Some(slot) = self.inline.get_mut(self.len) {
            *slot = x;
            self.len += 1;
        } else {
            let mut heap = self.inline.to_vec();
            heap.push(x);
            self.spilled = Some(heap);
        }
    }

    fn pop(&mut self) -> Option<f64> {
        match &mut self.spilled {
            Some(heap) => heap.pop(),
            None => {
                self.len = self.len.checked_sub(1)?;
                self.inline.get(self.len).copied()
            }
        }
    }

    fn truncate(&mut self, len: usize) {
        match &mut self.spilled {
            Some(heap) => heap.truncate(len),
            None => self.len = self.len.min(len),
        }
    }

    fn clear(&mut self) {
        self.truncate(0);
    }
}

/// [`fsum`] over a slice: by exact integer arithmetic when
/// [`integer_fsum`] can, else by the partials.
pub fn fsum_slice(data: &[f64]) -> Result<f64, FsumError> {
    match integer_fsum(data) {
        Some(sum) => Ok(sum),
        None => fsum(data.iter().copied()),
    }
}

/// The correctly rounded sum that `math.fsum` returns, from one integer.
///
/// Over the smallest exponent present every finite double is an integer
/// mantissa, so the exact sum is one integer `S` times `2^E`. Rust converts
/// an integer to the nearest double (ties to even), and scaling by `2^E` is
/// exact while the result stays normal, so that is the correctly rounded
/// sum, as `fsum`'s partials give it, without their per-value loop.
///
/// `None` (take the partials) for a non-finite value, an exponent spread
/// that does not fit 126 bits, values large enough that a running sum could
/// overflow (Python raises there, and only the partials tell), or a
/// subnormal result (scaling it would round a second time).
fn integer_fsum(data: &[f64]) -> Option<f64> {
    const MAX_SUM_BITS: u32 = 126;
    const MAX_FINITE_EXPONENT: i64 = 1023;

    let Some(span) = Span::of(data)? else {
        // Only zeros, of either sign: `fsum` keeps no partial and gives +0.0.
        return Some(0.0);
    };
    let count_bits = usize::BITS - data.len().leading_zeros();
    if span.value_bits() + count_bits > MAX_SUM_BITS
        || span.top() + i64::from(count_bits) >= MAX_FINITE_EXPONENT
    {
        return None;
    }
    let mut sum: i128 = 0;
    for &x in data {
        let (negative, m) = span.integer(x)?;
        let m = i128::try_from(m).ok()?;
        sum += if negative { -m } else { m };
    }
    let magnitude = sum.unsigned_abs();
    if magnitude == 0 {
        return Some(0.0);
    }
    let rounded = (magnitude as f64).to_bits();
    let biased = i64::try_from(rounded >> 52).ok()? + i64::from(span.exponent());
    let biased = u64::try_from(biased)
        .ok()
        .filter(|b| (1..=2046).contains(b))?;
    let scaled = f64::from_bits((rounded & ((1 << 52) - 1)) | (biased << 52));
    Some(if sum < 0 { -scaled } else { scaled })
}

/// The exponent fields spanned by a slice's nonzero finite values, for
/// writing each as an integer over one power of two.
///
/// A double is `M * 2^(f - 1075)` with `M` its 53-bit mantissa (implicit
/// bit included) and `f` its exponent field (1 for subnormals, whose `M`
/// has no implicit bit). Trailing zeros of `M` are kept: that costs a few
/// bits of headroom and spares a normalisation per value.
#[derive(Clone, Copy, Debug)]
struct Span {
    low: u32,
    high: u32,
}

impl Span {
    /// `None` for a non-finite value; `Some(None)` when every value is zero.
    fn of(data: &[f64]) -> Option<Option<Span>> {
        let (mut low, mut high) = (u32::MAX, 0);
        for &x in data {
            let bits = x.to_bits();
            let field = ((bits >> 52) & 0x7FF) as u32;
            if field == 0x7FF {
                return None;
            }
            if bits << 1 != 0 {
                low = low.min(field.max(1));
                high = high.max(field);
            }
        }
        // Subnormals alone leave `high` at 0, below their effective field 1.
        Some((low != u32::MAX).then_some(Span {
            low,
            high: high.max(low),
        }))
    }

    /// Bits needed by the largest integer mantissa over the common exponent.
    fn value_bits(self) -> u32 {
        self.high - self.low + 53
    }

    /// Every value is below `2^top`.
    fn top(self) -> i64 {
        i64::from(self.high) - 1022
    }

    /// The common exponent `E`: every value is an integer times `2^E`.
    fn exponent(self) -> i32 {
        self.low as i32 - 1075
    }

    /// `x` as its sign and integer multiple of `2^E`; `None` for a
    /// non-finite value or one outside the span.
    fn integer(self, x: f64) -> Option<(bool, u128)> {
        let bits = x.to_bits();
        let field = ((bits >> 52) & 0x7FF) as u32;
        if field > self.high {
            return None;
        }
        let fraction = bits & ((1 << 52) - 1);
        let mantissa = if field == 0 {
            fraction
        } else {
            fraction | (1 << 52)
        };
        if mantissa == 0 {
            return Some((false, 0));
        }
        let shift = field.max(1).checked_sub(self.low)?;
        Some((bits >> 63 == 1, u128::from(mantissa) << shift))
    }
}

/// `statistics.fmean(data)`: `fsum(data) / len(data)`.
///
/// Python raises for empty data and when `fsum` raises; this returns NaN
/// then, which no finite input produces otherwise, so callers that guard on
/// length (as the reference does) never see it.
pub fn fmean(data: &[f64]) -> f64 {
    if data.is_empty() {
        return f64::NAN;
    }
    match fsum_slice(data) {
        Ok(total) => total / len_f64(data.len()),
        Err(_) => f64::NAN,
    }
}

/// `statistics.median(data)`: the middle value, or the mean of the middle
/// two as `(a + b) / 2` in float arithmetic.
///
/// Python sorts with `<` and a stable sort, so `0.0` and `-0.0` keep their
/// input order, and the sign of a zero median follows it; this does the
/// same. NaN is not ordered by `<`, and Python's result then depends on
/// timsort's comparison sequence: it is not reproduced (NaN sorts last here).
/// Empty data (a `StatisticsError` in Python) gives NaN.
pub fn median(data: &[f64]) -> f64 {
    let mut values = data.to_vec();
    let mid = values.len() / 2;
    let has = |zero: f64| data.iter().any(|x| x.to_bits() == zero.to_bits());
    if !(has(0.0) && has(-0.0)) {
        // Without both zeros, `total_cmp` orders exactly as the stable sort
        // below does (values it ties are bit-identical), so selecting the
        // middle in linear time finds the same elements.
        let Some((below, &mut upper, _)) =
            (mid < values.len()).then(|| values.select_nth_unstable_by(mid, f64::total_cmp))
        else {
            return f64::NAN;
        };
        if data.len() % 2 == 1 {
            return upper;
        }
        return match below.iter().copied().max_by(f64::total_cmp) {
            Some(lower) => (lower + upper) / 2.0,
            None => f64::NAN,
        };
    }
    let mut sorted = values;
    // Zeros compare equal whatever their sign, as `<` sees them, while the
    // order stays total (std's sort may panic on an inconsistent order).
    let key = |x: f64| if x == 0.0 { 0.0 } else { x };
    sorted.sort_by(|a, b| key(*a).total_cmp(&key(*b)));

    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        return sorted.get(mid).copied().unwrap_or(f64::NAN);
    }
    let below = mid.checked_sub(1).and_then(|i| sorted.get(i));
    match (below, sorted.get(mid)) {
        (Some(&a), Some(&b)) => (a + b) / 2.0,
        _ => f64::NAN,
    }
}

/// `statistics.pstdev(data)`: the population standard deviation, the
/// correctly rounded square root of the exact mean squared deviation.
///
/// `None` where Python raises: no data, a non-finite value (3.11 raises
/// `AttributeError` there, later versions `ValueError`), or a result too
/// large for a double (`OverflowError`).
pub fn pstdev(data: &[f64]) -> Option<f64> {
    let n = data.len();
    if n < 1 {
        return None;
    }
    exact_stdev(data, n as u128)
}

/// `statistics.stdev(data)`: the sample standard deviation (divisor
/// `n - 1`), correctly rounded from the exact sum of squared deviations.
///
/// `None` where Python raises: fewer than two values, a non-finite value,
/// or a result too large for a double.
pub fn stdev(data: &[f64]) -> Option<f64> {
    let n = data.len();
    if n < 2 {
        return None;
    }
    exact_stdev(data, n as u128 - 1)
}

/// `statistics.correlation(x, y)` as CPython 3.11 computes it: deviations
/// from `fsum` means, three `fsum`s, then `sxy / sqrt(sxx * syy)`.
///
/// `None` where Python raises `StatisticsError` (lengths differ, fewer than
/// two points, or a zero denominator, which includes a constant input) and
/// also where `fsum` raises (non-finite or overflowing input), which the
/// reference does not catch.
pub fn correlation(x: &[f64], y: &[f64]) -> Option<f64> {
    let (xbar, ybar) = correlation_means(x, y)?;
    let sxy = fsum(x.iter().zip(y).map(|(&xi, &yi)| (xi - xbar) * (yi - ybar))).ok()?;
    let sxx = fsum(x.iter().map(|&xi| square(xi - xbar))).ok()?;
    let syy = fsum(y.iter().map(|&yi| square(yi - ybar))).ok()?;
    divide_or_none(sxy, (sxx * syy).sqrt())
}

/// The count of values as Python's `int / float` division converts it.
fn len_f64(n: usize) -> f64 {
    // Exact below 2^53, and rounded to nearest above it as Python rounds.
    n as f64
}

fn square(d: f64) -> f64 {
    d * d
}

/// Python's float division, with `ZeroDivisionError` as `None`.
fn divide_or_none(numerator: f64, denominator: f64) -> Option<f64> {
    (denominator != 0.0).then(|| numerator / denominator)
}

/// Checks `correlation`'s preconditions and returns the two `fsum` means.
fn correlation_means(x: &[f64], y: &[f64]) -> Option<(f64, f64)> {
    let n = x.len();
    if y.len() != n || n < 2 {
        return None;
    }
    let xbar = fsum_slice(x).ok()? / len_f64(n);
    let ybar = fsum_slice(y).ok()? / len_f64(n);
    Some((xbar, ybar))
}

/// `sqrt(ss / divisor)` where `ss` is the exact sum of squared deviations:
/// `statistics._ss` followed by `_float_sqrt_of_frac`.
///
/// Timing data takes [`narrow_stdev`], which needs no allocation; anything it
/// cannot do within 256 bits takes the general big-integer path.
fn exact_stdev(data: &[f64], divisor: u128) -> Option<f64> {
    if let Shortcut::Done(result) = narrow_stdev(data, divisor) {
        return result;
    }
    let (numerator, denominator) = mean_square_fraction(data, divisor)?;
    float_sqrt_of_frac(&numerator, &denominator)
}

/// The outcome of a fast path that may decline.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Shortcut {
    /// The result, bit for bit what the general path gives.
    Done(Option<f64>),

    /// The input is outside what the fast path handles.
    Declined,
}

/// [`exact_stdev`] in fixed 256-bit integers, for data whose values, put
/// over one common power of two, have mantissas of at most about
/// `126 - log2(n)` bits (for doubles with six-decimal timestamps' spread of
/// exponents that is always so).
///
/// It rounds the same square root the general path does: `sqrt(V)` for the
/// exact `V = (n*Q - S^2) * 2^(2E) / (n * divisor)` (see
/// [`mean_square_fraction`]), through an integer root of 55 or 56 bits
/// rounded to odd and one final rounding. Rounding to odd at two or more
/// bits beyond the target and then to nearest gives the correctly rounded
/// result (subnormal targets included, which only have fewer bits), so the
/// answer depends on the value `V` alone: not on whether the fraction was
/// reduced to lowest terms, nor on which working precision in that range
/// was picked. `_float_sqrt_of_frac` is correctly rounded for the same
/// reason, which is why this matches it.
fn narrow_stdev(data: &[f64], divisor: u128) -> Shortcut {
    // CPython's `_float_sqrt_of_frac` working width, `2 * mant_dig + 3`.
    const SQRT_BIT_WIDTH: i64 = 2 * 53 + 3;

    let Some((numerator, common)) = narrow_square_deviations(data) else {
        return Shortcut::Declined;
    };
    if numerator.is_zero() {
        return Shortcut::Done(Some(0.0));
    }
    let n = data.len() as u128;
    let Some(den) = n.checked_mul(divisor).and_then(|d| u64::try_from(d).ok()) else {
        return Shortcut::Declined;
    };

    // V = numerator * 2^(2 * common) / den lies in [2^(w-1), 2^(w+1)).
    let twice_exp = 2 * i64::from(common);
    let den_bits = i64::from(64 - den.leading_zeros());
    let width = i64::from(numerator.bit_length()) + twice_exp - den_bits;
    // V / 4^q then lies in [2^108, 2^111): its root has 55 or 56 bits.
    let q = (width - SQRT_BIT_WIDTH).div_euclid(2);
    let shift = twice_exp - 2 * q;
    // floor(floor(a / 2^s) / d) == floor(a / (2^s * d)), so a right shift
    // before the division loses nothing but exactness, tracked here.
    let (scaled, dropped) = match u32::try_from(shift) {
        Ok(left) => match numerator.checked_shl(left) {
            Some(scaled) => (scaled, false),
            None => return Shortcut::Declined,
        },
        Err(_) => match u32::try_from(shift.unsigned_abs()) {
            Ok(right) => numerator.shr_sticky(right),
            Err(_) => return Shortcut::Declined,
        },
    };
    let Some((quotient, rem)) = scaled.div_rem_u64(den) else {
        return Shortcut::Declined;
    };
    let Some(quotient) = quotient.to_u128() else {
        return Shortcut::Declined;
    };
    let root = isqrt_u128(quotient);
    let exact = !dropped && rem == 0 && root.checked_mul(root) == Some(quotient);
    Shortcut::Done(scaled_to_f64(root | u128::from(!exact), q))
}

/// `(n*Q - S^2, E)` for the values written `M_i * 2^E` with one common
/// exponent `E` (see [`mean_square_fraction`]), when that fits in 256 bits;
/// `None` for non-finite values or a too wide exponent range.
fn narrow_square_deviations(data: &[f64]) -> Option<(U256, i32)> {
    // The sums below stay under 2^(bits + log2 n), and the products under
    // the square of that, so this bound keeps everything in 256 bits (and
    // the plain sums in a u128).
    const MAX_SUM_BITS: u32 = 126;

    let Some(span) = Span::of(data)? else {
        // All zeros: no deviation at all.
        return Some((U256::default(), 0));
    };
    let count_bits = usize::BITS - data.len().leading_zeros();
    let sum_bits = span.value_bits() + count_bits;
    if sum_bits > MAX_SUM_BITS {
        return None;
    }
    let n = u64::try_from(data.len()).ok()?;

    // S (as its positive and negative parts) and Q, exactly.
    let (mut sum_pos, mut sum_neg) = (0u128, 0u128);
    if 2 * sum_bits <= u128::BITS {
        // Short spans (gaps within one command): n*Q and S^2 fit a u128.
        let mut sum_sq = 0u128;
        for &x in data {
            let (negative, m) = span.integer(x)?;
            sum_sq += m * m;
            if negative {
                sum_neg += m;
            } else {
                sum_pos += m;
            }
        }
        let sum_abs = sum_pos.abs_diff(sum_neg);
        let numerator = (sum_sq * u128::from(n)).checked_sub(sum_abs * sum_abs)?;
        return Some((U256::from_u128(numerator), span.exponent()));
    }
    let mut sum_sq = U256::default();
    for &x in data {
        let (negative, m) = span.integer(x)?;
        sum_sq = sum_sq.checked_add(U256::product(m, m))?;
        if negative {
            sum_neg = sum_neg.checked_add(m)?;
        } else {
            sum_pos = sum_pos.checked_add(m)?;
        }
    }
    let sum_abs = sum_pos.abs_diff(sum_neg);
    // n*Q >= S^2 by Cauchy-Schwarz, so the subtraction never fails.
    let numerator = sum_sq
        .checked_mul_u64(n)?
        .checked_sub(U256::product(sum_abs, sum_abs))?;
    Some((numerator, span.exponent()))
}

/// The exact `ss / divisor` in lowest terms, as the `Fraction` `mss` that
/// `stdev` and `pstdev` build; `None` for a non-finite value.
///
/// With every value written `M_i * 2^E` for one common exponent `E`, and
/// `S = sum M_i`, `Q = sum M_i^2`, the sum of squared deviations is
/// `(n*Q - S^2) * 2^(2E) / n`, the formula `_ss` evaluates with fractions.
fn mean_square_fraction(data: &[f64], divisor: u128) -> Option<(BigUint, BigUint)> {
    let mut parts = Vec::with_capacity(data.len());
    for &x in data {
        parts.push(Dyadic::from_f64(x)?);
    }
    let common = parts
        .iter()
        .filter(|p| p.mantissa != 0)
        .map(|p| p.exponent)
        .min()
        .unwrap_or(0);

    let mut sum_pos = BigUint::zero();
    let mut sum_neg = BigUint::zero();
    let mut sum_sq = BigUint::zero();
    for p in &parts {
        // Zeros may sit below `common`; their shift is moot, so clamp it.
        let shift = u64::try_from(p.exponent - common).unwrap_or(0);
        let m = BigUint::from_u128(u128::from(p.mantissa)).shl(shift);
        sum_sq = sum_sq.add(&m.mul(&m));
        if p.negative {
            sum_neg = sum_neg.add(&m);
        } else {
            sum_pos = sum_pos.add(&m);
        }
    }
    let sum_abs = sum_pos
        .checked_sub(&sum_neg)
        .or_else(|| sum_neg.checked_sub(&sum_pos))?;

    let n = parts.len() as u128;
    // n*Q >= S^2 by Cauchy-Schwarz, so this never fails.
    let mut numerator = BigUint::from_u128(n)
        .mul(&sum_sq)
        .checked_sub(&sum_abs.mul(&sum_abs))?;
    if numerator.is_zero() {
        return Some((BigUint::zero(), BigUint::from_u128(1)));
    }

    // `Fraction` keeps lowest terms, and `_float_sqrt_of_frac` chooses its
    // working precision from the bit lengths, so reduce exactly as it does.
    // The denominator is `n * divisor * 2^k`: a small odd factor times a
    // power of two, so the common factor splits into a power of two (shifts)
    // and a divisor of that small odd factor (a one-limb remainder), and the
    // wide numerator never needs a general GCD.
    let small = n.checked_mul(divisor)?;
    let small_twos = u64::from(small.trailing_zeros());
    let small_odd = small >> small_twos;
    let twice_exp = 2 * i64::from(common);
    if twice_exp > 0 {
        numerator = numerator.shl(twice_exp.unsigned_abs());
    }
    let exp_twos = if twice_exp < 0 {
        twice_exp.unsigned_abs()
    } else {
        0
    };
    let mut den_twos = small_twos + exp_twos;
    let shared_twos = numerator.trailing_zeros().min(den_twos);
    numerator = numerator.shr(shared_twos);
    den_twos -= shared_twos;

    let (numerator, den_odd) = match u64::try_from(small_odd) {
        Ok(odd) => {
            let (_, rem) = numerator.div_rem_u64(odd)?;
            let shared = gcd_u64(rem, odd);
            let (reduced, _) = numerator.div_rem_u64(shared)?;
            (reduced, BigUint::from_u128(u128::from(odd / shared)))
        }
        // Only with more than 2^32 values; the general path is slow but exact.
        Err(_) => {
            let odd = BigUint::from_u128(small_odd);
            let (_, rem) = numerator.div_rem(&odd)?;
            let shared = gcd_u128(rem.to_u128()?, small_odd);
            let (reduced, _) = numerator.div_rem(&BigUint::from_u128(shared))?;
            (reduced, BigUint::from_u128(small_odd / shared))
        }
    };
    Some((numerator, den_odd.shl(den_twos)))
}

fn gcd_u64(a: u64, b: u64) -> u64 {
    let (mut a, mut b) = (a, b);
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn gcd_u128(a: u128, b: u128) -> u128 {
    let (mut a, mut b) = (a, b);
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// A finite double as `(-1)^negative * mantissa * 2^exponent`, the mantissa
/// odd (or zero), as `float.as_integer_ratio` would give it.
struct Dyadic {
    negative: bool,
    mantissa: u64,
    exponent: i32,
}

impl Dyadic {
    fn from_f64(x: f64) -> Option<Self> {
        if !x.is_finite() {
            return None;
        }
        let bits = x.to_bits();
        let negative = bits >> 63 == 1;
        let biased = ((bits >> 52) & 0x7FF) as i32;
        let fraction = bits & ((1 << 52) - 1);
        let (mut mantissa, mut exponent) = if biased == 0 {
            (fraction, -1074)
        } else {
            (fraction | (1 << 52), biased - 1075)
        };
        if mantissa != 0 {
            let twos = mantissa.trailing_zeros();
            mantissa >>= twos;
            exponent += twos as i32;
        }
        Some(Self {
            negative,
            mantissa,
            exponent,
        })
    }
}

/// `statistics._float_sqrt_of_frac(n, m)`: `sqrt(n / m)` correctly rounded.
///
/// The root is taken as an integer with about 55 significant bits, rounded
/// to odd (so that the final rounding to 53 bits cannot double-round), then
/// scaled by a power of two and rounded once as Python's int division does.
/// `None` when the result overflows a double (Python's `OverflowError`).
fn float_sqrt_of_frac(n: &BigUint, m: &BigUint) -> Option<f64> {
    // CPython: 2 * mant_dig + 3.
    const SQRT_BIT_WIDTH: i64 = 2 * 53 + 3;

    let width = i64::try_from(n.bit_length()).ok()? - i64::try_from(m.bit_length()).ok()?;
    let q = (width - SQRT_BIT_WIDTH).div_euclid(2);
    let root = if q >= 0 {
        integer_sqrt_of_frac_rto(n, &m.shl(2 * q.unsigned_abs()))?
    } else {
        integer_sqrt_of_frac_rto(&n.shl(2 * q.unsigned_abs()), m)?
    };
    scaled_to_f64(root, q)
}

/// `statistics._integer_sqrt_of_frac_rto(n, m)`: `isqrt(n // m)` with its
/// lowest bit set when the root is inexact (round to odd).
///
/// The caller scales `n / m` to between 2^108 and 2^111, so the quotient
/// fits a `u128`; `None` if that ever failed to hold.
fn integer_sqrt_of_frac_rto(n: &BigUint, m: &BigUint) -> Option<u128> {
    let (quotient, _) = n.div_rem(m)?;
    let root = isqrt_u128(quotient.to_u128()?);
    let exact = BigUint::from_u128(root * root).mul(m) == *n;
    Some(root | u128::from(!exact))
}

/// `math.isqrt` for a `u128`: Newton's iteration from above, in integers.
fn isqrt_u128(n: u128) -> u128 {
    if n < 2 {
        return n;
    }
    let bits = 128 - n.leading_zeros();
    // 2^ceil(bits/2) is at least sqrt(n), and the iteration decreases
    // monotonically to the floor from any start above it.
    let mut x = 1u128 << bits.div_ceil(2);
    loop {
        let y = (x + n / x) / 2;
        if y >= x {
            return x;
        }
        x = y;
    }
}

/// `mantissa * 2^exponent` rounded to nearest-even, subnormals included, as
/// Python's `int / int` true division rounds; `None` on overflow.
fn scaled_to_f64(mantissa: u128, exponent: i64) -> Option<f64> {
    const MANT_BITS: i64 = 53;
    const MIN_EXP: i64 = -1074;

    if mantissa == 0 {
        return Some(0.0);
    }
    let bits = i64::from(128 - mantissa.leading_zeros());
    // Exponent of the lowest bit the result can keep.
    let mut low = (exponent + bits - MANT_BITS).max(MIN_EXP);
    let mut kept = if low > exponent {
        shr_round_half_even(mantissa, (low - exponent).unsigned_abs())
    } else {
        // At most 53 bits after the shift, since `low >= exponent + bits - 53`.
        mantissa << (exponent - low).unsigned_abs()
    };
    if kept == 1 << MANT_BITS {
        kept >>= 1;
        low += 1;
    }

    let fraction = u64::try_from(kept).ok()?;
    if fraction < 1 << (MANT_BITS - 1) {
        // Subnormal (only reachable with `low == MIN_EXP`): the bits are the
        // multiple of 2^-1074 itself.
        return Some(f64::from_bits(fraction));
    }
    let biased = u64::try_from(low + (MANT_BITS - 1) + 1023).ok()?;
    if biased >= 0x7FF {
        return None;
    }
    Some(f64::from_bits(
        (biased << 52) | (fraction & ((1 << (MANT_BITS - 1)) - 1)),
    ))
}

/// `value >> shift`, rounded to nearest with ties to even.
fn shr_round_half_even(value: u128, shift: u64) -> u128 {
    if shift == 0 {
        return value;
    }
    if shift > 128 {
        return 0;
    }
    let Ok(shift) = u32::try_from(shift) else {
        return 0;
    };
    let kept = value.checked_shr(shift).unwrap_or(0);
    let dropped = value - kept.checked_shl(shift).unwrap_or(0);
    let half = 1u128.checked_shl(shift - 1).unwrap_or(0);
    let round_up = dropped > half || (dropped == half && kept & 1 == 1);
    kept + u128::from(round_up)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::process::{Command, Stdio};

    fn bits(x: Option<f64>) -> Option<u64> {
        x.map(f64::to_bits)
    }

    #[test]
    fn fsum_is_correctly_rounded() {
        // python3 -c "import math; print(repr(math.fsum([1e-16, 1.0, 1e16])))"
        assert_eq!(fsum([1e-16, 1.0, 1e16]), Ok(1.0000000000000002e16));
        // python3 -c "import math; print(repr(math.fsum([0.1]*10)))"
        assert_eq!(fsum([0.1; 10]), Ok(1.0));
        // python3 -c "import math; print(repr(math.fsum([])))"
        assert_eq!(fsum([]), Ok(0.0));
        // python3 -c "import math; print(repr(math.fsum([-0.0])))"
        assert_eq!(fsum([-0.0]).map(f64::to_bits), Ok(0.0f64.to_bits()));
    }

    #[test]
    fn partials_spill_to_the_heap_past_32() {
        let mut p = Partials::default();
        for i in 0..40 {
            p.push(f64::from(i));
        }
        assert_eq!(p.len(), 40);
        assert_eq!(p.get(39), Some(&39.0));
        if let Some(x) = p.get_mut(0) {
            *x = -1.0;
        }
        p.truncate(33);
        assert_eq!((p.pop(), p.last(), p.len()), (Some(32.0), Some(&31.0), 32));
        p.clear();
        assert_eq!(p.pop(), None);

        // 34 values more than 53 bits apart keep 34 partials.
        let spread: Vec<f64> = (0..34).map(|i| 2f64.powi(60 * i - 1000)).collect();
        // python3 -c "import math; print(math.fsum([2.0**(60*i-1000) for i in range(34)]) == 2.0**980)"
        assert_eq!(fsum(spread.iter().copied()), Ok(2f64.powi(980)));
        // python3 -c "import math; v = [2.0**(60*i-1000) for i in range(34)];
        //             print(math.fsum(v + [-2.0**980]) == 2.0**920)"
        let mut cancelled = spread.clone();
        cancelled.push(-(2f64.powi(980)));
        assert_eq!(fsum(cancelled.iter().copied()), Ok(2f64.powi(920)));
    }

    #[test]
    fn fsum_non_finite_cases_match_cpython() {
        // python3 -c "import math; math.fsum([1e308, 1e308, -1e308])"  (OverflowError)
        assert_eq!(
            fsum([1e308, 1e308, -1e308]),
            Err(FsumError::IntermediateOverflow)
        );
        // python3 -c "import math; print(math.fsum([float('inf'), 1.0, float('inf')]))"
        assert_eq!(fsum([f64::INFINITY, 1.0, f64::INFINITY]), Ok(f64::INFINITY));
        // python3 -c "import math; math.fsum([float('inf'), float('-inf')])"  (ValueError)
        assert_eq!(
            fsum([f64::INFINITY, f64::NEG_INFINITY]),
            Err(FsumError::InfMinusInf)
        );
        // python3 -c "import math; print(math.fsum([float('nan'), 1.0]))"
        assert!(fsum([f64::NAN, 1.0]).is_ok_and(f64::is_nan));
    }

    #[test]
    fn fmean_divides_the_exact_sum() {
        // python3 -c "import statistics; print(repr(statistics.fmean([0.1, 0.2, 0.3])))"
        assert_eq!(fmean(&[0.1, 0.2, 0.3]), 0.19999999999999998);
        // python3 -c "import statistics; statistics.fmean([1e308, 1e308])"  (OverflowError)
        assert!(fmean(&[1e308, 1e308]).is_nan());
        assert!(fmean(&[]).is_nan());
    }

    #[test]
    fn median_keeps_python_order_of_signed_zeros() {
        // python3 -c "import statistics; print(repr(statistics.median([0.0, -0.0, 1.0])))"
        assert_eq!(median(&[0.0, -0.0, 1.0]).to_bits(), (-0.0f64).to_bits());
        // python3 -c "import statistics; print(repr(statistics.median([-0.0, 0.0, 1.0])))"
        assert_eq!(median(&[-0.0, 0.0, 1.0]).to_bits(), 0.0f64.to_bits());
        // python3 -c "import statistics; print(statistics.median([3.0, 1.0, 2.0, 10.0]))"
        assert_eq!(median(&[3.0, 1.0, 2.0, 10.0]), 2.5);
        // python3 -c "import statistics; print(statistics.median([1.7976931348623157e308] * 2))"
        assert_eq!(median(&[f64::MAX, f64::MAX]), f64::INFINITY);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn median_selection_matches_the_stable_sort() {
        // The sort-based median, as before the selection fast path.
        fn sorted_median(data: &[f64]) -> f64 {
            let key = |x: f64| if x == 0.0 { 0.0 } else { x };
            let mut sorted = data.to_vec();
            sorted.sort_by(|a, b| key(*a).total_cmp(&key(*b)));
            let mid = sorted.len() / 2;
            match (sorted.len() % 2, mid.checked_sub(1)) {
                (1, _) => sorted[mid],
                (_, Some(below)) => (sorted[below] + sorted[mid]) / 2.0,
                _ => f64::NAN,
            }
        }
        let mut rng = SplitMix(0x003E_D1A4);
        for (x, _) in vectors() {
            assert_eq!(median(&x).to_bits(), sorted_median(&x).to_bits(), "{x:?}");
        }
        for _ in 0..2000 {
            let n = 1 + rng.below(40) as usize;
            let x: Vec<f64> = (0..n).map(|_| rng.below(7) as f64 - 3.0).collect();
            assert_eq!(median(&x).to_bits(), sorted_median(&x).to_bits(), "{x:?}");
        }
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn stdev_matches_cpython_where_naive_float_formula_does_not() {
        // Each of these differs in the last bit from
        // sqrt(sum((x - m)**2 for x in xs) / (n - 1)) in float arithmetic.
        // python3 -c "import statistics; print(repr(statistics.stdev([0.7, 0.2, 0.1])))"
        assert_eq!(stdev(&[0.7, 0.2, 0.1]), Some(0.3214550253664318));
        // python3 -c "import statistics; print(repr(statistics.stdev([0.1, 0.2])))"
        assert_eq!(stdev(&[0.1, 0.2]), Some(0.07071067811865475));
        // python3 -c "import statistics; print(repr(statistics.stdev([1.41, 2.706, 0.338, 2.466, 1.595])))"
        assert_eq!(
            stdev(&[1.41, 2.706, 0.338, 2.466, 1.595]),
            Some(0.9419283412234712)
        );
        // python3 -c "import statistics; print(repr(statistics.stdev([0.409, 1.177, 1.441, 1.681])))"
        assert_eq!(
            stdev(&[0.409, 1.177, 1.441, 1.681]),
            Some(0.5518260595513772)
        );
        // python3 -c "import statistics; print(repr(statistics.pstdev([0.409, 1.177, 1.441, 1.681])))"
        assert_eq!(
            pstdev(&[0.409, 1.177, 1.441, 1.681]),
            Some(0.4778953860417571)
        );
    }

    #[test]
    fn stdev_extremes_and_errors_match_cpython() {
        // python3 -c "import statistics; print(repr(statistics.pstdev([5.0])))"
        assert_eq!(pstdev(&[5.0]), Some(0.0));
        assert_eq!(pstdev(&[]), None);
        assert_eq!(stdev(&[5.0]), None);
        // python3 -c "import statistics; print(repr(statistics.stdev([1e300, -1e300])))"
        assert_eq!(stdev(&[1e300, -1e300]), Some(1.4142135623730952e300));
        // python3 -c "import statistics; statistics.stdev([1.7976931348623157e308, -1.7976931348623157e308])"
        // (OverflowError: integer division result too large for a float)
        assert_eq!(stdev(&[f64::MAX, -f64::MAX]), None);
        // python3 -c "import statistics; print(repr(statistics.pstdev([5e-324, 0.0])))"
        assert_eq!(bits(pstdev(&[5e-324, 0.0])), Some(0));
        // python3 -c "import statistics; print(repr(statistics.stdev([5e-324, 0.0, 1e-320])))"
        assert_eq!(stdev(&[5e-324, 0.0, 1e-320]), Some(5.77e-321));
        // python3 -c "import statistics; print(repr(statistics.stdev([1e-300, 1e300, 3.0])))"
        assert_eq!(stdev(&[1e-300, 1e300, 3.0]), Some(5.773502691896258e299));
        // python3 -c "import statistics; statistics.stdev([1.0, float('inf')])"  (AttributeError)
        assert_eq!(stdev(&[1.0, f64::INFINITY]), None);
        assert_eq!(pstdev(&[f64::NAN]), None);
    }

    #[test]
    fn correlation_matches_cpython_311() {
        // python3 -c "import statistics; print(repr(statistics.correlation([1.0, 2.0, 3.0], [2.0, 4.0, 6.5])))"
        assert_eq!(
            correlation(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.5]),
            Some(0.9979487157886733)
        );
        // python3 -c "import statistics; statistics.correlation([1.0, 1.0], [1.0, 2.0])"
        // (StatisticsError: at least one of the inputs is constant)
        assert_eq!(correlation(&[1.0, 1.0], &[1.0, 2.0]), None);
        // sxx * syy underflows to zero: Python raises there too.
        // python3 -c "import statistics; statistics.correlation([1e-200, 2e-200, 3e-200], [1e-200, 3e-200, 2e-200])"
        assert_eq!(
            correlation(&[1e-200, 2e-200, 3e-200], &[1e-200, 3e-200, 2e-200]),
            None
        );
        assert_eq!(correlation(&[1.0], &[1.0]), None);
        assert_eq!(correlation(&[1.0, 2.0], &[1.0]), None);
    }

    #[test]
    fn scaled_to_f64_rounds_half_even_into_subnormals() {
        assert_eq!(scaled_to_f64(3, 0), Some(3.0));
        assert_eq!(shr_round_half_even(5, 0), 5);
        assert_eq!(shr_round_half_even(6, 2), 2);
        assert_eq!(shr_round_half_even(10, 2), 2);
        assert_eq!(scaled_to_f64((1 << 53) + 1, 0), Some(9007199254740992.0));
        assert_eq!(scaled_to_f64((1 << 53) + 3, 0), Some(9007199254740996.0));
        assert_eq!(scaled_to_f64(1, -1074), Some(5e-324));
        assert_eq!(scaled_to_f64(1, -1075), Some(0.0));
        assert_eq!(scaled_to_f64(3, -1076), Some(5e-324));
        assert_eq!(scaled_to_f64(1, 1023), Some(2f64.powi(1023)));
        assert_eq!(scaled_to_f64(1, 1024), None);
    }

    /// Deterministic generator (splitmix64) for the comparison vectors.
    struct SplitMix(u64);

    impl SplitMix {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }

        fn value(&mut self, kind: u64) -> f64 {
            const PICKS: [f64; 6] = [0.1, 0.2, 0.3, 0.7, 1e-3, 2.5];
            const ZEROS: [f64; 4] = [0.0, -0.0, 1.0, -1.0];
            match kind {
                // Small integers: ties, constant runs.
                0 => self.below(21) as f64,
                // Millisecond-resolution gaps, like the profiler's IATs.
                1 => self.below(5000) as f64 / 1000.0,
                2 => self.unit() * 10f64.powi(self.below(7) as i32 - 3),
                // A large offset: heavy cancellation in naive formulas.
                3 => 1e9 + self.unit(),
                // Wildly mixed magnitudes and signs.
                4 => {
                    let sign = if self.below(2) == 0 { 1.0 } else { -1.0 };
                    sign * self.unit() * 10f64.powi(self.below(600) as i32 - 300)
                }
                // Any finite double, subnormals and overflow included.
                5 => loop {
                    let v = f64::from_bits(self.next());
                    if v.is_finite() {
                        break v;
                    }
                },
                6 => PICKS[self.below(6) as usize],
                _ => ZEROS[self.below(4) as usize],
            }
        }
    }

    /// 2000 `(x, y)` pairs covering the kinds above.
    fn vectors() -> Vec<(Vec<f64>, Vec<f64>)> {
        let mut rng = SplitMix(0x5EED_F00D_B5A7);
        (0..2000)
            .map(|_| {
                let n = if rng.below(10) == 0 {
                    1 + rng.below(200)
                } else {
                    1 + rng.below(12)
                };
                let kind = rng.below(8);
                let x: Vec<f64> = (0..n).map(|_| rng.value(kind)).collect();
                let y: Vec<f64> = match rng.below(3) {
                    0 => {
                        let other = rng.below(8);
                        (0..n).map(|_| rng.value(other)).collect()
                    }
                    1 => {
                        let slope = rng.unit() * 4.0 - 2.0;
                        x.iter().map(|&v| slope * v + rng.unit() * 1e-3).collect()
                    }
                    _ => x.iter().rev().copied().collect(),
                };
                (x, y)
            })
            .collect()
    }

    /// The big-integer path alone, as it was before the narrow fast path.
    fn general_stdev(data: &[f64], divisor: u128) -> Option<f64> {
        let (numerator, denominator) = mean_square_fraction(data, divisor)?;
        float_sqrt_of_frac(&numerator, &denominator)
    }

    /// Data shaped like the profiler's: six-decimal timestamps, their
    /// gaps, counts, and now and then something the fast path must refuse.
    fn timing_like(rng: &mut SplitMix) -> Vec<f64> {
        let n = match rng.below(4) {
            0 => 1 + rng.below(3),
            1 => 1 + rng.below(12),
            2 => 1 + rng.below(300),
            _ => 1 + rng.below(1000),
        } as usize;
        let kind = rng.below(8);
        let mut clock = rng.below(1 << 34);
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let previous = clock as f64 / 1e6;
            clock += match rng.below(10) {
                0 => rng.below(30_000_000),
                1 => rng.below(1000),
                _ => 30_000 + rng.below(400_000),
            };
            let now = clock as f64 / 1e6;
            out.push(match kind {
                0 => now,
                // Gaps as the profiler computes them: differences of floats.
                1..=3 => (now - previous).max(0.0),
                4 => rng.below(40) as f64,
                5 => (rng.below(1 << 20) as f64) * 2f64.powi(rng.below(40) as i32 - 20),
                6 => {
                    let other = rng.below(8);
                    rng.value(other)
                }
                _ => -(now - previous) * 1e-300,
            });
        }
        out
    }

    /// The generated vectors and 4,000 timing-like ones from `seed`.
    fn random_cases(seed: u64) -> Vec<Vec<f64>> {
        let mut rng = SplitMix(seed);
        let mut cases: Vec<Vec<f64>> = vectors().into_iter().map(|(x, _)| x).collect();
        cases.extend((0..4000).map(|_| timing_like(&mut rng)));
        cases
    }

    #[test]
    fn narrow_path_matches_the_general_path() {
        let mut cases = random_cases(0xFA57_9A7E);
        // Edges: zeros of both signs, subnormals, the top of the range.
        cases.extend([
            vec![0.0, -0.0],
            vec![5e-324, 0.0, 1e-320],
            vec![f64::MAX, -f64::MAX],
            vec![f64::MAX, f64::MAX, f64::MAX / 2.0],
            vec![1e300, -1e300],
            vec![
                f64::MIN_POSITIVE,
                -f64::MIN_POSITIVE,
                3.0 * f64::MIN_POSITIVE,
            ],
        ]);

        let mut taken = 0;
        for data in &cases {
            let n = data.len() as u128;
            for divisor in [n, n.saturating_sub(1)] {
                if divisor == 0 {
                    continue;
                }
                if let Shortcut::Done(fast) = narrow_stdev(data, divisor) {
                    taken += 1;
                    assert_eq!(
                        bits(fast),
                        bits(general_stdev(data, divisor)),
                        "divisor {divisor}, data {data:?}"
                    );
                }
            }
        }
        // The comparison means little unless most cases took the fast path.
        assert!(taken > cases.len(), "fast path taken {taken} times");
    }

    #[test]
    fn integer_fsum_matches_the_partials() {
        let mut cases = random_cases(0x05EE_DF5A);
        // Exact ties between two doubles, which must round to even, and
        // results near the subnormal and overflow edges.
        cases.extend([
            vec![2f64.powi(53), 1.0],
            vec![2f64.powi(53) + 2.0, 1.0],
            vec![2f64.powi(53), 1.0, 2f64.powi(-60)],
            vec![2f64.powi(53), 1.0, -(2f64.powi(-60))],
            vec![1e-16, 1.0, 1e16],
            vec![f64::MIN_POSITIVE, -f64::MIN_POSITIVE / 2.0],
            vec![f64::MIN_POSITIVE, 5e-324],
            vec![1e300, 1e300, -1e300],
            vec![0.1; 10],
            vec![-0.0, -0.0],
            vec![],
        ]);
        let mut taken = 0;
        for data in &cases {
            if let Some(fast) = integer_fsum(data) {
                taken += 1;
                assert_eq!(
                    Ok(fast.to_bits()),
                    fsum(data.iter().copied()).map(f64::to_bits),
                    "data {data:?}"
                );
            }
        }
        assert!(taken > cases.len() / 2, "fast path taken {taken} times");
        // Declined: non-finite, subnormal results, and sums a running total
        // could overflow.
        assert_eq!(integer_fsum(&[1.0, f64::NAN]), None);
        assert_eq!(integer_fsum(&[5e-324, 5e-324]), None);
        assert_eq!(integer_fsum(&[1e308, 1e308, -1e308]), None);
        assert_eq!(integer_fsum(&[1e-300, 1e300]), None);
    }

    #[test]
    fn narrow_path_takes_timing_data_and_declines_wide_ranges() {
        let gaps = [0.123456, 0.0004, 17.25, 0.5, 1.000001, 0.0];
        assert!(matches!(narrow_stdev(&gaps, 5), Shortcut::Done(Some(_))));
        assert_eq!(narrow_stdev(&[1e-300, 1e300], 1), Shortcut::Declined);
        assert_eq!(narrow_stdev(&[1.0, f64::NAN], 1), Shortcut::Declined);
        assert_eq!(narrow_stdev(&[0.0, -0.0], 1), Shortcut::Done(Some(0.0)));
    }

    const PY_COMPARE: &str = r#"
import statistics as st, struct, sys
want = tuple(int(p) for p in sys.argv[1].split("."))
if sys.version_info[:2] != want:
    sys.exit(3)
def dec(h): return struct.unpack("<d", struct.pack("<Q", int(h, 16)))[0]
def enc(v): return "%016x" % struct.unpack("<Q", struct.pack("<d", v))[0]
def run(f, *a):
    try: return enc(f(*a))
    except Exception: return "E"
out = []
for line in sys.stdin.read().splitlines():
    xs, ys = line.split("|")
    x = [dec(h) for h in xs.split(",") if h]
    y = [dec(h) for h in ys.split(",") if h]
    out.append(" ".join([run(st.fmean, x), run(st.median, x), run(st.pstdev, x),
                         run(st.stdev, x), run(st.correlation, x, y)]))
print("\n".join(out))
"#;

    /// Output of `PY_COMPARE` under Python `version`, or `None` when no
    /// interpreter of that version is on `PATH` (the comparison is then
    /// skipped; a script that fails under the right version panics, so a
    /// broken harness cannot pass silently).
    fn python_results(version: &str, input: &str) -> Option<String> {
        for exe in [format!("python{version}"), "python3".to_owned()] {
            let Ok(mut child) = Command::new(&exe)
                .args(["-c", PY_COMPARE, version])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
            else {
                continue;
            };
            // The script reads all of stdin before writing, so this cannot
            // deadlock on a full pipe.
            let wrote = child
                .stdin
                .take()
                .is_some_and(|mut stdin| stdin.write_all(input.as_bytes()).is_ok());
            let output = child.wait_with_output().expect("wait for python");
            if !wrote {
                // The interpreter exited before reading: no such version.
                continue;
            }
            match output.status.code() {
                Some(0) => return Some(String::from_utf8(output.stdout).expect("utf-8")),
                // Another version answered, or a pyenv shim found none.
                Some(3 | 127) => continue,
                _ if output.stderr.starts_with(b"pyenv:") => continue,
                _ => panic!("{exe}: {}", String::from_utf8_lossy(&output.stderr)),
            }
        }
        None
    }

    /// A result as the script prints it: the bits, or `E` for a raise.
    fn enc(x: Option<f64>) -> String {
        x.map_or_else(|| "E".to_owned(), |v| format!("{:016x}", v.to_bits()))
    }

    /// `fmean` and `median` signal Python's raise with NaN.
    fn enc_nan_as_error(x: f64) -> String {
        enc(Some(x).filter(|v| !v.is_nan()))
    }

    fn hex_list(xs: &[f64]) -> String {
        xs.iter()
            .map(|v| format!("{:016x}", v.to_bits()))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Compares every function, bit for bit, with CPython `version` on the
    /// generated vectors; `correlation_fn` is that version's correlation.
    fn compare_with_python(version: &str, correlation_fn: fn(&[f64], &[f64]) -> Option<f64>) {
        let cases = vectors();
        let input: Vec<String> = cases
            .iter()
            .map(|(x, y)| format!("{}|{}", hex_list(x), hex_list(y)))
            .collect();
        let Some(output) = python_results(version, &input.join("\n")) else {
            return;
        };
        let lines: Vec<&str> = output.lines().collect();
        assert_eq!(lines.len(), cases.len());
        for ((x, y), line) in cases.iter().zip(lines) {
            let ours = [
                enc_nan_as_error(fmean(x)),
                enc_nan_as_error(median(x)),
                enc(pstdev(x)),
                enc(stdev(x)),
                enc(correlation_fn(x, y)),
            ]
            .join(" ");
            assert_eq!(ours, line, "x={x:?} y={y:?}");
        }
    }

    #[test]
    fn random_vectors_match_cpython_311() {
        compare_with_python("3.11", correlation);
    }

    #[test]
    fn random_vectors_match_cpython_312() {
        compare_with_python("3.12", newer_pythons::correlation_312);
    }

    #[test]
    fn random_vectors_match_cpython_313() {
        compare_with_python("3.13", newer_pythons::correlation_313);
    }
}
