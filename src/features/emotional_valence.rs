//! `emotional_valence.*`: soft signals, every confidence capped at 0.50.

use crate::context::SessionContext;
use crate::observation::Observation;
use crate::stats;
use crate::thresholds::*;

fn capped(primitive: &'static str, value: &'static str, confidence: f64) -> Observation {
    Observation::label(
        primitive,
        value,
        confidence.min(EMOTIONAL_VALENCE_CONFIDENCE_CAP),
    )
}

/// `emotional_valence.valence`: positive versus negative and obscene words
/// typed. Needs 80 typed letters.
pub fn valence(ctx: &SessionContext<'_>) -> Option<Observation> {
    let t = &ctx.typed;
    if t.letter_count < VALENCE_MIN_TYPED_CHARS {
        return None;
    }
    let pos = t.positive_lex_hits;
    let neg = t.negative_lex_hits + t.obscenity_hits;
    let value = if pos > neg && pos >= VALENCE_MIN_HITS {
        "positive"
    } else if neg > pos && neg >= VALENCE_MIN_HITS {
        "negative"
    } else {
        "neutral"
    };
    let confidence = if t.letter_count >= VALENCE_FULL_CONFIDENCE_MIN {
        0.50
    } else {
        0.30
    };
    Some(capped("emotional_valence.valence", value, confidence))
}

/// `emotional_valence.arousal`: caps or bang runs, or a very fast burst,
/// mean agitation; a slow one calm.
pub fn arousal(ctx: &SessionContext<'_>) -> Option<Observation> {
    let bursts = &ctx.typing_bursts;
    if bursts.is_empty() {
        return None;
    }
    let medians: Vec<f64> = bursts.iter().map(|b| stats::median(b)).collect();
    let fastest = medians.iter().copied().fold(f64::INFINITY, f64::min);
    let slowest = medians.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let total: usize = bursts.iter().map(Vec::len).sum();
    let enough = total >= AROUSAL_MIN_IATS;
    let t = &ctx.typed;
    let value = if t.caps_run_max >= AROUSAL_CAPS_RUN_MIN
        || t.bang_run_max >= AROUSAL_BANG_RUN_MIN
        || (enough && fastest < AROUSAL_FAST_IAT_S)
    {
        "high_agitated"
    } else if enough && slowest > AROUSAL_CALM_IAT_S {
        "low_calm"
    } else {
        "medium_engaged"
    };
    let confidence = if enough { 0.50 } else { 0.30 };
    Some(capped("emotional_valence.arousal", value, confidence))
}

/// `emotional_valence.stress_response`: typing gaps in commands right after
/// an error versus all others: slower is eustress, faster distress.
pub fn stress_response(ctx: &SessionContext<'_>) -> Option<Observation> {
    if ctx.commands.is_empty() {
        return None;
    }
    let (mut post_error, mut baseline) = (Vec::new(), Vec::new());
    let mut qualifying = 0;
    for (i, iats) in ctx.intra_command_iats.iter().enumerate() {
        let after_error = i > 0 && ctx.commands.get(i - 1).is_some_and(|c| c.errored);
        if after_error {
            if !iats.is_empty() {
                qualifying += 1;
                post_error.extend_from_slice(iats);
            }
        } else {
            baseline.extend_from_slice(iats);
        }
    }
    let mut value = "none";
    if !post_error.is_empty() && !baseline.is_empty() {
        let base = stats::median(&baseline);
        if base > 0.0 {
            let r = stats::median(&post_error) / base;
            if r >= STRESS_EUSTRESS_RATIO_MIN {
                value = "eustress_positive";
            } else if r <= 1.0 / STRESS_DISTRESS_RATIO_MIN {
                value = "distress_negative";
            }
        }
    }
    let confidence = if qualifying >= STRESS_MIN_ERRORED_WITH_IATS {
        0.50
    } else {
        0.30
    };
    Some(capped(
        "emotional_valence.stress_response",
        value,
        confidence,
    ))
}

/// `emotional_valence.frustration_venting`: any obscenity typed. Needs 30
/// typed letters.
pub fn frustration_venting(ctx: &SessionContext<'_>) -> Option<Observation> {
    let t = &ctx.typed;
    if t.letter_count < FRUST_VENT_MIN_TYPED_CHARS {
        return None;
    }
    let (value, confidence) = if t.obscenity_hits >= 1 {
        ("detected", 0.40)
    } else if t.letter_count >= FRUST_VENT_FULL_CONFIDENCE_MIN {
        ("none", 0.50)
    } else {
        ("none", 0.30)
    };
    Some(capped(
        "emotional_valence.frustration_venting",
        value,
        confidence,
    ))
}
