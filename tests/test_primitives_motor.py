"""Per-primitive threshold cases for the ``motor.*`` primitives.

Expected values: reference engine output, DECNET decnet/profiler/behave_shell
at the corpus's source hash. Every ``expected`` literal below was produced by
running the reference on the very builder beside it; none was written by hand
or taken from the native engine. ``None`` means the reference emitted nothing.
"""

from __future__ import annotations

import pytest

from primitive_cases import (
    GAP,
    backspace_after,
    cadence,
    check_registry,
    digraphs,
    feature_commands,
    keys,
    observe,
    output,
    params,
    paste_mix,
    pipe_commands,
    session,
    shell,
    shortcut_commands,
    typed,
    typed_commands,
    typed_text,
)

MODALITY = "motor.input_modality"
PASTE_RATE = "motor.paste_burst_rate"
CADENCE = "motor.keystroke_cadence"
SIMHASH = "motor.digraph_simhash"
STABILITY = "motor.motor_stability"
CORRECTION = "motor.error_correction"
CHUNKING = "motor.command_chunking"
TAB = "motor.shell_mastery.tab_completion"
SHORTCUT = "motor.shell_mastery.shortcut_usage"
PIPES = "motor.shell_mastery.pipe_chaining_depth"

# A CV of exactly 0.5 from two alternating gaps a, 3a; nudging the long gap by
# 1/128 s moves it just below / above.
CV_HALF = [0.125, 0.375] * 2
CV_UNDER_HALF = [0.125, 0.3671875] * 2
CV_OVER_HALF = [0.125, 0.3828125] * 2

