//! `motor.*`: how the keys are pressed.

use std::collections::HashMap;

use super::util::{burst_cv, near, ratio};
use crate::context::SessionContext;
use crate::observation::{Observation, Value};
use crate::simhash;
use crate::stats;
use crate::text::Unit;
use crate::thresholds::*;

/// `motor.input_modality`: share of paste events — pasted, typed or mixed.
/// Silent without input.
pub fn input_modality(ctx: &SessionContext<'_>) -> Option<Observation> {
    let n = ctx.input_events.len();
    if n == 0 {
        return None;
    }
    let r = ratio(ctx.paste_event_count, n);
    let (value, confidence) = if r >= MODALITY_PASTED_MIN {
        ("pasted", 0.75)
    } else if r <= MODALITY_TYPED_MAX {
        ("typed", 0.75)
    } else {
        ("mixed", 0.70)
    };
    Some(Observation::label(
        "motor.input_modality",
        value,
        confidence,
    ))
}

/// `motor.paste_burst_rate`: the same share, bucketed as a habit.
pub fn paste_burst_rate(ctx: &SessionContext<'_>) -> Option<Observation> {
    let n = ctx.input_events.len();
    if n == 0 {
        return None;
    }
    let r = ratio(ctx.paste_event_count, n);
    let (value, confidence) = if r >= PASTE_RATE_HABITUAL_MIN {
        ("habitual", 0.80)
    } else if r >= PASTE_RATE_OCCASIONAL_MIN {
        ("occasional", 0.70)
    } else {
        ("none", 0.70)
    };
    Some(Observation::label(
        "motor.paste_burst_rate",
        value,
        confidence,
    ))
}

/// Median population CV over the typing bursts with a positive mean.
fn median_burst_cv(ctx: &SessionContext<'_>) -> Option<f64> {
    *ctx.burst_cv_median.get_or_init(|| {
        let cvs: Vec<f64> = ctx
            .typing_bursts
            .iter()
            .filter_map(|b| burst_cv(b))
            .collect();
        (!cvs.is_empty()).then(|| stats::median(&cvs))
    })
}

/// `motor.keystroke_cadence`: median burst CV, with a sub-human floor for
/// `machine`. Needs five input events and one usable burst.
pub fn keystroke_cadence(ctx: &SessionContext<'_>) -> Option<Observation> {
    if ctx.input_events.len() < MIN_INPUTS_FOR_CADENCE || ctx.typing_bursts.is_empty() {
        return None;
    }
    let cv = median_burst_cv(ctx)?;
    let flat: Vec<f64> = ctx.typing_bursts.concat();
    let mean_iki = stats::fmean(&flat);
    let (value, confidence) = if mean_iki < IKI_MACHINE_MAX_S && cv < CV_MACHINE_MAX {
        ("machine", 0.85)
    } else if cv < CV_STEADY_MAX {
        ("steady", 0.70)
    } else if cv < CV_BURSTY_MAX {
        ("bursty", 0.65)
    } else {
        ("hunt_and_peck", 0.60)
    };
    Some(Observation::label(
        "motor.keystroke_cadence",
        value,
        confidence,
    ))
}

/// Index of the flight-time bucket of `seconds`.
fn flight_bucket(seconds: f64) -> usize {
    DIGRAPH_FLIGHT_BUCKETS_S
        .iter()
        .position(|&edge| seconds < edge)
        .unwrap_or(DIGRAPH_FLIGHT_BUCKETS_S.len())
}

/// Flight times per digraph, digraphs in first-seen order (only to make the
/// token walk deterministic: the SimHash does not depend on order).
#[derive(Default)]
struct Flights {
    keys: Vec<[Unit; 2]>,
    samples: Vec<Vec<f64>>,
    /// Slot + 1 of each ASCII digraph (0: not seen), indexed `a * 128 + b`:
    /// nearly every keystroke is ASCII, and this spares it a hash lookup.
    ascii: Vec<u32>,
    /// Slots of the other digraphs.
    other: HashMap<[Unit; 2], usize>,
}

