"""Which errors are outages (503 with Retry-After, SERVICE_UNAVAILABLE) and which stay bugs (500).

The engine raises every outage as db.errors.DatabaseUnavailable, and nothing else as one. Whole
outages are produced for real in tests/system/test_db_faults.py; here, every kind.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine

from api.graphql.router import _only_unavailable
from db import postgres_store
from db import session as session_module
from db.availability import is_unavailable
from db.errors import DatabaseUnavailable
from db.session import create_engine, create_store
from db.statements import Statement
from db.store import Owner, Store
from db.urls import DatabaseTarget, parse_database_url
from tests.support.databases import POSTGRES_ADMIN_URL


class _DriverError(Exception):
    """What SQLAlchemy's asyncpg adapter wraps: a driver error carrying its SQLSTATE."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"SQLSTATE {sqlstate}")
        self.sqlstate = sqlstate


def _wrapped(sqlstate: str, kind: type[DBAPIError] = DBAPIError) -> DBAPIError:
    return kind("SELECT 1", {}, _DriverError(sqlstate))


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed"),
        socket.gaierror(-2, "Name or service not known"),
        OSError("Multiple exceptions: [Errno 111] ..., [Errno 99] ..."),
        ssl.SSLError("handshake failed"),
        TimeoutError(),
        PoolTimeout("QueuePool limit of size 10 overflow 10 reached"),
        OperationalError("SELECT 1", {}, Exception("server closed the connection")),
        _wrapped("08003"),  # asyncpg: connection was closed in the middle of operation
        _wrapped("08P01"),  # PgBouncer: cannot connect to the server
        _wrapped("57P01"),  # terminating connection due to administrator command
        _wrapped("57P03"),  # the database system is starting up
        _wrapped("53300"),  # too many connections
        _wrapped("57014"),  # canceling statement due to statement timeout
        DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True),
        asyncpg.exceptions.AdminShutdownError("terminating connection"),
    ],
    ids=lambda error: (
        f"{type(error).__name__}{getattr(getattr(error, 'orig', None), 'sqlstate', '')}"
    ),
)
def test_outages(error: BaseException) -> None:
    assert is_unavailable(error)


