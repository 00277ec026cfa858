//! The 38 primitives, one function each, grouped by family.
//!
//! [`FEATURES`] is the emission order, the reference's. Every function reads
//! the [`SessionContext`] only and returns at most one observation.

mod cognitive;
mod emotional_valence;
mod environmental;
pub mod extended;
mod motor;
mod operational;
mod temporal;
mod util;

use rayon::prelude::*;

use crate::context::{PARALLEL_MIN_EVENTS, SessionContext};
use crate::observation::Observation;

/// A primitive: context in, zero or one observation out.
pub type Feature = fn(&SessionContext<'_>) -> Option<Observation>;

/// Every primitive, in the reference's emission order.
pub const FEATURES: [Feature; 38] = [
    motor::input_modality,
    motor::paste_burst_rate,
    motor::keystroke_cadence,
    motor::digraph_simhash,
    motor::motor_stability,
    motor::error_correction,
    motor::command_chunking,
    motor::tab_completion,
    motor::shortcut_usage,
    motor::pipe_chaining_depth,
    cognitive::inter_command_latency_class,
    cognitive::command_branch_diversity,
    cognitive::feedback_loop_engagement,
    cognitive::inter_command_consistency,
    cognitive::cognitive_load,
    cognitive::exploration_style,
    cognitive::planning_depth,
    cognitive::tool_vocabulary,
    cognitive::retry_tactic,
    cognitive::frustration_typing,
    cognitive::fallback_to_man,
    temporal::session_duration,
    temporal::escalation_pattern,
    temporal::landing_ritual,
    temporal::exit_behavior,
    environmental::shell_type,
    environmental::terminal_multiplexer,
    environmental::locale,
    environmental::keyboard_layout,
    environmental::numpad_usage,
    operational::objective,
    operational::opsec_discipline,
    operational::cleanup_behavior,
    operational::multi_actor_indicators,
    emotional_valence::valence,
    emotional_valence::arousal,
    emotional_valence::stress_response,
    emotional_valence::frustration_venting,
];

/// Runs every primitive over the context, in emission order; a large
/// session's primitives run on the rayon workers (they only read the
/// context, and an indexed `collect` keeps the order).
pub fn extract_all(ctx: &SessionContext<'_>) -> Vec<Observation> {
    let events = ctx.input_events.len() + ctx.output_events.len();
    extract_all_with(ctx, events >= PARALLEL_MIN_EVENTS)
}

/// [`extract_all`], on the rayon workers or not as told.
pub(crate) fn extract_all_with(ctx: &SessionContext<'_>, parallel: bool) -> Vec<Observation> {
    if !parallel {
        return FEATURES.iter().filter_map(|f| f(ctx)).collect();
    }
    let found: Vec<Option<Observation>> = FEATURES.par_iter().map(|f| f(ctx)).collect();
    found.into_iter().flatten().collect()
}

/// The 38 primitives, then the five of behave-shell 0.1.4: the circadian
/// histograms and quiet span (which need the session's start time), and the
/// line-editing mode.
pub fn extract_extended(ctx: &SessionContext<'_>, start_epoch: Option<f64>) -> Vec<Observation> {
    let mut out = extract_all(ctx);
    out.extend(extended::circadian(ctx, start_epoch));
    out.extend(extended::editing_mode(ctx));
    out
}
