"""`todo-api serve --workers 2`: every scrape answers the sum across the workers, whichever
worker (or, with METRICS_PORT, the parent) answers it, and a killed worker's counts stay."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from prometheus_client.multiprocess import MultiProcessCollector

from tests.support.auth import TEST_SECRET, auth
from tests.support.live_server import free_port
from tests.support.metrics import Samples, parse, value

pytestmark = pytest.mark.slow

WORKERS = 2
REQUESTS = 40
SQLITE_POOL_SIZE = 5  # SQLAlchemy's QueuePool default, which the engine keeps for SQLite files
ROUTE = {"method": "GET", "route": "/api/{user_id}/tasks", "status": "200"}
WAIT_SECONDS = 20


@dataclass
class Served:
    base_url: str
    metrics_url: str
    temp: Path  # the server's TMPDIR: its metrics directory is made in there
    process: asyncio.subprocess.Process

    def metrics_dir(self) -> Path:
        [directory] = self.temp.glob("todo-api-metrics-*")
        return directory

    def worker_pids(self) -> set[int]:
        """Workers that have built their app: each writes its pool gauges at once."""
        gauges = self.temp.glob("todo-api-metrics-*/gauge_*.db")
        return {int(file.stem.rsplit("_", 1)[1]) for file in gauges}

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), timeout=15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


@asynccontextmanager
async def serving(repo_root: Path, tmp_path: Path, **extra: str) -> AsyncIterator[Served]:
    """`todo-api serve --workers 2` on a free port over a new SQLite file, once both workers
    answer; its output is printed at the end (pytest shows it when the test fails)."""
    port, temp, log = free_port(), tmp_path / "tmp", tmp_path / "server.log"
    temp.mkdir()
    environment = {
        key: setting
        for key, setting in os.environ.items()
        if not key.startswith(("BETTER_AUTH", "JWKS", "JWT_", "METRICS", "PROMETHEUS", "DATABASE"))
    }
    environment |= {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'todo.db'}",
        "BETTER_AUTH_SECRET": TEST_SECRET,
        "ENVIRONMENT": "development",
        "PYTHONPATH": str(repo_root),
        "HOME": str(tmp_path),
        "TMPDIR": str(temp),
        **extra,
    }
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            *(sys.executable, "-c", "from api.cli import app; app()"),
            *("serve", "--workers", str(WORKERS), "--port", str(port)),
            cwd=tmp_path,
            env=environment,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    metrics_port = extra.get("METRICS_PORT", port)
    served = Served(base_url, f"http://127.0.0.1:{metrics_port}/metrics", temp, process)
    try:
        await until(lambda: len(served.worker_pids()) == WORKERS, "both workers to start")
        await until_healthy(served)
        yield served
    finally:
        await served.stop()
        print(log.read_text(errors="replace"))


async def until(condition: Callable[[], bool], what: str = "") -> None:
    """Poll `condition` until it holds; fail after WAIT_SECONDS."""
    for _ in range(WAIT_SECONDS * 10):
        if condition():
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"timed out waiting for {what or condition}")


async def until_healthy(served: Served) -> None:
    async with fresh_connections() as http:
        for _ in range(WAIT_SECONDS * 10):
            assert served.process.returncode is None, "the server exited"
            with contextlib.suppress(httpx.TransportError):
                if (await http.get(f"{served.base_url}/health")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    pytest.fail(f"{served.base_url}/health did not answer")


@pytest.fixture
async def served(repo_root: Path, tmp_path: Path) -> AsyncIterator[Served]:
    async with serving(repo_root, tmp_path) as server:
        yield server


def fresh_connections() -> httpx.AsyncClient:
    """A client that opens a new connection for every request, so any worker may take it."""
    return httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=0), timeout=10)


async def list_tasks(base_url: str, count: int) -> None:
    """`count` list requests, four at a time, so both workers get some."""
    owner = f"w-{uuid.uuid4().hex[:8]}"
    url = f"{base_url}/api/{owner}/tasks"
    async with fresh_connections() as http:
        for start in range(0, count, 4):
            batch = [http.get(url, headers=auth(owner)) for _ in range(min(4, count - start))]
            for response in await asyncio.gather(*batch):
                assert response.status_code == 200, response.text


async def scrapes(url: str, times: int = 8) -> list[Samples]:
    async with fresh_connections() as http:
        answers = [await http.get(url) for _ in range(times)]
    for answer in answers:
        assert answer.status_code == 200, answer.text
    return [parse(answer.text) for answer in answers]


def counted_by_each_worker(directory: Path) -> dict[int, float]:
    """Each worker's own count of the list requests, read from its file."""
    counts = {}
    for file in directory.glob("counter_*.db"):
        [family] = [
            m
            for m in MultiProcessCollector.merge([str(file)])  # type: ignore[no-untyped-call]
            if m.name == "http_requests"
        ]
        samples = {frozenset(s.labels.items()): s.value for s in family.samples}
        counts[int(file.stem.split("_")[1])] = samples.get(frozenset(ROUTE.items()), 0.0)
    return counts


