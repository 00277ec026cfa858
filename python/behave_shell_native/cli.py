"""The ``behave-shell-native`` command line (also ``python -m behave_shell_native``).

Subcommands:

``sessions SHARD [--json]``
    One line per session of a day shard: sid, input and output event counts,
    first and last ``t``.
``extract SHARD [--sid SID] [--jsonl]``
    The observations of every session (or one), as a table or JSON Lines.
``replay [SHARD_OR_DIR ...] [--db PATH]``
    Run every session through the ``attacker.session.ended`` handler into a
    SQLite database, as DECNET's profiler worker would, and summarise what was
    persisted. Without arguments it replays the bundled fixture shards.

Exit status: 0 on success; 1 when ``replay`` met a session that produced no
observations (or ``extract --sid`` named a session the shard lacks); 2 on bad
arguments or input that cannot be read. Errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import hashlib
import importlib.resources
import io
import json
import logging
import os
import sqlite3
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from behave_shell_native.store import SURROGATES, escape_surrogates

__all__ = ["main"]

log = logging.getLogger("behave_shell_native.cli")

EXIT_OK = 0
EXIT_EMPTY = 1
EXIT_USAGE = 2

DEFAULT_DB = "behave-replay.sqlite3"
FIXTURES_ENV = "BEHAVE_SHELL_FIXTURES"
REPLAY_DECKY = "replay"
REPLAY_SERVICE = "ssh"
PROGRESS_EVERY_S = 2.0


class CliError(Exception):
    """A problem worth one line on stderr and exit status 2."""


def _fail_unreadable(path: str, exc: BaseException) -> CliError:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    if path in reason:
        return CliError(reason)
    return CliError(f"cannot read {path}: {reason}")


def _format_t(value: float | None) -> str:
    return "-" if value is None else f"{value:.6f}"


def _format_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and len(value) > 8:
        # Histograms: their non-zero bins, so the table stays readable.
        bins = ", ".join(f"{i}:{v:.3g}" for i, v in enumerate(value) if v)
        return f"{len(value)} bins {{{bins}}}"
    return json.dumps(value)


def _write_table(rows: Sequence[Sequence[str]], out: TextIO) -> None:
    """Columns padded to their widest cell; the last column is not padded.

    A lone surrogate from a ``\\u`` escape (in a sid, say) is printed as its
    escape, since no output encoding takes it; raw bytes print as they are.
    """
    if not rows:
        return
    rows = [[escape_surrogates(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        out.write("  ".join([*cells, row[-1]]).rstrip() + "\n")


# ---------------------------------------------------------------------------
# sessions


def _cmd_sessions(args: argparse.Namespace) -> int:
    from behave_shell_native import ShardError, sessions

    try:
        found = sessions(args.shard)
    except (ShardError, OSError) as exc:
        raise _fail_unreadable(args.shard, exc) from exc

    out = sys.stdout
    for info in found:
        if args.json:
            out.write(json.dumps(dataclasses.asdict(info)) + "\n")
        else:
            out.write(
                f"{escape_surrogates(info.sid)}  in={info.input_events} out={info.output_events} "
                f"first={_format_t(info.first_t)} last={_format_t(info.last_t)}\n"
            )
    return EXIT_OK


# ---------------------------------------------------------------------------
# extract


def _cmd_extract(args: argparse.Namespace) -> int:
    from behave_shell_native import ShardError, extract_shard, sessions

    try:
        if args.sid is not None and args.sid not in {s.sid for s in sessions(args.shard)}:
            print(f"error: sid {args.sid} not present in {args.shard}", file=sys.stderr)
            return EXIT_EMPTY
        results = extract_shard(
            args.shard, sids=None if args.sid is None else [args.sid], extended=args.extended
        )
    except (ShardError, OSError) as exc:
        raise _fail_unreadable(args.shard, exc) from exc

    out = sys.stdout
    if args.jsonl:
        for sid, observations in results:
            for obs in observations:
                out.write(json.dumps({"sid": sid, **obs.model_dump(mode="json")}) + "\n")
        return EXIT_OK

    rows = [["sid", "primitive", "value", "confidence"]]
    for sid, observations in results:
        rows.extend(
            [sid, obs.primitive, _format_value(obs.value), f"{obs.confidence:g}"]
            for obs in observations
        )
    _write_table(rows, out)
    return EXIT_OK


# ---------------------------------------------------------------------------
# replay


def _bundled_fixtures() -> Path:
    """Where the bundled shards are: $BEHAVE_SHELL_FIXTURES, else the package's own."""
    override = os.environ.get(FIXTURES_ENV)
    if override:
        path = Path(override)
        if not path.is_dir():
            raise CliError(f"{FIXTURES_ENV}={override} is not a directory")
        return path

    # The shards ship inside the package (the checkout's fixtures/ links there).
    packaged = importlib.resources.files("behave_shell_native") / "fixtures"
    if isinstance(packaged, Path) and any(packaged.glob("*.jsonl")):
        return packaged

    raise CliError(
        f"no bundled fixtures found; pass shard files or set {FIXTURES_ENV} to a directory"
    )


