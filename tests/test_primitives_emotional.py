"""Per-primitive threshold cases for the ``emotional_valence.*`` primitives.

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
    NOT_FOUND,
    cadence,
    check_registry,
    observe,
    params,
    pasted,
    post_error,
    session,
    typed,
    typed_commands,
    typed_text,
    words,
)

VALENCE = "emotional_valence.valence"
AROUSAL = "emotional_valence.arousal"
STRESS = "emotional_valence.stress_response"
VENTING = "emotional_valence.frustration_venting"


def burst_with_median(median: float, low: float, high: float) -> list:
    """One 31-gap burst whose median gap is ``median``: the first gap (from
    t = 0, so exact), 15 gaps of ``low`` and 15 of ``high``."""
    return cadence([median] + [low] * 15 + [high] * 15)


def pasted_letters(t: float, text: str) -> list:
    return [(t, "i", text)]


CASES = [
    # (primitive, case id, builder, expected (value, confidence) or None)
    # ── emotional_valence.valence: lexicon hits in typed text ──
    (VALENCE, "letters_79", lambda: typed_text(words(letters=79)), None),
    (VALENCE, "letters_80", lambda: typed_text(words(letters=80)), ("neutral", 0.3)),
    (VALENCE, "letters_199", lambda: typed_text(words(letters=199)), ("neutral", 0.3)),
    (VALENCE, "letters_200", lambda: typed_text(words(letters=200)), ("neutral", 0.5)),
    (
        VALENCE,
        "two_positive",
        lambda: typed_text(words("thanks", "cool", letters=80)),
        ("positive", 0.3),
    ),
    (VALENCE, "one_positive", lambda: typed_text(words("nice", letters=80)), ("neutral", 0.3)),
    (
        VALENCE,
        "two_negative",
        lambda: typed_text(words("damn", "wrong", letters=80)),
        ("negative", 0.3),
    ),
    (
        VALENCE,
        "obscenity_is_negative",
        lambda: typed_text(words("shit", "crap", letters=80)),
        ("negative", 0.3),
    ),
    (
        VALENCE,
        "tie_is_neutral",
        lambda: typed_text(words("nice", "cool", "damn", "ugh", letters=80)),
        ("neutral", 0.3),
    ),
    (
        VALENCE,
        "suffix_matches",
        lambda: typed_text(words("supercool", "verynice", letters=80)),
        ("positive", 0.3),
    ),
    (
        VALENCE,
        "longest_suffix_counts_once",
        lambda: typed_text(words("fucking", "nice", "cool", letters=80)),
        ("positive", 0.3),
    ),
    (
        VALENCE,
        "uppercase_folded",
        lambda: typed_text(words("THANKS", "COOL", letters=80)),
        ("positive", 0.3),
    ),
    (
        VALENCE,
        "pasted_words_ignored",
        lambda: session(typed_text(words(letters=80)), pasted_letters(100.0, "thanks cool nice")),
        ("neutral", 0.3),
    ),
    # ── emotional_valence.arousal: caps / bang runs, burst medians ──
    (AROUSAL, "no_bursts", lambda: cadence([2.0] * 5), None),
    (AROUSAL, "gaps_29", lambda: cadence([GAP] * 29), ("medium_engaged", 0.3)),
    (AROUSAL, "gaps_30", lambda: cadence([GAP] * 30), ("medium_engaged", 0.5)),
    (
        AROUSAL,
        "fast_median_at_max",
        lambda: burst_with_median(0.06, 1 / 32, GAP),
        ("medium_engaged", 0.5),
    ),
    (
        AROUSAL,
        "fast_median_one_ulp_below",
        lambda: burst_with_median(math.nextafter(0.06, 0.0), 1 / 32, GAP),
        ("high_agitated", 0.5),
    ),
    (
        AROUSAL,
        "fast_median_one_ulp_above",
        lambda: burst_with_median(math.nextafter(0.06, 1.0), 1 / 32, GAP),
        ("medium_engaged", 0.5),
    ),
    (
        AROUSAL,
        "calm_median_at_min",
        lambda: burst_with_median(0.3, 0.25, 0.5),
        ("medium_engaged", 0.5),
    ),
    (
        AROUSAL,
        "calm_median_one_ulp_above",
        lambda: burst_with_median(math.nextafter(0.3, 1.0), 0.25, 0.5),
        ("low_calm", 0.5),
    ),
    (
        AROUSAL,
        "calm_median_one_ulp_below",
        lambda: burst_with_median(math.nextafter(0.3, 0.0), 0.25, 0.5),
        ("medium_engaged", 0.5),
    ),
    (AROUSAL, "caps_run_5", lambda: typed_text("ABCDE fgh"), ("high_agitated", 0.3)),
    (AROUSAL, "caps_run_4", lambda: typed_text("ABCD efgh"), ("medium_engaged", 0.3)),
    (AROUSAL, "bang_run_3", lambda: typed_text("ls!!! x"), ("high_agitated", 0.3)),
    (AROUSAL, "bang_run_2", lambda: typed_text("ls!! xy"), ("medium_engaged", 0.3)),
    (
        AROUSAL,
        "caps_run_broken_by_paste",
        lambda: session(
            typed_text("AB"), pasted_letters(0.25, "XXXX"), typed_text("CDE", start=0.375)
        ),
        ("medium_engaged", 0.3),
    ),
    # ── emotional_valence.stress_response: post-error / baseline typing gaps ──
    (STRESS, "no_commands", lambda: typed_text("abc"), None),
    (STRESS, "no_errors", lambda: typed_commands([[GAP] * 4] * 3), ("none", 0.3)),
    # 0.75 / 0.625 == 1.2 exactly.
    (STRESS, "ratio_at_eustress_min", lambda: post_error(0.625, 0.75), ("eustress_positive", 0.3)),
    (STRESS, "ratio_below_eustress_min", lambda: post_error(0.625, 0.7421875), ("none", 0.3)),
    (
        STRESS,
        "ratio_above_eustress_min",
        lambda: post_error(0.625, 0.7578125),
        ("eustress_positive", 0.3),
    ),
    # 0.625 / 0.75 rounds to the same float as 1 / 1.2.
    (STRESS, "ratio_at_distress_max", lambda: post_error(0.75, 0.625), ("distress_negative", 0.3)),
    (
        STRESS,
        "ratio_below_distress_max",
        lambda: post_error(0.75, 0.6171875),
        ("distress_negative", 0.3),
    ),
    (STRESS, "ratio_above_distress_max", lambda: post_error(0.75, 0.6328125), ("none", 0.3)),
    (STRESS, "two_errors", lambda: post_error(0.625, 0.75, errors=2), ("eustress_positive", 0.5)),
    (
        STRESS,
        "post_error_command_pasted",
        lambda: session(typed("abcd", 0.0, out=NOT_FOUND), pasted("ls -la", 5.0)),
        ("none", 0.3),
    ),
    # ── emotional_valence.frustration_venting: obscenity hits ──
    (VENTING, "letters_29", lambda: typed_text(words(letters=29)), None),
    (VENTING, "letters_30", lambda: typed_text(words(letters=30)), ("none", 0.3)),
    (VENTING, "letters_199", lambda: typed_text(words(letters=199)), ("none", 0.3)),
    (VENTING, "letters_200", lambda: typed_text(words(letters=200)), ("none", 0.5)),
    (VENTING, "obscenity", lambda: typed_text(words("shit", letters=30)), ("detected", 0.4)),
    (
        VENTING,
        "suffix_of_ordinary_word",
        lambda: typed_text(words("class", letters=30)),
        ("detected", 0.4),
    ),
    (
        VENTING,
        "obscenity_at_end_of_input",
        lambda: typed_text(words(letters=30) + " fuck"),
        ("detected", 0.4),
    ),
    (
        VENTING,
        "pasted_obscenity_ignored",
        lambda: session(typed_text(words(letters=30)), pasted_letters(100.0, "shit happens")),
        ("none", 0.3),
    ),
]


@pytest.mark.parametrize(("primitive", "build", "expected"), params(CASES))
def test_primitive_matches_reference(primitive, build, expected) -> None:
    assert observe(build(), primitive) == expected


def test_expected_values_are_registry_valid() -> None:
    check_registry(CASES)
