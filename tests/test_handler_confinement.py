"""handle_session_ended confines shard_path to the artifacts root, when one is configured."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock

import pytest

from behave_shell_native.handler import ARTIFACTS_ROOT_ENV, handle_session_ended

from conftest import SID, typing_session, write_shard

LOGGER = "decnet.profiler.behave_handler"


def _payload(shard_path: str | Path) -> dict[str, Any]:
    return {
        "session_id": SID,
        "attacker_ip": "10.0.0.5",
        "decky_id": "test-decky",
        "service": "ssh",
        "shard_path": str(shard_path),
    }


def _repo() -> Any:
    repo = AsyncMock()
    repo.has_observations_for_evidence = AsyncMock(return_value=False)
    repo.get_attacker_uuid_by_ip = AsyncMock(return_value="att-uuid")
    repo.upsert_observation = AsyncMock(return_value="row")
    return repo


@pytest.fixture
def layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(artifacts root, a shard outside it); the environment variable starts unset."""
    monkeypatch.delenv(ARTIFACTS_ROOT_ENV, raising=False)
    root = tmp_path / "artifacts"
    outside = write_shard(tmp_path / "elsewhere", typing_session())
    write_shard(root / "decky" / "ssh", typing_session())
    return root, outside


def _refused(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "outside the artifacts root" in r.getMessage()]


def test_inside_root_is_read(layout: tuple[Path, Path], arun: Any) -> None:
    root, _ = layout
    shard = root / "decky" / "ssh" / "sessions-2026-05-08.jsonl"
    repo = _repo()
    assert arun(handle_session_ended(repo, _payload(shard), artifacts_root=root)) > 0


def test_dotdot_escape_refused(
    layout: tuple[Path, Path], arun: Any, caplog: pytest.LogCaptureFixture
) -> None:
    root, outside = layout
    sneaky = root / "decky" / ".." / ".." / "elsewhere" / outside.name
    assert sneaky.is_file()
    repo = _repo()
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        assert arun(handle_session_ended(repo, _payload(sneaky), artifacts_root=root)) == 0
    assert [r.levelno for r in _refused(caplog)] == [logging.WARNING]
    repo.has_observations_for_evidence.assert_not_awaited()
    repo.upsert_observation.assert_not_awaited()


def test_symlink_escape_refused(
    layout: tuple[Path, Path], arun: Any, caplog: pytest.LogCaptureFixture
) -> None:
    root, outside = layout
    link = root / "decky" / "ssh" / "sessions-2026-05-09.jsonl"
    link.symlink_to(outside)
    repo = _repo()
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        assert arun(handle_session_ended(repo, _payload(link), artifacts_root=root)) == 0
    assert [r.levelno for r in _refused(caplog)] == [logging.WARNING]
    repo.upsert_observation.assert_not_awaited()


def test_symlinked_directory_escape_refused(
    layout: tuple[Path, Path], arun: Any, caplog: pytest.LogCaptureFixture
) -> None:
    root, outside = layout
    (root / "linked").symlink_to(outside.parent, target_is_directory=True)
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        got = arun(
            handle_session_ended(
                _repo(), _payload(root / "linked" / outside.name), artifacts_root=root
            )
        )
    assert got == 0
    assert len(_refused(caplog)) == 1


def test_symlink_within_root_is_read(layout: tuple[Path, Path], arun: Any) -> None:
    root, _ = layout
    link = root / "latest.jsonl"
    link.symlink_to(root / "decky" / "ssh" / "sessions-2026-05-08.jsonl")
    assert arun(handle_session_ended(_repo(), _payload(link), artifacts_root=root)) > 0


def test_environment_variable_confines(
    layout: tuple[Path, Path],
    arun: Any,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root, outside = layout
    monkeypatch.setenv(ARTIFACTS_ROOT_ENV, os.fspath(root))
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        assert arun(handle_session_ended(_repo(), _payload(outside))) == 0
    assert len(_refused(caplog)) == 1
    inside = root / "decky" / "ssh" / "sessions-2026-05-08.jsonl"
    assert arun(handle_session_ended(_repo(), _payload(inside))) > 0


def test_argument_overrides_environment(
    layout: tuple[Path, Path], arun: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, outside = layout
    monkeypatch.setenv(ARTIFACTS_ROOT_ENV, os.fspath(root))
    got = arun(handle_session_ended(_repo(), _payload(outside), artifacts_root=outside.parent))
    assert got > 0


def test_unset_means_no_confinement(
    layout: tuple[Path, Path], arun: Any, caplog: pytest.LogCaptureFixture
) -> None:
    _, outside = layout
    assert ARTIFACTS_ROOT_ENV not in os.environ
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        assert arun(handle_session_ended(_repo(), _payload(outside))) > 0
    assert _refused(caplog) == []


@pytest.mark.parametrize("name", ["loop.jsonl", "nul\x00.jsonl"], ids=["symlink-loop", "nul-byte"])
def test_unresolvable_path_refused(
    name: str, layout: tuple[Path, Path], arun: Any, caplog: pytest.LogCaptureFixture
) -> None:
    root, _ = layout
    loop = root / "loop.jsonl"
    loop.symlink_to(loop)
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        got = arun(handle_session_ended(_repo(), _payload(root / name), artifacts_root=root))
    assert got == 0
    assert len(_refused(caplog)) == 1
