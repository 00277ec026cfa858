"""Readable session builders for the per-primitive threshold tests.

Every ``test_primitives_*.py`` file holds a ``CASES`` table of rows
``(primitive, case id, builder, expected)``: the builder returns a list of
``(t, "i" | "o", data)`` events and ``expected`` is the ``(value, confidence)``
the reference engine emitted for that primitive on those events, or ``None``
when it emitted nothing. The expected literals were produced by running the
reference engine on exactly these builders; nothing here imports it.

Timestamps are chosen so that the measured quantity lands where a case says:
key gaps are dyadic fractions (1/8 s, 1/64 s, ...) so differences of
timestamps are exact, and an edge such as 0.30 s, which no pair of
timestamps >= 0.5 can differ by exactly in binary floating point, is put
near ``t = 0`` with :func:`exactly_after`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

import pytest

Event = tuple[float, str, str]
Builder = Callable[[], list[Event]]
Case = tuple[str, str, Builder, "tuple[str, float] | None"]

GAP = 0.125
"""Default key-to-key gap: dyadic, so sums and differences stay exact."""

PROMPT = "user@host:~$ "
"""A default bash PS1, which the engine's prompt detector accepts."""

NOT_FOUND = "bash: nosuch: command not found\r\n"
"""Output that marks the command before it as errored."""


# ── primitive pieces ─────────────────────────────────────────────────────────


def output(text: str, t: float) -> list[Event]:
    """One output event."""
    return [(t, "o", text)]


def keys(text: str, start: float, gaps: float | Sequence[float] = GAP) -> list[Event]:
    """Each character of ``text`` as its own input event, ``gaps`` apart."""
    steps = _gaps(gaps, len(text))
    events = []
    t = start
    for i, ch in enumerate(text):
        events.append((t, "i", ch))
        if i < len(steps):
            t += steps[i]
    return events


def typed(
    cmd: str,
    start: float,
    gap: float | Sequence[float] = GAP,
    out: str = "",
    prompt: str | None = PROMPT,
) -> list[Event]:
    """Type ``cmd`` key by key, press Enter, and get the shell's reply.

    ``gap`` is one gap for all keys or a list of ``len(cmd)`` gaps (the last
    is the pause before Enter). The reply (echo, ``out``, then ``prompt``)
    arrives at the Enter timestamp.
    """
    steps = _gaps(gap, len(cmd) + 1)
    events = []
    t = start
    for i, ch in enumerate(cmd):
        events.append((t, "i", ch))
        t += steps[i]
    events.append((t, "i", "\r"))
    events.append((t, "o", cmd + "\r\n" + out + (prompt or "")))
    return events


def pasted(cmd: str, t: float, out: str = "", prompt: str | None = PROMPT) -> list[Event]:
    """``cmd`` and Enter arrive as one input event, the reply at the same instant."""
    return [(t, "i", cmd + "\r"), (t, "o", cmd + "\r\n" + out + (prompt or ""))]


def session(*parts: Iterable[Event]) -> list[Event]:
    """Concatenate event lists in the order given (the engine does not sort)."""
    events: list[Event] = []
    for part in parts:
        events.extend(part)
    return events


def end(events: Sequence[Event]) -> float:
    """Timestamp of the last event of a piece."""
    return events[-1][0]


def exactly_after(t: float, gap: float) -> float:
    """The float ``x`` closest to ``t + gap`` with ``x - t == gap`` exactly.

    Only possible when ``t`` and ``x`` are small enough for their spacing to
    resolve ``gap``; raises ``ValueError`` otherwise.
    """
    x = t + gap
    for _ in range(8):
        if x - t == gap:
            return x
        x = math.nextafter(x, math.inf if x - t < gap else -math.inf)
    raise ValueError(f"no float lies exactly {gap!r} after {t!r}")


def _gaps(gaps: float | Sequence[float], n: int) -> list[float]:
    if isinstance(gaps, (int, float)):
        return [float(gaps)] * n
    steps = list(gaps)
    if len(steps) < n - 1:
        raise ValueError(f"{n} keys need at least {n - 1} gaps, got {len(steps)}")
    return steps


# ── command sequences ────────────────────────────────────────────────────────


