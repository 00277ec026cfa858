"""A small SQLite repository with the methods the session-ended handler needs.

:class:`SqliteRepository` stands in for DECNET's repository when the handler
runs outside DECNET (the ``replay`` command, tests). Its ``observations`` table
has the columns, unique constraint and indexes of DECNET's ``ObservationRow``,
so rows written here have the shape DECNET stores; ``attackers`` is reduced to
the uuid/IP pair the handler resolves.

The database runs in WAL mode with a busy timeout, so several repositories
(processes, or connections in one process) can write the same file at once;
the ``(evidence_ref, primitive)`` unique constraint plus upsert keeps
concurrent handler runs for one session from producing duplicate rows.

This module does not import the native extension.
"""

from __future__ import annotations

import asyncio
import codecs
import contextvars
import json
import logging
import math
import os
import re
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Self

import aiosqlite

__all__ = ["OBSERVATION_COLUMNS", "SqliteRepository"]

log = logging.getLogger("behave_shell_native.store")

OBSERVATION_COLUMNS: tuple[str, ...] = (
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
)
"""Columns of the ``observations`` table, in the order the handler's rows list them."""

_MUTABLE_COLUMNS: tuple[str, ...] = (
    "value",
    "confidence",
    "window_start_ts",
    "window_end_ts",
    "source",
    "envelope_v",
    "ts",
    "identity_ref",
    "attacker_uuid",
)

_BUSY_TIMEOUT_MS = 30_000

