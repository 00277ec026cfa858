"""handle_session_ended: DECNET's contract, against a real SQLite store and a mock repo."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock

import pytest
from behave_core.spec.envelope import Observation, Window

import behave_shell_native._native as native
from behave_shell_native import DEFAULT_SOURCE
from behave_shell_native.handler import (
    _build_evidence_ref,
    handle_session_ended,
    primitive_counts,
)
from behave_shell_native.store import SqliteRepository

from conftest import (
    OTHER_SID,
    SID,
    ShardWriter,
    header,
    single_output_session,
    typing_session,
)

DECKY = "test-decky"
SERVICE = "ssh"
IP = "10.0.0.5"
LOGGER = "decnet.profiler.behave_handler"

ROW_KEYS = {
    "id",
    "identity_ref",
    "primitive",
    "value",
    "confidence",
    "window_start_ts",
    "window_end_ts",
    "source",
    "evidence_ref",
    "envelope_v",
    "ts",
    "attacker_uuid",
}
PAYLOAD_KEYS = {
    "primitive",
    "value",
    "confidence",
    "window",
    "source",
    "evidence_ref",
    "identity_ref",
    "id",
    "ts",
    "v",
    "attacker_uuid",
}

Published = list[tuple[str, dict[str, Any], str]]


def payload(shard_path: str | Path | None, /, sid: str = SID, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "session_id": sid,
        "attacker_uuid": None,
        "attacker_ip": IP,
        "decky_id": DECKY,
        "service": SERVICE,
        "ended_at": "2026-05-08T10:00:00",
        "duration_s": 5.0,
        "commands": [],
        "shard_path": None if shard_path is None else str(shard_path),
    }
    body.update(overrides)
    return body


def evidence_ref(shard: Path | str, sid: str = SID) -> str:
    return f"shard:{DECKY}/{SERVICE}/{Path(shard).name}#{sid}"


def recorder() -> tuple[Published, Callable[[str, dict[str, Any], str], None]]:
    published: Published = []

    def publish(topic: str, body: dict[str, Any], event_type: str) -> None:
        published.append((topic, body, event_type))

    return published, publish


async def open_repo(tmp_path: Path, *, with_attacker: bool = True) -> SqliteRepository:
    repo = await SqliteRepository(tmp_path / "profiles.sqlite3").open()
    if with_attacker:
        await repo.add_attacker(IP)
    return repo


# ---------------------------------------------------------------------------
# helpers


def test_evidence_ref_shape() -> None:
    ref = _build_evidence_ref(
        "deck",
        "ssh",
        "/var/lib/decnet/artifacts/deck/ssh/transcripts/sessions-2026-05-08.jsonl",
        "abc",
    )
    assert ref == "shard:deck/ssh/sessions-2026-05-08.jsonl#abc"


def test_primitive_counts() -> None:
    window = Window(start_ts=0.0, end_ts=1.0)
    observations = [
        Observation(primitive=p, value="v", confidence=0.5, window=window, source="s")
        for p in ("motor.a", "motor.b", "motor.a", "cognitive.c")
    ]
    assert primitive_counts(observations) == {"motor.a": 2, "motor.b": 1, "cognitive.c": 1}
    assert list(primitive_counts(observations)) == ["motor.a", "motor.b", "cognitive.c"]
    assert primitive_counts([]) == {}


# ---------------------------------------------------------------------------
# real store


def test_happy_path_persists_then_publishes(
    tmp_path: Path, shard_writer: ShardWriter, arun: Any, caplog: pytest.LogCaptureFixture
) -> None:
    shard = shard_writer(typing_session())
    published, publish = recorder()

    async def go() -> tuple[int, str | None, list[dict[str, Any]]]:
        repo = await open_repo(tmp_path)
        try:
            n = await handle_session_ended(repo, payload(shard), publish)
            return (
                n,
                await repo.get_attacker_uuid_by_ip(IP),
                await repo.observations_for(evidence_ref(shard)),
            )
        finally:
            await repo.close()

    with caplog.at_level(logging.INFO, logger=LOGGER):
        n, attacker_uuid, rows = arun(go())

    assert n > 0
    assert len(rows) == n
    assert {row["attacker_uuid"] for row in rows} == {attacker_uuid}
    assert {row["evidence_ref"] for row in rows} == {evidence_ref(shard)}
    assert {row["source"] for row in rows} == {DEFAULT_SOURCE}
    assert len({row["primitive"] for row in rows}) == n

    assert len(published) == n
    assert [body["id"] for _, body, _ in published] == [row["id"] for row in rows]
    for (topic, body, event_type), row in zip(published, rows, strict=True):
        assert topic == f"attacker.observation.{row['primitive']}"
        assert event_type == row["primitive"]
        assert set(body) == PAYLOAD_KEYS
        assert body["attacker_uuid"] == attacker_uuid
        assert body["identity_ref"] is None
        assert body["value"] == row["value"]
        assert body["ts"] == row["ts"]
        assert body["v"] == row["envelope_v"] == 1
        assert body["window"] == {
            "start_ts": row["window_start_ts"],
            "end_ts": row["window_end_ts"],
        }

    done = [r for r in caplog.records if r.name == LOGGER and "persisted=" in r.getMessage()]
    assert [r.levelno for r in done] == [logging.INFO]
    assert f"persisted={n} " in done[0].getMessage()


def test_values_match_reference_expected(corpus_dir: Path, tmp_path: Path, arun: Any) -> None:
    """The handler persists exactly the reference's observations for a corpus session."""
    shard = corpus_dir / "synthetic" / "bots.jsonl"
    expected = json.loads((corpus_dir / "synthetic" / "bots.expected.json").read_text())
    session = next(s for s in expected["sessions"] if s.get("observations"))

    async def go() -> tuple[int, list[dict[str, Any]]]:
        repo = await open_repo(tmp_path)
        try:
            n = await handle_session_ended(repo, payload(shard, sid=session["sid"]))
            return n, await repo.observations_for(evidence_ref(shard, session["sid"]))
        finally:
            await repo.close()

    n, rows = arun(go())
    assert n == len(session["observations"])
    got = [
        (r["primitive"], r["value"], r["confidence"], r["window_start_ts"], r["window_end_ts"])
        for r in rows
    ]
    want = [
        (
            o["primitive"],
            o["value"],
            o["confidence"],
            o["window"]["start_ts"],
            o["window"]["end_ts"],
        )
        for o in session["observations"]
    ]
    assert got == want


