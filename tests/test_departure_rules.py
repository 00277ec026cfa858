"""The rules followed where the reference raises, one test per rule.

Rule 1 (non-finite or huge ``t``): the line is skipped, as if absent —
checked against the corpus in ``test_parity.test_departures``.

Rule 2 (nesting): JSON of any depth is parsed iteratively; a line that is not
an object is skipped — also ``test_parity.test_departures``.

Rule 3 (first token with an undecodable byte or a lone surrogate; the
reference's ``token.encode("utf-8")`` raises and the session is lost): the
token is hashed from its bytes. Such a token is then one more token outside
every vocabulary, so the session's observations are the ones it would have
with each such code point replaced by an ASCII letter (same lengths, same
distinct-token counts), which is what the tests below check on every corpus
session where the reference raised ``UnicodeEncodeError``.
"""

from __future__ import annotations

import hashlib

import pytest

import behave_shell_native as bsn

from corpus import observation_dict, sessions

ENCODE_ERRORS = [s for s in sessions() if "UnicodeEncodeError" in s.expected.get("error", "")]


def _masked(data: str) -> str:
    return "".join("X" if 0xD800 <= ord(c) <= 0xDFFF else c for c in data)


@pytest.mark.parametrize("session", ENCODE_ERRORS, ids=[s.id for s in ENCODE_ERRORS])
def test_surrogate_first_token_is_one_more_token(session) -> None:
    events = bsn.events_for_sid(session.shard, session.sid)
    # The reference read these events fine; it failed while extracting.
    assert len(events) == session.expected["events"]
    got = [observation_dict(o) for o in bsn.extract_session(events, sid=session.sid)]
    masked = [(t, k, _masked(d)) for t, k, d in events]
    want = [observation_dict(o) for o in bsn.extract_session(masked, sid=session.sid)]
    assert got and got == want


def test_raw_byte_token_hash_is_the_bytes_hash() -> None:
    events = [(0.0, "i", "\udce9cho hi\r"), (0.5, "o", "$ ")]
    context = bsn.build_context(events, sid="s")
    (command,) = context.commands
    assert command["first_token_hash"] == hashlib.sha256(b"\xe9cho").hexdigest()


def test_lone_surrogate_token_hash_uses_surrogatepass_bytes() -> None:
    events = [(0.0, "i", "\ud800x y\r")]
    (command,) = bsn.build_context(events, sid="s").commands
    assert command["first_token_hash"] == hashlib.sha256(b"\xed\xa0\x80x").hexdigest()


def test_valid_utf8_token_hash_is_the_reference_hash() -> None:
    (command,) = bsn.build_context([(0.0, "i", "é x\r")], sid="s").commands
    assert command["first_token_hash"] == hashlib.sha256("é".encode()).hexdigest()


def test_bytes_and_surrogateescape_str_are_the_same_input() -> None:
    as_str = [(0.0, "i", "\udce9cho hi\r"), (0.4, "o", "\udce9cho: not found\r\n$ ")]
    as_bytes = [(t, k, d.encode("utf-8", "surrogateescape")) for t, k, d in as_str]
    a = [observation_dict(o) for o in bsn.extract_session(as_str, sid="s")]
    b = [observation_dict(o) for o in bsn.extract_session(as_bytes, sid="s")]
    assert a and a == b


def test_non_finite_t_from_python_is_dropped() -> None:
    base = [(0.0, "i", "ls\r"), (0.5, "o", "a\r\n$ ")]
    noisy = [
        *base[:1],
        (float("nan"), "o", "x"),
        (float("inf"), "i", "y"),
        base[1],
        (10**400, "o", "z"),
    ]
    a = [observation_dict(o) for o in bsn.extract_session(base, sid="s")]
    b = [observation_dict(o) for o in bsn.extract_session(noisy, sid="s")]
    assert a and a == b
