"""Observations carry labels, hashes and tags, never session content.

Over every session of the shared corpus (including the ones the reference
fails on): each value is valid for its primitive in behave-shell's registry,
and is one of the registry's labels, a 16-hex-digit hash or a BCP-47 tag.
"""

from __future__ import annotations

import math
import re
import time
from typing import Any

import pytest
from behave_shell.spec.primitives import PRIMITIVE_REGISTRY, ValueKind

import behave_shell_native as bsn

from conftest import typing_session, write_shard
from corpus import require_corpus, shards

HEX64 = re.compile(r"[0-9a-f]{16}")
# language[-REGION], lowercase language, uppercase region; `und` for C/POSIX.
BCP47 = re.compile(r"[a-z]{2,3}(-[A-Z]{2,3})?")


def _check(primitive: str, value: object, confidence: float) -> None:
    spec = PRIMITIVE_REGISTRY[primitive]
    spec.validate_value(value)
    assert 0.0 <= confidence <= 1.0
    if spec.kind is ValueKind.CATEGORICAL:
        assert value in (spec.allowed or [])
    elif spec.kind is ValueKind.HASH:
        assert isinstance(value, str) and HEX64.fullmatch(value), value
    elif spec.kind is ValueKind.FREE_STRING:
        assert primitive == "environmental.locale"
        assert isinstance(value, str) and BCP47.fullmatch(value), value
    else:
        pytest.fail(f"{primitive}: unexpected value kind {spec.kind}")


@pytest.mark.parametrize("shard", shards(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_value_is_a_registry_label_hash_or_tag(shard) -> None:
    require_corpus()
    seen = 0
    for _sid, observations in bsn.extract_shard(shard):
        for o in observations:
            _check(o.primitive, o.value, o.confidence)
            assert math.isfinite(o.window.start_ts) and math.isfinite(o.window.end_ts)
            assert o.window.start_ts <= o.window.end_ts
            seen += 1
    # Output-only shards still give a duration for their sessions.
    assert seen > 0


def test_registry_knows_every_primitive_emitted() -> None:
    require_corpus()
    emitted = {
        o.primitive for shard in shards() for _sid, obs in bsn.extract_shard(shard) for o in obs
    }
    assert len(emitted) == 38
    assert emitted <= set(PRIMITIVE_REGISTRY)


UUID4_HEX = re.compile(r"[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}")


def test_every_emission_gets_a_fresh_uuid4_id_and_its_own_time(tmp_path) -> None:
    # As the model's defaults: `id` is `uuid.uuid4().hex`, `ts` the time of
    # construction; two emissions of the same session share neither ids.
    sids = [f"0000000{i}-0000-4000-8000-000000000000" for i in range(3)]
    lines = [line for sid in sids for line in typing_session(sid)]
    shard = write_shard(tmp_path, lines)
    before = time.time()
    first = [o for _sid, obs in bsn.extract_shard(shard) for o in obs]
    second = list(bsn.extract_session(bsn.events_for_sid(shard, sids[0]), sid=sids[0]))
    after = time.time()
    ids = [o.id for o in first + second]
    assert len(first) > 30 and len(second) > 10
    assert all(UUID4_HEX.fullmatch(i) for i in ids), ids[:3]
    assert len(set(ids)) == len(ids)
    assert all(before <= o.ts <= after for o in first + second)


def test_streamed_shard_equals_session_by_session(tmp_path) -> None:
    # `extract_shard` hands sessions out as they finish; the order and the
    # observations are those of extracting each session on its own.
    sids = [f"0000000{i}-0000-4000-8000-000000000000" for i in range(6)]
    lines = [line for sid in reversed(sids) for line in typing_session(sid)]
    shard = write_shard(tmp_path, lines)

    def triples(obs: list[Any]) -> list[tuple[str, object, float, float, float, str | None]]:
        return [
            (o.primitive, o.value, o.confidence, o.window.start_ts, o.window.end_ts, o.evidence_ref)
            for o in obs
        ]

    for threads in (None, 1, 2):
        got = bsn.extract_shard(shard, threads=threads)
        assert [sid for sid, _ in got] == list(reversed(sids))
        for sid, obs in got:
            alone = bsn.extract_session(bsn.events_for_sid(shard, sid), sid=sid)
            assert triples(obs) == triples(list(alone))
