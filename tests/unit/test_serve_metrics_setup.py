"""`todo-api serve`'s metrics set-up: a private directory only for several workers, and a clear
stop when METRICS_PORT is taken."""

from __future__ import annotations

import atexit
import os
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from api.ops.metrics_workers import (
    DIRECTORY_PREFIX,
    DIRECTORY_VARIABLE,
    share_metrics_across_workers,
)
from tests.support.jwks_server import offline_settings


@pytest.fixture
def serve_setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Callable[[], object]]:
    """`share_metrics_across_workers` kept in this test: temporary files under tmp_path, the
    environment restored, and what it would run at exit collected (the test runs it)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv(DIRECTORY_VARIABLE, "")
    monkeypatch.delenv(DIRECTORY_VARIABLE)
    at_exit: list[Callable[[], object]] = []
    monkeypatch.setattr(atexit, "register", lambda f, *a, **k: at_exit.append(lambda: f(*a, **k)))
    return at_exit


def test_serve_shares_metrics_only_between_several_workers(
    tmp_path: Path, serve_setup: list[Callable[[], object]]
) -> None:
    production = {"environment": "production", "better_auth_secret": "s" * 32}
    share_metrics_across_workers(offline_settings(tmp_path), workers=1)
    share_metrics_across_workers(offline_settings(tmp_path, metrics=False), workers=4)
    share_metrics_across_workers(offline_settings(tmp_path, **production), workers=4)
    assert DIRECTORY_VARIABLE not in os.environ
    assert not list(tmp_path.glob(f"{DIRECTORY_PREFIX}*"))

    share_metrics_across_workers(offline_settings(tmp_path), workers=2)
    [directory] = tmp_path.glob(f"{DIRECTORY_PREFIX}*")
    assert os.environ[DIRECTORY_VARIABLE] == str(directory)
    assert directory.stat().st_mode & 0o777 == 0o700
    assert not list(directory.iterdir())
    for step in reversed(serve_setup):
        step()
    assert not directory.exists()


def test_a_busy_metrics_port_stops_serve_with_its_address(
    tmp_path: Path, serve_setup: list[Callable[[], object]]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = offline_settings(tmp_path, metrics_port=port)
        with pytest.raises(SystemExit, match=f"Cannot serve metrics on 127.0.0.1:{port}: "):
            share_metrics_across_workers(settings, workers=2)
