//! `cognitive.*`: pacing, planning and reaction to errors, read off the
//! command sequence.

use std::collections::HashSet;

use super::util::{ratio, sample_cv};
use crate::context::SessionContext;
use crate::lexicon::HELP_FAMILY;
use crate::observation::Observation;
use crate::stats;
use crate::thresholds::*;

/// 0.40 below five commands, `full` otherwise.
fn by_command_count(ctx: &SessionContext<'_>, full: f64) -> f64 {
    if ctx.commands.len() < MIN_COMMANDS_FOR_FULL_CONFIDENCE {
        0.40
    } else {
        full
    }
}

fn distinct_tokens(ctx: &SessionContext<'_>) -> usize {
    ctx.commands
        .iter()
        .map(|c| c.first_token_hash)
        .collect::<HashSet<_>>()
        .len()
}

/// `cognitive.inter_command_latency_class`: median gap between commands.
pub fn inter_command_latency_class(ctx: &SessionContext<'_>) -> Option<Observation> {
    if ctx.inter_cmd_iats.is_empty() {
        return None;
    }
    let median = stats::median(&ctx.inter_cmd_iats);
    let value = if median <= INTER_CMD_INSTANT_MAX_S {
        "instant"
    } else if median <= INTER_CMD_TYPING_MAX_S {
        "typing_speed"
    } else if median <= INTER_CMD_DELIBERATE_MAX_S {
        "deliberate"
    } else if median <= INTER_CMD_LLM_LIGHTWEIGHT_MAX_S {
        "llm_lightweight"
    } else if median <= INTER_CMD_LLM_HEAVYWEIGHT_MAX_S {
        "llm_heavyweight"
    } else {
        "long"
    };
    Some(Observation::label(
        "cognitive.inter_command_latency_class",
        value,
        by_command_count(ctx, 0.80),
    ))
}

/// `cognitive.command_branch_diversity`: unique first tokens per command;
/// `unknown` (at full confidence) below five commands.
pub fn command_branch_diversity(ctx: &SessionContext<'_>) -> Option<Observation> {
    const PRIMITIVE: &str = "cognitive.command_branch_diversity";
    let n = ctx.commands.len();
    if n == 0 {
        return None;
    }
    if n < MIN_COMMANDS_FOR_FULL_CONFIDENCE {
        return Some(Observation::label(PRIMITIVE, "unknown", 1.0));
    }
    let value = if ratio(distinct_tokens(ctx), n) >= BRANCH_DIVERSITY_LINEAR_MIN {
        "linear_playbook"
    } else {
        "adaptive_branching"
    };
    Some(Observation::label(PRIMITIVE, value, 0.80))
}

/// `cognitive.feedback_loop_engagement`: Pearson correlation between the
/// output a command printed and the pause before the next one.
pub fn feedback_loop_engagement(ctx: &SessionContext<'_>) -> Option<Observation> {
    const PRIMITIVE: &str = "cognitive.feedback_loop_engagement";
    let pairs = ctx.output_per_cmd.len().min(ctx.inter_cmd_iats.len());
    if ctx.output_events.is_empty() || pairs < FEEDBACK_MIN_PAIRS {
        if ctx.commands.is_empty() {
            return None;
        }
        return Some(Observation::label(PRIMITIVE, "unknown", 1.0));
    }
    let xs: Vec<f64> = ctx
        .output_per_cmd
        .iter()
        .take(pairs)
        .map(|&b| b as f64)
        .collect();
    let ys: Vec<f64> = ctx.inter_cmd_iats.iter().take(pairs).copied().collect();
    // A constant series has no correlation: the reference answers unknown.
    let Some(r) = stats::correlation(&xs, &ys) else {
        return Some(Observation::label(PRIMITIVE, "unknown", 1.0));
    };
    let value = if r > FEEDBACK_CORRELATION_MIN {
        "closed_loop"
    } else {
        "fire_and_forget"
    };
    Some(Observation::label(PRIMITIVE, value, 0.75))
}

