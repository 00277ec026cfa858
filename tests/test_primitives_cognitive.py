"""Per-primitive threshold cases for the ``cognitive.*`` primitives.

Expected values: reference engine output, DECNET decnet/profiler/behave_shell
at the corpus's source hash. Every ``expected`` literal below was produced by
running the reference on the very builder beside it; none was written by hand
or taken from the native engine. ``None`` means the reference emitted nothing.
"""

from __future__ import annotations

import math

import pytest

from primitive_cases import (
    GAP,
    check_registry,
    error_load,
    feedback,
    observe,
    output,
    paced,
    paced_exact_first,
    params,
    post_error,
    session,
    shell,
    typed,
    typed_commands,
    typed_text,
)

LATENCY = "cognitive.inter_command_latency_class"
BRANCH = "cognitive.command_branch_diversity"
FEEDBACK = "cognitive.feedback_loop_engagement"
CONSISTENCY = "cognitive.inter_command_consistency"
LOAD = "cognitive.cognitive_load"
EXPLORATION = "cognitive.exploration_style"
PLANNING = "cognitive.planning_depth"
VOCABULARY = "cognitive.tool_vocabulary"
RETRY = "cognitive.error_resilience.retry_tactic"
FRUSTRATION = "cognitive.error_resilience.frustration_typing"
FALLBACK = "cognitive.error_resilience.fallback_to_man"

# The float neighbours of 0.3: paced_exact_first puts a gap of exactly these.
UNDER_0_3 = math.nextafter(0.3, 0.0)
OVER_0_3 = math.nextafter(0.3, 1.0)
NUDGE = 1 / 64

# Output sizes and pauses whose Pearson r, as the reference computes it, is
# exactly 0.3 (found by search); the nudged variants give r = 0.30035... and
# r = 0.29964...
SIZES = [2, 9, 12, 7, 12, 12]
R_AT_0_3 = [4.0, 3.0, 1.0, 7.0, 11.0, 10.0]
R_OVER_0_3 = [4.0, 3.0, 1.0, 7.0, 11.0, 10.0 + NUDGE]
R_UNDER_0_3 = [4.0, 3.0, 1.0, 7.0, 11.0, 10.0 - NUDGE]

# 49 pauses whose sample CV is far above 1.5: the pace term of the load saturates at 1.
SPIKY = [1.0] * 48 + [200.0]


def input_only(n: int) -> list:
    """``n`` commands with no output events at all."""
    return session(*([(float(i), "i", f"echo {i}\r")] for i in range(n)))


