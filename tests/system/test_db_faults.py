"""The database goes away and comes back: 503s with Retry-After, no hang, no 500, no lost write.

Always on a throwaway cluster (tests/pg_cluster.py), never the shared PostgreSQL. Timings are
printed (`pytest -s`), not asserted: the only time limit is a hang guard.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from api.settings import Settings
from db.migrate import upgrade_async
from tests.support import pgbouncer
from tests.support.auth import TEST_SECRET, auth
from tests.support.ci import missing
from tests.support.databases import close_services
from tests.support.pg_cluster import PASSWORD, ROLE, Cluster

pytestmark = [pytest.mark.cluster, pytest.mark.postgres, pytest.mark.slow]

pytest_plugins = ["tests.support.pg_cluster"]

HANG_GUARD_SECONDS = 30
RECOVERY_ATTEMPTS = 50
USER = "ada"
TASKS = f"/api/{USER}/tasks"


@dataclass
class Call:
    """One request the service must answer 503 to while the database is down."""

    name: str
    method: str
    path: str
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    graphql: str | None = None


def _graphql(name: str, document: str) -> Call:
    return Call(f"GraphQL {name}", "POST", "/graphql", graphql=document)


def _calls(task_id: int) -> list[Call]:
    one = f"{TASKS}/{task_id}"
    key = {"Idempotency-Key": "key-1"}
    return [
        Call("ready", "GET", "/ready"),
        Call("REST list", "GET", TASKS),
        Call("REST create", "POST", TASKS, json={"title": "While down"}),
        Call("REST keyed create", "POST", TASKS, json={"title": "Keyed"}, headers=key),
        Call("REST get", "GET", one),
        Call("REST put", "PUT", one, json={"title": "Renamed"}),
        Call("REST patch", "PATCH", one, json={"completed": True}),
        Call("REST complete", "PATCH", f"{one}/complete"),
        Call("REST toggle", "PATCH", f"{one}/toggle", json={"completed": False}),
        Call("REST delete", "DELETE", one),
        _graphql("tasks", "{ tasks(first: 5) { totalCount edges { node { id } } } }"),
        _graphql("task", f'{{ task(id: "{task_id}") {{ id title }} }}'),
        _graphql("create", 'mutation { createTask(input: {title: "x"}) { id } }'),
        _graphql(
            "update", f'mutation {{ updateTask(id: "{task_id}", input: {{title: "y"}}) {{ id }} }}'
        ),
        _graphql("toggle", f'mutation {{ toggleTask(id: "{task_id}") {{ id completed }} }}'),
        _graphql("delete", f'mutation {{ deleteTask(id: "{task_id}") }}'),
    ]


async def _send(http: httpx.AsyncClient, call: Call) -> tuple[httpx.Response, float]:
    headers = {**auth(USER), **call.headers}
    body = {"query": call.graphql} if call.graphql is not None else call.json
    started = time.perf_counter()
    async with asyncio.timeout(HANG_GUARD_SECONDS):
        response = await http.request(call.method, call.path, json=body, headers=headers)
    return response, time.perf_counter() - started


@dataclass
class Service:
    """The app under test, an HTTP client for it, and its database's name."""

    app: FastAPI
    http: httpx.AsyncClient
    database: str


def _require_pgbouncer() -> None:
    try:
        pgbouncer.executable()
    except pgbouncer.PgBouncerMissing as error:
        missing(str(error))


@pytest.fixture(params=["direct", "pgbouncer"])
async def service(pg_cluster: Cluster, request: pytest.FixtureRequest) -> AsyncIterator[Service]:
    """The app on a fresh, migrated database of the throwaway cluster, reached over TLS.

    Directly, or through PgBouncer in transaction mode (Neon's pooled endpoint), which stays up
    while PostgreSQL behind it goes away.
    """
    database = f"faults_{time.time_ns()}"
    admin = await pg_cluster.admin()
    try:
        await admin.execute(f"CREATE DATABASE {database} OWNER {ROLE}")
    finally:
        await admin.close()
    direct_url = pg_cluster.url(database=database)
    await upgrade_async(direct_url)
    with contextlib.ExitStack() as stack:
        url = direct_url
        if request.param == "pgbouncer":
            _require_pgbouncer()
            upstream = f"host=127.0.0.1 port={pg_cluster.port}"
            bouncer = stack.enter_context(
                pgbouncer.running_pgbouncer(upstream, server_tls=True, users={ROLE: PASSWORD})
            )
            url = bouncer.url(database, user=ROLE)
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            database_url=url,
            database_pgbouncer=request.param == "pgbouncer",
            better_auth_secret=TEST_SECRET,
        )
        app = create_app(settings)
        # An exception no handler turned into an answer fails the test with its traceback.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                yield Service(app, http, database)
        finally:
            await close_services(app)
            if not await pg_cluster.is_running():
                await pg_cluster.start()
            admin = await pg_cluster.admin()
            try:
                await admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            finally:
                await admin.close()


async def _create(http: httpx.AsyncClient, title: str) -> int:
    created = await http.post(TASKS, json={"title": title}, headers=auth(USER))
    assert created.status_code == 201, created.text
    task_id: int = created.json()["id"]
    return task_id


