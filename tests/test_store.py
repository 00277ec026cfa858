"""SqliteRepository: schema, upsert semantics, atomic batches, concurrency."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from behave_shell_native.store import OBSERVATION_COLUMNS, SURROGATES, SqliteRepository

REF = "shard:deck/ssh/sessions-2026-05-08.jsonl#abc"


def obs_row(primitive: str = "motor.input_modality", **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": uuid.uuid4().hex,
        "identity_ref": None,
        "primitive": primitive,
        "value": "typed",
        "confidence": 0.75,
        "window_start_ts": 0.5,
        "window_end_ts": 12.25,
        "source": "decnet/profiler/behave_shell/extract.py",
        "evidence_ref": REF,
        "envelope_v": 1,
        "ts": 1_777_680_000.5,
        "attacker_uuid": "att-1",
    }
    row.update(overrides)
    return row


def rows_for(count: int, evidence_ref: str = REF) -> list[dict[str, Any]]:
    return [obs_row(f"test.primitive_{i:02d}", evidence_ref=evidence_ref) for i in range(count)]


class FailsOnNth(SqliteRepository):
    """Its per-row upsert raises on the n-th call."""

    def __init__(self, path: Path, fail_on: int) -> None:
        super().__init__(path)
        self.fail_on = fail_on
        self.calls = 0

    async def upsert_observation(self, row: Any) -> str:
        self.calls += 1
        if self.calls == self.fail_on:
            raise RuntimeError(f"row {self.calls} refused")
        return await super().upsert_observation(row)


def test_schema_columns(tmp_path: Path, arun: Any) -> None:
    db = tmp_path / "s.sqlite3"

    async def go() -> None:
        async with SqliteRepository(db):
            pass

    arun(go())
    with closing(sqlite3.connect(db)) as conn:
        info = {row[1]: row for row in conn.execute("PRAGMA table_info(observations)")}
        attackers = {row[1]: row for row in conn.execute("PRAGMA table_info(attackers)")}
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]

    assert tuple(info) == OBSERVATION_COLUMNS
    nullable = {name for name, row in info.items() if row[3] == 0}
    # As DECNET's ObservationRow: attacker_uuid is a required str there.
    assert nullable == {"identity_ref"}
    assert info["id"][5] == 1
    assert {name: row[2] for name, row in info.items()} == {
        "id": "TEXT",
        "identity_ref": "TEXT",
        "primitive": "TEXT",
        "value": "TEXT",
        "confidence": "REAL",
        "window_start_ts": "REAL",
        "window_end_ts": "REAL",
        "source": "TEXT",
        "evidence_ref": "TEXT",
        "envelope_v": "INTEGER",
        "ts": "REAL",
        "attacker_uuid": "TEXT",
    }
    assert set(attackers) == {"uuid", "ip"}
    assert attackers["uuid"][5] == 1
    assert journal == "wal"


def test_schema_unique_constraint_and_indexes(tmp_path: Path, arun: Any) -> None:
    db = tmp_path / "s.sqlite3"

    async def go() -> None:
        async with SqliteRepository(db):
            pass

    arun(go())
    with closing(sqlite3.connect(db)) as conn:
        indexes = {row[1]: row for row in conn.execute("PRAGMA index_list(observations)")}
        columns = {
            name: [r[2] for r in conn.execute(f"PRAGMA index_info('{name}')")] for name in indexes
        }
        table_sql = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'observations'"
        ).fetchone()[0]
        attacker_indexes = list(conn.execute("PRAGMA index_list(attackers)"))

    assert columns["ix_observations_attacker_primitive_ts"] == ["attacker_uuid", "primitive", "ts"]
    assert columns["ix_observations_primitive_ts"] == ["primitive", "ts"]
    unique = [name for name, row in indexes.items() if row[2] == 1 and row[3] == "u"]
    assert [columns[name] for name in unique] == [["evidence_ref", "primitive"]]
    assert "CONSTRAINT uq_observations_evidence_primitive UNIQUE (evidence_ref, primitive)" in (
        table_sql
    )
    assert any(row[2] == 1 and row[3] == "u" for row in attacker_indexes)


def test_reopen_keeps_data(tmp_path: Path, arun: Any) -> None:
    db = tmp_path / "s.sqlite3"

    async def go() -> tuple[str | None, int]:
        async with SqliteRepository(db) as repo:
            await repo.add_attacker("10.0.0.5")
            await repo.upsert_observation(obs_row())
        async with SqliteRepository(db) as repo:
            return await repo.get_attacker_uuid_by_ip("10.0.0.5"), await repo.count_observations()

    found, count = arun(go())
    assert found is not None
    assert count == 1


def test_closed_repository_refuses_work(tmp_path: Path, arun: Any) -> None:
    async def go() -> None:
        repo = SqliteRepository(tmp_path / "s.sqlite3")
        await repo.open()
        await repo.close()
        await repo.close()
        await repo.count_observations()

    with pytest.raises(RuntimeError, match="not open"):
        arun(go())


def test_attackers(tmp_path: Path, arun: Any) -> None:
    async def go() -> tuple[str | None, str, str, str, str | None]:
        async with SqliteRepository(tmp_path / "s.sqlite3") as repo:
            before = await repo.get_attacker_uuid_by_ip("10.0.0.5")
            first = await repo.add_attacker("10.0.0.5")
            again = await repo.add_attacker("10.0.0.5")
            other = await repo.add_attacker("10.0.0.6")
            return before, first, again, other, await repo.get_attacker_uuid_by_ip("10.0.0.5")

    before, first, again, other, looked_up = arun(go())
    assert before is None
    assert uuid.UUID(first).version == 4
    assert again == first == looked_up
    assert other != first


def test_upsert_inserts_then_updates_mutable_fields(tmp_path: Path, arun: Any) -> None:
    original = obs_row(value="typed", confidence=0.5)
    replacement = obs_row(
        value=["a", "b"],
        confidence=0.9,
        window_start_ts=1.0,
        window_end_ts=2.0,
        source="other/source.py",
        envelope_v=2,
        ts=5.0,
        identity_ref="ident-1",
        attacker_uuid="att-2",
    )

    async def go() -> tuple[str, str, list[dict[str, Any]], int]:
        async with SqliteRepository(tmp_path / "s.sqlite3") as repo:
            first = await repo.upsert_observation(original)
            second = await repo.upsert_observation(replacement)
            return first, second, await repo.observations_for(REF), await repo.count_observations()

    first, second, rows, count = arun(go())
    assert first == original["id"]
    assert second == original["id"]
    assert count == 1
    assert rows == [{**replacement, "id": original["id"]}]


def test_upsert_generates_missing_id(tmp_path: Path, arun: Any) -> None:
    row = obs_row()
    del row["id"]

    async def go() -> tuple[str, list[dict[str, Any]]]:
        async with SqliteRepository(tmp_path / "s.sqlite3") as repo:
            new_id = await repo.upsert_observation(row)
            return new_id, await repo.observations_for(REF)

    new_id, rows = arun(go())
    assert rows[0]["id"] == new_id
    assert len(new_id) == 32


def test_has_observations_and_counts(tmp_path: Path, arun: Any) -> None:
    other = "shard:deck/ssh/sessions-2026-05-08.jsonl#other"

    async def go() -> tuple[bool, bool, bool, int, int, int]:
        async with SqliteRepository(tmp_path / "s.sqlite3") as repo:
            before = await repo.has_observations_for_evidence(REF)
            await repo.upsert_observations(rows_for(3))
            await repo.upsert_observations(rows_for(2, evidence_ref=other))
            return (
                before,
                await repo.has_observations_for_evidence(REF),
                await repo.has_observations_for_evidence("shard:none#x"),
                await repo.count_observations(),
                await repo.count_observations(REF),
                await repo.count_observations(other),
            )

    assert arun(go()) == (False, True, False, 5, 3, 2)


def test_batch_returns_ids_in_order_and_existing_ids(tmp_path: Path, arun: Any) -> None:
    rows = rows_for(4)

    async def go() -> tuple[list[str], list[str], list[dict[str, Any]]]:
        async with SqliteRepository(tmp_path / "s.sqlite3") as repo:
            first = await repo.upsert_observations(rows)
            again = await repo.upsert_observations([{**r, "id": uuid.uuid4().hex} for r in rows])
            return first, again, await repo.observations_for(REF)

    first, again, stored = arun(go())
    assert first == [r["id"] for r in rows]
    assert again == first
    assert [r["primitive"] for r in stored] == [r["primitive"] for r in rows]


def test_batch_is_all_or_nothing_on_bad_row(tmp_path: Path, arun: Any) -> None:
    rows = rows_for(5)
    rows[3] = obs_row("test.primitive_03", window_end_ts=float("nan"))

    async def go() -> int:
        async with SqliteRepository(tmp_path / "s.sqlite3") as repo:
            await repo.upsert_observation(obs_row("kept.before"))
            with pytest.raises(ValueError, match="non-finite window_end_ts"):
                await repo.upsert_observations(rows)
            return await repo.count_observations()

    assert arun(go()) == 1


def test_batch_rolls_back_when_overridden_row_method_fails(tmp_path: Path, arun: Any) -> None:
    async def go() -> tuple[int, int]:
        async with FailsOnNth(tmp_path / "s.sqlite3", fail_on=10) as repo:
            with pytest.raises(RuntimeError, match="row 10 refused"):
                await repo.upsert_observations(rows_for(20))
            failed_count = await repo.count_observations()
            ids = await repo.upsert_observations(rows_for(20))
            assert len(ids) == 20
            return failed_count, await repo.count_observations()

    assert arun(go()) == (0, 20)


def test_batch_of_nothing(tmp_path: Path, arun: Any) -> None:
    async def go() -> tuple[list[str], int]:
        async with SqliteRepository(tmp_path / "s.sqlite3") as repo:
            return await repo.upsert_observations([]), await repo.count_observations()

    assert arun(go()) == ([], 0)


def test_values_round_trip_as_json(tmp_path: Path, arun: Any) -> None:
    values: list[Any] = ["typed", 3, 0.25, True, ["x", "y"], {"k": [1, 2]}, "caf\udce9"]

    async def go() -> list[Any]:
        async with SqliteRepository(tmp_path / "s.sqlite3") as repo:
            await repo.upsert_observations(
                [obs_row(f"p.{i}", value=value) for i, value in enumerate(values)]
            )
            return [row["value"] for row in await repo.observations_for(REF)]

    assert arun(go()) == values


def test_lone_surrogates_in_keys_are_stored_and_found(tmp_path: Path, arun: Any) -> None:
    ref = "shard:deck/ssh/sessions-2026-05-08.jsonl#sid\udce9"

    async def go() -> tuple[bool, int, str, str | None]:
        async with SqliteRepository(tmp_path / "s.sqlite3") as repo:
            await repo.upsert_observation(obs_row(evidence_ref=ref))
            await repo.upsert_observation(obs_row(evidence_ref=ref))
            attacker = await repo.add_attacker("host\udc80")
            return (
                await repo.has_observations_for_evidence(ref),
                await repo.count_observations(ref),
                attacker,
                await repo.get_attacker_uuid_by_ip("host\udc80"),
            )

    found, count, attacker, looked_up = arun(go())
    assert found
    assert count == 1
    assert attacker == looked_up


def test_lone_surrogate_escapes_in_keys_are_stored_apart_from_raw_bytes(
    tmp_path: Path, arun: Any
) -> None:
    # "\ud800" came from a \u escape; the raw bytes of its three-byte form
    # (ED A0 80) are another sid to the engine. Stored text: the escape as its six
    # characters \ud800, raw bytes as \xNN each (as before), so the two keys differ.
    escaped = "shard:deck/ssh/sessions-2026-05-08.jsonl#\ud800x"
    raw = "shard:deck/ssh/sessions-2026-05-08.jsonl#\udced\udca0\udc80x"
    db = tmp_path / "s.sqlite3"

    async def go() -> tuple[list[bool], list[int], str, str | None]:
        async with SqliteRepository(db) as repo:
            await repo.upsert_observations([obs_row(evidence_ref=escaped)] * 2)
            await repo.upsert_observation(obs_row(evidence_ref=raw))
            attacker = await repo.add_attacker("host\udfff")
            return (
                [await repo.has_observations_for_evidence(ref) for ref in (escaped, raw)],
                [await repo.count_observations(ref) for ref in (escaped, raw)],
                attacker,
                await repo.get_attacker_uuid_by_ip("host\udfff"),
            )

    found, counts, attacker, looked_up = arun(go())
    assert found == [True, True]
    assert counts == [1, 1]
    assert attacker == looked_up
    with closing(sqlite3.connect(db)) as conn:
        stored = {r for (r,) in conn.execute("SELECT evidence_ref FROM observations")}
        ips = [ip for (ip,) in conn.execute("SELECT ip FROM attackers")]
    prefix = "shard:deck/ssh/sessions-2026-05-08.jsonl#"
    assert stored == {prefix + "\\ud800x", prefix + "\\xed\\xa0\\x80x"}
    assert ips == ["host\\udfff"]


def test_surrogates_error_handler_gives_the_engine_bytes() -> None:
    # U+DC80..U+DCFF are the bytes 0x80..0xFF (surrogateescape): DCE9 is E9.
    # Any other lone surrogate in its three-byte form (surrogatepass): U+D800 is
    # 1110_1101 10_100000 10_000000 = ED A0 80, U+DC7F is ED B1 BF.
    assert "s\udce9\udc80".encode("utf-8", SURROGATES) == b"s\xe9\x80"
    assert "\ud800\udce9\udc7f".encode("utf-8", SURROGATES) == b"\xed\xa0\x80\xe9\xed\xb1\xbf"
    assert "plain é".encode("utf-8", SURROGATES) == "plain é".encode()
    with pytest.raises(UnicodeEncodeError):
        "\ud800".encode("ascii", SURROGATES)


@pytest.mark.parametrize("column", ["confidence", "window_start_ts", "window_end_ts", "ts"])
def test_non_finite_reals_are_refused(tmp_path: Path, arun: Any, column: str) -> None:
    async def go() -> int:
        async with SqliteRepository(tmp_path / "s.sqlite3") as repo:
            with pytest.raises(ValueError, match=column):
                await repo.upsert_observation(obs_row(**{column: float("inf")}))
            return await repo.count_observations()

    assert arun(go()) == 0


def test_concurrent_batches_on_two_connections_do_not_duplicate(tmp_path: Path, arun: Any) -> None:
    db = tmp_path / "s.sqlite3"

    async def go() -> tuple[list[list[str]], int]:
        async with SqliteRepository(db) as one, SqliteRepository(db) as two:
            results = await asyncio.gather(
                *(repo.upsert_observations(rows_for(30)) for repo in (one, two, one, two))
            )
            return list(results), await one.count_observations()

    results, count = arun(go())
    assert count == 30
    assert all(ids == results[0] for ids in results)


def test_concurrent_batches_on_one_connection_do_not_interleave(tmp_path: Path, arun: Any) -> None:
    async def go() -> tuple[int, int]:
        async with FailsOnNth(tmp_path / "s.sqlite3", fail_on=15) as repo:
            other_ref = "shard:deck/ssh/sessions-2026-05-08.jsonl#other"
            outcomes = await asyncio.gather(
                repo.upsert_observations(rows_for(10)),
                repo.upsert_observations(rows_for(10, evidence_ref=other_ref)),
                return_exceptions=True,
            )
            assert isinstance(outcomes[1], RuntimeError)
            return await repo.count_observations(REF), await repo.count_observations(other_ref)

    assert arun(go()) == (10, 0)