impl Flights {
    fn push(&mut self, key: [Unit; 2], dt: f64) {
        let next = self.keys.len();
        let slot = match key {
            [a @ 0..0x80, b @ 0..0x80] => {
                if self.ascii.is_empty() {
                    self.ascii = vec![0; 0x80 * 0x80];
                }
                match self.ascii.get_mut((a * 0x80 + b) as usize) {
                    Some(&mut stored) if stored != 0 => stored as usize - 1,
                    Some(entry) => {
                        *entry = u32::try_from(next + 1).unwrap_or(u32::MAX);
                        next
                    }
                    None => next,
                }
            }
            _ => *self.other.entry(key).or_insert(next),
        };
        if slot == next {
            self.keys.push(key);
            self.samples.push(Vec::new());
        }
        if let Some(samples) = self.samples.get_mut(slot) {
            samples.push(dt);
        }
    }
}

/// `motor.digraph_simhash`: SimHash of (digraph, median flight bucket)
/// tokens weighted by sample count, over consecutive single-character input
/// events at most a think pause apart.
pub fn digraph_simhash(ctx: &SessionContext<'_>) -> Option<Observation> {
    let mut flights = Flights::default();
    let mut prev: Option<(f64, Unit)> = None;
    for ev in &ctx.input_events {
        let mut units = ev.data.units();
        let (Some(c), None) = (units.next(), units.next()) else {
            prev = None;
            continue;
        };
        if let Some((prev_t, prev_c)) = prev {
            let dt = ev.t - prev_t;
            if 0.0 < dt && dt <= IKI_THINK_MAX_S {
                flights.push([prev_c, c], dt);
            }
        }
        prev = Some((ev.t, c));
    }

    let total: usize = flights.samples.iter().map(Vec::len).sum();
    if flights.keys.len() < MIN_DIGRAPHS_FOR_SIMHASH || total < MIN_DIGRAPH_SAMPLES {
        return None;
    }
    let tokens: Vec<(Vec<Unit>, i64)> = flights
        .keys
        .iter()
        .zip(&flights.samples)
        .map(|(key, dts)| {
            let bucket = flight_bucket(stats::median(dts));
            let mut token = key.to_vec();
            token.push(u32::from(b':'));
            token.extend(bucket.to_string().bytes().map(u32::from));
            (token, i64::try_from(dts.len()).unwrap_or(i64::MAX))
        })
        .collect();
    let hash = simhash::simhash64(tokens.iter().map(|(t, w)| (t.as_slice(), *w)));
    let confidence = (0.40 + 0.05 * flights.keys.len() as f64).min(0.95);
    Some(Observation {
        primitive: "motor.digraph_simhash",
        value: Value::Computed(format!("{hash:016x}")),
        confidence,
    })
}

/// `motor.motor_stability`: tremor when a tenth of the burst gaps fall under
/// the double-press floor, otherwise steady or variable by median burst CV.
pub fn motor_stability(ctx: &SessionContext<'_>) -> Option<Observation> {
    if ctx.typing_bursts.is_empty() {
        return None;
    }
    let flat: Vec<f64> = ctx.typing_bursts.concat();
    if flat.len() < MOTOR_STABILITY_MIN_IATS {
        return None;
    }
    let fast = flat.iter().filter(|&&x| x < TREMOR_FAST_FLOOR_S).count();
    let (value, confidence) = if ratio(fast, flat.len()) >= TREMOR_RATE_MIN {
        ("tremor", 0.65)
    } else if median_burst_cv(ctx).unwrap_or(0.0) < CV_STEADY_MAX {
        ("steady", 0.70)
    } else {
        ("variable", 0.60)
    };
    Some(Observation::label(
        "motor.motor_stability",
        value,
        confidence,
    ))
}

/// `motor.error_correction`: how backspaces follow the keys they erase;
/// `route_around` when only ^U/^W were used. Needs three input events.
pub fn error_correction(ctx: &SessionContext<'_>) -> Option<Observation> {
    if ctx.input_events.len() < ERROR_CORRECTION_MIN_INPUTS {
        return None;
    }
    let c = &ctx.corrections;
    let (value, confidence) = if c.backspace_count == 0 {
        if c.kill_line_count > 0 {
            ("route_around", 0.55)
        } else {
            ("absent", 0.65)
        }
    } else {
        let med = if c.backspace_iats.is_empty() {
            f64::INFINITY
        } else {
            stats::median(&c.backspace_iats)
        };
        if med <= BACKSPACE_IMMEDIATE_MAX_S {
            ("immediate", 0.65)
        } else {
            ("deferred", 0.55)
        }
    };
    Some(Observation::label(
        "motor.error_correction",
        value,
        confidence,
    ))
}

