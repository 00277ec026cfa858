"""Parity with the reference engine over the whole shared corpus.

For every session of every corpus shard: the same events (count and digest)
as DECNET's ``_events_for_sid``, and the same observations as its
``extract_session``. Sessions on which the reference raises, or whose lines
carry a non-finite ``t`` (which the product skips by design, see the corpus
README), are checked against the rules in ``test_departures``.
"""

from __future__ import annotations

import math

import pytest

import behave_shell_native as bsn

from corpus import (
    CorpusSession,
    events_digest,
    has_nonfinite_t,
    observation_dict,
    oracle_lines,
    require_corpus,
    sessions,
)

ALL = sessions()
CLEAN = [s for s in ALL if "error" not in s.expected and not has_nonfinite_t(s.shard, s.sid)]
DEPARTING = [s for s in ALL if s not in CLEAN]


def _ids(items: list[CorpusSession]) -> list[str]:
    return [s.id for s in items]


def test_corpus_is_present() -> None:
    require_corpus()
    assert len(ALL) > 1000
    assert DEPARTING, "the corpus holds sessions the reference fails on"


@pytest.mark.parametrize("session", CLEAN, ids=_ids(CLEAN))
def test_events_match_reference(session: CorpusSession) -> None:
    events = bsn.events_for_sid(session.shard, session.sid)
    assert len(events) == session.expected["events"]
    assert events_digest(events) == session.expected["events_sha256"]


@pytest.mark.parametrize("session", CLEAN, ids=_ids(CLEAN))
def test_observations_match_reference(session: CorpusSession) -> None:
    events = bsn.events_for_sid(session.shard, session.sid)
    got = [
        observation_dict(o)
        for o in bsn.extract_session(events, sid=session.sid, evidence_ref=session.evidence_ref)
    ]
    assert got == session.expected["observations"]


def _finite_oracle_events(session: CorpusSession) -> list[tuple[float, str, str]] | None:
    """The reference's events for the session with non-finite-t lines removed,
    or None when Python's json cannot read the shard at all."""
    out = []
    for line, _t in oracle_lines(session.shard, session.sid):
        ev = _oracle_parse(line)
        if ev is not None and math.isfinite(ev[0]):
            out.append(ev)
    return out


def _oracle_parse(line: str) -> tuple[float, str, str] | None:
    import json

    rec = json.loads(line.strip())
    if "hdr" in rec or "t" not in rec or "ch" not in rec:
        return None
    t, ch, d = rec.get("t"), rec.get("ch"), rec.get("d", "")
    if not isinstance(t, int | float) or ch not in ("i", "o") or not isinstance(d, str):
        return None
    try:
        return (float(t), ch, d)
    except OverflowError:
        return None


@pytest.mark.parametrize("session", DEPARTING, ids=_ids(DEPARTING))
def test_departures(session: CorpusSession) -> None:
    """Where the reference raises or keeps non-finite times, the product reads
    the session as if those lines were absent, and extracts it without error,
    with finite windows."""
    events = bsn.events_for_sid(session.shard, session.sid)
    assert all(math.isfinite(t) for t, _k, _d in events)
    expected = _finite_oracle_events(session)
    assert events == expected

    observations = list(
        bsn.extract_session(events, sid=session.sid, evidence_ref=session.evidence_ref)
    )
    for o in observations:
        assert math.isfinite(o.window.start_ts) and math.isfinite(o.window.end_ts)
    if "error" not in session.expected:
        # The reference read and extracted this session; only the skipped
        # lines differ, so with at least one event we produce observations.
        assert observations or not events
