//! Small statistics shared by several primitives.

use crate::stats;
use crate::thresholds::SHELL_MASTERY_BOUNDARY_BAND;

/// Population CV (`pstdev / fmean`) of one typing burst; `None` when the
/// mean is not positive.
pub fn burst_cv(xs: &[f64]) -> Option<f64> {
    let mean = stats::fmean(xs);
    if mean > 0.0 {
        Some(stats::pstdev(xs)? / mean)
    } else {
        None
    }
}

/// Sample CV (`stdev / fmean`); `None` below two values or when the mean is
/// not positive.
pub fn sample_cv(xs: &[f64]) -> Option<f64> {
    if xs.len() < 2 {
        return None;
    }
    let mean = stats::fmean(xs);
    if mean <= 0.0 {
        return None;
    }
    Some(stats::stdev(xs)? / mean)
}

/// True when `value` is within the boundary band of `boundary`, relative to
/// the boundary (absolute when the boundary is zero).
pub fn near(value: f64, boundary: f64) -> bool {
    if boundary == 0.0 {
        return value.abs() <= SHELL_MASTERY_BOUNDARY_BAND;
    }
    (value - boundary).abs() / boundary <= SHELL_MASTERY_BOUNDARY_BAND
}

/// `a / b` for counts, as Python's true division gives it.
pub fn ratio(a: usize, b: usize) -> f64 {
    a as f64 / b as f64
}