/// `motor.command_chunking`: median population CV of the gaps inside each
/// command (commands with three gaps or more), or `single_command`.
pub fn command_chunking(ctx: &SessionContext<'_>) -> Option<Observation> {
    const PRIMITIVE: &str = "motor.command_chunking";
    match ctx.commands.len() {
        0 => return None,
        1 => return Some(Observation::label(PRIMITIVE, "single_command", 0.80)),
        _ => {}
    }
    let cvs: Vec<f64> = ctx
        .intra_command_iats
        .iter()
        .filter(|iats| iats.len() >= CMD_CHUNKING_MIN_IATS)
        .filter_map(|iats| burst_cv(iats))
        .collect();
    if cvs.is_empty() {
        return None;
    }
    let (value, confidence) = if stats::median(&cvs) < CMD_CHUNKING_FLUENT_CV_MAX {
        ("fluent", 0.65)
    } else {
        ("fragmented", 0.60)
    };
    Some(Observation::label(PRIMITIVE, value, confidence))
}

/// Confidence shared by the three shell-mastery primitives.
fn mastery_confidence(n: usize, value: f64, edges: [f64; 2], base: f64) -> f64 {
    if n < SHELL_MASTERY_MIN_COMMANDS {
        0.40
    } else if edges.iter().any(|&edge| near(value, edge)) {
        0.55
    } else {
        base
    }
}

/// `motor.shell_mastery.tab_completion`: share of commands with a tab.
pub fn tab_completion(ctx: &SessionContext<'_>) -> Option<Observation> {
    let n = ctx.commands.len();
    if n == 0 {
        return None;
    }
    let with_tab = ctx.commands.iter().filter(|c| c.tab_count > 0).count();
    let r = ratio(with_tab, n);
    // The registry leaves 30-50% unassigned; it rounds down to occasional.
    let value = if r == 0.0 {
        "none"
    } else if r < TAB_COMPLETION_HABITUAL_MIN {
        "occasional"
    } else {
        "habitual"
    };
    let edges = [TAB_COMPLETION_OCCASIONAL_MAX, TAB_COMPLETION_HABITUAL_MIN];
    let confidence = mastery_confidence(n, r, edges, 0.75);
    Some(Observation::label(
        "motor.shell_mastery.tab_completion",
        value,
        confidence,
    ))
}

/// `motor.shell_mastery.shortcut_usage`: readline shortcuts per command.
pub fn shortcut_usage(ctx: &SessionContext<'_>) -> Option<Observation> {
    let n = ctx.commands.len();
    if n == 0 {
        return None;
    }
    let total: usize = ctx.commands.iter().map(|c| c.shortcut_count).sum();
    let rate = ratio(total, n);
    let value = if total == 0 || rate < SHORTCUT_USAGE_MODERATE_MIN {
        "none"
    } else if rate < SHORTCUT_USAGE_HEAVY_MIN {
        "moderate"
    } else {
        "heavy"
    };
    let edges = [SHORTCUT_USAGE_MODERATE_MIN, SHORTCUT_USAGE_HEAVY_MIN];
    let confidence = mastery_confidence(n, rate, edges, 0.65);
    Some(Observation::label(
        "motor.shell_mastery.shortcut_usage",
        value,
        confidence,
    ))
}

/// `motor.shell_mastery.pipe_chaining_depth`: median `|` count per command.
pub fn pipe_chaining_depth(ctx: &SessionContext<'_>) -> Option<Observation> {
    let n = ctx.commands.len();
    if n == 0 {
        return None;
    }
    let pipes: Vec<f64> = ctx.commands.iter().map(|c| c.pipe_count as f64).collect();
    let median = stats::median(&pipes);
    let value = if median >= PIPE_CHAINING_DEEP_MEDIAN {
        "deep"
    } else if median >= PIPE_CHAINING_MODERATE_MEDIAN {
        "moderate"
    } else {
        "shallow"
    };
    let edges = [PIPE_CHAINING_MODERATE_MEDIAN, PIPE_CHAINING_DEEP_MEDIAN];
    let confidence = mastery_confidence(n, median, edges, 0.70);
    Some(Observation::label(
        "motor.shell_mastery.pipe_chaining_depth",
        value,
        confidence,
    ))
}
