"""The drop-in API: the reference's names, backed by the Rust engine.

The native layer returns plain tuples; this module turns them into
``behave_core`` :class:`Observation` objects, the type DECNET persists and
publishes, so callers see exactly what the reference yields.
"""

from __future__ import annotations

import atexit
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from behave_core.spec.envelope import Observation, Window

from behave_shell_native import _native

# Streams' background workers must not log into a finalizing interpreter.
atexit.register(_native._shutdown)

DEFAULT_SOURCE = "decnet/profiler/behave_shell/extract.py"
"""The reference's source string, so observations compare equal."""

StrPath = str | os.PathLike[str]
EventTuple = tuple[float, str, str]


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """One session of a shard, as ``sessions()`` lists it."""

    sid: str
    input_events: int
    output_events: int
    first_t: float | None
    last_t: float | None


def events_for_sid(path: StrPath, sid: str) -> list[EventTuple]:
    """The session's events, as DECNET's handler ``_events_for_sid`` returns them.

    Reads only that session's lines through a cached per-shard index.

    Raises:
        ShardError: the path is missing, not a regular file, or unreadable.
    """
    return _native.events_for_sid(path, sid)


def sessions(path: StrPath) -> list[SessionInfo]:
    """Every session in the shard, in order of first appearance."""
    return [SessionInfo(*row) for row in _native.sessions(path)]


def find_shard_with_sid(transcripts_dir: StrPath, sid: str) -> Path | None:
    """The newest ``sessions-YYYY-MM-DD.jsonl`` under ``transcripts_dir`` holding ``sid``.

    Returns None when nothing claims it or the directory is missing, as DECNET does.
    """
    found = _native.find_shard_with_sid(transcripts_dir, sid)
    return None if found is None else Path(found)


def parse_shard_line(line: str | bytes) -> EventTuple | None:
    """One shard line to ``(t, kind, data)``, or None, with the reference's rules.

    Lines whose ``t`` is NaN, infinite or too large for a float give None
    (the reference keeps or crashes on them).
    """
    return _native.parse_shard_line(line)


def _observations(
    raw: tuple[float, float, list[tuple[str, str | list[float], float]]],
    *,
    source: str,
    evidence_ref: str,
) -> list[Observation]:
    start, end, items = raw
    window = Window(start_ts=start, end_ts=end)
    # `id` and `ts` as the model's own defaults make them (a fresh uuid4 hex,
    # the time of construction), the ids drawn in one native call: one
    # `uuid.uuid4()` per object was half the cost of building it.
    ids = _native.new_ids(len(items))
    return [
        Observation(
            primitive=primitive,
            value=value,
            confidence=confidence,
            window=window,
            source=source,
            evidence_ref=evidence_ref,
            ts=time.time(),
            id=obs_id,
        )
        for (primitive, value, confidence), obs_id in zip(items, ids, strict=True)
    ]


def extract_session(
    events: Iterable[tuple[float, str, str | bytes]],
    *,
    sid: str,
    source: str = DEFAULT_SOURCE,
    evidence_ref: str | None = None,
    start_epoch: float | None = None,
    extended: bool = False,
) -> Iterator[Observation]:
    """Yield the BEHAVE-SHELL observations of one session, as the reference does.

    ``events`` are ``(t, kind, data)`` tuples; ``data`` is a ``str`` (lone
    surrogates allowed, as ``surrogateescape`` makes them) or ``bytes``.
    Events whose ``t`` is not finite are left out. The computation runs in
    Rust with the GIL released.

    With ``extended=False`` (the default) the output is exactly the
    reference's. With ``extended=True`` the five primitives of behave-shell
    0.1.4 follow the 38 (the circadian ones need ``start_epoch``, the
    session's start in Unix seconds, as its shard header gives it), and when
    ``start_epoch`` is given every window is in epoch seconds. Without
    ``extended``, ``start_epoch`` is ignored, whatever it is.

    Raises:
        OverflowError: with ``extended=True``, ``start_epoch`` is an int too
            large for a float.
    """
    # The default output is the reference's, so start_epoch is not even looked
    # at then; with extended, an int beyond a float is named in the error
    # (the engine's float conversion would not say which argument it was).
    start = start_epoch if extended else None
    if isinstance(start, int):
        try:
            start = float(start)
        except OverflowError:
            raise OverflowError("start_epoch is an int too large for a float") from None
    raw = _native.extract_events(events, start, extended)
    ref = evidence_ref or f"session:{sid}"
    yield from _observations(raw, source=source, evidence_ref=ref)