async def _until_it_works(http: httpx.AsyncClient, call: Call) -> tuple[int, list[int]]:
    """Repeat `call` until it succeeds: the attempts it took and the statuses before that."""
    statuses: list[int] = []
    for attempt in range(1, RECOVERY_ATTEMPTS + 1):
        response, _ = await _send(http, call)
        if response.status_code < 300 and "errors" not in response.text:
            return attempt, statuses
        assert response.status_code == 503, (call.name, response.status_code, response.text)
        statuses.append(response.status_code)
        await asyncio.sleep(0.1)
    pytest.fail(f"{call.name} still failed after {RECOVERY_ATTEMPTS} attempts: {statuses}")


async def test_every_data_route_is_503_while_the_database_is_down_then_recovers(
    pg_cluster: Cluster, service: Service
) -> None:
    http = service.http
    task_id = await _create(http, "Before the outage")
    await pg_cluster.stop()
    answers: list[str] = []
    for call in _calls(task_id):
        response, elapsed = await _send(http, call)
        answers.append(f"{call.name}: {response.status_code} in {elapsed * 1000:.0f} ms")
        assert response.status_code == 503, (call.name, response.text)
        assert int(response.headers["retry-after"]) > 0, call.name
        if call.graphql is not None:
            errors = response.json()["errors"]
            assert {error["extensions"]["code"] for error in errors} == {"SERVICE_UNAVAILABLE"}
    print("\nwhile PostgreSQL is stopped:\n  " + "\n  ".join(answers))

    await pg_cluster.start()
    # The same app instance, no restart: stale pooled connections are dropped as it goes.
    for call in (Call("ready", "GET", "/ready"), Call("REST list", "GET", TASKS)):
        attempts, failures = await _until_it_works(http, call)
        print(f"after the restart, {call.name} worked at attempt {attempts} (before: {failures})")
    listed = await http.get(TASKS, headers=auth(USER))
    assert [task["id"] for task in listed.json()] == [task_id]


async def test_a_restart_under_load_loses_no_acknowledged_write(
    pg_cluster: Cluster, service: Service
) -> None:
    http = service.http
    acknowledged: dict[int, str] = {}
    outcomes: dict[int, int] = {}
    numbers = itertools.count()
    warmed_up, restarted = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        after_restart = 0
        while after_restart < 5:
            title = f"write {next(numbers)}"
            response = await http.post(TASKS, json={"title": title}, headers=auth(USER))
            outcomes[response.status_code] = outcomes.get(response.status_code, 0) + 1
            assert response.status_code in {201, 503}, (response.status_code, response.text)
            if response.status_code == 201:
                body = response.json()
                assert body["title"] == title
                acknowledged[body["id"]] = title
            else:
                assert int(response.headers["retry-after"]) > 0
                await asyncio.sleep(0.05)
            if len(acknowledged) >= 40:
                warmed_up.set()
            after_restart += restarted.is_set()

    async def restart_midway() -> None:
        await warmed_up.wait()
        started = time.perf_counter()
        await pg_cluster.restart()
        print(f"\nrestart took {time.perf_counter() - started:.2f} s")
        restarted.set()

    async with asyncio.timeout(120), asyncio.TaskGroup() as group:
        for _ in range(8):
            group.create_task(writer())
        group.create_task(restart_midway())
    print(f"answers: {outcomes}")

    connection = await pg_cluster.admin(service.database)
    try:
        rows = await connection.fetch("SELECT id, title FROM tasks")
    finally:
        await connection.close()
    stored = {row["id"]: row["title"] for row in rows}
    lost = {key: title for key, title in acknowledged.items() if stored.get(key) != title}
    assert not lost, f"acknowledged but not stored: {lost}"
    assert outcomes[201] == len(acknowledged) > 40


def _cluster_processes(cluster: Cluster) -> list[int]:
    """The postmaster and its children: processes this run started."""
    postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == postmaster:
                children.append(int(stat.parent.name))
    return [postmaster, *children]


@contextlib.contextmanager
def _frozen(cluster: Cluster) -> Iterator[None]:
    """PostgreSQL stops answering without closing anything, like a host that vanished."""
    pids = _cluster_processes(cluster)
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


async def _command_timeout(app: FastAPI) -> float | None:
    """The asyncpg command_timeout of the app's connections (None: statements wait forever)."""
    async with app.state.services.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        timeout: float | None = raw.driver_connection._config.command_timeout  # type: ignore[union-attr]
        return timeout


async def test_a_frozen_database_is_503_not_a_hang(pg_cluster: Cluster, service: Service) -> None:
    # Without a command timeout every one of these requests waits for the hang guard,
    # directly and through PgBouncer alike (verified by hand).
    assert await _command_timeout(service.app) is not None
    http = service.http
    task_id = await _create(http, "Before the freeze")
    wanted = {"REST list", "REST create", "GraphQL tasks", "ready"}
    calls = [call for call in _calls(task_id) if call.name in wanted]
    with _frozen(pg_cluster):
        # The pooled connection the create used is still open: one request gets it, and the
        # server never answers on it; the others open connections the server never accepts.
        answers = await asyncio.gather(*(_send(http, call) for call in calls))
    print("\nwhile PostgreSQL is frozen:")
    for call, (response, elapsed) in zip(calls, answers, strict=True):
        print(f"  {call.name}: {response.status_code} in {elapsed * 1000:.0f} ms")
        assert response.status_code == 503, (call.name, response.text)
        assert int(response.headers["retry-after"]) > 0
    attempts, failures = await _until_it_works(http, Call("REST list", "GET", TASKS))
    print(f"after it thaws, REST list worked at attempt {attempts} (before: {failures})")
