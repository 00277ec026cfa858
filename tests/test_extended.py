"""The opt-in extended output: behave-shell 0.1.4's five primitives and epoch windows.

Every expected value here is worked out by hand in the comment beside it.
Dates: 2024-05-05 was a Sunday; 1714953540 is 2024-05-05 23:59:00 UTC and
1714521600 is 2024-05-01 00:00:00 UTC (a Wednesday).
"""

from __future__ import annotations

import importlib.metadata

import pytest
from behave_shell.spec.primitives import PRIMITIVE_REGISTRY

import behave_shell_native as bsn

from corpus import observation_dict, require_corpus, sessions

HOUR = "temporal.circadian.hour_histogram"
DOW = "temporal.circadian.dow_histogram"
JOINT = "temporal.circadian.hour_dow_histogram"
QUIET = "temporal.circadian.quiet_span_utc"
EDITING = "environmental.editing_mode"
EXTRA = (HOUR, DOW, JOINT, QUIET, EDITING)

SUNDAY_2359 = 1714953540.0
WEDNESDAY_0000 = 1714521600.0


def _commands(ends: list[float]) -> list[tuple[float, str, str]]:
    """One pasted command per end time, each followed by a prompt."""
    events = []
    for t in ends:
        events.append((t, "i", "uptime\r"))
        events.append((t + 0.25, "o", "up 3 days\r\n$ "))
    return events


def _extended(events, start: float | None) -> dict[str, object]:
    obs = bsn.extract_session(events, sid="s", start_epoch=start, extended=True)
    return {o.primitive: o for o in obs}


def test_midnight_from_sunday_into_monday() -> None:
    # Commands run at 23:59:10, 23:59:20 (Sunday) and 00:00:10, 00:00:20 (Monday).
    got = _extended(_commands([10.0, 20.0, 70.0, 80.0]), SUNDAY_2359)
    hours = [0.0] * 24
    hours[23] = hours[0] = 0.5
    assert got[HOUR].value == hours
    assert got[DOW].value == [0.5, 0, 0, 0, 0, 0, 0.5]  # Monday first, Sunday last
    joint = [0.0] * 168
    joint[6 * 24 + 23] = joint[0] = 0.5
    assert got[JOINT].value == joint
    assert QUIET not in got  # four commands: below the 30-event gate
    # Epoch windows: start + first t (10.0) and start + last t (80.25).
    assert got[HOUR].window.start_ts == SUNDAY_2359 + 10.0
    assert got[HOUR].window.end_ts == SUNDAY_2359 + 80.25


def test_one_command() -> None:
    # 2024-05-01 00:00 + 3 h 20 min: Wednesday 03:20, hour 3, weekday 2.
    got = _extended(_commands([12_000.0]), WEDNESDAY_0000)
    assert got[HOUR].value == [1.0 if h == 3 else 0.0 for h in range(24)]
    assert got[DOW].value == [1.0 if d == 2 else 0.0 for d in range(7)]
    assert got[JOINT].value == [1.0 if i == 2 * 24 + 3 else 0.0 for i in range(168)]
    assert sum(got[JOINT].value) == 1.0


def _at_hours(hours_by_day: list[list[int]]) -> list[float]:
    """End times (seconds after WEDNESDAY_0000) at 30 past the given hours."""
    return [day * 86400.0 + h * 3600.0 + 1800.0 for day, hs in enumerate(hours_by_day) for h in hs]


def test_quiet_span_wraps_around_midnight() -> None:
    # Hours 3..21 on two days: 38 commands. Hours 22, 23, 0, 1, 2 are empty,
    # one quiet run of five hours that crosses midnight: [22, 3).
    day = list(range(3, 22))
    got = _extended(_commands(_at_hours([day, day])), WEDNESDAY_0000)
    assert got[QUIET].value == [22, 3]


