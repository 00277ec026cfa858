//! `temporal.*`: how long, how steady, how it starts and how it ends.

use crate::context::SessionContext;
use crate::lexicon::{CLEANUP, GRACEFUL_EXIT, LANDING_RITUAL};
use crate::observation::Observation;
use crate::stats;
use crate::thresholds::*;

/// `temporal.session_duration`: the window's length. Emitted whenever there
/// are commands or a positive duration (output-only sessions included).
pub fn session_duration(ctx: &SessionContext<'_>) -> Option<Observation> {
    let d = ctx.duration_s;
    if d <= 0.0 && ctx.commands.is_empty() {
        return None;
    }
    let value = if d < SESSION_DURATION_SHORT_MAX_S {
        "short"
    } else if d < SESSION_DURATION_MEDIUM_MAX_S {
        "medium"
    } else if d < SESSION_DURATION_LONG_MAX_S {
        "long"
    } else {
        "marathon"
    };
    Some(Observation::label("temporal.session_duration", value, 0.85))
}

/// `temporal.escalation_pattern`: commands counted in equal time windows
/// (at least ten seconds, about ten windows); bursty, sustained or erratic
/// by the spread of the counts and the share of empty windows.
pub fn escalation_pattern(ctx: &SessionContext<'_>) -> Option<Observation> {
    let n_cmds = ctx.commands.len();
    if n_cmds == 0 || ctx.duration_s <= 0.0 {
        return None;
    }
    let width = ESCALATION_WINDOW_MIN_S.max(ctx.duration_s / ESCALATION_WINDOW_TARGET);
    // Finite and at most ~11: the duration is finite and width >= duration/10.
    let n_windows = ((ctx.duration_s / width).ceil() as usize).max(1);
    let mut counts = vec![0.0_f64; n_windows];
    for cmd in &ctx.commands {
        let offset = (cmd.start_ts - ctx.t_start) / width;
        // Python's int() truncates toward zero; negatives clamp to window 0.
        let idx = (offset.trunc().max(0.0) as usize).min(n_windows - 1);
        if let Some(c) = counts.get_mut(idx) {
            *c += 1.0;
        }
    }
    let mean = stats::fmean(&counts);
    let cv = if mean <= 0.0 || counts.len() < 2 {
        0.0
    } else {
        stats::stdev(&counts).unwrap_or(0.0) / mean
    };
    let zeros = counts.iter().filter(|&&c| c == 0.0).count();
    let zero_frac = zeros as f64 / counts.len() as f64;
    let value = if zero_frac >= ESCALATION_BURSTY_ZERO_FRAC && cv >= ESCALATION_BURSTY_CV {
        "bursty"
    } else if cv < ESCALATION_SUSTAINED_CV {
        "sustained"
    } else {
        "erratic"
    };
    let confidence = if n_windows < ESCALATION_MIN_WINDOWS || n_cmds < ESCALATION_MIN_COMMANDS {
        0.40
    } else {
        0.60
    };
    Some(Observation::label(
        "temporal.escalation_pattern",
        value,
        confidence,
    ))
}

/// `temporal.lifecycle_markers.landing_ritual`: two of the first five
/// commands from the landing survey (uname, id, whoami, pwd, hostname, w, who).
pub fn landing_ritual(ctx: &SessionContext<'_>) -> Option<Observation> {
    let n = ctx.commands.len();
    if n == 0 {
        return None;
    }
    let hits = ctx
        .commands
        .iter()
        .take(LANDING_RITUAL_FIRST_N)
        .filter(|c| LANDING_RITUAL.contains(&c.first_token_hash))
        .count();
    let value = if hits >= LANDING_RITUAL_HIT_MIN {
        "present"
    } else {
        "absent"
    };
    let confidence = if n < LANDING_RITUAL_MIN_COMMANDS {
        0.40
    } else {
        0.65
    };
    Some(Observation::label(
        "temporal.lifecycle_markers.landing_ritual",
        value,
        confidence,
    ))
}

/// `temporal.lifecycle_markers.exit_behavior`: abrupt when no prompt
/// followed the last command, graceful after an exit command, cleanup when
/// one of the last three commands wipes tracks.
pub fn exit_behavior(ctx: &SessionContext<'_>) -> Option<Observation> {
    let last = ctx.commands.last()?;
    let (value, confidence) = if !last.followed_by_prompt {
        ("abrupt", 0.45)
    } else if GRACEFUL_EXIT.contains(&last.first_token_hash) {
        ("graceful", 0.65)
    } else if tail(ctx, EXIT_BEHAVIOR_LOOKBACK_K)
        .iter()
        .any(|c| CLEANUP.contains(&c.first_token_hash))
    {
        ("cleanup", 0.65)
    } else {
        ("graceful", 0.65)
    };
    Some(Observation::label(
        "temporal.lifecycle_markers.exit_behavior",
        value,
        confidence,
    ))
}

/// The last `k` commands.
pub(super) fn tail<'c>(ctx: &'c SessionContext<'_>, k: usize) -> &'c [crate::context::Command] {
    let n = ctx.commands.len();
    ctx.commands.get(n.saturating_sub(k)..).unwrap_or_default()
}