@pytest.mark.parametrize(
    "error",
    [
        None,
        ValueError("a bug"),
        _wrapped("23505", IntegrityError),  # unique violation
        _wrapped("42501", ProgrammingError),  # row level security refused the row
        _wrapped("22P02"),  # invalid text representation
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_bugs_are_not_outages(error: BaseException | None) -> None:
    assert not is_unavailable(error)


async def test_a_refused_connection_is_database_unavailable() -> None:
    # Port 9 (discard) on loopback: nothing listens, asyncpg's connect raises a bare OSError.
    engine = create_engine(parse_database_url("postgresql://postgres@127.0.0.1:9/x"))
    try:
        with pytest.raises(DatabaseUnavailable) as raised:
            async with engine.connect():
                pass
        assert isinstance(raised.value.__cause__, OSError)
    finally:
        await engine.dispose()


SELECT_ONE = Statement(text("SELECT 1"))


@asynccontextmanager
async def _store(database_url: str, **options: Any) -> AsyncIterator[Store]:
    """The app's kind of store on the test database (`options`: create_store's), closed after."""
    target = _target(database_url)
    engine = create_engine(target)
    store = create_store(target, engine, **options)
    try:
        yield store
    finally:
        await store.close()
        await engine.dispose()


def _direct(database_url: str) -> str:
    """The test database on PostgreSQL itself, not through PgBouncer: for an admin's look."""
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + database_url.rsplit("/", 1)[1]


def _target(database_url: str) -> DatabaseTarget:
    """The test database as the app would reach it (also through PgBouncer in its session)."""
    pgbouncer = os.environ.get("DATABASE_PGBOUNCER")  # set by python -m tests.support.pgbouncer
    return parse_database_url(
        database_url, pgbouncer=None if pgbouncer is None else pgbouncer == "true"
    )


async def test_a_refused_connection_is_database_unavailable_in_the_store() -> None:
    target = parse_database_url("postgresql://postgres@127.0.0.1:9/x")
    engine = create_engine(target)
    store = create_store(target, engine)
    try:
        with pytest.raises(DatabaseUnavailable) as raised:
            await Owner(store, "alice").fetch(SELECT_ONE)
        assert isinstance(raised.value.__cause__, OSError)
        with pytest.raises(DatabaseUnavailable):
            await store.ping()
    finally:
        await store.close()
        await engine.dispose()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine of the app's kind on the test database (of each backend)."""
    engine = create_engine(_target(database_url), pool_size=1)
    yield engine
    await engine.dispose()


async def test_a_bug_stays_the_drivers_error(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        with pytest.raises(IntegrityError):
            await connection.execute(text("INSERT INTO tasks (title) VALUES (NULL)"))


# A server's own outages, asyncpg's command timeout, the PostgreSQL engine's pool size.
postgresql_only = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@postgresql_only
async def test_a_connection_the_server_ends_is_database_unavailable(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        with pytest.raises(DatabaseUnavailable):  # 57P01, admin shutdown
            await connection.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))


@postgresql_only
async def test_a_statement_past_the_command_timeout_is_database_unavailable(
    database_url: str,
) -> None:
    engine = create_engine(_target(database_url), command_timeout=0.05)
    try:
        async with engine.connect() as connection:
            with pytest.raises(DatabaseUnavailable) as raised:
                await connection.execute(text("SELECT pg_sleep(5)"))
        assert isinstance(raised.value.__cause__, TimeoutError)
    finally:
        await engine.dispose()


@postgresql_only
async def test_waiting_past_the_pool_timeout_is_database_unavailable(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session_module, "POOL_TIMEOUT_SECONDS", 0.01)
    engine = create_engine(_target(database_url), pool_size=1)  # 1 + 1 overflow
    try:
        async with engine.connect(), engine.connect():
            with pytest.raises(DatabaseUnavailable) as raised:
                async with engine.connect():
                    pass
        assert isinstance(raised.value.__cause__, PoolTimeout)
    finally:
        await engine.dispose()


def _error(code: str) -> dict[str, object]:
    return {"message": "m", "extensions": {"code": code}}


@pytest.mark.parametrize(
    ("errors", "outage"),
    [
        ([_error("SERVICE_UNAVAILABLE")], True),
        ([_error("SERVICE_UNAVAILABLE"), _error("SERVICE_UNAVAILABLE")], True),
        ([_error("SERVICE_UNAVAILABLE"), _error("NOT_FOUND")], False),
        ([_error("NOT_FOUND")], False),
        ([], False),
    ],
)
def test_graphql_answers_503_only_when_every_error_is_an_outage(
    errors: list[object], outage: bool
) -> None:
    assert _only_unavailable({"data": None, "errors": errors}) is outage


@postgresql_only
async def test_a_statement_the_server_ends_in_the_store_is_database_unavailable(
    database_url: str,
) -> None:
    async with _store(database_url, pool_size=1) as store:
        terminate = Statement(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        with pytest.raises(DatabaseUnavailable):  # 57P01, admin shutdown
            await Owner(store, "alice").fetch(terminate)
        assert await Owner(store, "alice").fetch(SELECT_ONE) == [(1,)]  # a new connection


@postgresql_only
async def test_a_store_statement_past_the_command_timeout_is_database_unavailable(
    database_url: str,
) -> None:
    async with _store(database_url, command_timeout=0.05) as store:
        with pytest.raises(DatabaseUnavailable) as raised:
            await Owner(store, "alice").fetch(Statement(text("SELECT pg_sleep(5)")))
        assert isinstance(raised.value.__cause__, TimeoutError)


@postgresql_only
async def test_waiting_past_the_store_pool_timeout_is_database_unavailable(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with _store(database_url, pool_size=1) as store:  # grows to 2
        owner = Owner(store, "alice")
        async with owner.transaction(), owner.transaction():
            assert store.pool_readings() == (1, 2, 1)
            # Only now: opening the two connections above may take longer than this.
            monkeypatch.setattr(postgres_store, "POOL_TIMEOUT_SECONDS", 0.01)
            with pytest.raises(DatabaseUnavailable) as raised:
                await owner.fetch(SELECT_ONE)
        assert isinstance(raised.value.__cause__, TimeoutError)
        assert store.pool_readings() == (1, 0, 1)


@postgresql_only
async def test_a_connection_closed_while_idle_is_replaced_not_an_error(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A serverless database closes idle connections: the next request must not see it."""
    monkeypatch.setattr(postgres_store, "PING_AFTER_IDLE_SECONDS", 0)
    async with _store(database_url, pool_size=1) as store:
        owner = Owner(store, "alice")
        backend_pid = Statement(text("SELECT pg_backend_pid()"))
        [(first_pid,)] = await owner.fetch(backend_pid)
        admin = await asyncpg.connect(_direct(database_url))
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", first_pid)
            # Gone for good, as a connection a serverless database closed long ago is.
            gone = "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1)"
            for _ in range(100):
                if await admin.fetchval(gone, first_pid):
                    break
                await asyncio.sleep(0.05)
        finally:
            await admin.close()
        [(second_pid,)] = await owner.fetch(backend_pid)
        assert second_pid != first_pid


@postgresql_only
async def test_a_cancelled_statement_is_cancelled_on_the_server_too(database_url: str) -> None:
    """A request cancelled mid-statement (a client gone, a GraphQL `complete`) must not leave
    its statement running on the server, nor take a connection out of the pool's count."""
    async with _store(database_url, pool_size=2) as store:
        owner = Owner(store, "alice")
        sleep = Statement(text("SELECT pg_sleep(3)"))
        running = [asyncio.create_task(owner.fetch(sleep)) for _ in range(4)]
        await asyncio.sleep(0.3)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        admin = await asyncpg.connect(_direct(database_url))
        try:
            still = "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
            still += " AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()"
            for _ in range(20):
                if await admin.fetchval(still) == 0:
                    break
                await asyncio.sleep(0.1)
            assert await admin.fetchval(still) == 0
        finally:
            await admin.close()
        assert store.pool_readings()[1] == 0  # type: ignore[index]
        assert await owner.fetch(SELECT_ONE) == [(1,)]