def test_quiet_span_tie_goes_to_the_run_with_the_lowest_hour() -> None:
    # Peak: hour 12 with 20 commands, so "quiet" is below 2 commands.
    # Two quiet runs of three hours: 2-4 (1, 1, 1 commands) and 14-16
    # (1, 0, 1). Every other hour has 2 commands (not quiet). The second
    # run holds the lowest hour (15, empty): [14, 17).
    counts = {h: 2 for h in range(24)}
    counts.update({12: 20, 2: 1, 3: 1, 4: 1, 14: 1, 15: 0, 16: 1})
    hours = [h for h, n in counts.items() for _ in range(n)]
    day_one, day_two = hours[: len(hours) // 2], hours[len(hours) // 2 :]
    got = _extended(_commands(_at_hours([day_one, day_two])), WEDNESDAY_0000)
    assert got[QUIET].value == [14, 17]


@pytest.mark.parametrize(
    ("hours_by_day", "emitted"),
    [
        ([list(range(30))[:24] + list(range(6))], False),  # 30 commands, one day
        ([list(range(3, 18)), list(range(3, 17))], False),  # 29 commands, two days
        ([list(range(3, 18)), list(range(3, 18))], True),  # 30 commands, two days
    ],
    ids=["30_on_one_day", "29_on_two_days", "30_on_two_days"],
)
def test_quiet_span_gate(hours_by_day: list[list[int]], emitted: bool) -> None:
    got = _extended(_commands(_at_hours(hours_by_day)), WEDNESDAY_0000)
    assert (QUIET in got) is emitted
    assert HOUR in got


def test_no_start_time_no_circadian_and_relative_windows() -> None:
    got = _extended(_commands([10.0, 20.0]), None)
    assert not {HOUR, DOW, JOINT, QUIET} & set(got)
    assert got[EDITING].window.start_ts == 10.0


def _keys(*strokes: str, gap: float = 0.15) -> list[tuple[float, str, str]]:
    """Typed keystrokes, one event each."""
    return [(i * gap, "i", k) for i, k in enumerate(strokes)]


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        # `ls`, Escape, `k` (history up in vi's normal mode), Enter.
        (_keys("l", "s", "\x1b", "k", "\r"), ("vi", 0.70)),
        # Escape then `dd` deletes the line in vi.
        (_keys("e", "c", "\x1b", "d", "d", "\r"), ("vi", 0.70)),
        # `ciw` after Escape.
        (_keys("f", "o", "o", "\x1b", "c", "i", "w", "\r"), ("vi", 0.70)),
        # Ctrl-A, Ctrl-E, no vi keys: emacs.
        (_keys("l", "s", "\x01", "\x05", "\r"), ("emacs", 0.45)),
        # Ctrl-U kill-line only.
        (_keys("x", "\x15", "l", "s", "\r"), ("emacs", 0.45)),
        # A pasted line holding `dd` and an Escape is not an edit: no
        # editing keystrokes were typed at all.
        ([(0.0, "i", "echo \x1bdd | dd of=/dev/null\r")], ("unknown", 0.30)),
        # An arrow key (Escape [ A) is not vi.
        (_keys("\x1b", "[", "A", "\r"), ("unknown", 0.30)),
        # Plain typing.
        (_keys("l", "s", "\r"), ("unknown", 0.30)),
    ],
    ids=["esc_k", "esc_dd", "esc_ciw", "ctrl_a_e", "ctrl_u", "pasted_dd", "arrow", "plain"],
)
def test_editing_mode(events, expected) -> None:
    got = _extended(events, None)[EDITING]
    assert (got.value, got.confidence) == expected


def test_no_input_no_editing_mode() -> None:
    assert EDITING not in _extended([(0.0, "o", "$ ")], None)


def test_default_output_is_unchanged_by_a_start_time() -> None:
    events = _commands([10.0, 20.0])
    plain = [observation_dict(o) for o in bsn.extract_session(events, sid="s")]
    timed = [observation_dict(o) for o in bsn.extract_session(events, sid="s", start_epoch=1e9)]
    assert plain == timed
    assert not {o["primitive"] for o in plain} & set(EXTRA)


@pytest.mark.parametrize("start", [10**400, "not a number"], ids=["int_beyond_float", "string"])
def test_default_output_ignores_any_start_time(start: object) -> None:
    # Without extended=True start_epoch is ignored whatever it is: not even
    # converted, so neither an int beyond a float nor a string raises.
    events = _commands([10.0, 20.0])
    plain = [observation_dict(o) for o in bsn.extract_session(events, sid="s")]
    odd = [observation_dict(o) for o in bsn.extract_session(events, sid="s", start_epoch=start)]
    assert plain == odd


