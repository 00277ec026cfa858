"""Per-primitive threshold cases for the ``operational.*`` primitives, and the
8-bit first-token regression.

Expected values: reference engine output, DECNET decnet/profiler/behave_shell
at the corpus's source hash. Every ``expected`` literal below was produced by
running the reference on the very builder beside it; none was written by hand
or taken from the native engine. ``None`` means the reference emitted nothing.
"""

from __future__ import annotations

import pytest

from primitive_cases import (
    check_registry,
    halves,
    observe,
    params,
    pasted,
    session,
    shell,
    typed,
    typed_text,
)

OBJECTIVE = "operational.objective"
OPSEC = "operational.opsec_discipline"
CLEANUP = "operational.cleanup_behavior"
MULTI = "operational.multi_actor_indicators"
NUDGE = 1 / 64

CASES = [
    # (primitive, case id, builder, expected (value, confidence) or None)
    # ── operational.objective: majority intent over classified commands ──
    (OBJECTIVE, "no_commands", lambda: typed_text("abc"), None),
    (OBJECTIVE, "two_classified", lambda: shell("ls", "id", "vim"), None),
    (OBJECTIVE, "three_classified", lambda: shell("ls", "id", "pwd"), ("recon", 0.4)),
    (OBJECTIVE, "five_classified", lambda: shell("ls", "id", "pwd", "cat", "ps"), ("recon", 0.4)),
    (
        OBJECTIVE,
        "six_classified",
        lambda: shell("ls", "id", "pwd", "cat", "ps", "df"),
        ("recon", 0.6),
    ),
    (OBJECTIVE, "destructive", lambda: shell("rm", "dd", "shred"), ("destructive", 0.4)),
    (
        OBJECTIVE,
        "persistence",
        lambda: shell("crontab", "systemctl", "useradd"),
        ("persistence", 0.4),
    ),
    (OBJECTIVE, "lateral", lambda: shell("ssh", "docker", "kubectl"), ("lateral", 0.4)),
    (OBJECTIVE, "majority_exfil", lambda: shell("curl", "wget", "ls"), ("exfil", 0.4)),
    # Ties go to the label seen first, not to the precedence order.
    (OBJECTIVE, "tie_recon_first", lambda: shell("ls", "curl", "id", "wget"), ("recon", 0.4)),
    (OBJECTIVE, "tie_exfil_first", lambda: shell("curl", "ls", "wget", "id"), ("exfil", 0.4)),
    # ── operational.opsec_discipline: history tokens, cleanup in the last 3 ──
    (OPSEC, "no_commands", lambda: typed_text("abc"), None),
    (OPSEC, "careless_small", lambda: shell("ls", "id"), ("careless", 0.3)),
    (OPSEC, "careless", lambda: shell("ls", "id", "pwd", "w", "who"), ("careless", 0.45)),
    (OPSEC, "learning", lambda: shell("history", "ls", "id", "pwd", "w"), ("learning", 0.45)),
    (OPSEC, "careful", lambda: shell("export", "ls", "id", "pwd", "clear"), ("careful", 0.45)),
    (
        OPSEC,
        "cleanup_third_from_last",
        lambda: shell("set", "ls", "rm", "pwd", "w"),
        ("careful", 0.45),
    ),
    (
        OPSEC,
        "cleanup_fourth_from_last",
        lambda: shell("history", "rm", "ls", "id", "pwd"),
        ("learning", 0.45),
    ),
    (OPSEC, "unset_is_both", lambda: shell("ls", "id", "pwd", "w", "unset"), ("careful", 0.45)),
    # ── operational.cleanup_behavior: distinct cleanup tokens in the last 5 ──
    (CLEANUP, "no_commands", lambda: typed_text("abc"), None),
    (CLEANUP, "none", lambda: shell("ls", "id"), ("none", 0.35)),
    (CLEANUP, "one_token", lambda: shell("ls", "rm"), ("partial", 0.35)),
    (CLEANUP, "one_token_repeated", lambda: shell("rm", "rm", "rm"), ("partial", 0.35)),
    (
        CLEANUP,
        "two_tokens",
        lambda: shell("history", "ls", "id", "rm", "shred", "pwd"),
        ("partial", 0.35),
    ),
    (CLEANUP, "three_tokens", lambda: shell("history", "rm", "shred"), ("thorough", 0.35)),
    (CLEANUP, "seven_commands", lambda: shell(*"abcdef", "rm"), ("partial", 0.35)),
    (CLEANUP, "eight_commands", lambda: shell(*"abcdefg", "rm"), ("partial", 0.55)),
    (
        CLEANUP,
        "tokens_before_tail",
        lambda: shell("history", "rm", "shred", "ls", "id", "pwd", "w", "who"),
        ("none", 0.55),
    ),
    (
        CLEANUP,
        "token_fifth_from_last",
        lambda: shell("ls", "history", "rm", "shred", "id", "pwd", "w", "who"),
        ("partial", 0.55),
    ),
    # ── operational.multi_actor_indicators: typing rhythm, first vs second half ──
    (MULTI, "seven_commands", lambda: halves(4, 0.25, 3, 0.25), None),
    (MULTI, "eight_commands_same_rhythm", lambda: halves(4, 0.25, 4, 0.25), ("solo", 0.4)),
    # |0.25 - 0.5| / 0.5 == 0.5 exactly: not above the handoff delta.
    (MULTI, "delta_at_handoff", lambda: halves(4, 0.25, 4, 0.5), ("solo", 0.4)),
    (
        MULTI,
        "delta_above_handoff",
        lambda: halves(4, 0.25, 4, 0.5 + NUDGE),
        ("handoff_detected", 0.4),
    ),
    (MULTI, "delta_below_handoff", lambda: halves(4, 0.25 + NUDGE, 4, 0.5), ("solo", 0.4)),
    # Midpoint ~36 s: three commands before it, five after.
    (
        MULTI,
        "three_before_midpoint",
        lambda: halves(3, 0.25, 5, 1.0, starts=[0, 10, 20, 60, 62, 64, 66, 68]),
        ("solo", 0.4),
    ),
    # Last command ends at 70 s, so the midpoint is 35 s: the command starting
    # exactly there belongs to the second half (4/4 split, not 5/3).
    (
        MULTI,
        "command_at_midpoint",
        lambda: halves(4, 0.25, 4, 1.0, starts=[0, 10, 20, 30, 35, 50, 60, 67]),
        ("handoff_detected", 0.4),
    ),
    (MULTI, "eight_per_half", lambda: halves(8, 0.25, 8, 1.0), ("handoff_detected", 0.55)),
    (
        MULTI,
        "rhythm_change_before_midpoint",
        lambda: halves(7, 0.25, 9, 1.0),
        ("handoff_detected", 0.55),
    ),
    (MULTI, "pasted_only", lambda: shell(*"abcdefgh"), ("solo", 0.4)),
    (MULTI, "zero_gaps", lambda: halves(4, 0.0, 4, 0.0), ("solo", 0.4)),
]


