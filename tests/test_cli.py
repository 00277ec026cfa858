"""The command line, run as ``python -m behave_shell_native`` in a subprocess."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from behave_shell_native.cli import synthetic_ip

from conftest import SID, single_output_session, typing_session, write_shard

SUMMARY = re.compile(r"^(?P<name>\S+): sessions=(\d+) observations=(\d+) primitives=(\d+)$")
TOTAL = re.compile(
    r"^total: shards=(\d+) sessions=(\d+) observations=(\d+) primitives=(\d+) "
    r"already_profiled=(\d+) db=(.+)$"
)


def cli(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ)
    environment.pop("BEHAVE_SHELL_FIXTURES", None)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "behave_shell_native", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=240,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int = 2) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def db_rows(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM observations").fetchone()[0])


# A lone surrogate from a JSON ``\u`` escape: not a raw byte (those are
# U+DC80..U+DCFF), and no output encoding takes it. conftest's writer JSON-encodes
# it as the escape ``"\ud800"``.
ESCAPED_SID = "\ud800"
# An undecodable sid: its raw bytes are in the shard, Python reads them back as
# U+DC80+byte (surrogateescape).
RAW_SID_BYTES = b"s\xe9\xff\x80"
RAW_SID = RAW_SID_BYTES.decode("utf-8", "surrogateescape")


def raw_line(line: dict[str, object]) -> bytes:
    """A shard line with the sid's undecodable bytes written raw, not as escapes."""
    return json.dumps(line, ensure_ascii=False).encode("utf-8", "surrogateescape")


def cli_bytes(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    """The CLI with stdout as bytes, under a strict UTF-8 output encoding (what
    most UTF-8 locales give): the CLI itself must write raw bytes back as bytes."""
    environment = dict(os.environ, PYTHONIOENCODING="utf-8:strict")
    return subprocess.run(
        [sys.executable, "-m", "behave_shell_native", *map(str, args)],
        capture_output=True,
        env=environment,
        timeout=240,
        check=False,
    )


# ---------------------------------------------------------------------------
# sessions


def test_sessions_lists_every_session(bundled_fixtures: Path) -> None:
    shard = bundled_fixtures / "sessions-2026-05-02.jsonl"
    result = cli("sessions", shard)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) >= 6
    for line in lines:
        sid, counts = line.split(maxsplit=1)
        assert uuid.UUID(sid).version == 4
        assert re.fullmatch(r"in=\d+ out=\d+ first=\S+ last=\S+", counts)


def test_sessions_json_lines(bundled_fixtures: Path) -> None:
    shard = bundled_fixtures / "sessions-2026-05-02.jsonl"
    plain = cli("sessions", shard).stdout.splitlines()
    result = cli("sessions", shard, "--json")

    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["sid"] for r in records] == [line.split()[0] for line in plain]
    for record in records:
        assert set(record) == {"sid", "input_events", "output_events", "first_t", "last_t"}
    assert any(r["input_events"] == 0 and r["output_events"] > 0 for r in records)


def test_sessions_missing_file(tmp_path: Path) -> None:
    assert_one_line_error(cli("sessions", tmp_path / "sessions-1999-01-01.jsonl"))


def test_sessions_directory_is_not_a_shard(tmp_path: Path) -> None:
    assert_one_line_error(cli("sessions", tmp_path))


def test_sessions_sid_with_a_lone_surrogate_escape(tmp_path: Path) -> None:
    shard = write_shard(tmp_path, typing_session(ESCAPED_SID))

    result = cli("sessions", shard)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    # typing_session: 26 typed characters from t=0 in 0.05 s steps, one prompt at
    # t=5.0; the sid shows as its six-character escape.
    assert result.stdout == "\\ud800  in=26 out=1 first=0.000000 last=5.000000\n"
    assert json.loads(cli("sessions", shard, "--json").stdout)["sid"] == ESCAPED_SID


def test_sessions_raw_byte_sid_prints_its_bytes(tmp_path: Path) -> None:
    shard = write_shard(tmp_path, [raw_line(line) for line in typing_session(RAW_SID)])

    result = cli_bytes("sessions", shard)

    assert result.returncode == 0, result.stderr
    assert result.stdout == b"s\xe9\xff\x80  in=26 out=1 first=0.000000 last=5.000000\n"


def test_bad_arguments_exit_2() -> None:
    assert cli().returncode == 2
    assert cli("no-such-command").returncode == 2
    assert cli("sessions").returncode == 2


# ---------------------------------------------------------------------------
# extract