def pasted_at(times: Sequence[float], names: Sequence[str] | None = None) -> list[Event]:
    """One pasted command per timestamp (start == end, so gaps are exact)."""
    names = names or [f"echo {i}" for i in range(len(times))]
    return session(*(pasted(name, t) for name, t in zip(names, times, strict=True)))


def paced(pauses: Sequence[float], start: float = 0.0) -> list[Event]:
    """Pasted commands whose inter-command gaps are exactly ``pauses``."""
    times = [start]
    for p in pauses:
        times.append(times[-1] + p)
    return pasted_at(times)


def paced_exact_first(first: float, pauses: Sequence[float]) -> list[Event]:
    """Like :func:`paced`, but the first gap is exactly ``first`` seconds.

    The first command is pasted at t = 0.125 so the second can sit exactly
    ``first`` later in float arithmetic (works for gaps below ~0.37 s).
    """
    times = [0.125, exactly_after(0.125, first)]
    for p in pauses:
        times.append(times[-1] + p)
    return pasted_at(times)


def shell(
    *names: str,
    errors: Iterable[int] = (),
    pause: float = 1.0,
    last_prompt: bool = True,
) -> list[Event]:
    """Pasted commands ``name -x``, one second apart.

    Commands at the indices in ``errors`` get a ``command not found`` reply;
    ``last_prompt=False`` leaves the final command without a prompt after it.
    """
    errored = set(errors)
    parts = []
    for i, name in enumerate(names):
        out = NOT_FOUND if i in errored else "ok\r\n"
        last = i == len(names) - 1
        prompt = PROMPT if (last_prompt or not last) else None
        parts.append(pasted(f"{name} -x", i * pause, out=out, prompt=prompt))
    return session(*parts)


def typed_commands(
    gap_lists: Sequence[Sequence[float]],
    pause: float = 1.0,
    errors: Iterable[int] = (),
) -> list[Event]:
    """Typed commands; command ``i`` has ``len(gap_lists[i])`` keys then Enter.

    The in-command gaps are ``gap_lists[i][:-1]`` (the last gap leads to
    Enter and is not an in-command gap); commands are ``pause`` apart.
    """
    errored = set(errors)
    parts = []
    t = 0.0
    for i, gaps in enumerate(gap_lists):
        cmd = "abcdefghijklmnopqrstuvwxyz"[: len(gaps)]
        piece = typed(cmd, t, gaps, out=NOT_FOUND if i in errored else "")
        parts.append(piece)
        t = end(piece) + pause
    return session(*parts)


# ── motor ────────────────────────────────────────────────────────────────────


def paste_mix(pastes: int, keystrokes: int, text: str = "echo hi") -> list[Event]:
    """``pastes`` events of ``text`` + Enter, then ``keystrokes`` one-key events.

    The keystrokes type ``x`` (keystrokes - 1) times and Enter, so the input
    event count is exactly ``pastes + keystrokes``.
    """
    parts = [pasted(text, float(i)) for i in range(pastes)]
    if keystrokes:
        parts.append(typed("x" * (keystrokes - 1), float(pastes)))
    return session(*parts)


def cadence(iats: Sequence[float], start: float = 0.0, ch: str = "a") -> list[Event]:
    """One-key input events separated by exactly the given gaps."""
    return keys(ch * (len(iats) + 1), start, iats)


def digraphs(*words: str, gap: float = GAP, pause: float = 2.0) -> list[Event]:
    """Type each word key by key; words are separated by a think-pause."""
    parts = []
    t = 0.0
    for word in words:
        piece = keys(word, t, gap)
        parts.append(piece)
        t = end(piece) + pause
    return session(*parts)


def backspace_after(delay: float) -> list[Event]:
    """Type ``lx``, backspace ``delay`` after the ``x``, then ``s`` and Enter."""
    return session(
        keys("lx", 0.0),
        [(GAP + delay, "i", "\x7f")],
        typed("s", GAP + delay + GAP),
    )


def feature_commands(n: int, with_feature: int, feature: str) -> list[Event]:
    """``n`` pasted commands, the first ``with_feature`` carrying ``feature``."""
    return session(
        *(pasted(f"ls{feature if i < with_feature else ''} dir", float(i)) for i in range(n))
    )


