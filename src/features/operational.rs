//! `operational.*`: what the intruder is after and how carefully.

use std::collections::HashSet;

use super::temporal::tail;
use crate::context::SessionContext;
use crate::lexicon::{CLEANUP, Intent, OPSEC_HISTORY, classify_intent};
use crate::observation::Observation;
use crate::stats;
use crate::thresholds::*;

/// `operational.objective`: majority intent over the commands that have
/// one; ties go to the intent seen first (the reference's
/// `Counter.most_common`), not to the precedence order.
pub fn objective(ctx: &SessionContext<'_>) -> Option<Observation> {
    if ctx.commands.is_empty() {
        return None;
    }
    let mut counts: Vec<(Intent, usize)> = Vec::new();
    for cmd in &ctx.commands {
        let Some(intent) = classify_intent(&cmd.first_token_hash) else {
            continue;
        };
        match counts.iter_mut().find(|(i, _)| *i == intent) {
            Some(entry) => entry.1 += 1,
            None => counts.push((intent, 1)),
        }
    }
    let classified: usize = counts.iter().map(|c| c.1).sum();
    if classified < INTENT_MIN_COMMANDS {
        return None;
    }
    let best = counts.iter().map(|c| c.1).max().unwrap_or(0);
    let intent = counts.iter().find(|c| c.1 == best)?.0;
    let confidence = if classified >= INTENT_FULL_CONFIDENCE_MIN {
        0.60
    } else {
        0.40
    };
    Some(Observation::label(
        "operational.objective",
        intent.label(),
        confidence,
    ))
}

/// `operational.opsec_discipline`: history tampering, and whether the last
/// three commands clean up.
pub fn opsec_discipline(ctx: &SessionContext<'_>) -> Option<Observation> {
    if ctx.commands.is_empty() {
        return None;
    }
    let tampered = ctx
        .commands
        .iter()
        .any(|c| OPSEC_HISTORY.contains(&c.first_token_hash));
    let cleans_up = tail(ctx, EXIT_BEHAVIOR_LOOKBACK_K)
        .iter()
        .any(|c| CLEANUP.contains(&c.first_token_hash));
    let value = match (tampered, cleans_up) {
        (false, _) => "careless",
        (true, true) => "careful",
        (true, false) => "learning",
    };
    let confidence = if ctx.commands.len() < MIN_COMMANDS_FOR_FULL_CONFIDENCE {
        0.30
    } else {
        0.45
    };
    Some(Observation::label(
        "operational.opsec_discipline",
        value,
        confidence,
    ))
}

/// `operational.cleanup_behavior`: distinct cleanup commands among the
/// last five.
pub fn cleanup_behavior(ctx: &SessionContext<'_>) -> Option<Observation> {
    if ctx.commands.is_empty() {
        return None;
    }
    let distinct: HashSet<_> = tail(ctx, CLEANUP_TAIL_K)
        .iter()
        .map(|c| c.first_token_hash)
        .filter(|h| CLEANUP.contains(h))
        .collect();
    let value = match distinct.len() {
        0 => "none",
        n if n >= CLEANUP_THOROUGH_MIN_DISTINCT => "thorough",
        _ => "partial",
    };
    let confidence = if ctx.commands.len() >= CLEANUP_FULL_CONFIDENCE_COMMANDS {
        0.55
    } else {
        0.35
    };
    Some(Observation::label(
        "operational.cleanup_behavior",
        value,
        confidence,
    ))
}

/// `operational.multi_actor_indicators`: whether the typing rhythm of the
/// commands before and after the session's midpoint differ by more than
/// half. `team_coordinated` needs more than one session and is never emitted.
pub fn multi_actor_indicators(ctx: &SessionContext<'_>) -> Option<Observation> {
    if ctx.commands.len() < MULTI_ACTOR_MIN_COMMANDS {
        return None;
    }
    let midpoint = ctx.t_start + ctx.duration_s / 2.0;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let (mut a_count, mut b_count) = (0, 0);
    for (cmd, iats) in ctx.commands.iter().zip(&ctx.intra_command_iats) {
        if cmd.start_ts < midpoint {
            a.extend_from_slice(iats);
            a_count += 1;
        } else {
            b.extend_from_slice(iats);
            b_count += 1;
        }
    }
    let halves_ok = a_count >= MULTI_ACTOR_HALF_MIN_COMMANDS
        && b_count >= MULTI_ACTOR_HALF_MIN_COMMANDS
        && !a.is_empty()
        && !b.is_empty();
    let mut value = "solo";
    if halves_ok {
        let (ma, mb) = (stats::median(&a), stats::median(&b));
        let denom = ma.max(mb);
        if denom > 0.0 && (ma - mb).abs() / denom > MULTI_ACTOR_HANDOFF_DELTA {
            value = "handoff_detected";
        }
    }
    let confidence = if a_count >= MULTI_ACTOR_HALF_FULL_CONFIDENCE
        && b_count >= MULTI_ACTOR_HALF_FULL_CONFIDENCE
    {
        0.55
    } else {
        0.40
    };
    Some(Observation::label(
        "operational.multi_actor_indicators",
        value,
        confidence,
    ))
}
