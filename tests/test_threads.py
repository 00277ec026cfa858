"""The shard-index cache under 16 reader threads while a writer appends.

The writer appends one session's events with t = 0, 1, 2, ... (each line in
two writes, so readers meet torn tails), interleaved with another session's
lines and garbage. Every read must see a prefix of that sequence: each
complete event exactly once and in order, and counts that only grow.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import behave_shell_native as bsn

from conftest import OTHER_SID, SID

READERS = 16
SECONDS = 3.0


def _event(sid: str, t: int) -> bytes:
    return json.dumps({"sid": sid, "t": t, "ch": "i" if t % 3 else "o", "d": f"e{t}"}).encode()


def test_readers_see_a_growing_prefix_while_a_writer_appends(tmp_path: Path) -> None:
    path = tmp_path / "sessions-2026-05-08.jsonl"
    path.write_bytes(_event(SID, 0) + b"\n")
    written = [1]
    stop = threading.Event()
    failures: list[str] = []

    def writer() -> None:
        t = 1
        with path.open("ab", buffering=0) as f:
            while not stop.is_set():
                line = _event(SID, t) + b"\n"
                cut = len(line) // 2
                f.write(line[:cut])
                time.sleep(0.0005)
                f.write(line[cut:])
                written[0] = t + 1
                f.write(_event(OTHER_SID, t) + b"\n")
                if t % 7 == 0:
                    f.write(b'{"sid":"' + SID.encode() + b'","t":\xff garbage\n')
                t += 1

    def reader(index: int) -> None:
        last_events = 0
        last_inputs = 0
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline:
            floor = written[0]
            if index % 2:
                events = bsn.events_for_sid(path, SID)
                ts = [e[0] for e in events]
                if ts != [float(i) for i in range(len(ts))]:
                    failures.append(f"reader {index}: not a prefix: {ts[-5:]}")
                    return
                if len(ts) < max(last_events, floor):
                    failures.append(f"reader {index}: shrank to {len(ts)}")
                    return
                if [e[2] for e in events] != [f"e{i}" for i in range(len(ts))]:
                    failures.append(f"reader {index}: payloads out of order")
                    return
                last_events = len(ts)
            else:
                info = {s.sid: s for s in bsn.sessions(path)}
                mine = info.get(SID)
                inputs = 0 if mine is None else mine.input_events + mine.output_events
                if inputs < max(last_inputs, floor):
                    failures.append(f"reader {index}: sessions count shrank to {inputs}")
                    return
                last_inputs = inputs

    writing = threading.Thread(target=writer)
    readers = [threading.Thread(target=reader, args=(i,)) for i in range(READERS)]
    writing.start()
    for r in readers:
        r.start()
    for r in readers:
        r.join()
    stop.set()
    writing.join()
    assert failures == []
    final = bsn.events_for_sid(path, SID)
    assert [e[0] for e in final] == [float(i) for i in range(written[0])]


def test_many_threads_many_shards(tmp_path: Path) -> None:
    """Threads reading different shards (and the same ones) through the shared cache."""
    shards = []
    for n in range(8):
        path = tmp_path / f"sessions-2026-05-{n + 10:02d}.jsonl"
        path.write_bytes(b"".join(_event(SID, t) + b"\n" for t in range(50 * (n + 1))))
        shards.append(path)
    failures: list[str] = []

    def reader(index: int) -> None:
        for round_ in range(40):
            n = (index + round_) % len(shards)
            got = bsn.events_for_sid(shards[n], SID)
            if len(got) != 50 * (n + 1):
                failures.append(f"shard {n}: {len(got)} events")

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(READERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_one_shard_stream_shared_by_threads_hands_each_session_out_once(tmp_path: Path) -> None:
    # Iterating waits with the GIL released; a second thread iterating the
    # same stream must neither deadlock nor see a session twice.
    from behave_shell_native import _native

    from conftest import typing_session, write_shard

    sids = [f"{i:08x}-0000-4000-8000-000000000000" for i in range(40)]
    shard = write_shard(tmp_path, [line for sid in sids for line in typing_session(sid)])
    stream = _native.stream_shard(shard)
    assert len(stream) == len(sids)
    seen: list[list[str]] = [[] for _ in range(4)]

    def drain(slot: list[str]) -> None:
        for sid, _count, _raw in stream:
            slot.append(sid)

    threads = [threading.Thread(target=drain, args=(slot,)) for slot in seen]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    got = [sid for slot in seen for sid in slot]
    assert sorted(got) == sorted(sids)
    # Each thread sees its share in shard order.
    for slot in seen:
        assert slot == sorted(slot, key=sids.index)


def _noisy_shard(directory: Path, sessions: int) -> Path:
    """Sessions whose every other line is skipped with a DEBUG record at read time."""
    from conftest import typing_session, write_shard

    lines: list[object] = []
    for i in range(sessions):
        sid = f"{i:08x}-0000-4000-8000-000000000000"
        for event in typing_session(sid):
            lines.append(event)
            lines.append({"sid": sid, "t": "late", "ch": "i", "d": "x"})
    return write_shard(directory, lines)  # type: ignore[arg-type]


_EXIT_MID_STREAM = """
import logging, sys
logging.basicConfig(level=logging.DEBUG, stream=open("/dev/null", "w"))
from behave_shell_native import _native
stream = _native.stream_shard(sys.argv[1])
next(iter(stream))
if sys.argv[2] == "keep":
    KEPT = stream
