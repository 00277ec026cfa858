//! The five primitives behave-shell 0.1.4 added, emitted only on request
//! (`extended`): the circadian histograms, the quiet span and the line-editing
//! mode. No reference engine emits them; their definitions are the 0.1.4
//! registry's notes, and every choice those notes leave open is written here.

use crate::context::SessionContext;
use crate::observation::{Observation, Value};
use crate::text::Unit;
use crate::thresholds::PASTE_MIN_CHARS_PER_EVENT;

const SECONDS_PER_DAY: f64 = 86_400.0;
const SECONDS_PER_HOUR: f64 = 3_600.0;
/// 1970-01-01 was a Thursday: day 0 is weekday 3 counting Monday as 0.
const EPOCH_WEEKDAY: i64 = 3;

/// A bin is quiet below this share of the peak bin.
pub const QUIET_SHARE_OF_PEAK: f64 = 0.10;
/// The quiet span needs this many command events…
pub const QUIET_SPAN_MIN_COMMANDS: usize = 30;
/// …spread over at least this many UTC calendar days.
pub const QUIET_SPAN_MIN_DAYS: usize = 2;

/// When each command ran, as UTC (day number, hour, weekday Monday = 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Moment {
    day: i64,
    hour: usize,
    weekday: usize,
}

impl Moment {
    fn at(epoch: f64) -> Option<Moment> {
        // Python's `datetime` spans years 1 to 9999; a moment outside it
        // (a hostile header timestamp) is no moment, as a non-finite one.
        const FIRST: f64 = -62_135_596_800.0;
        const PAST_LAST: f64 = 253_402_300_800.0;
        if !(FIRST..PAST_LAST).contains(&epoch) {
            return None;
        }
        let day_f = (epoch / SECONDS_PER_DAY).floor();
        let seconds = epoch - day_f * SECONDS_PER_DAY;
        // Rounding can leave `seconds` a hair under 0 or at 86400.
        let hour = ((seconds / SECONDS_PER_HOUR).floor() as i64).clamp(0, 23);
        let day = day_f as i64;
        Some(Moment {
            day,
            hour: hour as usize,
            weekday: (day + EPOCH_WEEKDAY).rem_euclid(7) as usize,
        })
    }
}

/// The moments the session's commands ran: start time plus each command's
/// end `t` (the keystroke that ran it).
fn command_moments(ctx: &SessionContext<'_>, start_epoch: f64) -> Vec<Moment> {
    ctx.commands
        .iter()
        .filter_map(|c| Moment::at(start_epoch + c.end_ts))
        .collect()
}

/// Counts normalised to fractions of the total.
fn normalised(counts: &[usize], total: usize) -> Vec<f64> {
    counts.iter().map(|&c| c as f64 / total as f64).collect()
}

/// Confidence of a histogram over `n` command events: thin sessions are
/// down-weighted, as the registry asks consumers to do through confidence.
fn histogram_confidence(n: usize) -> f64 {
    match n {
        0..=4 => 0.30,
        5..=29 => 0.50,
        _ => 0.70,
    }
}

fn numbers(primitive: &'static str, values: Vec<f64>, confidence: f64) -> Observation {
    Observation {
        primitive,
        value: Value::Numbers(values),
        confidence,
    }
}

/// The circadian histograms and, when gated in, the quiet span, in that
/// order. Nothing without a start time or without commands.
pub fn circadian(ctx: &SessionContext<'_>, start_epoch: Option<f64>) -> Vec<Observation> {
    let Some(start) = start_epoch else {
        return Vec::new();
    };
    let moments = command_moments(ctx, start);
    let n = moments.len();
    if n == 0 {
        return Vec::new();
    }
    let mut hours = [0usize; 24];
    let mut weekdays = [0usize; 7];
    let mut joint = [0usize; 168];
    for m in &moments {
        hours[m.hour] += 1;
        weekdays[m.weekday] += 1;
        joint[m.weekday * 24 + m.hour] += 1;
    }
    let confidence = histogram_confidence(n);
    let hour_histogram = normalised(&hours, n);
    let mut out = vec![
        numbers(
            "temporal.circadian.hour_histogram",
            hour_histogram.clone(),
            confidence,
        ),
        numbers(
            "temporal.circadian.dow_histogram",
            normalised(&weekdays, n),
            confidence,
        ),
        numbers(
            "temporal.circadian.hour_dow_histogram",
            normalised(&joint, n),
            confidence,
        ),
    ];
    let mut days: Vec<i64> = moments.iter().map(|m| m.day).collect();
    days.sort_unstable();
    days.dedup();
    if n >= QUIET_SPAN_MIN_COMMANDS
        && days.len() >= QUIET_SPAN_MIN_DAYS
        && let Some((from, to)) = quiet_span(&hour_histogram)
    {
        out.push(numbers(
            "temporal.circadian.quiet_span_utc",
            vec![from as f64, to as f64],
            0.60,
        ));
    }
    out
}

