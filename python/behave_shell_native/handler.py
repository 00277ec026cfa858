"""DECNET's ``attacker.session.ended`` handler, with the shard work done in Rust.

:func:`handle_session_ended` keeps the contract of DECNET's
``decnet.profiler.behave_shell._handler.handle_session_ended``: same arguments,
same skip paths and log messages under DECNET's handler logger
(``decnet.profiler.behave_handler``),
same observation rows and bus payloads, same idempotency key. It differs in how
the session is read: the Rust engine pulls only that session's lines out of the
shard through its per-shard index and runs the extractor with the GIL released,
off the event loop.

Persistence goes through the repository in one of two ways:

* **Batch** — when the repository's class defines a callable
  ``upsert_observations(rows)`` (or one was set on the instance itself), all rows
  are handed over in a single call, which the repository is expected to apply
  atomically. :class:`behave_shell_native.store.SqliteRepository` does.
* **Per row** — otherwise ``upsert_observation(row)`` is awaited once per row,
  exactly as DECNET does.

The class is asked rather than the instance because a bare
``unittest.mock.AsyncMock()`` answers every attribute: DECNET's own tests build
such a repository, set ``upsert_observation`` on it and count its awaits, so it
must take the per-row path. A mock built with ``spec=`` reports the spec as its
class and therefore takes the path the spec supports.

Confinement: when an artifacts root is configured (the ``artifacts_root``
argument, else the ``DECNET_ARTIFACTS_ROOT`` environment variable), a
``shard_path`` that resolves outside it (after ``..`` and symlinks) is refused
with a warning and the handler returns 0; the shard is then read through its
resolved path. Unlike DECNET's own module, which defaults the root to
``/var/lib/decnet/artifacts``, nothing is confined when neither is set.

Like DECNET's, this module is allowed to raise (a repository error, a shard that
exists but cannot be read): the worker wraps every call, logs and moves on.
"""

from __future__ import annotations

import collections
import logging
import os
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from behave_core.spec.envelope import Observation
from behave_shell.spec.event_adapter import event_topic_for, to_event_payload

from behave_shell_native import _native
from behave_shell_native._api import DEFAULT_SOURCE, _observations

__all__ = ["PublishFn", "Repository", "handle_session_ended", "primitive_counts"]

# DECNET's get_logger("profiler.behave_handler") names its logger this way.
log = logging.getLogger("decnet.profiler.behave_handler")

PublishFn = Callable[[str, dict[str, Any], str], None]
"""Synchronous bus publisher: ``publish(topic, payload, event_type)``.

DECNET's thread-safe publisher has this shape. ``None`` disables publishing.
"""

_REQUIRED_FIELDS: tuple[str, ...] = ("session_id", "decky_id", "service", "attacker_ip")

ARTIFACTS_ROOT_ENV = "DECNET_ARTIFACTS_ROOT"
"""The environment variable DECNET's artifact store reads its root from."""


class Repository(Protocol):
    """The part of DECNET's repository the handler uses.

    ``upsert_observations(rows)`` is optional; see the module docstring.
    """

    def has_observations_for_evidence(self, evidence_ref: str) -> Awaitable[bool]:
        """Whether any observation row already carries this evidence_ref."""
        ...

    def get_attacker_uuid_by_ip(self, ip: str) -> Awaitable[str | None]:
        """The attacker row's uuid for this IP, or None while it does not exist."""
        ...

    def upsert_observation(self, row: dict[str, Any]) -> Awaitable[Any]:
        """Insert one observation row, or update the one with its (evidence_ref, primitive)."""
        ...


def _build_evidence_ref(decky: str, service: str, shard_path: str, sid: str) -> str:
    """The idempotency key: ``shard:{decky}/{service}/{shard file name}#{sid}``.

    Only the file name of the shard takes part, so the key survives the
    artifacts root moving.
    """
    return f"shard:{decky}/{service}/{Path(shard_path).name}#{sid}"


