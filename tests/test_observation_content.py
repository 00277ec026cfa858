"""Observations carry labels, hashes and tags, never session content.

Over every session of the shared corpus (including the ones the reference
fails on): each value is valid for its primitive in behave-shell's registry,
and is one of the registry's labels, a 16-hex-digit hash or a BCP-47 tag.
"""

from __future__ import annotations

import math
import re

import pytest
from behave_shell.spec.primitives import PRIMITIVE_REGISTRY, ValueKind

import behave_shell_native as bsn

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
