"""Access to the shared corpus (read in place, never copied) and a reading oracle.

The corpus lives at ``../shared/corpus`` beside the project; every shard has
the reference engine's result beside it (``NAME.expected.json``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CORPUS = Path(
    os.environ.get("BEHAVE_CORPUS_DIR", Path(__file__).resolve().parents[2] / "shared" / "corpus")
)


@dataclass(frozen=True)
class CorpusSession:
    shard: Path
    sid: str
    expected: dict

    @property
    def evidence_ref(self) -> str:
        return f"shard:decky/ssh/{self.shard.name}#{self.sid}"

    @property
    def id(self) -> str:
        return f"{self.shard.parent.name}/{self.shard.stem}/{self.sid[:8]}"


def shards() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.glob("*/*.jsonl"))


def sessions() -> list[CorpusSession]:
    out = []
    for shard in shards():
        expected = json.loads(shard.with_suffix(".expected.json").read_text())
        for s in expected["sessions"]:
            out.append(CorpusSession(shard, s["sid"], s))
    return out


def require_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")


def events_digest(events: list[tuple[float, str, str]]) -> str:
    """The corpus README's digest of an event list."""
    text = json.dumps([list(e) for e in events], ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def observation_dict(obs) -> dict:
    """An Observation in the expected file's shape (``id`` and ``ts`` left out)."""
    return {
        "primitive": obs.primitive,
        "value": obs.value,
        "confidence": obs.confidence,
        "window": {"start_ts": obs.window.start_ts, "end_ts": obs.window.end_ts},
        "source": obs.source,
        "evidence_ref": obs.evidence_ref,
        "v": obs.v,
    }


def _event_records(shard: Path) -> Iterator[tuple[str, dict]]:
    """Each non-header JSON object line of the shard with its record, as
    DECNET's handler reads a shard (text mode, universal newlines,
    surrogateescape, ``json.loads``); lines Python cannot parse are left out."""
    with shard.open(encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            try:
                rec = json.loads(line)
            except (ValueError, RecursionError):
                continue
            if isinstance(rec, dict) and "hdr" not in rec:
                yield line, rec


def oracle_lines(shard: Path, sid: str) -> Iterator[tuple[str, object]]:
    """Each line of ``sid`` as Python's json reads it, with its parsed ``t``."""
    for line, rec in _event_records(shard):
        if rec.get("sid") == sid:
            yield line, rec.get("t")


def has_nonfinite_t(shard: Path, sid: str) -> bool:
    """True when a line of ``sid`` has a ``t`` the product skips by design."""
    return sid in _sids_with_nonfinite_t(shard)


@functools.cache
def _sids_with_nonfinite_t(shard: Path) -> frozenset[str]:
    return frozenset(
        rec["sid"]
        for _line, rec in _event_records(shard)
        if isinstance(rec.get("sid"), str) and _skipped_t(rec.get("t"))
    )


def _skipped_t(t: object) -> bool:
    if isinstance(t, float):
        return not math.isfinite(t)
    if isinstance(t, int) and not isinstance(t, bool):
        try:
            float(t)
        except OverflowError:
            return True
    return False