CASES = [
    # (primitive, case id, builder, expected (value, confidence) or None)
    # ── cognitive.inter_command_latency_class: median inter-command gap ──
    (LATENCY, "single_command", lambda: paced([]), None),
    (LATENCY, "two_commands_floor", lambda: paced([1.0]), ("typing_speed", 0.4)),
    (
        LATENCY,
        "median_at_instant_max",
        lambda: paced_exact_first(0.3, [GAP, GAP, 1.0, 1.0]),
        ("instant", 0.8),
    ),
    (
        LATENCY,
        "median_below_instant_max",
        lambda: paced_exact_first(UNDER_0_3, [GAP, GAP, 1.0, 1.0]),
        ("instant", 0.8),
    ),
    (
        LATENCY,
        "median_above_instant_max",
        lambda: paced_exact_first(OVER_0_3, [GAP, GAP, 1.0, 1.0]),
        ("typing_speed", 0.8),
    ),
    (LATENCY, "median_at_typing_max", lambda: paced([1.5] * 4), ("typing_speed", 0.8)),
    (LATENCY, "median_below_typing_max", lambda: paced([1.5 - NUDGE] * 4), ("typing_speed", 0.8)),
    (LATENCY, "median_above_typing_max", lambda: paced([1.5 + NUDGE] * 4), ("deliberate", 0.8)),
    (LATENCY, "median_at_deliberate_max", lambda: paced([2.0] * 4), ("deliberate", 0.8)),
    (LATENCY, "median_below_deliberate_max", lambda: paced([2.0 - NUDGE] * 4), ("deliberate", 0.8)),
    (
        LATENCY,
        "median_above_deliberate_max",
        lambda: paced([2.0 + NUDGE] * 4),
        ("llm_lightweight", 0.8),
    ),
    (LATENCY, "median_at_lightweight_max", lambda: paced([8.0] * 4), ("llm_lightweight", 0.8)),
    (
        LATENCY,
        "median_below_lightweight_max",
        lambda: paced([8.0 - NUDGE] * 4),
        ("llm_lightweight", 0.8),
    ),
    (
        LATENCY,
        "median_above_lightweight_max",
        lambda: paced([8.0 + NUDGE] * 4),
        ("llm_heavyweight", 0.8),
    ),
    (LATENCY, "median_at_heavyweight_max", lambda: paced([30.0] * 4), ("llm_heavyweight", 0.8)),
    (
        LATENCY,
        "median_below_heavyweight_max",
        lambda: paced([30.0 - NUDGE] * 4),
        ("llm_heavyweight", 0.8),
    ),
    (LATENCY, "median_above_heavyweight_max", lambda: paced([30.0 + NUDGE] * 4), ("long", 0.8)),
    (
        LATENCY,
        "even_count_median_is_mean_of_middle",
        lambda: paced([1.0, 1.0, 2.0, 2.0]),
        ("typing_speed", 0.8),
    ),
    # ── cognitive.command_branch_diversity: unique first tokens / commands ──
    (BRANCH, "no_commands", lambda: typed_text("abc"), None),
    (BRANCH, "four_commands_unknown", lambda: shell("a", "b", "c", "d"), ("unknown", 1.0)),
    (
        BRANCH,
        "ratio_at_linear_min",
        lambda: shell(*"abcdefg", "a", "b", "c"),
        ("linear_playbook", 0.8),
    ),
    (
        BRANCH,
        "ratio_below_linear_min",
        lambda: shell(*"abcdef", "a", "b", "c"),
        ("adaptive_branching", 0.8),
    ),
    (BRANCH, "ratio_above_linear_min", lambda: shell(*"abcde", "a", "b"), ("linear_playbook", 0.8)),
    (BRANCH, "one_tool_repeated", lambda: shell(*["ls"] * 5), ("adaptive_branching", 0.8)),
    # ── cognitive.feedback_loop_engagement: Pearson r(output bytes, next pause) ──
    (FEEDBACK, "no_commands", lambda: output("banner\r\n", 0.0), None),
    (
        FEEDBACK,
        "four_pairs",
        lambda: feedback([1, 2, 3, 4], [1.0, 2.0, 3.0, 4.0]),
        ("unknown", 1.0),
    ),
    (FEEDBACK, "no_output_events", lambda: input_only(7), ("unknown", 1.0)),
    (
        FEEDBACK,
        "constant_output",
        lambda: feedback([5] * 6, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
        ("unknown", 1.0),
    ),
    (FEEDBACK, "constant_pauses", lambda: feedback([1, 2, 3, 4, 5], [1.0] * 5), ("unknown", 1.0)),
    (FEEDBACK, "r_at_min", lambda: feedback(SIZES, R_AT_0_3), ("fire_and_forget", 0.75)),
    (FEEDBACK, "r_above_min", lambda: feedback(SIZES, R_OVER_0_3), ("closed_loop", 0.75)),
    (FEEDBACK, "r_below_min", lambda: feedback(SIZES, R_UNDER_0_3), ("fire_and_forget", 0.75)),
    (
        FEEDBACK,
        "r_negative",
        lambda: feedback([6, 5, 4, 3, 2], [1.0, 2.0, 3.0, 4.0, 5.0]),
        ("fire_and_forget", 0.75),
    ),
    # ── cognitive.inter_command_consistency: sample CV of inter-command gaps ──
    (CONSISTENCY, "one_gap", lambda: paced([1.0]), None),
    (CONSISTENCY, "zero_mean", lambda: paced([0.0, 0.0]), None),
    (CONSISTENCY, "cv_at_metronomic_max_small", lambda: paced([3.0, 5.0, 7.0]), ("variable", 0.4)),
    (CONSISTENCY, "cv_at_metronomic_max", lambda: paced([1.0, 1.0, 1.0, 2.0]), ("variable", 0.75)),
    (
        CONSISTENCY,
        "cv_below_metronomic_max",
        lambda: paced([1.0, 1.0, 1.0, 2.0 - 1 / 16]),
        ("metronomic", 0.75),
    ),
    (
        CONSISTENCY,
        "cv_above_metronomic_max",
        lambda: paced([1.0, 1.0, 1.0, 2.0 + 1 / 16]),
        ("variable", 0.75),
    ),
    (
        CONSISTENCY,
        "cv_at_bimodal_min",
        lambda: paced([0.0, 1.0, 1.0, 3.0, 3.0, 16.0]),
        ("bimodal", 0.75),
    ),
    (
        CONSISTENCY,
        "cv_below_bimodal_min",
        lambda: paced([0.0, 1.0, 1.0, 3.0, 3.0, 15.75]),
        ("variable", 0.75),
    ),
    (
        CONSISTENCY,
        "cv_above_bimodal_min",
        lambda: paced([0.0, 1.0, 1.0, 3.0, 3.0, 16.25]),
        ("bimodal", 0.75),
    ),
    # ── cognitive.cognitive_load: mean of chunking, error and pace terms ──
    (LOAD, "no_commands", lambda: typed_text("abc"), None),
    (LOAD, "four_commands_floor", lambda: error_load(4, 0), ("low", 0.4)),
    # 33/50 errored, pace CV 0, no chunking term: (0.66 + 0.0) / 2 == 0.33.
    (LOAD, "load_at_low_max", lambda: error_load(50, 33), ("medium", 0.6)),
    (LOAD, "load_below_low_max", lambda: error_load(50, 32), ("low", 0.6)),
    (LOAD, "load_above_low_max", lambda: error_load(50, 34), ("medium", 0.6)),
    # 17/50 errored, pace term saturated: (0.34 + 1.0) / 2 == 0.67.
    (LOAD, "load_at_medium_max", lambda: error_load(50, 17, SPIKY), ("high", 0.6)),
    (LOAD, "load_below_medium_max", lambda: error_load(50, 16, SPIKY), ("medium", 0.6)),
    (LOAD, "load_above_medium_max", lambda: error_load(50, 18, SPIKY), ("high", 0.6)),
    (
        LOAD,
        "chunking_term_saturated",
        lambda: typed_commands([[0.0, 0.0, 0.0, 1.0, GAP]] * 2),
        ("medium", 0.4),
    ),
    # ── cognitive.exploration_style: backtrack rate, then repetition rate ──
    (EXPLORATION, "no_commands", lambda: typed_text("abc"), None),
    (EXPLORATION, "two_commands_floor", lambda: shell("a", "b"), ("methodical", 0.4)),
    (EXPLORATION, "backtrack_at_chaotic_min", lambda: shell(*"abacbdaefgh"), ("chaotic", 0.6)),
    (
        EXPLORATION,
        "backtrack_below_chaotic_min",
        lambda: shell(*"abacbdiefgh"),
        ("methodical", 0.6),
    ),
    (EXPLORATION, "backtrack_above_chaotic_min", lambda: shell(*"abacbdacfgh"), ("chaotic", 0.6)),
    (EXPLORATION, "repetition_at_targeted_min", lambda: shell(*"aabbccddee"), ("targeted", 0.6)),
    (
        EXPLORATION,
        "repetition_below_targeted_min",
        lambda: shell(*"aabbccddeef"),
        ("methodical", 0.6),
    ),
    (EXPLORATION, "repetition_above_targeted_min", lambda: shell(*"aaabbbcccd"), ("targeted", 0.6)),
    (EXPLORATION, "immediate_repeat_is_not_backtrack", lambda: shell(*"aaaaa"), ("targeted", 0.6)),
    # ── cognitive.planning_depth: deep / reactive pause fractions ──
    (PLANNING, "single_command", lambda: paced([]), None),
    (PLANNING, "deep_at_min", lambda: paced([2.0, 2.0, 1.0, 1.0, 1.0]), ("deep", 0.65)),
    (PLANNING, "deep_below_min", lambda: paced([2.0] * 3 + [1.0] * 5), ("shallow", 0.65)),
    (PLANNING, "deep_above_min", lambda: paced([2.0] * 3 + [1.0] * 4), ("deep", 0.65)),
    (PLANNING, "pause_at_think_max_not_deep", lambda: paced([1.5] * 5), ("shallow", 0.65)),
    (PLANNING, "pause_above_think_max_deep", lambda: paced([1.5 + NUDGE] * 5), ("deep", 0.65)),
    (PLANNING, "reactive_at_min", lambda: paced([0.25, 0.25, 1.0, 1.0]), ("reactive", 0.65)),
    (PLANNING, "reactive_below_min", lambda: paced([0.25] * 3 + [1.0] * 4), ("shallow", 0.65)),
    (PLANNING, "reactive_above_min", lambda: paced([0.25] * 4 + [1.0] * 3), ("reactive", 0.65)),
    (
        PLANNING,
        "pause_at_instant_max_reactive",
        lambda: paced_exact_first(0.3, [1.0]),
        ("reactive", 0.4),
    ),
    (
        PLANNING,
        "pause_above_instant_max",
        lambda: paced_exact_first(OVER_0_3, [1.0]),
        ("shallow", 0.4),
    ),
    # ── cognitive.tool_vocabulary: distinct first tokens ──
    (VOCABULARY, "no_commands", lambda: typed_text("abc"), None),
    (VOCABULARY, "four_commands_floor", lambda: shell("a", "b", "c", "d"), ("moderate", 0.4)),
    (VOCABULARY, "distinct_at_narrow_max", lambda: shell(*"abcab"), ("narrow", 0.7)),
    (VOCABULARY, "distinct_above_narrow_max", lambda: shell(*"abcda"), ("moderate", 0.7)),
    (VOCABULARY, "distinct_below_broad_min", lambda: shell(*"abcdefghi"), ("moderate", 0.7)),
    (VOCABULARY, "distinct_at_broad_min", lambda: shell(*"abcdefghij"), ("broad", 0.7)),
    # ── cognitive.error_resilience.retry_tactic: modal response to an error ──
    (RETRY, "no_errors", lambda: shell("ls", "id"), None),
    (RETRY, "rerun", lambda: shell("foo", "foo", "id", errors=[0]), ("rerun", 0.4)),
    (RETRY, "switch", lambda: shell("foo", "bar", "id", errors=[0]), ("switch", 0.4)),
    (RETRY, "abort", lambda: shell("ls", "foo", errors=[1]), ("abort", 0.4)),
    (
        RETRY,
        "tie_rerun_switch",
        lambda: shell("foo", "foo", "bar", "baz", errors=[0, 2]),
        ("rerun", 0.4),
    ),
    (RETRY, "tie_switch_abort", lambda: shell("foo", "bar", "baz", errors=[0, 2]), ("switch", 0.4)),
    (RETRY, "four_errored_floor", lambda: shell(*"abcdef", errors=[0, 1, 2, 3]), ("switch", 0.4)),
    (RETRY, "five_errored", lambda: shell(*"abcdef", errors=[0, 1, 2, 3, 4]), ("switch", 0.65)),
    # ── cognitive.error_resilience.frustration_typing: post-error typing delta ──
    (FRUSTRATION, "single_command", lambda: typed("ls", 0.0), None),
    (FRUSTRATION, "no_errors", lambda: typed_commands([[GAP] * 4] * 3), None),
    (FRUSTRATION, "all_errored", lambda: typed_commands([[GAP] * 4] * 3, errors=[0, 1, 2]), None),
    (FRUSTRATION, "zero_baseline", lambda: post_error(0.0, GAP), None),
    # Baseline 0.625 s: 0.0625 / 0.625 == 0.1 and 0.1875 / 0.625 == 0.3 exactly.
    (FRUSTRATION, "delta_at_low_max", lambda: post_error(0.625, 0.6875), ("moderate", 0.4)),
    (FRUSTRATION, "delta_below_low_max", lambda: post_error(0.625, 0.68359375), ("low", 0.4)),
    (FRUSTRATION, "delta_above_low_max", lambda: post_error(0.625, 0.69140625), ("moderate", 0.4)),
    (FRUSTRATION, "delta_at_low_max_slower", lambda: post_error(0.625, 0.5625), ("moderate", 0.4)),
    (FRUSTRATION, "delta_at_moderate_max", lambda: post_error(0.625, 0.8125), ("high", 0.4)),
    (
        FRUSTRATION,
        "delta_below_moderate_max",
        lambda: post_error(0.625, 0.80859375),
        ("moderate", 0.4),
    ),
    (FRUSTRATION, "delta_above_moderate_max", lambda: post_error(0.625, 0.81640625), ("high", 0.4)),
    (FRUSTRATION, "four_errors_floor", lambda: post_error(0.625, 0.625, errors=4), ("low", 0.4)),
    (FRUSTRATION, "five_errors", lambda: post_error(0.625, 0.625, errors=5), ("low", 0.6)),
    # ── cognitive.error_resilience.fallback_to_man: man/help/info after an error ──
    (FALLBACK, "no_errors", lambda: shell("ls", "id"), None),
    (FALLBACK, "man_after_error", lambda: shell("foo", "man", "id", errors=[0]), ("present", 0.4)),
    (FALLBACK, "info_after_error", lambda: shell("foo", "info", errors=[0]), ("present", 0.4)),
    (FALLBACK, "help_after_error", lambda: shell("foo", "help", errors=[0]), ("present", 0.4)),
    (FALLBACK, "other_after_error", lambda: shell("foo", "ls", errors=[0]), ("absent", 0.4)),
    (FALLBACK, "error_is_last", lambda: shell("ls", "foo", errors=[1]), ("absent", 0.4)),
    (
        FALLBACK,
        "four_errored_floor",
        lambda: shell("a", "man", "b", "c", "d", errors=[0, 2, 3, 4]),
        ("present", 0.4),
    ),
    (
        FALLBACK,
        "five_errored",
        lambda: shell("a", "man", "b", "c", "d", "e", errors=[0, 2, 3, 4, 5]),
        ("present", 0.65),
    ),
]


@pytest.mark.parametrize(("primitive", "build", "expected"), params(CASES))
def test_primitive_matches_reference(primitive, build, expected) -> None:
    assert observe(build(), primitive) == expected


def test_expected_values_are_registry_valid() -> None:
    check_registry(CASES)
