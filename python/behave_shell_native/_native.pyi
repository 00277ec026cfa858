"""Type stubs for the Rust extension. The public API is re-exported (and
wrapped where Observation objects are built) by ``behave_shell_native``."""

import os
from collections.abc import Awaitable, Iterable, Sequence
from typing import Any, Self, final

_StrPath = str | os.PathLike[str]
_Event = tuple[float, str, str]
_RawObservation = tuple[str, str | list[float], float]
"""(primitive, value, confidence); a list of floats only for the extended circadian primitives."""
_RawExtraction = tuple[float, float, list[_RawObservation]]
"""(window start, window end, observations in emission order)."""

__all__ = [
    "ShardError",
    "ShardStream",
    "__version__",
    "_shutdown",
    "build_context",
    "events_for_sid",
    "extract_events",
    "extract_shards",
    "extract_sid",
    "extract_sid_async",
    "find_shard_with_sid",
    "load_session",
    "new_ids",
    "parse_shard_line",
    "reset_log_cache",
    "sessions",
    "set_max_line",
    "stream_shard",
]

__version__: str

class ShardError(ValueError):
    """A shard could not be read (missing, not a regular file, unreadable)."""

def events_for_sid(path: _StrPath, sid: str) -> list[_Event]:
    """Events of one session, exactly as DECNET's ``_events_for_sid`` returns them."""

def sessions(path: _StrPath) -> list[tuple[str, int, int, float | None, float | None]]:
    """(sid, input events, output events, first t, last t) in first-appearance order."""

def find_shard_with_sid(transcripts_dir: _StrPath, sid: str) -> str | None:
    """Newest ``sessions-YYYY-MM-DD.jsonl`` in the directory that holds ``sid``."""

def parse_shard_line(line: str | bytes) -> _Event | None:
    """One shard line to an event, or None, with the reference's rules."""

def set_max_line(bytes: int) -> int:
    """Set the longest line (in bytes, terminator excluded) the reader accepts, for the
    whole process, and return the previous limit (default 1 MiB). Longer lines are
    skipped without being held in memory; cached indexes are rebuilt under the new limit."""

def reset_log_cache() -> None:
    """Forget the logger levels cached on the Rust side (pyo3-log caches each
    ``behave_shell_native.*`` logger's level at its first record), so that a logging
    configuration changed since then takes effect."""

def extract_events(
    events: Iterable[tuple[float, str, str | bytes]],
    start_epoch: float | None = None,
    extended: bool = False,
) -> _RawExtraction:
    """Run the extractor over events; the GIL is released while it computes.

    With ``extended``, behave-shell 0.1.4's five primitives follow the 38 and,
    when ``start_epoch`` is given, windows are epoch seconds.
    """

def extract_sid(path: _StrPath, sid: str, extended: bool = False) -> tuple[int, _RawExtraction]:
    """Read one session from a shard and extract it: (event count, extraction).

    With ``extended``, the start time comes from the session's header.
    """

def extract_sid_async(
    path: _StrPath, sid: str, extended: bool = False
) -> Awaitable[tuple[int, _RawExtraction]]:
    """``extract_sid`` off the event loop, awaitable from asyncio."""

def load_session(path: _StrPath, sid: str) -> tuple[dict[str, Any] | None, list[_Event]]:
    """The session's first header (timestamp, width, height, term) or None, and its events."""

def build_context(events: Iterable[tuple[float, str, str | bytes]]) -> dict[str, object]:
    """The session context's fields under the reference's names."""

@final
class ShardStream:
    """The sessions of one shard in order, extracted in the background."""

    def __iter__(self) -> Self: ...
    def __next__(self) -> tuple[str, int, _RawExtraction]:
        """Waits (the GIL released) for the next session in order."""

    def __len__(self) -> int:
        """How many sessions the stream hands out in all (at most)."""

def stream_shard(
    path: _StrPath,
    sids: Sequence[str] | None = None,
    threads: int | None = None,
    extended: bool = False,
) -> ShardStream:
    """``extract_shard`` as an iterator: sessions are extracted on a background pool.

    Each session is handed out once it and those before it are done, so the
    caller can build objects from early sessions while later ones are
    extracted. Raises ``ShardError`` at once for an unreadable shard.
    """

def _shutdown(grace: float = 2.0) -> bool:
    """At exit: stop every stream's workers, turn native logging off, wait up to ``grace`` s."""

def new_ids(n: int) -> list[str]:
    """``n`` fresh random version-4 UUIDs as 32 hex digits."""

def extract_shards(
    paths: Sequence[_StrPath], threads: int | None = None, extended: bool = False
) -> list[list[tuple[str, int, _RawExtraction]]]:
    """``extract_shard`` for every session of each shard, grouped per shard in order.

    One pool of workers serves all the shards' sessions. Raises ``ShardError``
    for the first unreadable shard in ``paths``.
    """
