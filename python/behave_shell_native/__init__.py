"""behave-shell-native: DECNET's BEHAVE-SHELL profiler hot path, in Rust.

Drop-in for ``decnet.profiler.behave_shell`` (``extract_session``,
``build_context``, ``DEFAULT_SOURCE``), DECNET's shard helpers
(``events_for_sid``, ``find_shard_with_sid``, ``parse_shard_line``) and the
``attacker.session.ended`` handler (``handle_session_ended``).
"""

from __future__ import annotations

from behave_shell_native._api import (
    DEFAULT_SOURCE,
    SessionHeader,
    SessionInfo,
    build_context,
    events_for_sid,
    extract_session,
    extract_shard,
    extract_shards,
    find_shard_with_sid,
    load_session,
    parse_shard_line,
    sessions,
)
from behave_shell_native._native import ShardError, __version__
from behave_shell_native.handler import handle_session_ended, primitive_counts

__all__ = [
    "DEFAULT_SOURCE",
    "SessionHeader",
    "SessionInfo",
    "ShardError",
    "__version__",
    "build_context",
    "events_for_sid",
    "extract_session",
    "extract_shard",
    "extract_shards",
    "find_shard_with_sid",
    "handle_session_ended",
    "load_session",
    "parse_shard_line",
    "primitive_counts",
    "sessions",
]
