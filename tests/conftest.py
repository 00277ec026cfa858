"""Shared fixtures: the corpus, the bundled shards, and a shard writer for tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine, Iterable
from pathlib import Path
from typing import Any, TypeVar

import pytest

T = TypeVar("T")

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = (Path(__file__).parents[1] / ".." / "shared" / "corpus").resolve()
BUNDLED_FIXTURES = PROJECT_ROOT / "fixtures"

SID = "11111111-2222-4333-8444-555555555555"
OTHER_SID = "ffffffff-eeee-4ddd-8ccc-bbbbbbbbbbbb"

ShardLine = dict[str, Any] | bytes
ShardWriter = Callable[..., Path]


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared test corpus (``../shared/corpus``); tests using it skip without it."""
    if not CORPUS_DIR.is_dir():
        pytest.skip(f"corpus not found at {CORPUS_DIR}")
    return CORPUS_DIR


@pytest.fixture(scope="session")
def bundled_fixtures() -> Path:
    """The project's own generated shards (``fixtures/*.jsonl``)."""
    shards = sorted(BUNDLED_FIXTURES.glob("*.jsonl"))
    if not shards:
        pytest.fail(f"no bundled shards in {BUNDLED_FIXTURES}; run tools/make_fixtures.py")
    return BUNDLED_FIXTURES


def encode_line(line: ShardLine) -> bytes:
    """A shard line as bytes: dicts are JSON-encoded, bytes are written as given."""
    if isinstance(line, bytes):
        return line if line.endswith(b"\n") else line + b"\n"
    return json.dumps(line, separators=(",", ":")).encode() + b"\n"


def write_shard(
    directory: Path, lines: Iterable[ShardLine], name: str = "sessions-2026-05-08.jsonl"
) -> Path:
    """Write ``lines`` as a day shard under ``directory`` and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    shard = directory / name
    shard.write_bytes(b"".join(encode_line(line) for line in lines))
    return shard


def header(sid: str) -> dict[str, Any]:
    """A recorder header line for ``sid``."""
    return {
        "sid": sid,
        "hdr": {"version": 2, "width": 80, "height": 24, "timestamp": 1714521600},
    }


def typing_session(sid: str = SID) -> list[ShardLine]:
    """Six typed commands and a prompt: enough events for the extractor to emit."""
    lines: list[ShardLine] = [header(sid)]
    text = "ls\rps\rid\rwhoami\rpwd\runame\r"
    lines.extend({"sid": sid, "t": i * 0.05, "ch": "i", "d": c} for i, c in enumerate(text))
    lines.append({"sid": sid, "t": 5.0, "ch": "o", "d": "anti@host:~$ "})
    return lines


def single_output_session(sid: str = SID) -> list[ShardLine]:
    """One output event and nothing else: too little for any primitive."""
    return [header(sid), {"sid": sid, "t": 0.5, "ch": "o", "d": "x"}]


@pytest.fixture
def shard_writer(tmp_path: Path) -> ShardWriter:
    """``shard_writer(lines, name=...)`` writes a shard under ``tmp_path/decky/ssh/transcripts``."""

    def write(lines: Iterable[ShardLine], name: str = "sessions-2026-05-08.jsonl") -> Path:
        return write_shard(tmp_path / "test-decky" / "ssh" / "transcripts", lines, name)

    return write


@pytest.fixture
def arun() -> Callable[[Coroutine[Any, Any, T]], T]:
    """Run one coroutine to completion on a fresh event loop (no pytest-asyncio)."""

    def run(coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run(coro)

    return run