CASES = [
    # (primitive, case id, builder, expected (value, confidence) or None)
    # ── motor.input_modality: paste events / input events ──
    (MODALITY, "no_input_events", lambda: output("banner\r\n", 0.0), None),
    (MODALITY, "ratio_at_pasted_min", lambda: paste_mix(2, 3), ("pasted", 0.75)),
    (MODALITY, "ratio_below_pasted_min", lambda: paste_mix(39, 61), ("mixed", 0.7)),
    (MODALITY, "ratio_above_pasted_min", lambda: paste_mix(41, 59), ("pasted", 0.75)),
    (MODALITY, "ratio_at_typed_max", lambda: paste_mix(1, 19), ("typed", 0.75)),
    (MODALITY, "ratio_below_typed_max", lambda: paste_mix(1, 20), ("typed", 0.75)),
    (MODALITY, "ratio_above_typed_max", lambda: paste_mix(2, 37), ("mixed", 0.7)),
    (MODALITY, "all_typed", lambda: paste_mix(0, 5), ("typed", 0.75)),
    (
        MODALITY,
        "three_char_event_is_not_paste",
        lambda: paste_mix(3, 2, text="ab"),
        ("typed", 0.75),
    ),
    (MODALITY, "four_char_event_is_paste", lambda: paste_mix(3, 2, text="abc"), ("pasted", 0.75)),
    # ── motor.paste_burst_rate: same ratio, coarser buckets ──
    (PASTE_RATE, "no_input_events", lambda: output("banner\r\n", 0.0), None),
    (PASTE_RATE, "ratio_at_habitual_min", lambda: paste_mix(1, 1), ("habitual", 0.8)),
    (PASTE_RATE, "ratio_below_habitual_min", lambda: paste_mix(49, 51), ("occasional", 0.7)),
    (PASTE_RATE, "ratio_above_habitual_min", lambda: paste_mix(51, 49), ("habitual", 0.8)),
    (PASTE_RATE, "ratio_at_occasional_min", lambda: paste_mix(1, 9), ("occasional", 0.7)),
    (PASTE_RATE, "ratio_below_occasional_min", lambda: paste_mix(9, 91), ("none", 0.7)),
    (PASTE_RATE, "ratio_above_occasional_min", lambda: paste_mix(11, 89), ("occasional", 0.7)),
    (PASTE_RATE, "no_pastes", lambda: paste_mix(0, 4), ("none", 0.7)),
    # ── motor.keystroke_cadence: median burst CV ──
    (CADENCE, "four_inputs_below_floor", lambda: cadence([GAP] * 3), None),
    (CADENCE, "five_inputs_at_floor", lambda: cadence([GAP] * 4), ("steady", 0.7)),
    (CADENCE, "no_burst_all_think_pauses", lambda: cadence([2.0] * 6), None),
    (CADENCE, "zero_mean_burst", lambda: cadence([0.0] * 6), None),
    (CADENCE, "cv_at_steady_max", lambda: cadence(CV_HALF), ("bursty", 0.65)),
    (CADENCE, "cv_below_steady_max", lambda: cadence(CV_UNDER_HALF), ("steady", 0.7)),
    (CADENCE, "cv_above_steady_max", lambda: cadence(CV_OVER_HALF), ("bursty", 0.65)),
    # Four gaps of 13/64 s and nine of 0: pstdev/mean is exactly 1.5.
    (
        CADENCE,
        "cv_at_bursty_max",
        lambda: cadence([0.203125] * 4 + [0.0] * 9),
        ("hunt_and_peck", 0.6),
    ),
    (CADENCE, "cv_below_bursty_max", lambda: cadence([0.203125] * 4 + [0.0] * 8), ("bursty", 0.65)),
    (
        CADENCE,
        "cv_above_bursty_max",
        lambda: cadence([0.203125] * 4 + [0.0] * 10),
        ("hunt_and_peck", 0.6),
    ),
    (CADENCE, "machine_uniform_sub_5ms", lambda: cadence([1 / 256] * 6), ("machine", 0.85)),
    # Gaps of 0.005 s accumulated from t = 0: float rounding decides the side.
    (CADENCE, "machine_mean_at_5ms", lambda: cadence([0.005] * 6), ("steady", 0.7)),
    (CADENCE, "machine_mean_above_5ms", lambda: cadence([1 / 128] * 6), ("steady", 0.7)),
    (
        CADENCE,
        "machine_cv_under_0_05",
        lambda: cadence([1 / 256, 1 / 256 + 1 / 4096] * 3),
        ("machine", 0.85),
    ),
    (
        CADENCE,
        "machine_cv_over_0_05",
        lambda: cadence([1 / 256, 1 / 256 + 1 / 2048] * 3),
        ("steady", 0.7),
    ),
    # A 1.5 s gap stays inside the burst (and wrecks its CV); 1.5 + 1/64 splits it.
    (
        CADENCE,
        "think_gap_at_max_joins",
        lambda: cadence([GAP] * 3 + [1.5] + [GAP] * 3),
        ("bursty", 0.65),
    ),
    (
        CADENCE,
        "think_gap_above_max_splits",
        lambda: cadence([GAP] * 3 + [1.5 + 1 / 64] + [GAP] * 3),
        ("steady", 0.7),
    ),
    # ── motor.digraph_simhash: >= 8 distinct digraphs and >= 20 samples ──
    (SIMHASH, "seven_digraphs", lambda: digraphs("abcdefgh", "abcdefgh", "abcdefgh"), None),
    (
        SIMHASH,
        "eight_digraphs_19_samples",
        lambda: digraphs("abcdefghi", "abcdefghi", "abcd"),
        None,
    ),
    (
        SIMHASH,
        "eight_digraphs_20_samples",
        lambda: digraphs("abcdefghi", "abcdefghi", "abcde"),
        ("21265567916e4214", 0.8),
    ),
    (
        SIMHASH,
        "ten_digraphs",
        lambda: digraphs("abcdefghijk", "abcdefghijk"),
        ("600e7176806c4356", 0.9),
    ),
    (
        SIMHASH,
        "eleven_digraphs_cap",
        lambda: digraphs("abcdefghijkl", "abcdefghijkl"),
        ("714f7176936c4356", 0.95),
    ),
    (
        SIMHASH,
        "twelve_digraphs_capped",
        lambda: digraphs("abcdefghijklm", "abcdefghijklm"),
        ("710e5176906c4316", 0.95),
    ),
    (
        SIMHASH,
        "flight_at_bucket_edge_0_25",
        lambda: digraphs("abcdefghi", "abcdefghi", "abcde", gap=0.25),
        ("c5bb212818b43d8b", 0.8),
    ),
    (
        SIMHASH,
        "flight_below_bucket_edge_0_25",
        lambda: digraphs("abcdefghi", "abcdefghi", "abcde", gap=0.25 - 1 / 256),
        ("21265567916e4214", 0.8),
    ),
    (
        SIMHASH,
        "flight_at_think_max",
        lambda: digraphs("abcdefghi", "abcdefghi", "abcde", gap=1.5, pause=3.0),
        ("816940d85c0062a8", 0.8),
    ),
    (
        SIMHASH,
        "flight_above_think_max",
        lambda: digraphs("abcdefghi", "abcdefghi", "abcde", gap=1.5 + 1 / 64, pause=3.0),
        None,
    ),
    (
        SIMHASH,
        "zero_flight_ignored",
        lambda: digraphs("abcdefghi", "abcdefghi", "abcde", gap=0.0),
        None,
    ),
    # ── motor.motor_stability: sub-30 ms rate, then burst CV ──
    (STABILITY, "four_burst_gaps", lambda: cadence([GAP] * 4), None),
    (STABILITY, "five_burst_gaps", lambda: cadence([GAP] * 5), ("steady", 0.7)),
    (STABILITY, "no_burst", lambda: cadence([2.0] * 6), None),
    (STABILITY, "fast_rate_at_min", lambda: cadence([1 / 64] + [GAP] * 9), ("tremor", 0.65)),
    (STABILITY, "fast_rate_below_min", lambda: cadence([1 / 64] + [GAP] * 10), ("steady", 0.7)),
    (STABILITY, "fast_rate_above_min", lambda: cadence([1 / 64] * 2 + [GAP] * 9), ("tremor", 0.65)),
    # The first gap is 0.03 - 0.0 = 0.03 exactly: not below the floor.
    (STABILITY, "gap_at_tremor_floor", lambda: cadence([0.03] + [GAP] * 9), ("steady", 0.7)),
    (STABILITY, "gap_below_tremor_floor", lambda: cadence([0.029] + [GAP] * 9), ("tremor", 0.65)),
    (STABILITY, "cv_at_steady_max", lambda: cadence([*CV_HALF, 0.125, 0.375]), ("variable", 0.6)),
    (
        STABILITY,
        "cv_below_steady_max",
        lambda: cadence([*CV_UNDER_HALF, 0.125, 0.3671875]),
        ("steady", 0.7),
    ),
    # ── motor.error_correction: backspace timing ──
    (CORRECTION, "two_inputs", lambda: keys("ls", 0.0), None),
    (CORRECTION, "no_correction", lambda: typed("ls", 0.0), ("absent", 0.65)),
    (CORRECTION, "kill_line_only", lambda: typed("ls\x15ls", 0.0), ("route_around", 0.55)),
    (CORRECTION, "kill_word_only", lambda: typed("ls\x17ls", 0.0), ("route_around", 0.55)),
    (CORRECTION, "backspace_at_immediate_max", lambda: backspace_after(0.5), ("immediate", 0.65)),
    (
        CORRECTION,
        "backspace_below_immediate_max",
        lambda: backspace_after(0.5 - 1 / 64),
        ("immediate", 0.65),
    ),
    (
        CORRECTION,
        "backspace_above_immediate_max",
        lambda: backspace_after(0.5 + 1 / 64),
        ("deferred", 0.55),
    ),
    (CORRECTION, "ctrl_h_backspace", lambda: typed("lx\x08s", 0.0), ("immediate", 0.65)),
    (
        CORRECTION,
        "backspace_with_nothing_before",
        lambda: session([(0.0, "i", "\x7f")], typed("ls", GAP)),
        ("deferred", 0.55),
    ),
    # ── motor.command_chunking: median in-command CV ──
    (CHUNKING, "no_commands", lambda: typed_text("abc"), None),
    (CHUNKING, "single_command", lambda: typed("ls", 0.0), ("single_command", 0.8)),
    (CHUNKING, "pasted_commands_only", lambda: shell("ls", "id"), None),
    (CHUNKING, "commands_too_short", lambda: typed_commands([[GAP] * 3, [GAP] * 3]), None),
    (
        CHUNKING,
        "cv_at_fluent_max",
        lambda: typed_commands([[*CV_HALF, GAP]] * 2),
        ("fragmented", 0.6),
    ),
    (
        CHUNKING,
        "cv_below_fluent_max",
        lambda: typed_commands([[*CV_UNDER_HALF, GAP]] * 2),
        ("fluent", 0.65),
    ),
    (
        CHUNKING,
        "cv_above_fluent_max",
        lambda: typed_commands([[*CV_OVER_HALF, GAP]] * 2),
        ("fragmented", 0.6),
    ),
    # ── motor.shell_mastery.tab_completion: share of commands with a tab ──
    # The +-10 % proximity band is computed in floats, so its edges are lopsided:
    # 0.27 and 0.45 fall inside (0.55), while 0.33 and 0.55 fall just outside
    # (|0.33 - 0.3| / 0.3 is 0.10000000000000003). The reference decides.
    (TAB, "no_commands", lambda: typed_text("abc"), None),
    (TAB, "no_tabs", lambda: feature_commands(10, 0, "\t"), ("none", 0.75)),
    (TAB, "four_commands_floor", lambda: feature_commands(4, 2, "\t"), ("habitual", 0.4)),
    (TAB, "five_commands", lambda: feature_commands(5, 1, "\t"), ("occasional", 0.75)),
    (TAB, "ratio_at_occasional_max", lambda: feature_commands(10, 3, "\t"), ("occasional", 0.55)),
    (TAB, "band_edge_0_27", lambda: feature_commands(100, 27, "\t"), ("occasional", 0.55)),
    (TAB, "below_band_0_26", lambda: feature_commands(100, 26, "\t"), ("occasional", 0.75)),
    (TAB, "band_edge_0_33", lambda: feature_commands(100, 33, "\t"), ("occasional", 0.75)),
    (TAB, "above_band_0_34", lambda: feature_commands(100, 34, "\t"), ("occasional", 0.75)),
    (TAB, "band_edge_0_45", lambda: feature_commands(100, 45, "\t"), ("occasional", 0.55)),
    (TAB, "below_band_0_44", lambda: feature_commands(100, 44, "\t"), ("occasional", 0.75)),
    (
        TAB,
        "ratio_below_habitual_min",
        lambda: feature_commands(100, 49, "\t"),
        ("occasional", 0.55),
    ),
    (TAB, "ratio_at_habitual_min", lambda: feature_commands(10, 5, "\t"), ("habitual", 0.55)),
    (TAB, "band_edge_0_55", lambda: feature_commands(100, 55, "\t"), ("habitual", 0.75)),
    (TAB, "above_band_0_56", lambda: feature_commands(100, 56, "\t"), ("habitual", 0.75)),
    # ── motor.shell_mastery.shortcut_usage: readline ctrl bytes per command ──
    # Float band edges again: 0.045 falls outside the band, 0.055 inside.
    (SHORTCUT, "no_commands", lambda: typed_text("abc"), None),
    (SHORTCUT, "no_shortcuts", lambda: shortcut_commands(10, 0), ("none", 0.65)),
    (SHORTCUT, "four_commands_floor", lambda: shortcut_commands(4, 4), ("heavy", 0.4)),
    (SHORTCUT, "rate_at_moderate_min", lambda: shortcut_commands(20, 1), ("moderate", 0.55)),
    (SHORTCUT, "rate_below_moderate_min_in_band", lambda: shortcut_commands(21, 1), ("none", 0.55)),
    (SHORTCUT, "rate_below_band", lambda: shortcut_commands(23, 1), ("none", 0.65)),
    (SHORTCUT, "band_edge_0_045", lambda: shortcut_commands(200, 9), ("none", 0.65)),
    (SHORTCUT, "band_edge_0_055", lambda: shortcut_commands(200, 11), ("moderate", 0.55)),
    (SHORTCUT, "rate_above_band", lambda: shortcut_commands(100, 6), ("moderate", 0.65)),
    (SHORTCUT, "rate_at_heavy_min", lambda: shortcut_commands(10, 3), ("heavy", 0.55)),
    (SHORTCUT, "rate_below_heavy_min", lambda: shortcut_commands(100, 29), ("moderate", 0.55)),
    (SHORTCUT, "band_edge_0_27", lambda: shortcut_commands(100, 27), ("moderate", 0.55)),
    (SHORTCUT, "below_band_0_26", lambda: shortcut_commands(100, 26), ("moderate", 0.65)),
    (SHORTCUT, "band_edge_0_33", lambda: shortcut_commands(100, 33), ("heavy", 0.65)),
    (SHORTCUT, "above_band_0_34", lambda: shortcut_commands(100, 34), ("heavy", 0.65)),
    (SHORTCUT, "several_per_command", lambda: shortcut_commands(5, 12), ("heavy", 0.65)),
    # ── motor.shell_mastery.pipe_chaining_depth: median pipe count ──
    (PIPES, "no_commands", lambda: typed_text("abc"), None),
    (PIPES, "four_commands_floor", lambda: pipe_commands(3, 3, 3, 3), ("deep", 0.4)),
    (PIPES, "median_1", lambda: pipe_commands(0, 1, 1, 1, 2), ("shallow", 0.7)),
    (PIPES, "median_1_5", lambda: pipe_commands(1, 1, 1, 2, 2, 2), ("shallow", 0.7)),
    (PIPES, "median_at_moderate", lambda: pipe_commands(2, 2, 2, 2, 2), ("moderate", 0.55)),
    (PIPES, "median_2_5", lambda: pipe_commands(2, 2, 2, 3, 3, 3), ("moderate", 0.7)),
    (PIPES, "median_at_deep", lambda: pipe_commands(3, 3, 3, 3, 3), ("deep", 0.55)),
    (PIPES, "median_4", lambda: pipe_commands(4, 4, 4, 4, 4), ("deep", 0.7)),
    (PIPES, "unsorted_counts", lambda: pipe_commands(5, 0, 3, 0, 4), ("deep", 0.55)),
]


@pytest.mark.parametrize(("primitive", "build", "expected"), params(CASES))
def test_primitive_matches_reference(primitive, build, expected) -> None:
    assert observe(build(), primitive) == expected


def test_expected_values_are_registry_valid() -> None:
    check_registry(CASES)