"""


def test_exit_while_a_stream_logs_is_clean(tmp_path: Path) -> None:
    # Found by an adversarial review: workers still reading at exit logged
    # into the finalizing interpreter and the process aborted (SIGABRT).
    # At exit the streams are stopped and native logging turned off first.
    import subprocess
    import sys

    shard = _noisy_shard(tmp_path, 300)
    for mode in ("drop", "keep") * 4:
        done = subprocess.run(
            [sys.executable, "-c", _EXIT_MID_STREAM, str(shard), mode],
            capture_output=True,
            timeout=60,
        )
        assert done.returncode == 0, (mode, done.returncode, done.stderr[-2000:])


_REENTRANT_HANDLER = """
import logging, sys
import behave_shell_native as bsn
small, big = sys.argv[1], sys.argv[2]

class Extracting(logging.Handler):
    calls = 0
    def emit(self, record):
        if Extracting.calls < 20:
            Extracting.calls += 1
            bsn.extract_shard(small)

logger = logging.getLogger("behave_shell_native")
logger.setLevel(logging.DEBUG)
logger.addHandler(Extracting())
bsn._native.reset_log_cache()
print(len(bsn.extract_shard(big)), Extracting.calls)
"""


def test_logging_handler_that_extracts_a_shard_does_not_deadlock(tmp_path: Path) -> None:
    # Found by an adversarial review: a stream's workers, logging, ran a
    # handler that started a second stream on the same (global) pool, which
    # no free worker was left to run. Each stream now has a pool of its own.
    import subprocess
    import sys

    small = _noisy_shard(tmp_path / "small", 2)
    big = _noisy_shard(tmp_path / "big", 60)
    done = subprocess.run(
        [sys.executable, "-c", _REENTRANT_HANDLER, str(small), str(big)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["60", "20"]


_SAME_SHARD_HANDLER = """
import logging, sys
import behave_shell_native as bsn
path = sys.argv[1]

class Reading(logging.Handler):
    calls = 0
    def emit(self, record):
        if Reading.calls < 5:
            Reading.calls += 1
            bsn.events_for_sid(path, "x")

logger = logging.getLogger("behave_shell_native")
logger.setLevel(logging.DEBUG)
logger.addHandler(Reading())
bsn._native.reset_log_cache()
print(len(bsn.events_for_sid(path, "x")), Reading.calls)
"""


def test_logging_handler_that_reads_the_same_shard_does_not_deadlock(tmp_path: Path) -> None:
    # Found by a hostile tester: the index build logged while it held the
    # shard's index lock, so a handler reading the same shard waited on
    # that lock for ever. Its records now go out once the lock is released.
    import subprocess
    import sys

    path = tmp_path / "sessions-2026-05-02.jsonl"
    oversize = b'{"sid":"x","t":1,"ch":"o","d":"' + b"a" * (2 << 20) + b'"}'
    path.write_bytes(oversize + b"\nnot json\n" + b'{"sid":"x","t":2,"ch":"i","d":"a"}\n')
    done = subprocess.run(
        [sys.executable, "-c", _SAME_SHARD_HANDLER, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # One event (the last line); two records, so two nested reads: the
    # oversize line's WARNING and the non-JSON line's DEBUG. The nested
    # reads find the index built and log nothing.
    assert done.stdout.split() == ["1", "2"]