def test_idempotent_second_call_persists_nothing(
    tmp_path: Path, shard_writer: ShardWriter, arun: Any, caplog: pytest.LogCaptureFixture
) -> None:
    shard = shard_writer(typing_session())
    published, publish = recorder()

    async def go() -> tuple[int, int, int, list[dict[str, Any]], list[dict[str, Any]]]:
        repo = await open_repo(tmp_path)
        try:
            first = await handle_session_ended(repo, payload(shard), publish)
            before = await repo.observations_for(evidence_ref(shard))
            second = await handle_session_ended(repo, payload(shard), publish)
            after = await repo.observations_for(evidence_ref(shard))
            return first, second, await repo.count_observations(), before, after
        finally:
            await repo.close()

    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        first, second, total, before, after = arun(go())

    assert first > 0
    assert second == 0
    assert total == first
    assert after == before
    assert len(published) == first
    assert any(
        r.levelno == logging.DEBUG and "already profiled" in r.getMessage() for r in caplog.records
    )


def _skip_cases() -> list[Any]:
    cases: list[Any] = [
        pytest.param({field: None}, "missing fields", logging.DEBUG, id=f"no-{field}")
        for field in ("session_id", "decky_id", "service", "attacker_ip")
    ]
    cases.append(pytest.param({"session_id": ""}, "missing fields", logging.DEBUG, id="empty-sid"))
    cases.append(pytest.param({"shard_path": None}, "no shard_path", logging.DEBUG, id="no-shard"))
    cases.append(pytest.param({"shard_path": ""}, "no shard_path", logging.DEBUG, id="empty-shard"))
    return cases


