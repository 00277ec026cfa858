//! Every number the classifiers use, named, with its unit in the name.
//!
//! The values are the reference engine's (DECNET `_thresholds.py`); they are
//! facts about its behaviour, and changing one changes which bucket a session
//! falls in, so each is pinned by the corpus parity tests.

// Paste detection.
/// An input event with at least this many code points is a paste.
pub const PASTE_MIN_CHARS_PER_EVENT: usize = 4;
/// Pastes closer together than this join one burst.
pub const PASTE_BURST_MAX_IAT_S: f64 = 0.20;

// motor.input_modality and motor.paste_burst_rate (ratios of paste events).
pub const MODALITY_PASTED_MIN: f64 = 0.40;
pub const MODALITY_TYPED_MAX: f64 = 0.05;
pub const PASTE_RATE_HABITUAL_MIN: f64 = 0.50;
pub const PASTE_RATE_OCCASIONAL_MIN: f64 = 0.10;

// cognitive.inter_command_latency_class: upper edges of the median gap.
pub const INTER_CMD_INSTANT_MAX_S: f64 = 0.30;
pub const INTER_CMD_TYPING_MAX_S: f64 = 1.50;
pub const INTER_CMD_DELIBERATE_MAX_S: f64 = 2.00;
pub const INTER_CMD_LLM_LIGHTWEIGHT_MAX_S: f64 = 8.00;
pub const INTER_CMD_LLM_HEAVYWEIGHT_MAX_S: f64 = 30.00;
/// Below this many commands most cognitive primitives lower their confidence.
pub const MIN_COMMANDS_FOR_FULL_CONFIDENCE: usize = 5;

// cognitive.command_branch_diversity: unique first tokens / commands.
pub const BRANCH_DIVERSITY_LINEAR_MIN: f64 = 0.70;

// cognitive.feedback_loop_engagement.
pub const FEEDBACK_CORRELATION_MIN: f64 = 0.30;
pub const FEEDBACK_MIN_PAIRS: usize = 5;

// cognitive.inter_command_consistency: coefficient of variation.
pub const PAUSE_CV_METRONOMIC_MAX: f64 = 0.40;
pub const PAUSE_CV_BIMODAL_MIN: f64 = 1.50;

// cognitive.cognitive_load.
pub const COGNITIVE_LOAD_CHUNKING_REF_CV: f64 = 1.00;
pub const COGNITIVE_LOAD_PACE_REF_CV: f64 = 1.50;
pub const COGNITIVE_LOAD_LOW_MAX: f64 = 0.33;
pub const COGNITIVE_LOAD_MEDIUM_MAX: f64 = 0.67;

// cognitive.exploration_style.
pub const EXPLORATION_TARGETED_REP_MIN: f64 = 0.50;
pub const EXPLORATION_CHAOTIC_BACKTRACK_MIN: f64 = 0.30;

// cognitive.planning_depth: fractions of inter-command gaps.
pub const PLANNING_DEEP_MIN: f64 = 0.40;
pub const PLANNING_REACTIVE_MIN: f64 = 0.50;

// cognitive.tool_vocabulary: distinct first tokens.
pub const TOOL_VOCAB_NARROW_MAX: usize = 3;
pub const TOOL_VOCAB_BROAD_MIN: usize = 10;

// cognitive.error_resilience.frustration_typing: relative delta.
pub const FRUSTRATION_LOW_MAX: f64 = 0.10;
pub const FRUSTRATION_MODERATE_MAX: f64 = 0.30;

// temporal.session_duration.
pub const SESSION_DURATION_SHORT_MAX_S: f64 = 60.0;
pub const SESSION_DURATION_MEDIUM_MAX_S: f64 = 600.0;
pub const SESSION_DURATION_LONG_MAX_S: f64 = 3600.0;

// temporal.escalation_pattern.
pub const ESCALATION_WINDOW_MIN_S: f64 = 10.0;
pub const ESCALATION_WINDOW_TARGET: f64 = 10.0;
pub const ESCALATION_BURSTY_ZERO_FRAC: f64 = 0.30;
pub const ESCALATION_BURSTY_CV: f64 = 1.00;
pub const ESCALATION_SUSTAINED_CV: f64 = 0.50;
pub const ESCALATION_MIN_WINDOWS: usize = 5;
pub const ESCALATION_MIN_COMMANDS: usize = 5;

// temporal.lifecycle_markers.
pub const LANDING_RITUAL_FIRST_N: usize = 5;
pub const LANDING_RITUAL_HIT_MIN: usize = 2;
pub const LANDING_RITUAL_MIN_COMMANDS: usize = 3;
pub const EXIT_BEHAVIOR_LOOKBACK_K: usize = 3;

// Prompt lines in the output.
/// A prompt line's text is kept to its last this-many code points.
pub const PROMPT_LINE_MAX_CHARS: usize = 256;
pub const SHELL_TYPE_MIN_PROMPTS: usize = 3;

// environmental.locale.
pub const LOCALE_MIN_VALUE_LENGTH: usize = 2;

