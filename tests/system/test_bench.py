"""The benchmark runs end to end on a tiny data set; no timing is asserted, only that it works."""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
import uuid
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest

from bench.scenarios import SCENARIOS
from tests.support.ci import IN_CI
from tests.support.databases import POSTGRES_ADMIN_URL

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

BENCH_SECONDS = 120
TINY_RUN = [
    *("--users", "5", "--tasks", "5", "--duration", "1", "--repeat", "1"),
    *("--connections", "4", "--threads", "1", "--warmup", "0", "--memory-duration", "1"),
]


def _require(tool_ok: bool, message: str) -> None:
    if not tool_ok:
        if IN_CI:
            pytest.fail(message + " (CI=true: this is a failure)")
        pytest.skip(message)


async def _postgres_reachable() -> bool:
    try:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


async def _drop_database(name: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def test_the_benchmark_runs_end_to_end(repo_root: Path) -> None:
    _require(shutil.which("wrk") is not None, "wrk is not installed: apt-get install wrk")
    _require(await _postgres_reachable(), f"PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable")
    database = f"todo_bench_test_{uuid.uuid4().hex[:12]}"
    command = [sys.executable, "-m", "bench", "run", *TINY_RUN]
    command += ["--postgres", POSTGRES_ADMIN_URL, "--database", database]
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=repo_root,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), BENCH_SECONDS)
    except TimeoutError:
        process.terminate()  # the benchmark stops its servers and wrk on SIGTERM
        await process.wait()
        pytest.fail(f"the benchmark did not finish within {BENCH_SECONDS}s")
    finally:
        await _drop_database(database)
    output = stdout.decode()
    assert process.returncode == 0, output + stderr.decode()
    for scenario in SCENARIOS:
        row = re.search(rf"^{re.escape(scenario.label)}\s.*$", output, re.MULTILINE)
        assert row is not None, f"{scenario.label} is missing:\n{output}"
        requests = re.search(r"\s(\d+)/(\d+)\s+(\d+)/(\d+)\s+\S+$", row.group())
        assert requests is not None, row.group()
        ours, reference, ours_bad, reference_bad = map(int, requests.groups())
        assert ours > 0 and reference > 0, row.group()
        assert ours_bad == reference_bad == 0, row.group()
    assert "ours peak RSS (VmHWM)" in output, output