def _confined(shard: str, artifacts_root: str | os.PathLike[str] | None) -> Path | None:
    """The shard's resolved path, or None when it lies outside the artifacts root.

    The root is ``artifacts_root``, else ``$DECNET_ARTIFACTS_ROOT``; with neither
    set there is no confinement and the path is returned unresolved.
    """
    root = artifacts_root if artifacts_root is not None else os.environ.get(ARTIFACTS_ROOT_ENV)
    if not root:
        return Path(shard)

    try:
        resolved = Path(shard).resolve()
        inside = resolved.is_relative_to(Path(root).resolve())
    except (OSError, ValueError, RuntimeError):
        # An embedded NUL (ValueError) or a symlink loop (RuntimeError): not a shard.
        return None
    return resolved if inside else None


def _flatten_observation(obs: Observation, attacker_uuid: str) -> dict[str, Any]:
    """One observation as a row of DECNET's ``observations`` table."""
    return {
        "id": obs.id,
        "identity_ref": obs.identity_ref,
        "primitive": obs.primitive,
        "value": obs.value,
        "confidence": obs.confidence,
        "window_start_ts": obs.window.start_ts,
        "window_end_ts": obs.window.end_ts,
        "source": obs.source,
        "evidence_ref": obs.evidence_ref,
        "envelope_v": obs.v,
        "ts": obs.ts,
        "attacker_uuid": attacker_uuid,
    }


def _event_payload(obs: Observation, attacker_uuid: str) -> dict[str, Any]:
    """The bus payload: the BEHAVE adapter's body plus the envelope fields and attacker."""
    extra = {"id": obs.id, "ts": obs.ts, "v": obs.v, "attacker_uuid": attacker_uuid}
    return to_event_payload(obs) | extra


def _publish_observation(publish: PublishFn | None, obs: Observation, attacker_uuid: str) -> None:
    """Publish one observation; a failing publisher is logged at debug and ignored."""
    if publish is None:
        return

    payload = _event_payload(obs, attacker_uuid)
    try:
        publish(event_topic_for(obs.primitive), payload, obs.primitive)
    except Exception as exc:
        log.debug("behave_handler: publish failed for primitive=%s: %s", obs.primitive, exc)


def _batch_upsert(
    repo: object,
) -> Callable[[Sequence[dict[str, Any]]], Awaitable[Any]] | None:
    """The repository's bound ``upsert_observations``, if it really offers one.

    It counts when defined on the repository's class (``repo.__class__``, which
    a ``spec=`` mock reports as its spec) or set on the instance itself; an
    attribute a mock would merely invent on access does not count.
    """
    name = "upsert_observations"
    declared = getattr(repo.__class__, name, None)
    assigned = getattr(repo, "__dict__", {}).get(name)
    if not callable(declared) and not callable(assigned):
        return None

    method = getattr(repo, name, None)
    return method if callable(method) else None


async def _persist(repo: Repository, rows: list[dict[str, Any]]) -> None:
    """Hand the rows to the repository, in one batch when it supports that."""
    batch = _batch_upsert(repo)
    if batch is not None:
        await batch(rows)
        return

    for row in rows:
        await repo.upsert_observation(row)


RawSession = tuple[int, tuple[float, float, list[tuple[str, Any, float]]]]
"""``(event count, (window start, window end, [(primitive, value, confidence)]))``."""

EXTENDED_ENV = "DECNET_BEHAVE_EXTENDED"
"""Environment switch for the extended output, so DECNET's worker can turn it
on without a code change."""