/// `cognitive.inter_command_consistency`: sample CV of the gaps between
/// commands. Needs two gaps and a positive mean.
pub fn inter_command_consistency(ctx: &SessionContext<'_>) -> Option<Observation> {
    let cv = sample_cv(&ctx.inter_cmd_iats)?;
    let value = if cv < PAUSE_CV_METRONOMIC_MAX {
        "metronomic"
    } else if cv >= PAUSE_CV_BIMODAL_MIN {
        "bimodal"
    } else {
        "variable"
    };
    Some(Observation::label(
        "cognitive.inter_command_consistency",
        value,
        by_command_count(ctx, 0.75),
    ))
}

/// `cognitive.cognitive_load`: mean of three loads clipped to [0, 1] —
/// within-command rhythm, error rate, pacing spread — over those available.
pub fn cognitive_load(ctx: &SessionContext<'_>) -> Option<Observation> {
    if ctx.commands.is_empty() {
        return None;
    }
    let chunk_cvs: Vec<f64> = ctx
        .intra_command_iats
        .iter()
        .filter_map(|iats| sample_cv(iats))
        .collect();
    let chunking = (!chunk_cvs.is_empty())
        .then(|| (stats::median(&chunk_cvs) / COGNITIVE_LOAD_CHUNKING_REF_CV).clamp(0.0, 1.0));
    let errored = ctx.commands.iter().filter(|c| c.errored).count();
    let errors = ratio(errored, ctx.commands.len()).clamp(0.0, 1.0);
    let pace =
        sample_cv(&ctx.inter_cmd_iats).map(|cv| (cv / COGNITIVE_LOAD_PACE_REF_CV).clamp(0.0, 1.0));

    // Python's `sum()` adds left to right; keep that order.
    let parts: Vec<f64> = [chunking, Some(errors), pace]
        .into_iter()
        .flatten()
        .collect();
    let load = parts.iter().fold(0.0, |acc, x| acc + x) / parts.len() as f64;
    let value = if load < COGNITIVE_LOAD_LOW_MAX {
        "low"
    } else if load < COGNITIVE_LOAD_MEDIUM_MAX {
        "medium"
    } else {
        "high"
    };
    Some(Observation::label(
        "cognitive.cognitive_load",
        value,
        by_command_count(ctx, 0.60),
    ))
}

/// `cognitive.exploration_style`: chaotic when commands jump back to older
/// tools, targeted when they repeat, methodical otherwise.
pub fn exploration_style(ctx: &SessionContext<'_>) -> Option<Observation> {
    let n = ctx.commands.len();
    if n == 0 {
        return None;
    }
    let repetition = 1.0 - ratio(distinct_tokens(ctx), n);
    let mut seen = HashSet::new();
    let mut backtracks = 0;
    let mut prev = None;
    for cmd in &ctx.commands {
        let h = cmd.first_token_hash;
        if prev.is_some_and(|p| p != h) && seen.contains(&h) {
            backtracks += 1;
        }
        seen.insert(h);
        prev = Some(h);
    }
    let backtrack_rate = if n > 1 { ratio(backtracks, n - 1) } else { 0.0 };
    let value = if backtrack_rate >= EXPLORATION_CHAOTIC_BACKTRACK_MIN {
        "chaotic"
    } else if repetition >= EXPLORATION_TARGETED_REP_MIN {
        "targeted"
    } else {
        "methodical"
    };
    Some(Observation::label(
        "cognitive.exploration_style",
        value,
        by_command_count(ctx, 0.60),
    ))
}

/// `cognitive.planning_depth`: share of think pauses versus instant gaps
/// between commands.
pub fn planning_depth(ctx: &SessionContext<'_>) -> Option<Observation> {
    let iats = &ctx.inter_cmd_iats;
    if iats.is_empty() {
        return None;
    }
    let deep = iats.iter().filter(|&&x| x > IKI_THINK_MAX_S).count();
    let reactive = iats
        .iter()
        .filter(|&&x| x <= INTER_CMD_INSTANT_MAX_S)
        .count();
    let value = if ratio(deep, iats.len()) >= PLANNING_DEEP_MIN {
        "deep"
    } else if ratio(reactive, iats.len()) >= PLANNING_REACTIVE_MIN {
        "reactive"
    } else {
        "shallow"
    };
    Some(Observation::label(
        "cognitive.planning_depth",
        value,
        by_command_count(ctx, 0.65),
    ))
}