/// `[start, end)` of the longest run of quiet hours (below 10% of the peak),
/// runs wrapping past midnight. Among runs of equal length the one holding
/// the lowest bin wins; if that still ties, the one whose centre is nearest
/// (around the clock) to that lowest hour, then the earliest start.
/// `None` when no hour is quiet.
pub fn quiet_span(hist: &[f64]) -> Option<(usize, usize)> {
    let n = hist.len();
    let peak = hist.iter().copied().fold(0.0_f64, f64::max);
    let quiet: Vec<bool> = hist
        .iter()
        .map(|&v| v < QUIET_SHARE_OF_PEAK * peak)
        .collect();
    if n == 0 || !quiet.contains(&true) {
        return None;
    }
    // A run starts at a quiet hour whose predecessor is loud; the peak is
    // loud, so every run has such a start.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for start in 0..n {
        if quiet[start] && !quiet[(start + n - 1) % n] {
            let len = (0..n).take_while(|k| quiet[(start + k) % n]).count();
            runs.push((start, len));
        }
    }
    let longest = runs.iter().map(|r| r.1).max()?;
    let tied: Vec<(usize, usize)> = runs.into_iter().filter(|r| r.1 == longest).collect();
    let run_min = |&(s, len): &(usize, usize)| {
        (0..len)
            .map(|k| hist[(s + k) % n])
            .fold(f64::INFINITY, f64::min)
    };
    let global_min = tied.iter().map(run_min).fold(f64::INFINITY, f64::min);
    let lowest_hour = (0..n)
        .find(|&h| quiet[h] && hist[h] == global_min)
        .unwrap_or(0);
    let centre_distance = |&(s, len): &(usize, usize)| {
        // Twice the centre, to stay in integers: s + (len - 1) / 2.
        let centre2 = (2 * s + len - 1) % (2 * n);
        let d = (centre2 as i64 - 2 * lowest_hour as i64).rem_euclid(2 * n as i64);
        d.min(2 * n as i64 - d)
    };
    tied.into_iter()
        .filter(|r| run_min(r) == global_min)
        .min_by_key(|r| (centre_distance(r), r.0))
        .map(|(s, len)| (s, (s + len) % n))
}

const ESC: Unit = 0x1B;
/// Motions that, right after Escape, only make sense in vi's normal mode.
const VI_MOTIONS: [u8; 8] = *b"hjklwb0$";
/// Edits typed after Escape in vi's normal mode.
const VI_EDITS: [&[u8]; 3] = [b"dd", b"cw", b"ciw"];
/// Emacs line-editing bindings: ^A ^E ^W ^K ^U.
const EMACS_KEYS: [Unit; 5] = [0x01, 0x05, 0x17, 0x0B, 0x15];

/// `environmental.editing_mode`: vi when a typed Escape is followed by a vi
/// motion or edit, emacs when only emacs bindings were typed, unknown when
/// neither. Only typed keystrokes count (events under four code points, as
/// everywhere in the engine): a pasted line that contains `dd` is not an
/// edit. Escape followed by `[` or `O` is a cursor or function key, not a
/// mode switch. Silent without input.
pub fn editing_mode(ctx: &SessionContext<'_>) -> Option<Observation> {
    if ctx.input_events.is_empty() {
        return None;
    }
    let keys: Vec<Unit> = ctx
        .input_events
        .iter()
        .filter(|e| e.data.py_len() < PASTE_MIN_CHARS_PER_EVENT)
        .flat_map(|e| e.data.units())
        .collect();
    let vi = keys.iter().enumerate().any(|(i, &k)| {
        k == ESC && {
            let after = keys.get(i + 1..).unwrap_or_default();
            let starts = |word: &[u8]| {
                after.len() >= word.len()
                    && word.iter().zip(after).all(|(&w, &a)| u32::from(w) == a)
            };
            after
                .first()
                .is_some_and(|&a| VI_MOTIONS.iter().any(|&m| u32::from(m) == a))
                || VI_EDITS.iter().any(|w| starts(w))
        }
    });
    let emacs = keys.iter().any(|k| EMACS_KEYS.contains(k));
    let (value, confidence) = if vi {
        ("vi", 0.70)
    } else if emacs {
        ("emacs", 0.45)
    } else {
        ("unknown", 0.30)
    };
    Some(Observation::label(
        "environmental.editing_mode",
        value,
        confidence,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_know_the_calendar() {
        // 2024-05-05 23:30 UTC was a Sunday (weekday 6).
        let m = Moment::at(1_714_951_800.0).expect("finite");
        assert_eq!((m.hour, m.weekday), (23, 6));
        // Half an hour later: Monday 00:00.
        let m = Moment::at(1_714_953_600.0).expect("finite");
        assert_eq!((m.hour, m.weekday), (0, 0));
        // Before the epoch: 1969-12-31 23:00 was a Wednesday.
        let m = Moment::at(-3_600.0).expect("finite");
        assert_eq!((m.day, m.hour, m.weekday), (-1, 23, 2));
    }

    #[test]
    fn quiet_span_wraps_midnight() {
        let mut h = [1.0; 24];
        for q in [22, 23, 0, 1, 2] {
            h[q] = 0.0;
        }
        assert_eq!(quiet_span(&h), Some((22, 3)));
    }

    #[test]
    fn quiet_span_tie_goes_to_the_lowest_bin() {
        // Two quiet runs of three hours; the second holds a zero bin.
        let mut h = [1.0; 24];
        for q in [3, 4, 5] {
            h[q] = 0.05;
        }
        for q in [14, 15, 16] {
            h[q] = 0.05;
        }
        h[15] = 0.0;
        assert_eq!(quiet_span(&h), Some((14, 17)));
    }
}
