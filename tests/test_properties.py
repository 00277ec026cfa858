"""Property tests: random shards and random event streams.

The native path never raises except the documented exceptions, windows are
finite with start <= end, and, when DECNET's reference engine is importable
(``PYTHONPATH`` holding a DECNET checkout), it gives the reference's events
and observations wherever the reference itself does not raise (lines whose
``t`` is not finite, or too large for a float, are left out of the
reference's events: the documented departure).

Profiles: ``ci`` (the default, well under a minute) and ``long``
(``HYPOTHESIS_PROFILE=long``).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import behave_shell_native as bsn

from conftest import OTHER_SID, SID

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SIDS = [SID, OTHER_SID, "x", "s\udce9", "\ud800"]

# ---------------------------------------------------------------------------
# Strategies

TERMINAL = [
    "l", "s", " ", "\r", "\n", "\r\n", "\t", "\x7f", "\x08", "\x15", "\x17", "\x03", "|",
    "$ ", "# ", "root@h:~# ", "> ", "\x1b[A", "\x1b", "é", "\udce9", "\ud800", "\U0001f600",
    "wget http://x", "cat /etc/passwd", "command not found", "A", "!", "exit", "LANG=ru_RU",
]  # fmt: skip

texts = st.lists(
    st.one_of(st.sampled_from(TERMINAL), st.integers(0, 0x10FFFF).map(chr)), max_size=12
).map("".join)

json_values = st.one_of(
    st.floats(),
    st.integers(-(10**30), 10**30),
    st.booleans(),
    st.none(),
    texts,
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.sampled_from(["a", "sid", "t"]), st.integers(), max_size=2),
)
t_values = st.one_of(
    st.floats(-1e6, 1e6),
    st.floats(),
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.sampled_from(["1", None, 10**400]),
)

#: Raw JSON text for a value (special literals included).
RAW_VALUES = ["NaN", "Infinity", "-Infinity", "1e400", "9" * 400, "-0", "-0.0", "1E2", "[[[]]]"]


def _dump(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8", "surrogatepass")


@st.composite
def record_lines(draw: st.DrawFn) -> bytes:
    """A JSON object line, usually event-shaped; keys may repeat or be escaped."""
    fields: list[tuple[bytes, bytes]] = []
    if draw(st.booleans()) or draw(st.booleans()):
        fields.append((b'"sid"', _dump(draw(st.sampled_from(SIDS)))))
    if draw(st.integers(0, 9)) == 0:
        fields.append((b'"hdr"', _dump(draw(json_values))))
    if draw(st.integers(0, 7)):
        raw_t = draw(st.one_of(t_values.map(_dump), st.sampled_from(RAW_VALUES).map(str.encode)))
        fields.append((b'"t"', raw_t))
    if draw(st.integers(0, 7)):
        ch = draw(st.one_of(st.sampled_from(["i", "o"]), json_values))
        fields.append((b'"ch"', _dump(ch)))
    if draw(st.integers(0, 5)):
        fields.append((b'"d"', _dump(draw(st.one_of(texts, texts, json_values)))))
    extra = draw(
        st.lists(
            st.tuples(
                st.sampled_from([b'"sid"', b'"\\u0073id"', b'"t"', b'"ch"', b'"d"', b'"zz"']),
                st.one_of(json_values.map(_dump), st.sampled_from(RAW_VALUES).map(str.encode)),
            ),
            max_size=2,
        )
    )
    fields.extend(extra)
    order = draw(st.permutations(range(len(fields))))
    body = b",".join(fields[i][0] + b":" + fields[i][1] for i in order)
    return b"{" + body + b"}"


@st.composite
def shard_lines(draw: st.DrawFn) -> bytes:
    """One line: a record (possibly damaged), garbage, or blank."""
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(st.binary(max_size=30)).replace(b"\n", b"").replace(b"\r", b"")
    if kind == 1:
        return b""
    line = draw(record_lines())
    if kind == 2 and line:
        at = draw(st.integers(0, len(line)))
        byte = draw(st.integers(0x80, 0xFF)).to_bytes(1, "big")
        line = line[:at] + byte + line[at:]
    return line


@st.composite
def shards(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(shard_lines(), max_size=25))
    ends = draw(st.lists(st.sampled_from([b"\n", b"\n", b"\r\n", b"\r"]), min_size=len(lines)))
    out = b"".join(line + end for line, end in zip(lines, ends, strict=False))
    tail = draw(st.one_of(st.just(b""), record_lines(), shard_lines()))
    cut = draw(st.integers(0, len(tail)))
    return out + tail[:cut]


event_t = st.one_of(
    st.floats(-100, 1e4),
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 0.0, 1e-9]),
    st.integers(-5, 10**4),
)
event_data = st.one_of(texts, texts, texts.map(lambda s: s.encode("utf-8", "surrogatepass")))
event_streams = st.lists(
    st.tuples(event_t, st.sampled_from(["i", "i", "o", "x"]), event_data), max_size=60
)


# ---------------------------------------------------------------------------
# Helpers


def _reference() -> Any:
    return pytest.importorskip(
        "decnet.profiler.behave_shell",
        reason="DECNET's reference engine is not importable (put a DECNET checkout on PYTHONPATH)",
    )


def _reference_events(path: Path, sid: str) -> list[tuple[float, str, str]]:
    """The reference handler's reading loop, minus lines whose t is not a finite float."""
    from decnet.profiler.behave_shell._parse import parse_shard_line

    events = []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if not isinstance(rec, dict) or rec.get("sid") != sid or "hdr" in rec:
                continue
            try:
                ev = parse_shard_line(line)
            except OverflowError:
                continue  # float(huge int): the native reader skips the line
            if ev is not None and math.isfinite(ev[0]):
                events.append(ev)
    return events