def _collect_shards(inputs: Sequence[str]) -> list[Path]:
    """Shard files named directly, plus the ``*.jsonl`` files of named directories."""
    targets = inputs or [str(_bundled_fixtures())]
    shards: list[Path] = []
    for raw in targets:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.glob("*.jsonl") if p.is_file())
            if not found:
                raise CliError(f"no *.jsonl shards in directory {raw}")
            shards.extend(found)
        elif path.is_file():
            shards.append(path)
        elif path.exists():
            raise CliError(f"cannot read {raw}: not a regular file or directory")
        else:
            raise CliError(f"cannot read {raw}: No such file or directory")
    return shards


def synthetic_ip(sid: str) -> str:
    """A stable private IPv4 address for a session, ``10.x.y.z``, derived from its sid.

    Replay needs an attacker row per session; this address only keys that row
    and is never contacted. The sid's bytes follow the engine's rule: raw bytes
    as themselves, a lone surrogate from a ``\\u`` escape in its three-byte form.
    """
    digest = hashlib.sha256(sid.encode("utf-8", SURROGATES)).digest()
    return f"10.{digest[0]}.{digest[1]}.{digest[2]}"


@dataclass
class ShardReport:
    """What replaying one shard did."""

    name: str
    sessions: int = 0
    observations: int = 0
    already_profiled: int = 0
    primitives: set[str] = field(default_factory=set)
    empty: list[tuple[str, str]] = field(default_factory=list)
    """Sessions that were not profiled, each with the reason."""