_SCHEMA: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS attackers (
        uuid TEXT PRIMARY KEY,
        ip TEXT UNIQUE NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS observations (
        id TEXT PRIMARY KEY NOT NULL,
        identity_ref TEXT NULL,
        primitive TEXT NOT NULL,
        value TEXT NOT NULL,
        confidence REAL NOT NULL,
        window_start_ts REAL NOT NULL,
        window_end_ts REAL NOT NULL,
        source TEXT NOT NULL,
        evidence_ref TEXT NOT NULL,
        envelope_v INTEGER NOT NULL,
        ts REAL NOT NULL,
        attacker_uuid TEXT NOT NULL REFERENCES attackers (uuid),
        CONSTRAINT uq_observations_evidence_primitive UNIQUE (evidence_ref, primitive)
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS ix_observations_attacker_primitive_ts
        ON observations (attacker_uuid, primitive, ts)
    """,
    """
    CREATE INDEX IF NOT EXISTS ix_observations_primitive_ts
        ON observations (primitive, ts)
    """,
)

_UPSERT_SQL = (
    f"INSERT INTO observations ({', '.join(OBSERVATION_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in OBSERVATION_COLUMNS)}) "
    "ON CONFLICT (evidence_ref, primitive) DO UPDATE SET "
    + ", ".join(f"{col} = excluded.{col}" for col in _MUTABLE_COLUMNS)
    + " RETURNING id"
)

# Set to the repository whose batch transaction the current task is inside, so
# that upsert_observation called from upsert_observations (directly or through
# a subclass override) joins the transaction instead of waiting for the lock.
_BATCH_OWNER: contextvars.ContextVar[SqliteRepository | None] = contextvars.ContextVar(
    "behave_shell_native_store_batch_owner", default=None
)


# Lone surrogates in strings from a shard, by the engine's rule: U+DC80..U+DCFF
# are the undecodable bytes 0x80..0xFF they stand for (``surrogateescape``); any
# other one came from a ``\u`` escape and is taken in its three-byte form
# (``surrogatepass``). ``text.encode("utf-8", SURROGATES)`` gives those bytes.
SURROGATES = "behave_shell_native.surrogates"


def _surrogate_bytes(exc: UnicodeError) -> tuple[bytes, int]:
    if not isinstance(exc, UnicodeEncodeError) or exc.encoding != "utf-8":
        raise exc
    bad = exc.object[exc.start : exc.end]
    raw = b"".join(
        ch.encode("utf-8", "surrogateescape" if "\udc80" <= ch <= "\udcff" else "surrogatepass")
        for ch in bad
    )
    return raw, exc.end


codecs.register_error(SURROGATES, _surrogate_bytes)

_ESCAPE_SURROGATE = re.compile("[\ud800-\udc7f\udd00-\udfff]")


def escape_surrogates(text: str) -> str:
    """``text`` with each lone surrogate from a ``\\u`` escape written as ``\\uXXXX``.

    Such a code point has no bytes a terminal or SQLite TEXT accepts. Escaped,
    it stays visible and apart from the raw bytes of its three-byte form, which
    the engine reads as another sid. Raw bytes (U+DC80..U+DCFF) are left to the
    caller; text without surrogates is unchanged.
    """
    return _ESCAPE_SURROGATE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def _text(value: str) -> str:
    """``value`` made storable as SQLite TEXT, which must be valid UTF-8.

    Strings from a shard can carry lone surrogates (undecodable bytes read with
    ``surrogateescape``, e.g. in a hostile sid). Those are written as ``\\xNN``
    escapes, and one from a ``\\u`` escape as ``\\uXXXX`` (see ``escape_surrogates``); the
    mapping is deterministic, so lookups and the unique constraint keep working,
    and clean strings pass through unchanged.
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raw = escape_surrogates(value).encode("utf-8", "surrogateescape")
        return raw.decode("utf-8", "backslashreplace")
    return value


def _param(value: Any) -> Any:
    return _text(value) if isinstance(value, str) else value


def _encode_value(value: Any) -> str:
    """Observation values are stored JSON-encoded, as DECNET's JSON column does.

    ``ensure_ascii`` keeps any lone surrogate as a ``\\udcXX`` escape, which
    SQLite can store and ``json.loads`` restores exactly.
    """
    return json.dumps(value, ensure_ascii=True, allow_nan=False)


_REAL_COLUMNS = frozenset({"confidence", "window_start_ts", "window_end_ts", "ts"})


def _row_params(row: Mapping[str, Any]) -> tuple[Any, ...]:
    """The row's column values in table order; ``id`` is generated when absent.

    Raises:
        ValueError: a REAL column is NaN or infinite (SQLite would store NULL).
    """
    params: list[Any] = []
    for col in OBSERVATION_COLUMNS:
        if col in _REAL_COLUMNS:
            number = float(row[col])
            if not math.isfinite(number):
                raise ValueError(f"observation row has a non-finite {col}: {number!r}")
            params.append(number)
        elif col == "value":
            params.append(_encode_value(row["value"]))
        elif col == "id":
            params.append(row.get("id") or uuid.uuid4().hex)
        elif col in ("identity_ref", "attacker_uuid"):
            params.append(_param(row.get(col)))
        else:
            params.append(_param(row[col]))
    return tuple(params)


def _probe(path: str) -> None:
    """Open and close the database once, raising sqlite3.Error if it cannot be opened."""
    sqlite3.connect(path, timeout=_BUSY_TIMEOUT_MS / 1000).close()


class SqliteRepository:
    """Attackers and observations in one SQLite file, through aiosqlite.

    Use it as an async context manager, or call :meth:`open` and :meth:`close`::

        async with SqliteRepository("profiles.sqlite3") as repo:
            uuid = await repo.add_attacker("10.0.0.5")

    One instance is one connection. Writes on an instance are serialised by an
    asyncio lock, so concurrent coroutines sharing it never interleave inside a
    batch; separate instances on the same file rely on SQLite's locking.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._conn: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    async def open(self) -> Self:
        """Connect, switch to WAL, and create the tables and indexes if missing."""
        if self._conn is not None:
            return self

        # Probe with plain sqlite3 first: when aiosqlite.connect() itself fails, its
        # worker thread later reports to an event loop that may already be closed
        # and prints a stray traceback. The probe raises the same error cleanly.
        await asyncio.to_thread(_probe, self.path)

        # isolation_level=None: no implicit transactions; every write below is
        # either a single autocommitted statement or an explicit BEGIN IMMEDIATE.
        conn = await aiosqlite.connect(
            self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None
        )
        try:
            await conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = NORMAL")
            await conn.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA:
                await conn.execute(statement)
            await conn.execute("COMMIT")
        except BaseException:
            await conn.close()
            raise

        self._conn = conn
        log.debug("store: opened %s", self.path)
        return self

    async def close(self) -> None:
        """Close the connection; closing twice is harmless."""
        if self._conn is None:
            return
        conn, self._conn = self._conn, None
        await conn.close()

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def _db(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("SqliteRepository is not open; use 'async with' or open()")
        return self._conn

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """An IMMEDIATE transaction: committed on success, rolled back on any error."""
        db = self._db
        await db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            await db.execute("ROLLBACK")
            raise
        await db.execute("COMMIT")

    async def has_observations_for_evidence(self, evidence_ref: str) -> bool:
        """Whether any observation row carries this evidence_ref (the idempotency check)."""
        sql = "SELECT 1 FROM observations WHERE evidence_ref = ? LIMIT 1"
        async with self._db.execute(sql, (_text(evidence_ref),)) as cursor:
            return await cursor.fetchone() is not None

    async def get_attacker_uuid_by_ip(self, ip: str) -> str | None:
        """The uuid of the attacker with this IP, or None."""
        sql = "SELECT uuid FROM attackers WHERE ip = ?"
        async with self._db.execute(sql, (_text(ip),)) as cursor:
            found = await cursor.fetchone()
        return None if found is None else str(found[0])

    async def add_attacker(self, ip: str) -> str:
        """Create the attacker for ``ip`` and return its uuid; a known IP keeps its uuid."""
        async with self._write_lock, self._transaction() as db:
            await db.execute(
                "INSERT INTO attackers (uuid, ip) VALUES (?, ?) ON CONFLICT (ip) DO NOTHING",
                (str(uuid.uuid4()), _text(ip)),
            )
            sql = "SELECT uuid FROM attackers WHERE ip = ?"
            async with db.execute(sql, (_text(ip),)) as cursor:
                found = await cursor.fetchone()
        if found is None:
            raise RuntimeError(f"attacker row for ip={ip!r} missing right after insert")
        return str(found[0])

    async def _upsert(self, row: Mapping[str, Any]) -> str:
        async with self._db.execute(_UPSERT_SQL, _row_params(row)) as cursor:
            found = await cursor.fetchone()
        if found is None:
            raise RuntimeError("observation upsert returned no row")
        return str(found[0])

    async def upsert_observation(self, row: Mapping[str, Any]) -> str:
        """Insert one observation row, or update the row with its (evidence_ref, primitive).

        On a conflict the mutable fields (value, confidence, window, source,
        envelope version, ts, identity_ref, attacker_uuid) are overwritten and
        the existing row's id is returned; otherwise the new row's id is.
        """
        if _BATCH_OWNER.get() is self:
            return await self._upsert(row)
        async with self._write_lock:
            return await self._upsert(row)

    async def upsert_observations(self, rows: Iterable[Mapping[str, Any]]) -> list[str]:
        """Upsert every row in one transaction: all are stored or, on any error, none.

        Each row goes through :meth:`upsert_observation`, so a subclass that
        overrides it still takes part in the transaction. Returns the ids in
        row order, as :meth:`upsert_observation` reports them.
        """
        async with self._write_lock, self._transaction():
            token = _BATCH_OWNER.set(self)
            try:
                return [await self.upsert_observation(row) for row in rows]
            finally:
                _BATCH_OWNER.reset(token)

    async def count_observations(self, evidence_ref: str | None = None) -> int:
        """How many observation rows there are, in all or for one evidence_ref."""
        params: tuple[str, ...]
        if evidence_ref is None:
            sql, params = "SELECT COUNT(*) FROM observations", ()
        else:
            sql = "SELECT COUNT(*) FROM observations WHERE evidence_ref = ?"
            params = (_text(evidence_ref),)
        async with self._db.execute(sql, params) as cursor:
            found = await cursor.fetchone()
        return 0 if found is None else int(found[0])

    async def observations_for(self, evidence_ref: str) -> list[dict[str, Any]]:
        """The rows for one evidence_ref, ``value`` decoded, in insertion order."""
        sql = (
            f"SELECT {', '.join(OBSERVATION_COLUMNS)} FROM observations "
            "WHERE evidence_ref = ? ORDER BY rowid"
        )
        async with self._db.execute(sql, (_text(evidence_ref),)) as cursor:
            found = await cursor.fetchall()

        rows: list[dict[str, Any]] = []
        for values in found:
            row = dict(zip(OBSERVATION_COLUMNS, values, strict=True))
            row["value"] = json.loads(row["value"])
            rows.append(row)
        return rows