async def all_counted(served: Served, requests: int) -> None:
    """Wait until the workers' files hold `requests`: a worker counts a request once its answer
    has been sent, so the count may trail the answer by a moment."""
    directory = served.metrics_dir()
    await until(lambda: sum(counted_by_each_worker(directory).values()) == requests)


async def test_every_scrape_sums_the_workers_even_after_one_is_killed(served: Served) -> None:
    assert served.metrics_dir().stat().st_mode & 0o777 == 0o700
    await list_tasks(served.base_url, REQUESTS)
    await all_counted(served, REQUESTS)
    shares = counted_by_each_worker(served.metrics_dir())
    assert len([share for share in shares.values() if share]) == WORKERS, shares  # none has all
    for samples in await scrapes(served.metrics_url):
        assert value(samples, "http_requests_total", **ROUTE) == REQUESTS
        assert value(samples, "http_request_duration_seconds_count", **ROUTE) == REQUESTS
        assert value(samples, "db_pool_size") == WORKERS * SQLITE_POOL_SIZE
        assert value(samples, "db_pool_checked_out") == 0

    workers = served.worker_pids()
    os.kill(max(workers, key=lambda pid: shares.get(pid, 0)), signal.SIGKILL)
    for samples in await scrapes(served.metrics_url, times=4):
        assert value(samples, "http_requests_total", **ROUTE) == REQUESTS
    await until(lambda: len(served.worker_pids() - workers) == 1, "a replacement worker")
    await until_healthy(served)
    for samples in await scrapes(served.metrics_url):
        assert value(samples, "http_requests_total", **ROUTE) == REQUESTS
        # The killed worker's pool no longer counts; its replacement's does.
        assert value(samples, "db_pool_size") == WORKERS * SQLITE_POOL_SIZE
    await list_tasks(served.base_url, 10)
    await all_counted(served, REQUESTS + 10)
    for samples in await scrapes(served.metrics_url, times=4):
        assert value(samples, "http_requests_total", **ROUTE) == REQUESTS + 10


async def test_metrics_port_is_served_by_the_parent(repo_root: Path, tmp_path: Path) -> None:
    async with serving(repo_root, tmp_path, METRICS_PORT=str(free_port())) as served:
        directory = served.metrics_dir()
        await list_tasks(served.base_url, REQUESTS)
        await all_counted(served, REQUESTS)
        async with fresh_connections() as http:
            assert (await http.get(f"{served.base_url}/metrics")).status_code == 404
        for samples in await scrapes(served.metrics_url, times=4):
            assert value(samples, "http_requests_total", **ROUTE) == REQUESTS
        await served.stop()
        assert served.process.returncode == 0
        assert not directory.exists()