@pytest.mark.parametrize(("overrides", "message", "level"), _skip_cases())
def test_payload_guards_skip(
    tmp_path: Path,
    shard_writer: ShardWriter,
    arun: Any,
    caplog: pytest.LogCaptureFixture,
    overrides: dict[str, Any],
    message: str,
    level: int,
) -> None:
    shard = shard_writer(typing_session())
    published, publish = recorder()

    async def go() -> tuple[int, int]:
        repo = await open_repo(tmp_path)
        try:
            n = await handle_session_ended(repo, payload(shard, **overrides), publish)
            return n, await repo.count_observations()
        finally:
            await repo.close()

    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        assert arun(go()) == (0, 0)
    assert published == []
    hits = [r for r in caplog.records if r.name == LOGGER and message in r.getMessage()]
    assert [r.levelno for r in hits] == [level]


def test_unknown_attacker_defers(
    tmp_path: Path, shard_writer: ShardWriter, arun: Any, caplog: pytest.LogCaptureFixture
) -> None:
    shard = shard_writer(typing_session())

    async def go() -> tuple[int, int]:
        repo = await open_repo(tmp_path, with_attacker=False)
        try:
            return await handle_session_ended(repo, payload(shard)), await repo.count_observations()
        finally:
            await repo.close()

    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        assert arun(go()) == (0, 0)
    hits = [r for r in caplog.records if "deferring" in r.getMessage()]
    assert [r.levelno for r in hits] == [logging.INFO]
    assert IP in hits[0].getMessage()