def shortcut_commands(n: int, shortcuts: int) -> list[Event]:
    """``n`` pasted commands holding ``shortcuts`` Ctrl-A bytes, spread round-robin."""
    per = [shortcuts // n + (1 if i < shortcuts % n else 0) for i in range(n)]
    return session(*(pasted("ls" + "\x01" * k + " dir", float(i)) for i, k in enumerate(per)))


def pipe_commands(*counts: int) -> list[Event]:
    """One pasted command per entry, with that many ``|`` stages."""
    return session(*(pasted("cat f" + " | grep x" * c, float(i)) for i, c in enumerate(counts)))


# ── cognitive ────────────────────────────────────────────────────────────────


def feedback(sizes: Sequence[int], pauses: Sequence[float]) -> list[Event]:
    """Pasted commands; command ``i`` prints ``sizes[i]`` bytes, then waits ``pauses[i]``.

    One more command closes the session, so there are ``len(pauses)`` pairs.
    """
    events: list[Event] = []
    t = 0.0
    for i, (size, pause) in enumerate(zip(sizes, pauses, strict=True)):
        events += [(t, "i", f"echo {i}\r"), (t, "o", "x" * size)]
        t += pause
    events += pasted("echo end", t)
    return events


def error_load(n: int, errored: int, pauses: Sequence[float] | None = None) -> list[Event]:
    """``n`` pasted commands, the first ``errored`` of them failing.

    ``pauses`` (default: all 1 s, a pace CV of 0) separate them.
    """
    pauses = list(pauses) if pauses is not None else [1.0] * (n - 1)
    events: list[Event] = []
    t = 0.0
    for i in range(n):
        events += pasted(f"cmd{i}", t, out=NOT_FOUND if i < errored else "ok\r\n")
        if i < n - 1:
            t += pauses[i]
    return events


def post_error(ok_gap: float, err_gap: float, errors: int = 1) -> list[Event]:
    """Typed commands: each failing command is followed by one typed at ``err_gap``.

    Layout: ``E A E A ... B`` where every ``E`` fails, every ``A`` (typed after
    a failure) has key gaps ``err_gap`` and every ``E``/``B`` has ``ok_gap``.
    """
    gap_lists: list[list[float]] = []
    errs = []
    for _ in range(errors):
        errs.append(len(gap_lists))
        gap_lists.append([ok_gap] * 4)
        gap_lists.append([err_gap] * 4)
    gap_lists.append([ok_gap] * 4)
    return typed_commands(gap_lists, errors=errs)


# ── temporal ─────────────────────────────────────────────────────────────────


def lasting(duration: float) -> list[Event]:
    """One pasted command at t = 0 and a final output at ``duration``."""
    return session(pasted("ls -la", 0.0), output("\r\n" + PROMPT, duration))


def windows(counts: Sequence[int], duration: float) -> list[Event]:
    """A banner at t = 0, ``counts[i]`` commands inside each 10 s window, end at ``duration``."""
    events = output("welcome\r\n", 0.0)
    for w, c in enumerate(counts):
        for j in range(c):
            events += pasted(f"echo {w}-{j}", 10.0 * w + 1.0 + 0.5 * j)
    return events + output(PROMPT, duration)


# ── environmental ────────────────────────────────────────────────────────────


def prompts(*lines: str) -> list[Event]:
    """One pasted command per prompt line; each reply ends in that prompt."""
    return session(*(pasted(f"echo {i}", float(i), prompt=p) for i, p in enumerate(lines)))


def command_output(text: str) -> list[Event]:
    """One command whose reply is ``text`` (then a prompt)."""
    return pasted("env -0", 0.0, out=text)


def typed_text(text: str, gap: float = GAP, start: float = 0.0) -> list[Event]:
    """``text`` typed one key per event (no Enter)."""
    return keys(text, start, gap)


def isolated(letter: str, n: int) -> str:
    """``n`` copies of ``letter`` separated by spaces (no bigrams)."""
    return " ".join(letter * n) if n else ""


def layout_text(
    filler: int, q: int = 0, z: int = 0, y: int = 0, eng: int = 0, other: int = 0
) -> str:
    """Text for the layout histograms.

    ``filler`` isolated ``b``s; ``q``/``z``/``y`` isolated letters; ``eng``
    ``th`` words (one top-English bigram each) and ``other`` ``bx`` words (one
    non-English bigram each). Letter count = filler + q + z + y + 2*(eng+other).
    """
    parts = [
        isolated("b", filler),
        isolated("q", q),
        isolated("z", z),
        isolated("y", y),
        " ".join(["th"] * eng),
        " ".join(["bx"] * other),
    ]
    return " ".join(p for p in parts if p)


def numpad(digit_gaps: Sequence[float], filler: int = 50) -> list[Event]:
    """A filler command of ``filler`` typed characters (Enter included), then digits.

    One more digit than gaps is typed, then Enter: the typed-character count is
    ``filler + len(digit_gaps) + 2``.
    """
    fill = typed("x" * (filler - 1), 0.0)
    digits = keys("1234567890"[: len(digit_gaps) + 1], end(fill) + 1.0, digit_gaps)
    return session(fill, digits, [(end(digits) + GAP, "i", "\r")])


def bigram_words(other: int, repeat: int, english: Sequence[str]) -> str:
    """``other`` distinct non-English two-letter words, each typed ``repeat``
    times, then each word of ``english`` once (one bigram per word)."""
    consonants = "bcdfgjklmpvwx"
    pairs = [a + b for a in consonants for b in consonants][:other]
    return " ".join([w for w in pairs for _ in range(repeat)] + list(english))


def digits_then_filler(times: Sequence[float], filler: int = 50) -> list[Event]:
    """Digits typed at the given timestamps and Enter, then a filler command.

    The filler command has ``filler`` typed characters (Enter included), so
    the typed-character count is ``len(times) + 1 + filler``.
    """
    digits = [(t, "i", "1234567890"[i % 10]) for i, t in enumerate(times)]
    enter = times[-1] + GAP
    return session(digits, [(enter, "i", "\r")], typed("x" * (filler - 1), enter + 1.0))


def words(*items: str, letters: int = 0) -> str:
    """``items`` separated by spaces, padded with ``x``s to ``letters`` ASCII letters."""
    text = " ".join(items)
    have = sum(1 for c in text if c.isascii() and c.isalpha())
    pad = max(0, letters - have)
    return f"{text} {'x' * pad}".strip() if pad else text


# ── operational ──────────────────────────────────────────────────────────────


def halves(
    n_a: int, gap_a: float, n_b: int, gap_b: float, starts: Sequence[float] | None = None
) -> list[Event]:
    """``n_a`` four-key commands typed at ``gap_a``, then ``n_b`` at ``gap_b``.

    Command ``i`` starts at ``starts[i]`` (default ``10 * i``), so the session's
    temporal midpoint, which splits the halves, falls between two commands.
    """
    starts = list(starts) if starts is not None else [10.0 * i for i in range(n_a + n_b)]
    gaps = [gap_a] * n_a + [gap_b] * n_b
    return session(*(typed("abc", t, g) for t, g in zip(starts, gaps, strict=True)))


# ── test plumbing ────────────────────────────────────────────────────────────


def observe(events: list[Event], primitive: str) -> tuple[str, float] | None:
    """The native engine's one observation of ``primitive``, or None."""
    import behave_shell_native as bsn

    found = [o for o in bsn.extract_session(events, sid="t") if o.primitive == primitive]
    assert len(found) <= 1, f"{primitive} emitted {len(found)} times"
    return None if not found else (found[0].value, found[0].confidence)


def params(cases: Sequence[Case]) -> list:
    """``pytest.param`` rows for a ``CASES`` table, with readable ids."""
    ids = [f"{primitive}::{case_id}" for primitive, case_id, _, _ in cases]
    assert len(set(ids)) == len(ids), "duplicate case id"
    return [
        pytest.param(primitive, build, expected, id=f"{primitive}::{case_id}")
        for primitive, case_id, build, expected in cases
    ]


def check_registry(cases: Sequence[Case]) -> None:
    """Every expected value is valid for its primitive in behave_shell's registry."""
    from behave_shell.spec.primitives import PRIMITIVE_REGISTRY

    for primitive, case_id, _, expected in cases:
        if expected is None:
            continue
        value, confidence = expected
        PRIMITIVE_REGISTRY[primitive].validate_value(value)
        assert 0.0 <= confidence <= 1.0, case_id