def test_extract_jsonl_parses(bundled_fixtures: Path) -> None:
    shard = bundled_fixtures / "sessions-2026-05-03.jsonl"
    result = cli("extract", shard, "--jsonl")

    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records
    sids = {line.split()[0] for line in cli("sessions", shard).stdout.splitlines()}
    assert {r["sid"] for r in records} == sids
    for record in records:
        assert {"sid", "primitive", "value", "confidence", "window", "source", "id", "ts"} <= set(
            record
        )
        assert record["evidence_ref"] == f"session:{record['sid']}"


def test_extract_one_session_table(bundled_fixtures: Path) -> None:
    shard = bundled_fixtures / "sessions-2026-05-03.jsonl"
    sid = cli("sessions", shard).stdout.split()[0]
    result = cli("extract", shard, "--sid", sid)

    assert result.returncode == 0, result.stderr
    head, *rows = result.stdout.splitlines()
    assert head.split() == ["sid", "primitive", "value", "confidence"]
    assert rows
    assert all(row.split()[0] == sid for row in rows)
    assert len({row.index(row.split()[1]) for row in rows}) == 1


def test_extract_table_sid_with_a_lone_surrogate_escape(tmp_path: Path) -> None:
    shard = write_shard(tmp_path, typing_session(ESCAPED_SID))

    result = cli("extract", shard)

    assert result.returncode == 0, result.stderr
    head, *rows = result.stdout.splitlines()
    assert head.split() == ["sid", "primitive", "value", "confidence"]
    assert rows
    assert all(row.split()[0] == "\\ud800" for row in rows)
    # The escape counts six characters when the sid column is padded.
    assert head.index("primitive") == rows[0].index(rows[0].split()[1]) == len("\\ud800  ")


def test_extract_table_raw_byte_sid_prints_its_bytes(tmp_path: Path) -> None:
    shard = write_shard(tmp_path, [raw_line(line) for line in typing_session(RAW_SID)])

    result = cli_bytes("extract", shard)

    assert result.returncode == 0, result.stderr
    _, *rows = result.stdout.splitlines()
    assert rows
    assert all(row.startswith(RAW_SID_BYTES + b"  ") for row in rows)


def test_extract_unknown_sid(bundled_fixtures: Path) -> None:
    shard = bundled_fixtures / "sessions-2026-05-03.jsonl"
    assert_one_line_error(cli("extract", shard, "--sid", SID), code=1)


def test_extract_missing_file(tmp_path: Path) -> None:
    assert_one_line_error(cli("extract", tmp_path / "gone.jsonl", "--jsonl"))


# ---------------------------------------------------------------------------
# replay