def _extended_enabled(explicit: bool | None) -> bool:
    if explicit is not None:
        return explicit
    return os.environ.get(EXTENDED_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


async def handle_session_ended(
    repo: Repository,
    payload: dict[str, Any],
    publish: PublishFn | None = None,
    *,
    artifacts_root: str | os.PathLike[str] | None = None,
    extended: bool | None = None,
    extraction: RawSession | None = None,
) -> int:
    """Profile one ended session: read, extract, persist, then publish.

    ``payload`` is the ``attacker.session.ended`` event body (or the worker's
    poll-fallback projection of it): ``session_id``, ``decky_id``, ``service``,
    ``attacker_ip`` and ``shard_path`` are used, anything else is ignored.

    ``artifacts_root`` (default: ``$DECNET_ARTIFACTS_ROOT``, else none) confines
    ``shard_path``: one that resolves outside it is refused with a warning.

    ``extended`` (default: ``$DECNET_BEHAVE_EXTENDED`` set to 1/true/yes/on,
    else off) adds behave-shell 0.1.4's five primitives and gives windows in
    epoch seconds from the session header's start time; off, the output is
    exactly the reference's.

    ``extraction`` is this session's ``(event count, raw extraction)`` when the
    caller already extracted it (``replay`` extracts whole shards in parallel
    first); the shard is then not read again. Every other step is unchanged.

    Returns the number of observations persisted, and 0 on every skip path:
    a required field missing, no ``shard_path``, a ``shard_path`` outside the
    artifacts root, the session already profiled,
    no attacker row for the IP yet, the shard not (or no longer) on disk, the
    session absent from the shard, or nothing extracted.

    Rows are persisted before anything is published; publishing is best effort
    and never raises.

    Raises:
        ShardError: the shard exists but could not be read (a shard that
            disappears between the existence check and the read is a skip).
        Exception: whatever the repository raises; nothing has been published then.
    """
    missing = [key for key in _REQUIRED_FIELDS if not payload.get(key)]
    if missing:
        log.debug("behave_handler: skipping session.ended (missing fields=%s)", missing)
        return 0

    shard_path = payload.get("shard_path")
    if not shard_path:
        log.debug("behave_handler: skipping session.ended (no shard_path)")
        return 0

    sid = str(payload["session_id"])
    decky = str(payload["decky_id"])
    service = str(payload["service"])
    attacker_ip = str(payload["attacker_ip"])
    shard = str(shard_path)
    confined = _confined(shard, artifacts_root)
    if confined is None:
        log.warning(
            "behave_handler: refusing shard_path=%s outside the artifacts root sid=%s",
            shard,
            sid,
        )
        return 0

    evidence_ref = _build_evidence_ref(decky, service, shard, sid)
    if await repo.has_observations_for_evidence(evidence_ref):
        log.debug("behave_handler: already profiled evidence_ref=%s", evidence_ref)
        return 0

    attacker_uuid = await repo.get_attacker_uuid_by_ip(attacker_ip)
    if not attacker_uuid:
        log.info("behave_handler: no Attacker row for ip=%s yet; deferring", attacker_ip)
        return 0

    if not confined.is_file():
        log.info(
            "behave_handler: shard not on disk yet path=%s sid=%s; deferring",
            shard,
            sid,
        )
        return 0

    try:
        if extraction is None:
            extraction = await _native.extract_sid_async(confined, sid, _extended_enabled(extended))
        event_count, raw = extraction
    except (_native.ShardError, OSError):
        # The shard can be rotated or removed between the check above and the
        # read; that is the same "not on disk" situation, not a failure.
        if confined.is_file():
            raise
        log.info(
            "behave_handler: shard vanished before it was read path=%s sid=%s; deferring",
            shard,
            sid,
        )
        return 0

    if event_count == 0:
        log.info("behave_handler: sid=%s not present in shard=%s; skipping", sid, shard)
        return 0

    observations = _observations(raw, source=DEFAULT_SOURCE, evidence_ref=evidence_ref)
    if not observations:
        log.info("behave_handler: extractor produced zero observations sid=%s", sid)
        return 0

    await _persist(repo, [_flatten_observation(obs, attacker_uuid) for obs in observations])

    for obs in observations:
        _publish_observation(publish, obs, attacker_uuid)

    persisted = len(observations)
    log.info(
        "behave_handler: persisted=%d primitives sid=%s attacker_ip=%s",
        persisted,
        sid,
        attacker_ip,
    )
    return persisted


def primitive_counts(observations: Iterable[Observation]) -> dict[str, int]:
    """How many of the observations carry each primitive, in first-seen order."""
    counts: collections.Counter[str] = collections.Counter(obs.primitive for obs in observations)
    return dict(counts)
