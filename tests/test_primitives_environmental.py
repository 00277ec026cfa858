"""Per-primitive threshold cases for the ``environmental.*`` primitives.

Expected values: reference engine output, DECNET decnet/profiler/behave_shell
at the corpus's source hash. Every ``expected`` literal below was produced by
running the reference on the very builder beside it; none was written by hand
or taken from the native engine. ``None`` means the reference emitted nothing.
"""

from __future__ import annotations

import math

import pytest

from primitive_cases import (
    bigram_words,
    check_registry,
    command_output,
    digits_then_filler,
    keys,
    layout_text,
    numpad,
    observe,
    output,
    params,
    pasted,
    prompts,
    session,
    shell,
    typed,
    typed_text,
)

SHELL = "environmental.shell_type"
MUX = "environmental.terminal_multiplexer"
LOCALE = "environmental.locale"
LAYOUT = "environmental.keyboard_layout"
NUMPAD = "environmental.numpad_usage"

BASH = "user@host:~$ "
ENGLISH = ["th", "he", "in", "er", "an", "re", "on", "at", "nd", "ha"]
FAST = 1 / 32

CASES = [
    # (primitive, case id, builder, expected (value, confidence) or None)
    # ── environmental.shell_type: mode of prompt-line votes ──
    (SHELL, "no_prompts", lambda: shell("ls", last_prompt=False), None),
    (SHELL, "two_prompts_floor", lambda: prompts(BASH, BASH), ("bash", 0.4)),
    (SHELL, "three_prompts", lambda: prompts(BASH, BASH, BASH), ("bash", 0.75)),
    (SHELL, "root_hash", lambda: prompts(*["root@host:~# "] * 3), ("bash", 0.75)),
    (SHELL, "zsh_percent", lambda: prompts(*["host% "] * 3), ("zsh", 0.75)),
    (SHELL, "fish_angle", lambda: prompts(*["user@host ~> "] * 3), ("fish", 0.75)),
    (SHELL, "powershell", lambda: prompts(*["PS C:\\Users\\me> "] * 3), ("powershell", 0.75)),
    (SHELL, "cmd_exe", lambda: prompts(*["C:\\Users\\me>"] * 3), ("cmd.exe", 0.75)),
    (SHELL, "tie_first_seen_wins", lambda: prompts("host% ", BASH), ("zsh", 0.4)),
    (
        SHELL,
        "prompt_before_first_command_ignored",
        lambda: session(output("host% ", 0.0), output("host% ", 0.0), pasted("ls -la", 1.0)),
        ("bash", 0.4),
    ),
    (
        SHELL,
        "two_prompts_in_one_reply",
        lambda: pasted("ls -la", 0.0, out=BASH + "\r\n"),
        ("bash", 0.4),
    ),
    (
        SHELL,
        "percent_without_space",
        lambda: pasted("df -h", 0.0, out="100%\r\n", prompt=None),
        None,
    ),
    # ── environmental.terminal_multiplexer: escape fingerprints in raw output ──
    (MUX, "no_commands", lambda: output("\x1bPtmux;x\x1b\\", 0.0), None),
    (MUX, "no_marker", lambda: shell("ls"), ("none", 0.55)),
    (MUX, "tmux_passthrough", lambda: command_output("\x1bPtmux;x\x1b\\"), ("tmux", 0.85)),
    (MUX, "tmux_focus_reporting", lambda: command_output("\x1b[?1004h"), ("tmux", 0.85)),
    (MUX, "tmux_title", lambda: command_output("\x1b]2;tmux\x07"), ("tmux", 0.85)),
    (MUX, "screen_dcs", lambda: command_output("\x1bP=1s\x1b\\"), ("screen", 0.85)),
    (MUX, "screen_osc", lambda: command_output("\x1b]83;x\x07"), ("screen", 0.85)),
    (MUX, "both_prefers_tmux", lambda: command_output("\x1b]83;x\x07\x1b[?1004h"), ("tmux", 0.85)),
    (
        MUX,
        "marker_before_first_command",
        lambda: session(output("\x1b[?1004h", 0.0), pasted("ls -la", 1.0)),
        ("tmux", 0.85),
    ),
    (
        MUX,
        "marker_split_across_events",
        lambda: session(pasted("ls -la", 0.0), output("\x1bPtm", 0.5), output("ux;", 0.5)),
        ("none", 0.55),
    ),
    # ── environmental.locale: LC_ALL > LANG > LC_CTYPE, POSIX -> BCP-47 ──
    (LOCALE, "no_commands", lambda: output("LANG=en_US.UTF-8\r\n", 0.0), None),
    (LOCALE, "no_locale_in_output", lambda: shell("ls"), None),
    (LOCALE, "lang", lambda: command_output("LANG=en_US.UTF-8\r\n"), ("en-US", 0.8)),
    (
        LOCALE,
        "lc_all_beats_earlier_lang",
        lambda: command_output("LANG=en_US.UTF-8\r\nLC_ALL=pt_BR.UTF-8\r\n"),
        ("pt-BR", 0.8),
    ),
    (
        LOCALE,
        "lang_beats_later_lc_ctype",
        lambda: command_output("LANG=fr_FR\r\nLC_CTYPE=de_DE\r\n"),
        ("fr-FR", 0.8),
    ),
    (LOCALE, "lc_ctype_only", lambda: command_output("LC_CTYPE=de_DE.utf8\r\n"), ("de-DE", 0.8)),
    (
        LOCALE,
        "first_of_equal_priority_wins",
        lambda: command_output("LANG=fr_FR\r\nLANG=de_DE\r\n"),
        ("fr-FR", 0.8),
    ),
    (LOCALE, "c_locale", lambda: command_output("LANG=C\r\n"), ("und", 0.8)),
    (LOCALE, "c_utf8_locale", lambda: command_output("LANG=C.UTF-8\r\n"), ("und", 0.8)),
    (LOCALE, "posix_locale", lambda: command_output("LC_ALL=POSIX\r\n"), ("pos", 0.8)),
    (LOCALE, "language_only", lambda: command_output("LANG=fr\r\n"), ("fr", 0.8)),
    (LOCALE, "lowercase_region", lambda: command_output("LANG=en_us\r\n"), ("en-US", 0.8)),
    (LOCALE, "modifier_dropped", lambda: command_output("LANG=de_DE@euro\r\n"), ("de-DE", 0.8)),
    (LOCALE, "long_word_truncated", lambda: command_output("LANG=english\r\n"), ("eng", 0.8)),
    (LOCALE, "one_letter_value", lambda: command_output("LANG=e\r\n"), None),
    (LOCALE, "language_variable_ignored", lambda: command_output("LANGUAGE=de_DE:en\r\n"), None),
    (LOCALE, "suffix_of_other_variable", lambda: command_output("XLANG=de_DE\r\n"), ("de-DE", 0.8)),
    (
        LOCALE,
        "ansi_inside_value",
        lambda: command_output("LANG=\x1b[1men_GB\x1b[0m.UTF-8\r\n"),
        ("en-GB", 0.8),
    ),
    (
        LOCALE,
        "split_across_events",
        lambda: session(pasted("env -0", 0.0, out="LA", prompt=None), output("NG=it_IT\r\n", 0.5)),
        ("it-IT", 0.8),
    ),
    # ── environmental.keyboard_layout: typed-letter histograms ──
    (LAYOUT, "letters_below_min", lambda: typed_text(layout_text(199)), None),
    (LAYOUT, "letters_at_min", lambda: typed_text(layout_text(200)), ("other", 0.4)),
    (LAYOUT, "letters_499", lambda: typed_text(layout_text(499)), ("other", 0.4)),
    (LAYOUT, "letters_500", lambda: typed_text(layout_text(500)), ("other", 0.55)),
    # q rate 4/200 == 0.02 is not above the AZERTY floor; 5/200 is.
    (LAYOUT, "q_rate_at_azerty_min", lambda: typed_text(layout_text(196, q=4)), ("other", 0.4)),
    (LAYOUT, "q_rate_above_azerty_min", lambda: typed_text(layout_text(195, q=5)), ("azerty", 0.4)),
    # English saturation 1/20 == 0.05 is not below the AZERTY ceiling; 1/21 is.
    (
        LAYOUT,
        "eng_at_azerty_max",
        lambda: typed_text(layout_text(155, q=5, eng=1, other=19)),
        ("other", 0.4),
    ),
    (
        LAYOUT,
        "eng_below_azerty_max",
        lambda: typed_text(layout_text(153, q=5, eng=1, other=20)),
        ("azerty", 0.4),
    ),
    (
        LAYOUT,
        "z_rate_at_qwertz_min",
        lambda: typed_text(layout_text(193, z=6, y=1)),
        ("other", 0.4),
    ),
    (
        LAYOUT,
        "z_rate_above_qwertz_min",
        lambda: typed_text(layout_text(192, z=7, y=1)),
        ("qwertz", 0.4),
    ),
    (
        LAYOUT,
        "y_rate_at_qwertz_max",
        lambda: typed_text(layout_text(191, z=7, y=2)),
        ("other", 0.4),
    ),
    (
        LAYOUT,
        "eng_at_qwerty_min",
        lambda: typed_text(layout_text(150, eng=2, other=23)),
        ("qwerty", 0.4),
    ),
    (
        LAYOUT,
        "eng_below_qwerty_min",
        lambda: typed_text(layout_text(148, eng=2, other=24)),
        ("other", 0.4),
    ),
    (LAYOUT, "uppercase_folded", lambda: typed_text("TH " * 100), ("qwerty", 0.4)),
    (
        LAYOUT,
        "pasted_text_ignored",
        lambda: session(typed_text(layout_text(150)), [(1000.0, "i", "the then that " * 20)]),
        None,
    ),
    # 64 distinct bigrams: 10/118 English -> qwerty. With 65, the histogram keeps
    # the top 64 and drops the last-inserted count-1 bigram ("ha"): 9/119.
    (LAYOUT, "bigrams_at_cap", lambda: typed_text(bigram_words(54, 2, ENGLISH)), ("qwerty", 0.4)),
    (
        LAYOUT,
        "bigrams_over_cap_drop_tied",
        lambda: typed_text(bigram_words(55, 2, ENGLISH)),
        ("other", 0.4),
    ),
    # ── environmental.numpad_usage: 4 fast single-digit events ──
    (NUMPAD, "no_commands", lambda: typed_text("1234" + "x" * 60, 1 / 64), None),
    (NUMPAD, "typed_chars_49", lambda: numpad([FAST] * 3, filler=44), None),
    (NUMPAD, "typed_chars_50", lambda: numpad([FAST] * 3, filler=45), ("detected", 0.5)),
    (NUMPAD, "three_fast_digits", lambda: numpad([FAST] * 2), ("not_detected", 0.5)),
    (NUMPAD, "gaps_above_max", lambda: numpad([0.0625] * 3), ("not_detected", 0.5)),
    (NUMPAD, "one_slow_gap", lambda: numpad([FAST, FAST, 0.0625, FAST]), ("not_detected", 0.5)),
    (
        NUMPAD,
        "fast_run_after_slow_digit",
        lambda: numpad([0.0625, FAST, FAST, FAST]),
        ("detected", 0.5),
    ),
    # Gaps of exactly 0.05 need timestamps within about 0.1 of zero, so the
    # digits start at -0.05; the "above" case moves the last digit up one ulp.
    (NUMPAD, "gaps_at_max", lambda: digits_then_filler([-0.05, 0.0, 0.05, 0.1]), ("detected", 0.5)),
    (
        NUMPAD,
        "last_gap_one_ulp_above_max",
        lambda: digits_then_filler([-0.05, 0.0, 0.05, math.nextafter(0.1, 1.0)]),
        ("not_detected", 0.5),
    ),
    # Letters between the digits do not break the run: only digit events are kept.
    (
        NUMPAD,
        "digits_interleaved_with_letters",
        lambda: session(typed("x" * 49, 0.0), keys("1a2b3c4", 20.0, 1 / 64), [(21.0, "i", "\r")]),
        ("detected", 0.5),
    ),
    (
        NUMPAD,
        "two_digit_events_not_digits",
        lambda: session(typed("x" * 49, 0.0), [(20.0 + i / 64, "i", "12") for i in range(4)]),
        ("not_detected", 0.5),
    ),
]


@pytest.mark.parametrize(("primitive", "build", "expected"), params(CASES))
def test_primitive_matches_reference(primitive, build, expected) -> None:
    assert observe(build(), primitive) == expected


def test_expected_values_are_registry_valid() -> None:
    check_registry(CASES)
