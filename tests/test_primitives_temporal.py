"""Per-primitive threshold cases for the ``temporal.*`` primitives.

Expected values: reference engine output, DECNET decnet/profiler/behave_shell
at the corpus's source hash. Every ``expected`` literal below was produced by
running the reference on the very builder beside it; none was written by hand
or taken from the native engine. ``None`` means the reference emitted nothing.
"""

from __future__ import annotations

import pytest

from primitive_cases import (
    PROMPT,
    check_registry,
    lasting,
    observe,
    output,
    params,
    pasted,
    session,
    shell,
    typed_text,
    windows,
)

DURATION = "temporal.session_duration"
ESCALATION = "temporal.escalation_pattern"
LANDING = "temporal.lifecycle_markers.landing_ritual"
EXIT = "temporal.lifecycle_markers.exit_behavior"
NUDGE = 1 / 64

CASES = [
    # (primitive, case id, builder, expected (value, confidence) or None)
    # ── temporal.session_duration: last t - first event's t ──
    (DURATION, "single_output_event", lambda: output("banner\r\n", 0.0), None),
    (DURATION, "zero_duration_with_command", lambda: pasted("ls -la", 0.0), ("short", 0.85)),
    (
        DURATION,
        "output_only_with_duration",
        lambda: session(output("a", 0.0), output("b", 10.0)),
        ("short", 0.85),
    ),
    (DURATION, "at_short_max", lambda: lasting(60.0), ("medium", 0.85)),
    (DURATION, "below_short_max", lambda: lasting(60.0 - NUDGE), ("short", 0.85)),
    (DURATION, "above_short_max", lambda: lasting(60.0 + NUDGE), ("medium", 0.85)),
    (DURATION, "at_medium_max", lambda: lasting(600.0), ("long", 0.85)),
    (DURATION, "below_medium_max", lambda: lasting(600.0 - NUDGE), ("medium", 0.85)),
    (DURATION, "above_medium_max", lambda: lasting(600.0 + NUDGE), ("long", 0.85)),
    (DURATION, "at_long_max", lambda: lasting(3600.0), ("marathon", 0.85)),
    (DURATION, "below_long_max", lambda: lasting(3600.0 - NUDGE), ("long", 0.85)),
    (DURATION, "above_long_max", lambda: lasting(3600.0 + NUDGE), ("marathon", 0.85)),
    # The session starts at the FIRST event's t (10), not the smallest (0): 59 s.
    (
        DURATION,
        "start_is_first_event_not_earliest",
        lambda: session(output("x", 10.0), pasted("ls -la", 0.0), output(PROMPT, 69.0)),
        ("short", 0.85),
    ),
    # ── temporal.escalation_pattern: per-window command counts ──
    (ESCALATION, "no_commands", lambda: session(output("a", 0.0), output("b", 50.0)), None),
    (ESCALATION, "zero_duration", lambda: pasted("ls -la", 0.0), None),
    (ESCALATION, "steady", lambda: windows([1] * 10, 100.0), ("sustained", 0.6)),
    # Sample CV exactly 1.0 and zero fraction exactly 0.3: both bursty edges.
    (
        ESCALATION,
        "cv_and_zero_frac_at_bursty_min",
        lambda: windows([0, 0, 0, 1, 1, 1, 4, 4, 4, 5], 100.0),
        ("bursty", 0.6),
    ),
    (
        ESCALATION,
        "cv_below_bursty_min",
        lambda: windows([0, 0, 0, 1, 1, 1, 4, 4, 4, 4], 100.0),
        ("erratic", 0.6),
    ),
    (
        ESCALATION,
        "cv_above_bursty_min",
        lambda: windows([0, 0, 0, 1, 1, 1, 4, 4, 4, 6], 100.0),
        ("bursty", 0.6),
    ),
    (
        ESCALATION,
        "zero_frac_below_bursty_min",
        lambda: windows([0, 0, 1, 1, 1, 1, 2, 4, 4, 6], 100.0),
        ("erratic", 0.6),
    ),
    (
        ESCALATION,
        "zero_frac_above_bursty_min",
        lambda: windows([0, 0, 0, 0, 1, 3, 3, 4, 4, 5], 100.0),
        ("bursty", 0.6),
    ),
    # Sample CV exactly 0.5 with one empty window.
    (
        ESCALATION,
        "cv_at_sustained_max",
        lambda: windows([0, 1, 3, 5, 5, 5, 5, 5, 5, 6], 100.0),
        ("erratic", 0.6),
    ),
    (
        ESCALATION,
        "cv_below_sustained_max",
        lambda: windows([1, 1, 3, 5, 5, 5, 5, 5, 5, 6], 100.0),
        ("sustained", 0.6),
    ),
    (
        ESCALATION,
        "cv_above_sustained_max",
        lambda: windows([0, 1, 2, 5, 5, 5, 5, 5, 5, 6], 100.0),
        ("erratic", 0.6),
    ),
    (ESCALATION, "three_windows_floor", lambda: windows([1, 1, 1], 30.0), ("sustained", 0.4)),
    (ESCALATION, "four_windows_floor", lambda: windows([2, 1, 1, 1], 40.0), ("sustained", 0.4)),
    (
        ESCALATION,
        "five_windows_from_49s",
        lambda: windows([1, 1, 1, 1, 1], 49.0),
        ("sustained", 0.6),
    ),
    (ESCALATION, "four_commands_floor", lambda: windows([1, 1, 1, 1, 0], 50.0), ("erratic", 0.4)),
    (ESCALATION, "wide_windows_long_session", lambda: windows([1] * 20, 200.0), ("sustained", 0.6)),
    (
        ESCALATION,
        "command_at_end_goes_to_last_window",
        lambda: session(windows([1] * 10, 100.0), pasted("echo end", 100.0)),
        ("sustained", 0.6),
    ),
    # ── temporal.lifecycle_markers.landing_ritual: recon tokens in the first 5 ──
    (LANDING, "no_commands", lambda: typed_text("abc"), None),
    (LANDING, "two_commands_floor", lambda: shell("whoami", "pwd"), ("present", 0.4)),
    (LANDING, "two_hits", lambda: shell("uname", "id", "ls"), ("present", 0.65)),
    (LANDING, "one_hit", lambda: shell("uname", "ls", "ls"), ("absent", 0.65)),
    (
        LANDING,
        "second_hit_sixth_command",
        lambda: shell("uname", "a", "b", "c", "d", "id"),
        ("absent", 0.65),
    ),
    (
        LANDING,
        "second_hit_fifth_command",
        lambda: shell("uname", "a", "b", "c", "id"),
        ("present", 0.65),
    ),
    (LANDING, "other_recon_tokens", lambda: shell("hostname", "w", "who"), ("present", 0.65)),
    # ── temporal.lifecycle_markers.exit_behavior ──
    (EXIT, "no_commands", lambda: typed_text("abc"), None),
    (EXIT, "no_prompt_after_last", lambda: shell("ls", "id", last_prompt=False), ("abrupt", 0.45)),
    (EXIT, "exit_without_prompt", lambda: shell("ls", "exit", last_prompt=False), ("abrupt", 0.45)),
    (EXIT, "exit", lambda: shell("ls", "exit"), ("graceful", 0.65)),
    (EXIT, "logout", lambda: shell("ls", "logout"), ("graceful", 0.65)),
    (EXIT, "cleanup_third_from_last", lambda: shell("history", "ls", "id"), ("cleanup", 0.65)),
    (
        EXIT,
        "cleanup_fourth_from_last",
        lambda: shell("history", "ls", "id", "pwd"),
        ("graceful", 0.65),
    ),
    (EXIT, "plain_end", lambda: shell("ls", "id"), ("graceful", 0.65)),
    (EXIT, "bare_dollar_not_a_prompt", lambda: pasted("ls -la", 0.0, prompt="$"), ("abrupt", 0.45)),
    (
        EXIT,
        "user_at_host_without_space",
        lambda: pasted("ls -la", 0.0, prompt="u@h:~$"),
        ("graceful", 0.65),
    ),
]


@pytest.mark.parametrize(("primitive", "build", "expected"), params(CASES))
def test_primitive_matches_reference(primitive, build, expected) -> None:
    assert observe(build(), primitive) == expected


def test_expected_values_are_registry_valid() -> None:
    check_registry(CASES)