def test_extended_start_time_beyond_a_float_is_named() -> None:
    # 10**400 is past the largest float (about 1.8e308): no start time. The
    # message itself names the argument (not only a note on the exception).
    events = _commands([10.0])
    with pytest.raises(OverflowError) as raised:
        list(bsn.extract_session(events, sid="s", start_epoch=10**400, extended=True))
    assert "start_epoch" in str(raised.value)


def _registry_014() -> bool:
    version = importlib.metadata.version("behave-shell")
    return tuple(int(p) for p in version.split(".")[:3]) >= (0, 1, 4)


def test_extended_output_of_the_corpus_validates() -> None:
    """The 38 base primitives validate against the installed registry (0.1.2
    in the main run); the five new ones against 0.1.4 when it is installed
    (CI runs this file a second time in an environment with 0.1.4)."""
    require_corpus()
    seen = set()
    by_shard: dict = {}
    for s in sessions():
        by_shard.setdefault(s.shard, []).append(s.sid)
    for shard in by_shard:
        for _sid, observations in bsn.extract_shard(shard, extended=True):
            for o in observations:
                seen.add(o.primitive)
                if o.primitive in EXTRA and not _registry_014():
                    continue
                PRIMITIVE_REGISTRY[o.primitive].validate_value(o.value)
                if isinstance(o.value, list):
                    assert abs(sum(o.value) - 1.0) < 1e-9 or o.primitive == QUIET
    assert {HOUR, DOW, JOINT, EDITING} <= seen


def test_load_session_reads_the_header(tmp_path) -> None:
    shard = tmp_path / "sessions-2026-05-02.jsonl"
    shard.write_text(
        '{"sid":"a","hdr":{"version":2,"width":120,"height":40,"timestamp":1714521600,'
        '"env":{"SHELL":"/bin/bash","TERM":"xterm-256color"}}}\n'
        '{"sid":"a","t":1.5,"ch":"i","d":"ls\\r"}\n'
        '{"sid":"b","t":0.5,"ch":"o","d":"$ "}\n'
    )
    header, events = bsn.load_session(shard, "a")
    assert header == bsn.SessionHeader(
        timestamp=1714521600.0, width=120, height=40, term="xterm-256color"
    )
    assert events == [(1.5, "i", "ls\r")]
    assert bsn.load_session(shard, "b") == (None, [(0.5, "o", "$ ")])


def _payload(shard, sid: str) -> dict[str, str]:
    return {
        "session_id": sid,
        "decky_id": "decky-1",
        "service": "ssh",
        "attacker_ip": "192.0.2.7",
        "shard_path": str(shard),
    }


@pytest.mark.parametrize("switch", ["keyword", "environment"])
def test_handler_switch(tmp_path, monkeypatch, switch: str) -> None:
    import asyncio

    from behave_shell_native.store import SqliteRepository

    shard = tmp_path / "sessions-2024-05-01.jsonl"
    lines = ['{"sid":"a","hdr":{"version":2,"timestamp":1714521600,"env":{}}}']
    for t, k, d in _commands([10.0, 20.0]):
        lines.append(
            f'{{"sid":"a","t":{t},"ch":"{k}","d":"{d.encode("unicode_escape").decode()}"}}'
        )
    shard.write_text("\n".join(lines) + "\n")

    async def run(db: str, **kwargs: object) -> list[dict]:
        async with SqliteRepository(tmp_path / db) as repo:
            await repo.add_attacker("192.0.2.7")
            await bsn.handle_session_ended(repo, _payload(shard, "a"), **kwargs)
            return await repo.observations_for(f"shard:decky-1/ssh/{shard.name}#a")

    plain = asyncio.run(run("plain.sqlite3"))
    if switch == "keyword":
        extended = asyncio.run(run("ext.sqlite3", extended=True))
    else:
        monkeypatch.setenv("DECNET_BEHAVE_EXTENDED", "1")
        extended = asyncio.run(run("ext.sqlite3"))
    assert not {r["primitive"] for r in plain} & set(EXTRA)
    assert {HOUR, DOW, JOINT, EDITING} <= {r["primitive"] for r in extended}
    # Epoch windows in the extended rows: start 1714521600 + first t 10.0.
    assert {r["window_start_ts"] for r in extended} == {1714521610.0}
    assert {r["window_start_ts"] for r in plain} == {10.0}