def test_replay_bundled_fixtures_twice(tmp_path: Path, bundled_fixtures: Path) -> None:
    """No arguments: the bundled shards, into ./behave-replay.sqlite3; the rerun adds nothing."""
    first = cli("replay", cwd=tmp_path)
    db = tmp_path / "behave-replay.sqlite3"

    assert first.returncode == 0, first.stderr
    *shard_lines, total_line = first.stdout.splitlines()
    names = [SUMMARY.match(line).group("name") for line in shard_lines]  # type: ignore[union-attr]
    assert names == sorted(p.name for p in bundled_fixtures.glob("*.jsonl"))
    total = TOTAL.match(total_line)
    assert total is not None
    sessions, persisted = int(total.group(2)), int(total.group(3))
    assert persisted > sessions > 0
    assert int(total.group(4)) > 0
    assert db.is_file()
    assert db_rows(db) == persisted

    second = cli("replay", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    again = TOTAL.match(second.stdout.splitlines()[-1])
    assert again is not None
    assert int(again.group(3)) == 0
    assert int(again.group(5)) == sessions
    assert all(" observations=0 " in line for line in second.stdout.splitlines()[:-1])
    assert db_rows(db) == persisted


def test_replay_directory_with_db_option(tmp_path: Path, bundled_fixtures: Path) -> None:
    shards = tmp_path / "shards"
    shards.mkdir()
    for shard in bundled_fixtures.glob("*.jsonl"):
        shutil.copy(shard, shards / shard.name)
    db = tmp_path / "out" / "profiles.sqlite3"
    db.parent.mkdir()

    result = cli("replay", shards, "--db", db)

    assert result.returncode == 0, result.stderr
    assert f"db={db}" in result.stdout
    assert db_rows(db) > 0


def test_replay_uses_fixtures_env(tmp_path: Path, bundled_fixtures: Path) -> None:
    chosen = tmp_path / "chosen"
    chosen.mkdir()
    shutil.copy(bundled_fixtures / "sessions-2026-05-03.jsonl", chosen)

    result = cli(
        "replay", "--db", tmp_path / "r.sqlite3", env={"BEHAVE_SHELL_FIXTURES": str(chosen)}
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("sessions-2026-05-03.jsonl: sessions=3 ")


def test_replay_session_without_observations_exits_1(tmp_path: Path) -> None:
    other = "ffffffff-eeee-4ddd-8ccc-bbbbbbbbbbbb"
    shard = write_shard(tmp_path, [*typing_session(), *single_output_session(other)])

    result = cli("replay", shard, "--db", tmp_path / "r.sqlite3")

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert other in result.stderr
    assert SUMMARY.match(result.stdout.splitlines()[0])


def test_replay_sid_with_a_lone_surrogate_escape(tmp_path: Path) -> None:
    # "\ud800" and the raw bytes of its three-byte form (ED A0 80) are two sessions
    # to the engine, so each is profiled under its own evidence_ref: the escape as
    # the text \ud800, the raw bytes as \xed\xa0\x80. Both sids hash to the same
    # bytes, so they share one synthetic attacker.
    three_bytes = b"\xed\xa0\x80".decode("utf-8", "surrogateescape")
    lines = [*typing_session(ESCAPED_SID), *map(raw_line, typing_session(three_bytes))]
    shard = write_shard(tmp_path, lines)
    db = tmp_path / "r.sqlite3"

    result = cli("replay", shard, "--db", db)

    assert result.returncode == 0, result.stderr
    total = TOTAL.match(result.stdout.splitlines()[-1])
    assert total is not None
    assert (total.group(2), total.group(5)) == ("2", "0")
    with closing(sqlite3.connect(db)) as conn:
        refs = {r for (r,) in conn.execute("SELECT DISTINCT evidence_ref FROM observations")}
        attackers = conn.execute("SELECT ip FROM attackers").fetchall()
    assert refs == {
        f"shard:replay/ssh/{shard.name}#{sid}" for sid in ("\\ud800", "\\xed\\xa0\\x80")
    }
    assert attackers == [(synthetic_ip(ESCAPED_SID),)]


def test_replay_missing_input(tmp_path: Path) -> None:
    assert_one_line_error(cli("replay", tmp_path / "nope.jsonl", "--db", tmp_path / "r.sqlite3"))
    assert not (tmp_path / "r.sqlite3").exists()


def test_replay_empty_directory(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_one_line_error(cli("replay", empty, "--db", tmp_path / "r.sqlite3"))


def test_replay_unwritable_database(tmp_path: Path, bundled_fixtures: Path) -> None:
    db = tmp_path / "no-such-dir" / "r.sqlite3"
    assert_one_line_error(cli("replay", bundled_fixtures, "--db", db))


def test_synthetic_ip_is_stable_and_private() -> None:
    ip = synthetic_ip(SID)
    assert ip == synthetic_ip(SID)
    assert ip.startswith("10.")
    assert all(0 <= int(part) <= 255 for part in ip.split("."))
    assert synthetic_ip("ffffffff-eeee-4ddd-8ccc-bbbbbbbbbbbb") != ip


def _ip_of(raw: bytes) -> str:
    digest = hashlib.sha256(raw).digest()
    return f"10.{digest[0]}.{digest[1]}.{digest[2]}"


def test_synthetic_ip_hashes_the_sid_bytes_by_the_engine_rule() -> None:
    # Raw bytes stand for themselves: U+DCE9 U+DCFF U+DC80 are E9 FF 80.
    assert synthetic_ip(RAW_SID) == _ip_of(RAW_SID_BYTES)
    # U+D800 from a \u escape in its three-byte form: 1110_1101 10_100000
    # 10_000000, i.e. ED A0 80; U+DFFF likewise ED BF BF; U+DC7F (below the
    # raw-byte range, so no byte) ED B1 BF.
    assert synthetic_ip("\ud800") == _ip_of(b"\xed\xa0\x80")
    assert synthetic_ip("a\ud800\udce9\udfff") == _ip_of(b"a\xed\xa0\x80\xe9\xed\xbf\xbf")
    assert synthetic_ip("\udc7f") == _ip_of(b"\xed\xb1\xbf")


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help(flag: str) -> None:
    result = cli(flag)
    assert result.returncode == 0
    for command in ("sessions", "extract", "replay"):
        assert command in result.stdout
