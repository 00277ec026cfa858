//! `statistics.correlation` as CPython 3.12 and 3.13 compute it. The
//! reference corpus matches 3.11's (see [`super::correlation`]); these are
//! kept for the tests that show where the versions part, not for the engine.

use super::{correlation_means, divide_or_none};

/// `statistics.correlation(x, y)` as CPython 3.12 computes it: deviations
/// from `fsum` means, sums of products with `math.sumprod`, then
/// `sxy / sqrt(sxx * syy)`. Same `None` cases as [`correlation`].
pub fn correlation_312(x: &[f64], y: &[f64]) -> Option<f64> {
    let (sxy, sxx, syy) = centred_sumprods(x, y)?;
    divide_or_none(sxy, (sxx * syy).sqrt())
}

/// `statistics.correlation(x, y)` as CPython 3.13 computes it: as 3.12, but
/// the denominator is `_sqrtprod(sxx, syy)`, a rescaled and corrected
/// `sqrt(sxx * syy)`. Same `None` cases as [`correlation`].
pub fn correlation_313(x: &[f64], y: &[f64]) -> Option<f64> {
    let (sxy, sxx, syy) = centred_sumprods(x, y)?;
    divide_or_none(sxy, sqrtprod(sxx, syy))
}

/// `math.sumprod(p, q)` for floats (CPython 3.12+): products accumulated in
/// triple-double precision, then rounded once. Pairs past the first whose
/// running total is not finite are added with plain float arithmetic, as
/// CPython falls back to its generic path. Extra elements of the longer
/// slice are ignored (Python raises there).
///
/// CPython's exact product is `fma`-based on current builds; builds with
/// `UNRELIABLE_FMA` (and, as far as is known, early 3.12 releases) split
/// the factors instead, which differs only for factors above about 2^995 or
/// products near the subnormal range.
pub fn sumprod(p: &[f64], q: &[f64]) -> f64 {
    // Python's `total` starts as the int 0; `0 + f` is `0.0 + f` for floats.
    let mut total = 0.0;
    let mut triple = TripleLength::default();
    let mut triple_in_use = false;
    let mut fast = true;
    for (&a, &b) in p.iter().zip(q) {
        if fast {
            let next = triple.fma(a, b);
            if next.hi.is_finite() {
                triple = next;
                triple_in_use = true;
                continue;
            }
            fast = false;
            if triple_in_use {
                total += triple.to_f64();
                triple_in_use = false;
            }
        }
        total += a * b;
    }
    if triple_in_use {
        total += triple.to_f64();
    }
    total
}

/// 3.12+ correlation's `(sxy, sxx, syy)` over deviations from the means.
fn centred_sumprods(x: &[f64], y: &[f64]) -> Option<(f64, f64, f64)> {
    let (xbar, ybar) = correlation_means(x, y)?;
    let dx: Vec<f64> = x.iter().map(|&xi| xi - xbar).collect();
    let dy: Vec<f64> = y.iter().map(|&yi| yi - ybar).collect();
    Some((sumprod(&dx, &dy), sumprod(&dx, &dx), sumprod(&dy, &dy)))
}

/// `statistics._sqrtprod` (3.13): `sqrt(x * y)` rescaled when the product
/// overflows or underflows, then corrected by one Newton step whose residual
/// `x*y - h*h` comes from `sumprod`.
fn sqrtprod(x: f64, y: f64) -> f64 {
    // 2^-512 and 2^537, exact powers of two.
    const SCALE_DOWN: f64 = f64::from_bits((1023 - 512) << 52);
    const SCALE_UP: f64 = f64::from_bits((1023 + 537) << 52);

    let h = (x * y).sqrt();
    // Each rescue recurses at most once more: scaling an overflowed product
    // down by 2^-1024 leaves it at least 1, and scaling an underflowed one
    // up by 2^1074 leaves it below 1 (or makes a factor infinite, which
    // returns at once).
    if !h.is_finite() {
        if h.is_infinite() && !x.is_infinite() && !y.is_infinite() {
            return sqrtprod(SCALE_DOWN * x, SCALE_DOWN * y) / SCALE_DOWN;
        }
        return h;
    }
    if h == 0.0 {
        if x != 0.0 && y != 0.0 {
            return sqrtprod(SCALE_UP * x, SCALE_UP * y) / SCALE_UP;
        }
        return h;
    }
    let d = sumprod(&[x, h], &[y, -h]);
    h + d / (2.0 * h)
}

/// A value as the unevaluated sum `hi + lo + tiny` (CPython's
/// `TripleLength`, after Ogita, Rump and Oishi's accurate dot product).
#[derive(Clone, Copy, Debug, Default)]
struct TripleLength {
    hi: f64,
    lo: f64,
    tiny: f64,
}

impl TripleLength {
    /// `self + x * y` (CPython's `tl_fma`).
    fn fma(self, x: f64, y: f64) -> Self {
        let (pr_hi, pr_lo) = product_exact(x, y);
        let (sm_hi, sm_lo) = sum_exact(self.hi, pr_hi);
        let (r1_hi, r1_lo) = sum_exact(self.lo, pr_lo);
        let (r2_hi, r2_lo) = sum_exact(r1_hi, sm_lo);
        Self {
            hi: sm_hi,
            lo: r2_hi,
            tiny: self.tiny + r1_lo + r2_lo,
        }
    }

    /// Rounds to one double (CPython's `tl_to_d`).
    fn to_f64(self) -> f64 {
        let (last_hi, last_lo) = sum_exact(self.lo, self.hi);
        self.tiny + last_lo + last_hi
    }
}

/// Knuth's two-sum: `a + b == hi + lo` exactly (CPython's `dl_sum`).
fn sum_exact(a: f64, b: f64) -> (f64, f64) {
    let x = a + b;
    let z = x - a;
    let y = (a - (x - z)) + (b - z);
    (x, y)
}

/// `x * y == hi + lo` exactly, barring underflow (CPython's `dl_mul`).
fn product_exact(x: f64, y: f64) -> (f64, f64) {
    let z = x * y;
    (z, x.mul_add(y, -z))
}