// environmental.keyboard_layout (rates over typed ASCII letters).
pub const LAYOUT_MIN_TYPED_LETTERS: usize = 200;
pub const LAYOUT_FULL_CONFIDENCE_LETTERS: usize = 500;
pub const LAYOUT_BIGRAM_TOP_N: usize = 64;
pub const LAYOUT_TOP_ENG_BIGRAMS: [&[u8; 2]; 10] = [
    b"th", b"he", b"in", b"er", b"an", b"re", b"on", b"at", b"nd", b"ha",
];
pub const LAYOUT_AZERTY_Q_MIN: f64 = 0.020;
pub const LAYOUT_AZERTY_ENG_MAX: f64 = 0.050;
pub const LAYOUT_QWERTZ_Z_MIN: f64 = 0.030;
pub const LAYOUT_QWERTZ_Y_MAX: f64 = 0.010;
pub const LAYOUT_QWERTY_ENG_MIN: f64 = 0.080;

// environmental.numpad_usage.
pub const NUMPAD_FAST_IAT_S: f64 = 0.050;
pub const NUMPAD_RUN_MIN: usize = 4;
pub const NUMPAD_MIN_TYPED_CHARS: usize = 50;

// motor.keystroke_cadence and motor.motor_stability.
/// Gaps above this are think pauses: they split typing bursts.
pub const IKI_THINK_MAX_S: f64 = 1.50;
pub const IKI_MACHINE_MAX_S: f64 = 0.005;
pub const CV_MACHINE_MAX: f64 = 0.05;
pub const CV_STEADY_MAX: f64 = 0.50;
pub const CV_BURSTY_MAX: f64 = 1.50;
pub const MIN_INPUTS_FOR_CADENCE: usize = 5;
/// Bursts with fewer gaps than this are dropped.
pub const TYPING_BURST_MIN_IATS: usize = 3;
pub const MOTOR_STABILITY_MIN_IATS: usize = 5;
pub const TREMOR_FAST_FLOOR_S: f64 = 0.030;
pub const TREMOR_RATE_MIN: f64 = 0.10;

// motor.digraph_simhash.
pub const MIN_DIGRAPHS_FOR_SIMHASH: usize = 8;
pub const MIN_DIGRAPH_SAMPLES: usize = 20;
/// Upper edges of the flight-time buckets.
pub const DIGRAPH_FLIGHT_BUCKETS_S: [f64; 6] = [0.03, 0.06, 0.12, 0.25, 0.5, 1.0];

// motor.error_correction.
pub const BACKSPACE_IMMEDIATE_MAX_S: f64 = 0.50;
pub const ERROR_CORRECTION_MIN_INPUTS: usize = 3;

// motor.command_chunking.
pub const CMD_CHUNKING_FLUENT_CV_MAX: f64 = 0.50;
pub const CMD_CHUNKING_MIN_IATS: usize = 3;

// motor.shell_mastery.*.
/// Readline control bytes counted as shortcuts: ^A ^E ^W ^U ^R ^B ^F.
pub const SHORTCUT_CTRL_BYTES: [u32; 7] = [0x01, 0x05, 0x17, 0x15, 0x12, 0x02, 0x06];
pub const TAB_COMPLETION_OCCASIONAL_MAX: f64 = 0.30;
pub const TAB_COMPLETION_HABITUAL_MIN: f64 = 0.50;
pub const SHORTCUT_USAGE_MODERATE_MIN: f64 = 0.05;
pub const SHORTCUT_USAGE_HEAVY_MIN: f64 = 0.30;
pub const PIPE_CHAINING_MODERATE_MEDIAN: f64 = 2.0;
pub const PIPE_CHAINING_DEEP_MEDIAN: f64 = 3.0;
pub const SHELL_MASTERY_MIN_COMMANDS: usize = 5;
/// Relative distance to a bucket edge that counts as "near" it.
pub const SHELL_MASTERY_BOUNDARY_BAND: f64 = 0.10;

// operational.*.
pub const INTENT_MIN_COMMANDS: usize = 3;
pub const INTENT_FULL_CONFIDENCE_MIN: usize = 6;
pub const CLEANUP_TAIL_K: usize = 5;
pub const CLEANUP_THOROUGH_MIN_DISTINCT: usize = 3;
pub const CLEANUP_FULL_CONFIDENCE_COMMANDS: usize = 8;
pub const MULTI_ACTOR_MIN_COMMANDS: usize = 8;
pub const MULTI_ACTOR_HALF_MIN_COMMANDS: usize = 4;
pub const MULTI_ACTOR_HALF_FULL_CONFIDENCE: usize = 8;
pub const MULTI_ACTOR_HANDOFF_DELTA: f64 = 0.50;

// emotional_valence.*.
/// Ceiling on every emotional_valence confidence.
pub const EMOTIONAL_VALENCE_CONFIDENCE_CAP: f64 = 0.50;
pub const VALENCE_MIN_TYPED_CHARS: usize = 80;
pub const VALENCE_FULL_CONFIDENCE_MIN: usize = 200;
pub const VALENCE_MIN_HITS: usize = 2;
pub const AROUSAL_FAST_IAT_S: f64 = 0.06;
pub const AROUSAL_CALM_IAT_S: f64 = 0.30;
pub const AROUSAL_MIN_IATS: usize = 30;
pub const AROUSAL_CAPS_RUN_MIN: usize = 5;
pub const AROUSAL_BANG_RUN_MIN: usize = 3;
pub const STRESS_EUSTRESS_RATIO_MIN: f64 = 1.20;
pub const STRESS_DISTRESS_RATIO_MIN: f64 = 1.20;
pub const STRESS_MIN_ERRORED_WITH_IATS: usize = 2;
pub const FRUST_VENT_MIN_TYPED_CHARS: usize = 30;
pub const FRUST_VENT_FULL_CONFIDENCE_MIN: usize = 200;