def _observations(extract: Callable[..., Any], events: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (o.primitive, o.value, o.confidence, o.window.start_ts, o.window.end_ts)
        for o in extract(events, sid="s")
    ]


def _check_native_observations(events: list[Any]) -> list[tuple[Any, ...]]:
    got = _observations(bsn.extract_session, events)
    for _, _, confidence, start, end in got:
        assert math.isfinite(start) and math.isfinite(end)
        assert start <= end
        assert 0.0 <= confidence <= 1.0
    return got


def _same(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> bool:
    """Equal, NaN equal to NaN (the reference may compute NaN statistics)."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        for u, v in zip(x, y, strict=True):
            both_nan = (
                isinstance(u, float) and isinstance(v, float) and math.isnan(u) and math.isnan(v)
            )
            if u != v and not both_nan:
                return False
    return True


def _write(data: bytes) -> Path:
    fd, name = tempfile.mkstemp(suffix=".jsonl", prefix="bsn-prop-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return Path(name)


# ---------------------------------------------------------------------------
# Shards


@given(data=shards())
def test_random_shard_never_raises(data: bytes) -> None:
    path = _write(data)
    try:
        infos = bsn.sessions(path)
        for sid in [*SIDS, *(info.sid for info in infos)]:
            events = bsn.events_for_sid(path, sid)
            assert all(math.isfinite(t) and kind in ("i", "o") for t, kind, _ in events)
            _check_native_observations(events)
        for info in infos:
            assert info.input_events + info.output_events == len(bsn.events_for_sid(path, info.sid))
        bsn.extract_shard(path)
    finally:
        path.unlink()


@given(data=shards())
def test_random_shard_matches_reference(data: bytes) -> None:
    ref = _reference()
    path = _write(data)
    try:
        for sid in SIDS:
            try:
                want = _reference_events(path, sid)
            except RecursionError:
                assume(False)
            got = bsn.events_for_sid(path, sid)
            assert got == want
            try:
                ref_obs = _observations(ref.extract_session, want)
            except Exception:
                continue  # the reference raises here; the native path must not
            assert _same(_check_native_observations(got), ref_obs)
    finally:
        path.unlink()


# ---------------------------------------------------------------------------
# Event streams


@given(events=event_streams)
def test_random_events_never_raise(events: list[tuple[Any, str, Any]]) -> None:
    _check_native_observations(events)
    bsn.build_context(events, sid="s")


@given(events=event_streams)
def test_random_events_match_reference(events: list[tuple[Any, str, Any]]) -> None:
    ref = _reference()
    got = _check_native_observations(events)
    as_str = [
        (t, kind, d.decode("utf-8", "surrogateescape") if isinstance(d, bytes) else d)
        for t, kind, d in events
        if math.isfinite(t)
    ]
    try:
        want = _observations(ref.extract_session, as_str)
    except Exception:
        return  # the reference raises; the native path did not
    assert _same(got, want)


@given(events=event_streams)
def test_bytes_and_surrogateescape_str_are_the_same_input(
    events: list[tuple[Any, str, Any]],
) -> None:
    as_str = [
        (t, kind, d.decode("utf-8", "surrogateescape") if isinstance(d, bytes) else d)
        for t, kind, d in events
    ]
    assert _same(_check_native_observations(events), _check_native_observations(as_str))
