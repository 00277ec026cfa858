"""The drop-in API: the reference's names, backed by the Rust engine.

The native layer returns plain tuples; this module turns them into
``behave_core`` :class:`Observation` objects, the type DECNET persists and
publishes, so callers see exactly what the reference yields.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from behave_core.spec.envelope import Observation, Window

from behave_shell_native import _native

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
    raw: tuple[float, float, list[tuple[str, str, float]]],
    *,
    source: str,
    evidence_ref: str,
) -> list[Observation]:
    start, end, items = raw
    window = Window(start_ts=start, end_ts=end)
    return [
        Observation(
            primitive=primitive,
            value=value,
            confidence=confidence,
            window=window,
            source=source,
            evidence_ref=evidence_ref,
        )
        for primitive, value, confidence in items
    ]


def extract_session(
    events: Iterable[tuple[float, str, str | bytes]],
    *,
    sid: str,
    source: str = DEFAULT_SOURCE,
    evidence_ref: str | None = None,
) -> Iterator[Observation]:
    """Yield the BEHAVE-SHELL observations of one session, as the reference does.

    ``events`` are ``(t, kind, data)`` tuples; ``data`` is a ``str`` (lone
    surrogates allowed, as ``surrogateescape`` makes them) or ``bytes``.
    Events whose ``t`` is not finite are left out. The computation runs in
    Rust with the GIL released.
    """
    raw = _native.extract_events(events)
    ref = evidence_ref or f"session:{sid}"
    yield from _observations(raw, source=source, evidence_ref=ref)


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


def extract_shard(
    path: StrPath,
    *,
    sids: Sequence[str] | None = None,
    evidence_ref_prefix: str | None = None,
    source: str = DEFAULT_SOURCE,
) -> list[tuple[str, list[Observation]]]:
    """Observations of every (or the given) session of a shard, in first-appearance order.

    ``evidence_ref_prefix`` + sid is each session's evidence_ref (default
    ``session:{sid}``). Sessions are extracted in parallel with the GIL released.
    """
    out: list[tuple[str, list[Observation]]] = []
    for sid, _count, raw in _native.extract_shard(path, sids):
        ref = f"{evidence_ref_prefix}{sid}" if evidence_ref_prefix is not None else f"session:{sid}"
        out.append((sid, _observations(raw, source=source, evidence_ref=ref)))
    return out
