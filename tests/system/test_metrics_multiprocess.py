"""Metrics in multiprocess mode, in one process: each app here writes as a worker of a chosen pid,
so the sums, a dead worker's share and a worker's file in the making are checked in seconds
(tests/system/test_metrics_workers.py runs the real `todo-api serve --workers 2`)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import values

from api.app import create_app
from api.ops.metrics_workers import DIRECTORY_VARIABLE
from api.settings import Settings
from tests.support.databases import two_connections_in_use
from tests.support.jwks_server import (
    SigningKey,
    app_client,
    better_auth_token,
    jwks_server,
)
from tests.support.metrics import scrape, value

HEALTH = {"method": "GET", "route": "/health", "status": "200"}
MINE = os.getpid()
LIVE_ELSEWHERE = os.getppid()  # a process that outlives the test: a live "worker"


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    command = [sys.executable, "-c", "import os; print(os.getpid())"]
    process = subprocess.run(command, check=True, capture_output=True, text=True)
    return int(process.stdout)


@pytest.fixture
def shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Multiprocess mode over a directory of this test's own."""
    directory = tmp_path / "metrics"
    directory.mkdir()
    monkeypatch.setenv(DIRECTORY_VARIABLE, str(directory))
    monkeypatch.setattr(values, "ValueClass", values.MultiProcessValue())  # type: ignore[no-untyped-call]
    yield directory
    values.close_all_multiprocess_files()  # type: ignore[no-untyped-call]


@contextmanager
def as_worker(pid: int) -> Iterator[None]:
    """Metrics made meanwhile (apps, and label sets seen for the first time) write as `pid`."""
    before = values.ValueClass
    values.ValueClass = values.MultiProcessValue(lambda: pid)  # type: ignore[no-untyped-call]
    try:
        yield
    finally:
        values.ValueClass = before


def worker_app(pid: int, settings: Settings) -> FastAPI:
    with as_worker(pid):
        return create_app(settings)


async def health(http: httpx.AsyncClient, pid: int, times: int = 1) -> None:
    with as_worker(pid):
        for _ in range(times):
            assert (await http.get("/health")).status_code == 200


def pool_size(settings: Settings) -> int:
    return 3 if settings.database_url.startswith("postgresql") else 5  # SQLite's own default


async def test_every_worker_answers_the_sum(
    shared: Path, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(database_pool_size=3)
    here, there = worker_app(MINE, settings), worker_app(LIVE_ELSEWHERE, settings)
    async with app_client(here) as from_here, app_client(there) as from_there:
        await health(from_here, MINE, 2)
        await health(from_there, LIVE_ELSEWHERE, 3)
        answers = [await scrape(from_here), await scrape(from_there)]
        # A worker writes its pool's gauges as each of its requests ends.
        async with two_connections_in_use(there):
            await health(from_there, LIVE_ELSEWHERE)
            busy = await scrape(from_here)
        await health(from_there, LIVE_ELSEWHERE)
        idle = await scrape(from_here)

    assert value(idle, "http_requests_total", **HEALTH) == 7
    for samples in answers:
        assert value(samples, "http_requests_total", **HEALTH) == 5
        assert value(samples, "http_request_duration_seconds_count", **HEALTH) == 5
        assert value(samples, "db_pool_size") == 2 * pool_size(settings)
        assert value(samples, "db_pool_checked_out") == 0
        assert value(samples, "db_pool_overflow") == 0
    assert value(busy, "db_pool_checked_out") == 2
    assert value(idle, "db_pool_checked_out") == 0


async def test_a_dead_workers_counts_stay_and_its_gauges_go(
    shared: Path, make_settings: Callable[..., Settings]
) -> None:
    settings, gone = make_settings(database_pool_size=3), dead_pid()
    async with app_client(worker_app(gone, settings)) as http:
        await health(http, gone, 3)
    assert (shared / f"gauge_livesum_{gone}.db").exists()  # it was killed: it said nothing

    async with app_client(worker_app(MINE, settings)) as http:
        await health(http, MINE)
        samples = await scrape(http)

    assert value(samples, "http_requests_total", **HEALTH) == 4
    assert value(samples, "db_pool_size") == pool_size(settings)
    assert not (shared / f"gauge_livesum_{gone}.db").exists()
    assert (shared / f"counter_{gone}.db").exists()


async def test_a_stopping_worker_takes_its_gauges_along(
    shared: Path, make_settings: Callable[..., Settings]
) -> None:
    async with app_client(worker_app(MINE, make_settings())) as http:
        await health(http, MINE)
        assert (shared / f"gauge_livesum_{MINE}.db").exists()
    assert not (shared / f"gauge_livesum_{MINE}.db").exists()
    assert (shared / f"counter_{MINE}.db").exists()


async def test_a_file_still_being_created_is_skipped(
    shared: Path, make_settings: Callable[..., Settings]
) -> None:
    (shared / f"counter_{LIVE_ELSEWHERE}.db").touch()  # as a worker's first write leaves it
    async with app_client(worker_app(MINE, make_settings())) as http:
        await health(http, MINE)
        samples = await scrape(http)
    assert value(samples, "http_requests_total", **HEALTH) == 1


async def test_jwks_refreshes_are_summed(
    shared: Path, make_settings: Callable[..., Settings]
) -> None:
    key = SigningKey.generate()
    query = {"query": "{ tasks { totalCount } }"}
    with jwks_server(key) as server:
        settings = make_settings(better_auth_url=server.base_url, better_auth_secret=None)
        token = better_auth_token(key, server.base_url, "m-jwks")
        apps = {pid: worker_app(pid, settings) for pid in (MINE, LIVE_ELSEWHERE)}
        for app in apps.values():
            async with app_client(app) as http:
                response = await http.post(
                    "/graphql", json=query, headers={"Authorization": f"Bearer {token}"}
                )
                assert response.status_code == 200, response.text
        async with app_client(apps[MINE]) as http:
            samples = await scrape(http)

    assert value(samples, "jwks_refreshes_total", outcome="ok") == 2
    assert value(samples, "jwks_refreshes_total", outcome="error") == 0
