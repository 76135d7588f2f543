"""The benchmark runs end to end on a tiny data set, and its references answer alike.

No timing is asserted: only that every request of every side succeeded, and that the references
do the same work (same answers, one list revision per write).
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest

from api.auth.tokens import mint_token
from bench import reference_sql, seed, servers
from bench.scenarios import REFERENCES, SCENARIOS
from tests.support.ci import require
from tests.support.databases import POSTGRES_ADMIN_URL, postgres_reachable

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

BENCH_SECONDS = 180
TINY_RUN = [
    *("--users", "5", "--tasks", "5", "--duration", "1", "--repeat", "1"),
    *("--connections", "4", "--threads", "1", "--warmup", "0", "--memory-duration", "1"),
]
EVERY_REFERENCE = [argument for key in REFERENCES for argument in ("--reference", key)]
GRAPHQL_LIST = (
    "{ tasks(first: 3) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {"
    " id title description completed priority dueDate createdAt updatedAt version } } } }"
)
GRAPHQL_TOGGLE = "mutation ($id: ID!) { toggleTask(id: $id) { id completed version } }"


async def test_the_benchmark_runs_end_to_end_against_every_reference(repo_root: Path) -> None:
    require(shutil.which("wrk") is not None, "wrk is not installed: apt-get install wrk")
    require(await postgres_reachable(), f"PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable")
    database = f"todo_bench_test_{uuid.uuid4().hex[:12]}"
    command = [sys.executable, "-m", "bench", "run", *TINY_RUN, *EVERY_REFERENCE]
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
        await seed.drop_database(POSTGRES_ADMIN_URL, database)
    output = stdout.decode()
    assert process.returncode == 0, output + stderr.decode()
    for scenario in SCENARIOS:
        for reference in REFERENCES.values():
            row = re.search(
                rf"^{re.escape(scenario.label)}\s+{reference.key}\s.*$", output, re.MULTILINE
            )
            assert row is not None, f"{scenario.label} vs {reference.key} is missing:\n{output}"
            _assert_row(row.group(), implemented=scenario.key in reference.targets)
    for name in ("ours", *REFERENCES):
        assert f"{name} peak RSS (VmHWM)" in output, output


def _assert_row(row: str, *, implemented: bool) -> None:
    """Requests on both sides and no bad answer; "n/a" where the reference has no such route."""
    figures = re.search(r"\s(\d+)/(\d+|-)\s+(\d+)/(\d+|-)\s+(\S+)$", row)
    assert figures is not None, row
    ours, other, ours_bad, other_bad, result = figures.groups()
    assert int(ours) > 0 and ours_bad == "0", row
    if implemented:
        assert int(other) > 0 and other_bad == "0" and result != "n/a", row
    else:
        assert other == other_bad == "-" and result == "n/a", row


@pytest.fixture(scope="module")
def references() -> Iterator[tuple[str, str, dict[str, str]]]:
    """Every reference serving one tiny database: (database URL, secret, name -> base URL)."""
    require(asyncio.run(postgres_reachable()), f"PostgreSQL at {POSTGRES_ADMIN_URL} unreachable")
    database = f"todo_bench_test_{uuid.uuid4().hex[:12]}"
    url = asyncio.run(seed.recreate_database(POSTGRES_ADMIN_URL, database))
    secret = secrets.token_urlsafe(32)
    try:
        asyncio.run(seed.seed_tasks(url, 2, 5))
        with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
            env = servers.environment(url, secret)
            started = {
                key: stack.enter_context(
                    servers.running(key, servers.reference_command(ref.app), env, Path(tmp))
                )
                for key, ref in REFERENCES.items()
            }
            yield url, secret, {key: server.url for key, server in started.items()}
    finally:
        asyncio.run(seed.drop_database(POSTGRES_ADMIN_URL, database))


def _headers(secret: str, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(secret, user)}"}


REFERENCE_TASK_FIELDS = tuple(name.strip() for name in reference_sql.COLUMNS.split(","))


def test_the_references_answer_the_lists_alike(
    references: tuple[str, str, dict[str, str]],
) -> None:
    _, secret, urls = references
    user = seed.user_id(1)
    answers: dict[str, list[Any]] = {key: [] for key in urls}
    for key, base in urls.items():
        with httpx.Client(base_url=base, headers=_headers(secret, user)) as http:
            for query in ("limit=2&offset=1", "limit=50", "offset=9"):
                answer = http.get(f"/api/{user}/tasks?{query}")
                assert answer.status_code == 200, (key, answer.text)
                answers[key].append((answer.headers["X-Total-Count"], answer.content))
            graphql = http.post("/graphql", json={"query": GRAPHQL_LIST})
            answers[key].append(graphql.json())
    assert answers["reference"][1][0] == "5" and answers["reference"][2][1] == b"[]"
    for key in urls:
        if key == "unguarded":  # ours: more fields per task (recurrence...); compare the rest
            assert _on_reference_fields(answers[key]) == _on_reference_fields(answers["reference"])
            continue
        assert answers[key] == answers["reference"], key


def _on_reference_fields(answers: list[Any]) -> list[Any]:
    """The REST answers with each task cut to the fields the hand-written references answer."""
    fields = REFERENCE_TASK_FIELDS
    cut: list[Any] = []
    for answer in answers:
        if isinstance(answer, tuple):
            total, body = answer
            answer = (total, [{name: task[name] for name in fields} for task in json.loads(body)])
        cut.append(answer)
    return cut


def test_the_references_toggle_alike_with_one_list_revision_per_write(
    references: tuple[str, str, dict[str, str]],
) -> None:
    url, secret, urls = references
    user, other = seed.user_id(2), seed.user_id(1)
    task, others_task = asyncio.run(_first_tasks(url, user, other))
    for key, base in urls.items():
        with httpx.Client(base_url=base, headers=_headers(secret, user)) as http:
            before = asyncio.run(_task_and_revision(url, user, task))
            rest = http.patch(f"/api/{user}/tasks/{task}/toggle")
            assert rest.status_code == 200, (key, rest.text)
            graphql = http.post(
                "/graphql", json={"query": GRAPHQL_TOGGLE, "variables": {"id": str(task)}}
            )
            assert graphql.json()["data"]["toggleTask"]["version"] == before[1] + 2, key
            after = asyncio.run(_task_and_revision(url, user, task))
            assert (rest.json()["completed"], rest.json()["version"]) == (
                not before[0],
                before[1] + 1,
            )
            assert after == (before[0], before[1] + 2, before[2] + 2), key
            assert http.patch(f"/api/{user}/tasks/{others_task}/toggle").status_code == 404, key
            assert http.patch(f"/api/{other}/tasks/{others_task}/toggle").status_code == 403, key
            del http.headers["Authorization"]
            assert http.get(f"/api/{user}/tasks").status_code == 401, key


async def _first_tasks(url: str, user: str, other: str) -> tuple[int, int]:
    connection = await asyncpg.connect(url)
    try:
        first = "SELECT min(id) FROM tasks WHERE user_id = $1"
        return await connection.fetchval(first, user), await connection.fetchval(first, other)
    finally:
        await connection.close()


async def _task_and_revision(url: str, user: str, task: int) -> tuple[bool, int, int]:
    """The task's completed and version, and its owner's list revision."""
    connection = await asyncpg.connect(url)
    try:
        row = await connection.fetchrow(
            "SELECT t.completed, t.version, r.revision FROM tasks AS t"
            " JOIN task_list_revisions AS r USING (user_id) WHERE t.id = $1",
            task,
        )
    finally:
        await connection.close()
    return row["completed"], row["version"], row["revision"]