def eight_bit_session(first: str) -> list:
    """A session whose first command's first token is ``first`` + ``cho``-style text."""
    return session(
        pasted(f"{first} hi", 0.0),
        typed("ls", 1.0),
        typed("id", 2.0),
        pasted("uname -a", 3.0),
        typed("pwd", 4.0),
        typed("exit", 5.0),
    )


# The reference's full output for eight_bit_session("Xcho"). On the 8-bit
# token ("\udce9cho", a lone surrogate from surrogateescape) the reference
# raises UnicodeEncodeError while hashing it; the native engine must instead
# yield exactly this list: no primitive depends on the hash of a token outside
# the vocabularies.
XCHO_EXPECTED = [
    ("motor.input_modality", "mixed", 0.7),
    ("motor.paste_burst_rate", "occasional", 0.7),
    ("motor.keystroke_cadence", "bursty", 0.65),
    ("motor.motor_stability", "variable", 0.6),
    ("motor.error_correction", "absent", 0.65),
    ("motor.command_chunking", "fluent", 0.65),
    ("motor.shell_mastery.tab_completion", "none", 0.75),
    ("motor.shell_mastery.shortcut_usage", "none", 0.65),
    ("motor.shell_mastery.pipe_chaining_depth", "shallow", 0.7),
    ("cognitive.inter_command_latency_class", "typing_speed", 0.8),
    ("cognitive.command_branch_diversity", "linear_playbook", 0.8),
    ("cognitive.feedback_loop_engagement", "closed_loop", 0.75),
    ("cognitive.inter_command_consistency", "metronomic", 0.75),
    ("cognitive.cognitive_load", "low", 0.6),
    ("cognitive.exploration_style", "methodical", 0.6),
    ("cognitive.planning_depth", "shallow", 0.65),
    ("cognitive.tool_vocabulary", "moderate", 0.7),
    ("temporal.session_duration", "short", 0.85),
    ("temporal.escalation_pattern", "sustained", 0.4),
    ("temporal.lifecycle_markers.landing_ritual", "present", 0.65),
    ("temporal.lifecycle_markers.exit_behavior", "graceful", 0.65),
    ("environmental.shell_type", "bash", 0.75),
    ("environmental.terminal_multiplexer", "none", 0.55),
    ("operational.objective", "recon", 0.4),
    ("operational.opsec_discipline", "careless", 0.45),
    ("operational.cleanup_behavior", "none", 0.35),
    ("emotional_valence.arousal", "medium_engaged", 0.3),
    ("emotional_valence.stress_response", "none", 0.3),
]


@pytest.mark.parametrize(("primitive", "build", "expected"), params(CASES))
def test_primitive_matches_reference(primitive, build, expected) -> None:
    assert observe(build(), primitive) == expected


def test_expected_values_are_registry_valid() -> None:
    check_registry(CASES)
    check_registry([(p, "xcho", None, (v, c)) for p, v, c in XCHO_EXPECTED])


def _all(events: list) -> list[tuple[str, str, float]]:
    import behave_shell_native as bsn

    return [(o.primitive, o.value, o.confidence) for o in bsn.extract_session(events, sid="t")]


def test_lone_surrogate_in_first_token() -> None:
    assert _all(eight_bit_session("\udce9cho")) == XCHO_EXPECTED


def test_undecodable_byte_in_first_token() -> None:
    events = [
        (t, kind, data.encode("utf-8", "surrogateescape"))
        for t, kind, data in eight_bit_session("\udce9cho")
    ]
    assert _all(events) == XCHO_EXPECTED


def test_ascii_variant_matches_reference() -> None:
    assert _all(eight_bit_session("Xcho")) == XCHO_EXPECTED