def test_shard_missing_on_disk_defers(
    tmp_path: Path, arun: Any, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "nope" / "sessions-2026-05-08.jsonl"

    async def go() -> tuple[int, int]:
        repo = await open_repo(tmp_path)
        try:
            n = await handle_session_ended(repo, payload(missing))
            return n, await repo.count_observations()
        finally:
            await repo.close()

    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        assert arun(go()) == (0, 0)
    hits = [r for r in caplog.records if "not on disk" in r.getMessage()]
    assert [r.levelno for r in hits] == [logging.INFO]


def test_shard_path_is_a_directory_defers(tmp_path: Path, arun: Any) -> None:
    async def go() -> int:
        repo = await open_repo(tmp_path)
        try:
            return await handle_session_ended(repo, payload(tmp_path))
        finally:
            await repo.close()

    assert arun(go()) == 0


def test_shard_deleted_between_event_and_handling(
    tmp_path: Path, shard_writer: ShardWriter, arun: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The shard was there when the session ended and is gone when the handler runs."""
    shard = shard_writer(typing_session())
    event = payload(shard)
    shard.unlink()

    async def go() -> tuple[int, int]:
        repo = await open_repo(tmp_path)
        try:
            return await handle_session_ended(repo, event), await repo.count_observations()
        finally:
            await repo.close()

    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        assert arun(go()) == (0, 0)
    hits = [r for r in caplog.records if "not on disk" in r.getMessage()]
    assert [r.levelno for r in hits] == [logging.INFO]


def test_shard_deleted_between_check_and_read(
    tmp_path: Path,
    shard_writer: ShardWriter,
    arun: Any,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The shard passes the existence check, then vanishes before the native read."""
    shard = shard_writer(typing_session())
    real_extract = native.extract_sid_async

    def delete_then_extract(path: Any, sid: str, extended: bool = False) -> Any:
        os.unlink(path)
        return real_extract(path, sid, extended)

    monkeypatch.setattr(native, "extract_sid_async", delete_then_extract)

    async def go() -> tuple[int, int]:
        repo = await open_repo(tmp_path)
        try:
            return await handle_session_ended(repo, payload(shard)), await repo.count_observations()
        finally:
            await repo.close()

    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        assert arun(go()) == (0, 0)
    hits = [r for r in caplog.records if "vanished" in r.getMessage()]
    assert [r.levelno for r in hits] == [logging.INFO]


def test_sid_not_in_shard_skipped(
    tmp_path: Path, shard_writer: ShardWriter, arun: Any, caplog: pytest.LogCaptureFixture
) -> None:
    shard = shard_writer(typing_session(OTHER_SID))

    async def go() -> tuple[int, int]:
        repo = await open_repo(tmp_path)
        try:
            return await handle_session_ended(repo, payload(shard)), await repo.count_observations()
        finally:
            await repo.close()

    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        assert arun(go()) == (0, 0)
    hits = [r for r in caplog.records if "not present in shard" in r.getMessage()]
    assert [r.levelno for r in hits] == [logging.INFO]


def test_header_only_session_counts_as_absent(
    tmp_path: Path, shard_writer: ShardWriter, arun: Any
) -> None:
    shard = shard_writer([header(SID), *typing_session(OTHER_SID)])

    async def go() -> int:
        repo = await open_repo(tmp_path)
        try:
            return await handle_session_ended(repo, payload(shard))
        finally:
            await repo.close()

    assert arun(go()) == 0


def test_nothing_extracted_skipped(
    tmp_path: Path, shard_writer: ShardWriter, arun: Any, caplog: pytest.LogCaptureFixture
) -> None:
    shard = shard_writer(single_output_session())
    published, publish = recorder()

    async def go() -> tuple[int, int]:
        repo = await open_repo(tmp_path)
        try:
            n = await handle_session_ended(repo, payload(shard), publish)
            return n, await repo.count_observations()
        finally:
            await repo.close()

    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        assert arun(go()) == (0, 0)
    assert published == []
    hits = [r for r in caplog.records if "zero observations" in r.getMessage()]
    assert [r.levelno for r in hits] == [logging.INFO]


def test_failing_publisher_does_not_undo_or_raise(
    tmp_path: Path, shard_writer: ShardWriter, arun: Any, caplog: pytest.LogCaptureFixture
) -> None:
    shard = shard_writer(typing_session())
    calls: list[str] = []

    def exploding(topic: str, body: dict[str, Any], event_type: str) -> None:
        calls.append(topic)
        raise RuntimeError("bus exploded")

    async def go() -> tuple[int, int]:
        repo = await open_repo(tmp_path)
        try:
            n = await handle_session_ended(repo, payload(shard), exploding)
            return n, await repo.count_observations()
        finally:
            await repo.close()

    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        n, stored = arun(go())

    assert n > 0
    assert stored == n
    assert len(calls) == n
    failures = [r for r in caplog.records if "publish failed" in r.getMessage()]
    assert len(failures) == n
    assert {r.levelno for r in failures} == {logging.DEBUG}
    assert "bus exploded" in failures[0].getMessage()


def test_non_utf8_bytes_in_shard(tmp_path: Path, shard_writer: ShardWriter, arun: Any) -> None:
    lines: list[Any] = typing_session()[:-1]
    lines.append(b'{"sid":"' + SID.encode() + b'","t":5.0,"ch":"o","d":"prefix\xac\xac\xacsuffix"}')
    shard = shard_writer(lines)

    async def go() -> int:
        repo = await open_repo(tmp_path)
        try:
            return await handle_session_ended(repo, payload(shard))
        finally:
            await repo.close()

    assert arun(go()) > 0


def test_sid_with_a_lone_surrogate_escape(
    tmp_path: Path, shard_writer: ShardWriter, arun: Any
) -> None:
    # The shard holds the escape "\ud800" as the sid (conftest JSON-encodes it).
    sid = "\ud800"
    shard = shard_writer(typing_session(sid))

    async def go() -> tuple[int, int, bool]:
        repo = await open_repo(tmp_path)
        try:
            first = await handle_session_ended(repo, payload(shard, sid=sid))
            again = await handle_session_ended(repo, payload(shard, sid=sid))
            return first, again, await repo.has_observations_for_evidence(evidence_ref(shard, sid))
        finally:
            await repo.close()

    first, again, found = arun(go())
    assert first > 0
    assert again == 0  # already profiled: the stored key is found again
    assert found


def test_concurrent_runs_of_one_session_do_not_duplicate(
    tmp_path: Path, shard_writer: ShardWriter, arun: Any
) -> None:
    shard = shard_writer(typing_session())
    db = tmp_path / "profiles.sqlite3"

    async def go() -> tuple[list[int], int, int]:
        async with SqliteRepository(db) as one, SqliteRepository(db) as two:
            await one.add_attacker(IP)
            results = await asyncio.gather(
                *(handle_session_ended(repo, payload(shard)) for repo in (one, two, one, two))
            )
            return list(results), await one.count_observations(), await two.count_observations()

    results, seen_by_one, seen_by_two = arun(go())
    produced = max(results)
    assert produced > 0
    assert set(results) <= {0, produced}
    assert seen_by_one == seen_by_two == produced


class _FailingRowRepository(SqliteRepository):
    """Refuses the 10th per-row upsert and records whether the batch path was taken."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.row_calls = 0
        self.batch_calls = 0

    async def upsert_observation(self, row: Any) -> str:
        self.row_calls += 1
        if self.row_calls == 10:
            raise RuntimeError("row 10 refused")
        return await super().upsert_observation(row)

    async def upsert_observations(self, rows: Any) -> list[str]:
        self.batch_calls += 1
        return await super().upsert_observations(rows)


def test_batch_path_is_atomic(tmp_path: Path, shard_writer: ShardWriter, arun: Any) -> None:
    shard = shard_writer(typing_session())
    published, publish = recorder()

    async def go() -> tuple[int, int, int]:
        async with _FailingRowRepository(tmp_path / "profiles.sqlite3") as repo:
            await repo.add_attacker(IP)
            with pytest.raises(RuntimeError, match="row 10 refused"):
                await handle_session_ended(repo, payload(shard), publish)
            return repo.batch_calls, repo.row_calls, await repo.count_observations()

    batch_calls, row_calls, stored = arun(go())
    assert batch_calls == 1
    assert row_calls == 10
    assert stored == 0
    assert published == []


class _RowOnlyRepository:
    """Offers only DECNET's per-row method, delegating storage to a SqliteRepository."""

    def __init__(self, store: SqliteRepository, fail_on: int | None = None) -> None:
        self._store = store
        self.fail_on = fail_on
        self.row_calls = 0

    async def has_observations_for_evidence(self, ref: str) -> bool:
        return await self._store.has_observations_for_evidence(ref)

    async def get_attacker_uuid_by_ip(self, ip: str) -> str | None:
        return await self._store.get_attacker_uuid_by_ip(ip)

    async def upsert_observation(self, row: dict[str, Any]) -> str:
        self.row_calls += 1
        if self.row_calls == self.fail_on:
            raise RuntimeError(f"row {self.row_calls} refused")
        return await self._store.upsert_observation(row)


def test_row_path_when_repository_has_no_batch_method(
    tmp_path: Path, shard_writer: ShardWriter, arun: Any
) -> None:
    shard = shard_writer(typing_session())

    async def go() -> tuple[int, int, int]:
        async with SqliteRepository(tmp_path / "profiles.sqlite3") as store:
            await store.add_attacker(IP)
            repo = _RowOnlyRepository(store)
            n = await handle_session_ended(repo, payload(shard))
            return n, repo.row_calls, await store.count_observations()

    n, row_calls, stored = arun(go())
    assert n > 0
    assert row_calls == stored == n


def test_row_path_failure_keeps_earlier_rows_and_publishes_nothing(
    tmp_path: Path, shard_writer: ShardWriter, arun: Any
) -> None:
    """DECNET's per-row behaviour: rows before the failure stay; nothing is published."""
    shard = shard_writer(typing_session())
    published, publish = recorder()

    async def go() -> int:
        async with SqliteRepository(tmp_path / "profiles.sqlite3") as store:
            await store.add_attacker(IP)
            repo = _RowOnlyRepository(store, fail_on=10)
            with pytest.raises(RuntimeError, match="row 10 refused"):
                await handle_session_ended(repo, payload(shard), publish)
            return await store.count_observations()

    assert arun(go()) == 9
    assert published == []


def test_shard_that_cannot_be_read_raises(
    tmp_path: Path, shard_writer: ShardWriter, arun: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ShardError for a shard that is still there is not a skip: the worker logs it."""
    shard = shard_writer(typing_session())

    def refuse(path: Any, sid: str, extended: bool = False) -> Any:
        raise native.ShardError(f"cannot read {path}")

    monkeypatch.setattr(native, "extract_sid_async", refuse)

    async def go() -> None:
        repo = await open_repo(tmp_path)
        try:
            await handle_session_ended(repo, payload(shard))
        finally:
            await repo.close()

    with pytest.raises(native.ShardError):
        arun(go())


# ---------------------------------------------------------------------------
# DECNET-style mock repository


def _mock_repo(*, has_evidence: bool = False, attacker_uuid: str | None = "att-uuid-abc") -> Any:
    repo = AsyncMock()
    repo.has_observations_for_evidence = AsyncMock(return_value=has_evidence)
    repo.get_attacker_uuid_by_ip = AsyncMock(return_value=attacker_uuid)
    repo.upsert_observation = AsyncMock(return_value="row-uuid")
    return repo


def test_mock_repository_gets_per_row_calls(shard_writer: ShardWriter, arun: Any) -> None:
    shard = shard_writer(typing_session())
    repo = _mock_repo()
    published, publish = recorder()

    n = arun(handle_session_ended(repo, payload(shard), publish))

    assert n > 0
    assert repo.upsert_observation.await_count == n
    repo.upsert_observations.assert_not_awaited()
    repo.has_observations_for_evidence.assert_awaited_once_with(evidence_ref(shard))
    repo.get_attacker_uuid_by_ip.assert_awaited_once_with(IP)
    for call in repo.upsert_observation.await_args_list:
        row = call.args[0]
        assert set(row) == ROW_KEYS
        assert row["attacker_uuid"] == "att-uuid-abc"
        assert row["evidence_ref"] == evidence_ref(shard)
        assert row["envelope_v"] == 1
    assert len(published) == n
    for topic, body, event_type in published:
        assert topic == f"attacker.observation.{event_type}"
        assert set(body) == PAYLOAD_KEYS
        assert body["attacker_uuid"] == "att-uuid-abc"
        assert body["identity_ref"] is None


def test_mock_repository_skip_paths(shard_writer: ShardWriter, arun: Any, tmp_path: Path) -> None:
    shard = shard_writer(typing_session())

    profiled = _mock_repo(has_evidence=True)
    assert arun(handle_session_ended(profiled, payload(shard))) == 0
    profiled.get_attacker_uuid_by_ip.assert_not_awaited()
    profiled.upsert_observation.assert_not_awaited()

    no_shard = _mock_repo()
    assert arun(handle_session_ended(no_shard, payload(None))) == 0
    no_shard.has_observations_for_evidence.assert_not_awaited()

    no_attacker = _mock_repo(attacker_uuid=None)
    assert arun(handle_session_ended(no_attacker, payload(shard))) == 0
    no_attacker.upsert_observation.assert_not_awaited()

    missing = _mock_repo()
    gone = tmp_path / "nope" / "sessions-2026-05-08.jsonl"
    assert arun(handle_session_ended(missing, payload(gone))) == 0
    missing.upsert_observation.assert_not_awaited()


def test_spec_mock_of_batch_repository_gets_one_batch(shard_writer: ShardWriter, arun: Any) -> None:
    shard = shard_writer(typing_session())
    repo = AsyncMock(spec=SqliteRepository)
    repo.has_observations_for_evidence.return_value = False
    repo.get_attacker_uuid_by_ip.return_value = "att-uuid-abc"

    n = arun(handle_session_ended(repo, payload(shard)))

    assert n > 0
    repo.upsert_observations.assert_awaited_once()
    assert len(repo.upsert_observations.await_args.args[0]) == n
    repo.upsert_observation.assert_not_awaited()


def test_batch_method_set_on_instance_is_used(shard_writer: ShardWriter, arun: Any) -> None:
    shard = shard_writer(typing_session())
    repo = _mock_repo()
    repo.upsert_observations = AsyncMock(return_value=[])

    n = arun(handle_session_ended(repo, payload(shard)))

    assert n > 0
    repo.upsert_observations.assert_awaited_once()
    repo.upsert_observation.assert_not_awaited()