/// `cognitive.tool_vocabulary`: how many distinct first tokens.
pub fn tool_vocabulary(ctx: &SessionContext<'_>) -> Option<Observation> {
    if ctx.commands.is_empty() {
        return None;
    }
    let distinct = distinct_tokens(ctx);
    let value = if distinct <= TOOL_VOCAB_NARROW_MAX {
        "narrow"
    } else if distinct >= TOOL_VOCAB_BROAD_MIN {
        "broad"
    } else {
        "moderate"
    };
    Some(Observation::label(
        "cognitive.tool_vocabulary",
        value,
        by_command_count(ctx, 0.70),
    ))
}

fn errored_indices(ctx: &SessionContext<'_>) -> Vec<usize> {
    (0..ctx.commands.len())
        .filter(|&i| ctx.commands.get(i).is_some_and(|c| c.errored))
        .collect()
}

/// 0.40 below five errored commands, `full` otherwise.
fn by_error_count(errors: usize, full: f64) -> f64 {
    if errors < MIN_COMMANDS_FOR_FULL_CONFIDENCE {
        0.40
    } else {
        full
    }
}

/// `cognitive.error_resilience.retry_tactic`: the most common response to
/// an error (ties: rerun, switch, abort). `modify` needs argument text the
/// engine never keeps, so it is never emitted, as in the reference.
pub fn retry_tactic(ctx: &SessionContext<'_>) -> Option<Observation> {
    let errored = errored_indices(ctx);
    if errored.is_empty() {
        return None;
    }
    let (mut rerun, mut switch, mut abort) = (0, 0, 0);
    for &i in &errored {
        match (ctx.commands.get(i), ctx.commands.get(i + 1)) {
            (Some(cmd), Some(next)) if next.first_token_hash == cmd.first_token_hash => rerun += 1,
            (_, Some(_)) => switch += 1,
            (_, None) => abort += 1,
        }
    }
    let value = if rerun >= switch && rerun >= abort {
        "rerun"
    } else if switch >= abort {
        "switch"
    } else {
        "abort"
    };
    Some(Observation::label(
        "cognitive.error_resilience.retry_tactic",
        value,
        by_error_count(errored.len(), 0.65),
    ))
}

/// `cognitive.error_resilience.frustration_typing`: relative change of the
/// median typing gap in commands that follow an error versus a success.
pub fn frustration_typing(ctx: &SessionContext<'_>) -> Option<Observation> {
    let cmds = &ctx.commands;
    if cmds.len() < 2 || ctx.intra_command_iats.len() != cmds.len() {
        return None;
    }
    let mut post_err = Vec::new();
    let mut post_ok = Vec::new();
    for (pair, iats) in cmds.windows(2).zip(ctx.intra_command_iats.iter().skip(1)) {
        if iats.is_empty() {
            continue;
        }
        let m = stats::median(iats);
        if pair[0].errored {
            post_err.push(m);
        } else {
            post_ok.push(m);
        }
    }
    if post_err.is_empty() || post_ok.is_empty() {
        return None;
    }
    let median_err = stats::median(&post_err);
    let median_ok = stats::median(&post_ok);
    if median_ok <= 0.0 {
        return None;
    }
    let delta = (median_err - median_ok).abs() / median_ok;
    let value = if delta < FRUSTRATION_LOW_MAX {
        "low"
    } else if delta < FRUSTRATION_MODERATE_MAX {
        "moderate"
    } else {
        "high"
    };
    let confidence = if post_err.len() < MIN_COMMANDS_FOR_FULL_CONFIDENCE {
        0.40
    } else {
        0.60
    };
    Some(Observation::label(
        "cognitive.error_resilience.frustration_typing",
        value,
        confidence,
    ))
}

/// `cognitive.error_resilience.fallback_to_man`: whether an error was ever
/// followed by `man`, `help` or `info`.
pub fn fallback_to_man(ctx: &SessionContext<'_>) -> Option<Observation> {
    let errored = errored_indices(ctx);
    if errored.is_empty() {
        return None;
    }
    let fell_back = errored.iter().any(|&i| {
        ctx.commands
            .get(i + 1)
            .is_some_and(|next| HELP_FAMILY.contains(&next.first_token_hash))
    });
    let value = if fell_back { "present" } else { "absent" };
    Some(Observation::label(
        "cognitive.error_resilience.fallback_to_man",
        value,
        by_error_count(errored.len(), 0.65),
    ))
}
