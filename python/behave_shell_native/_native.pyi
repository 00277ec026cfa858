"""Type stubs for the Rust extension. The public API is re-exported (and
wrapped where Observation objects are built) by ``behave_shell_native``."""

import os
from collections.abc import Awaitable, Iterable, Sequence

StrPath = str | os.PathLike[str]
Event = tuple[float, str, str]
RawObservation = tuple[str, str, float]
"""(primitive, value, confidence)."""
RawExtraction = tuple[float, float, list[RawObservation]]
"""(window start, window end, observations in emission order)."""

__version__: str

class ShardError(ValueError):
    """A shard could not be read (missing, not a regular file, unreadable)."""

def events_for_sid(path: StrPath, sid: str) -> list[Event]:
    """Events of one session, exactly as DECNET's ``_events_for_sid`` returns them."""

def sessions(path: StrPath) -> list[tuple[str, int, int, float | None, float | None]]:
    """(sid, input events, output events, first t, last t) in first-appearance order."""

def find_shard_with_sid(transcripts_dir: StrPath, sid: str) -> str | None:
    """Newest ``sessions-YYYY-MM-DD.jsonl`` in the directory that holds ``sid``."""

def parse_shard_line(line: str | bytes) -> Event | None:
    """One shard line to an event, or None, with the reference's rules."""

def extract_events(events: Iterable[tuple[float, str, str | bytes]]) -> RawExtraction:
    """Run the extractor over events; the GIL is released while it computes."""

def extract_sid(path: StrPath, sid: str) -> tuple[int, RawExtraction]:
    """Read one session from a shard and extract it: (event count, extraction)."""

def extract_sid_async(path: StrPath, sid: str) -> Awaitable[tuple[int, RawExtraction]]:
    """``extract_sid`` off the event loop, awaitable from asyncio."""

def build_context(events: Iterable[tuple[float, str, str | bytes]]) -> dict[str, object]:
    """The session context's fields under the reference's names."""

def extract_shard(
    path: StrPath, sids: Sequence[str] | None = None
) -> list[tuple[str, int, RawExtraction]]:
    """(sid, event count, extraction) for every (or the given) session of a shard."""