@dataclass(frozen=True, slots=True)
class SessionHeader:
    """What the shard's header line says about a session."""

    timestamp: float | None
    width: int | None
    height: int | None
    term: str | None


def load_session(path: StrPath, sid: str) -> tuple[SessionHeader | None, list[EventTuple]]:
    """The session's header (None when it has none) and its events.

    The events are exactly ``events_for_sid``'s; ``header.timestamp`` is the
    start time ``extract_session(..., start_epoch=)`` takes.

    Raises:
        ShardError: the path is missing, not a regular file, or unreadable.
    """
    header, events = _native.load_session(path, sid)
    return (None if header is None else SessionHeader(**header)), events


def build_context(
    events: Iterable[tuple[float, str, str | bytes]],
    *,
    sid: str,
    source: str = DEFAULT_SOURCE,
    evidence_ref: str | None = None,
) -> Any:
    """The session context, its fields under the reference's names (for debugging)."""
    fields = _native.build_context(events)
    fields.update(sid=sid, source=source, evidence_ref=evidence_ref or f"session:{sid}")
    return _Context(fields)


class _Context:
    """Read-only attribute view over the context fields."""

    __slots__ = ("_fields",)

    def __init__(self, fields: dict[str, Any]) -> None:
        self._fields = fields

    def __getattr__(self, name: str) -> Any:
        try:
            return self._fields[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        return f"SessionContext(sid={self._fields.get('sid')!r})"


def _shard_result(
    rows: Iterable[tuple[str, int, Any]], *, evidence_ref_prefix: str | None, source: str
) -> list[tuple[str, list[Observation]]]:
    out: list[tuple[str, list[Observation]]] = []
    for sid, _count, raw in rows:
        ref = f"{evidence_ref_prefix}{sid}" if evidence_ref_prefix is not None else f"session:{sid}"
        out.append((sid, _observations(raw, source=source, evidence_ref=ref)))
    return out


def extract_shard(
    path: StrPath,
    *,
    sids: Sequence[str] | None = None,
    evidence_ref_prefix: str | None = None,
    source: str = DEFAULT_SOURCE,
    threads: int | None = None,
    extended: bool = False,
) -> list[tuple[str, list[Observation]]]:
    """Observations of every (or the given) session of a shard.

    Results follow the order of ``sids``, or the first appearance of each sid
    in the shard. ``evidence_ref_prefix`` + sid is each session's
    evidence_ref (default ``session:{sid}``). Sessions are read and
    extracted in parallel on ``threads`` workers (default: one per core),
    with the GIL released for the whole batch. ``extended`` as in
    ``extract_session``, each session's start time read from its header.

    Raises:
        ShardError: the shard is missing, not a regular file, or unreadable.
    """
    # Streamed: sessions already extracted become Observations while the
    # workers go on with the rest.
    rows = _native.stream_shard(path, sids, threads, extended)
    return _shard_result(rows, evidence_ref_prefix=evidence_ref_prefix, source=source)


def extract_shards(
    paths: Sequence[StrPath],
    *,
    evidence_ref_prefix: str | None = None,
    source: str = DEFAULT_SOURCE,
    threads: int | None = None,
    extended: bool = False,
) -> list[list[tuple[str, list[Observation]]]]:
    """``extract_shard`` over many shards at once, one result list per shard, in order.

    Raises:
        ShardError: for the first unreadable shard in ``paths``.
    """
    return [
        _shard_result(rows, evidence_ref_prefix=evidence_ref_prefix, source=source)
        for rows in _native.extract_shards(paths, threads, extended)
    ]