class _Progress:
    """A stderr line every couple of seconds, once a run has taken that long."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self._last = time.monotonic()

    def step(self) -> None:
        self.done += 1
        now = time.monotonic()
        if now - self._last >= PROGRESS_EVERY_S:
            self._last = now
            print(f"replay: {self.done}/{self.total} sessions", file=sys.stderr, flush=True)


async def _replay(shards: Sequence[Path], db_path: Path, extended: bool) -> list[ShardReport]:
    from behave_shell_native import ShardError, _native
    from behave_shell_native.handler import _build_evidence_ref, handle_session_ended
    from behave_shell_native.store import SqliteRepository

    # Every session of every shard is read and extracted at once, on all
    # cores and off the event loop; the handler then persists each.
    try:
        extracted = await asyncio.to_thread(
            _native.extract_shards, [str(s) for s in shards], None, extended
        )
    except (ShardError, OSError) as exc:
        raise _fail_unreadable(", ".join(map(str, shards)), exc) from exc
    plan: list[tuple[Path, dict[str, Any]]] = [
        (shard, {sid: (count, raw) for sid, count, raw in rows})
        for shard, rows in zip(shards, extracted, strict=True)
    ]

    progress = _Progress(sum(len(sids) for _, sids in plan))
    reports: list[ShardReport] = []
    async with SqliteRepository(db_path) as repo:
        for shard, sids in plan:
            report = ShardReport(shard.name, sessions=len(sids))
            reports.append(report)
            for sid, extraction in sids.items():
                ip = synthetic_ip(sid)
                await repo.add_attacker(ip)
                payload = {
                    "session_id": sid,
                    "decky_id": REPLAY_DECKY,
                    "service": REPLAY_SERVICE,
                    "attacker_ip": ip,
                    "shard_path": str(shard.resolve()),
                }
                ref = _build_evidence_ref(REPLAY_DECKY, REPLAY_SERVICE, str(shard), sid)

                if await repo.has_observations_for_evidence(ref):
                    report.already_profiled += 1
                    progress.step()
                    continue

                try:
                    persisted = await handle_session_ended(
                        repo, payload, extended=extended, extraction=extraction
                    )
                except sqlite3.IntegrityError as exc:
                    report.empty.append((sid, f"was refused by the database: {exc}"))
                    progress.step()
                    continue
                except (ShardError, OSError, sqlite3.Error):
                    raise
                except Exception as exc:
                    # As in DECNET's worker: one failing session is reported and
                    # the replay carries on with the next.
                    log.debug("replay: handler raised for sid=%s", sid, exc_info=True)
                    report.empty.append((sid, f"handler raised {type(exc).__name__}: {exc}"))
                    progress.step()
                    continue

                if persisted:
                    report.observations += persisted
                    rows = await repo.observations_for(ref)
                    report.primitives.update(row["primitive"] for row in rows)
                else:
                    report.empty.append((sid, "produced no observations"))
                progress.step()
    return reports


def _cmd_replay(args: argparse.Namespace) -> int:
    from behave_shell_native import ShardError

    shards = _collect_shards(args.inputs)
    db_path = Path(args.db)
    try:
        reports = asyncio.run(_replay(shards, db_path, args.extended))
    except sqlite3.Error as exc:
        raise CliError(f"database {db_path}: {exc}") from exc
    except (ShardError, OSError) as exc:
        raise CliError(f"replay failed: {exc}") from exc

    out = sys.stdout
    all_primitives: set[str] = set()
    for report in reports:
        all_primitives |= report.primitives
        out.write(
            f"{report.name}: sessions={report.sessions} observations={report.observations} "
            f"primitives={len(report.primitives)}\n"
        )
        for sid, reason in report.empty:
            print(f"warning: {report.name}: sid={sid} {reason}", file=sys.stderr)
    out.write(
        f"total: shards={len(reports)} sessions={sum(r.sessions for r in reports)} "
        f"observations={sum(r.observations for r in reports)} "
        f"primitives={len(all_primitives)} "
        f"already_profiled={sum(r.already_profiled for r in reports)} db={db_path}\n"
    )
    return EXIT_EMPTY if any(r.empty for r in reports) else EXIT_OK


# ---------------------------------------------------------------------------
# entry point


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="behave-shell-native",
        description="Inspect DECNET session shards and replay them through the BEHAVE-SHELL "
        "profiler.",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log to stderr (-v: info, -vv: debug)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sessions = commands.add_parser("sessions", help="list the sessions of a shard")
    sessions.add_argument("shard", metavar="SHARD", help="a day shard (sessions-*.jsonl)")
    sessions.add_argument("--json", action="store_true", help="print JSON Lines")
    sessions.set_defaults(run=_cmd_sessions)

    extract = commands.add_parser("extract", help="print the observations of a shard's sessions")
    extract.add_argument("shard", metavar="SHARD", help="a day shard (sessions-*.jsonl)")
    extract.add_argument("--sid", help="only this session")
    extract.add_argument("--jsonl", action="store_true", help="print JSON Lines")
    extract.add_argument(
        "--extended",
        action="store_true",
        help="also emit behave-shell 0.1.4's five primitives; every window becomes epoch "
        "seconds when the session header gives a start time",
    )
    extract.set_defaults(run=_cmd_extract)

    replay = commands.add_parser(
        "replay",
        help="run shards through the session-ended handler into SQLite",
        description="Replay every session of the given shards (or directories of shards; "
        "default: the bundled fixtures) through the attacker.session.ended handler. "
        "Sessions already in the database count as profiled and are not persisted again.",
    )
    replay.add_argument("inputs", nargs="*", metavar="SHARD_OR_DIR")
    replay.add_argument(
        "--db",
        default=DEFAULT_DB,
        help=f"SQLite database to write (default: ./{DEFAULT_DB}, reused across runs)",
    )
    replay.add_argument(
        "--extended",
        action="store_true",
        help="also emit behave-shell 0.1.4's five primitives; every window becomes epoch "
        "seconds when the session header gives a start time",
    )
    replay.set_defaults(run=_cmd_replay)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    # A raw byte of a hostile sid is a U+DC80..U+DCFF code point here; under
    # a strict UTF-8 locale printing it would raise. Written back as the
    # byte it was, it reaches the terminal unchanged.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="surrogateescape")
    if args.verbose:
        level = logging.DEBUG if args.verbose > 1 else logging.INFO
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")

    try:
        return int(args.run(args))
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # stdout went away (``| head``); silence the flush at exit too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
