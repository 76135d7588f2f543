"""Proof that the PgBouncer run really goes through PgBouncer, in transaction-pooling mode.

These run in the session `python -m tests.support.pgbouncer` starts (`.ci/run` does, after the main
one), where TEST_PGBOUNCER_URL points the app at PgBouncer; elsewhere they are skipped.
"""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.support.auth import auth
from tests.support.databases import PGBOUNCER_URL, services_of
from tests.support.pgbouncer import show

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        PGBOUNCER_URL is None,
        reason="runs in the PgBouncer session (python -m tests.support.pgbouncer, from .ci/run)",
    ),
]


def _bouncer_port() -> int:
    assert PGBOUNCER_URL is not None
    port = make_url(PGBOUNCER_URL).port
    assert port is not None
    return port


async def _show(what: str) -> list[dict[str, str]]:
    return await asyncio.to_thread(show, _bouncer_port(), what)


async def _transactions(database: str) -> int:
    rows = await _show("STATS")
    return sum(int(row["total_xact_count"]) for row in rows if row["database"] == database)


async def test_the_app_reaches_postgresql_through_pgbouncer(
    app: FastAPI, client: httpx.AsyncClient, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("PgBouncer fronts PostgreSQL only")
    services = services_of(app)
    url = services.engine.url
    assert url.port == _bouncer_port()
    assert services.settings.database_pgbouncer is True
    database = url.database
    assert database is not None
    before = await _transactions(database)
    for number in range(5):
        created = await client.post(
            "/api/ada/tasks", json={"title": f"t{number}"}, headers=auth("ada")
        )
        assert created.status_code == 201, created.text
    assert await _transactions(database) - before >= 5
    clients = [row for row in await _show("CLIENTS") if row["database"] == database]
    assert clients, "the app holds no client connection to PgBouncer"
    config = {row["key"]: row["value"] for row in await _show("CONFIG")}
    assert config["pool_mode"] == "transaction"


async def _open_server_connections(count: int) -> None:
    """Make PgBouncer open `count` server connections: as many clients in a transaction at once."""
    assert PGBOUNCER_URL is not None
    clients = [await asyncpg.connect(PGBOUNCER_URL, statement_cache_size=0) for _ in range(count)]
    transactions = [client.transaction() for client in clients]
    try:
        for transaction in transactions:
            await transaction.start()
        pids = [await client.fetchval("SELECT pg_backend_pid()") for client in clients]
        assert len(set(pids)) == count
    finally:
        for client, transaction in zip(clients, transactions, strict=True):
            await transaction.rollback()
            await client.close()


async def test_one_clients_transactions_run_on_different_server_connections() -> None:
    # Transaction pooling: each transaction takes a server connection in turn. A direct
    # connection has one backend for its whole life.
    assert PGBOUNCER_URL is not None
    await _open_server_connections(3)
    connection = await asyncpg.connect(PGBOUNCER_URL, statement_cache_size=0)
    try:
        backends = set()
        for _ in range(8):
            async with connection.transaction():
                backends.add(await connection.fetchval("SELECT pg_backend_pid()"))
        assert len(backends) > 1
    finally:
        await connection.close()


async def test_prepared_statements_do_not_survive_their_transaction() -> None:
    # The strict case of Neon's pooler (no protocol-level prepared statements): what the app's
    # pgbouncer mode works around, and what a naive driver setup trips over.
    assert PGBOUNCER_URL is not None
    await _open_server_connections(3)
    connection = await asyncpg.connect(PGBOUNCER_URL)
    try:
        async with connection.transaction():
            statement = await connection.prepare("SELECT 1")
        with pytest.raises(asyncpg.exceptions.InvalidSQLStatementNameError):
            for _ in range(8):
                async with connection.transaction():
                    await statement.fetchval()
    finally:
        await connection.close()


async def test_the_app_engine_runs_many_statements_through_pgbouncer(app: FastAPI) -> None:
    # The engine's pgbouncer mode: unique statement names, nothing cached across transactions.
    engine = services_of(app).engine
    if engine.dialect.name != "postgresql":
        pytest.skip("PgBouncer fronts PostgreSQL only")
    for number in range(20):
        async with engine.connect() as connection:
            query = text("SELECT CAST(:n AS integer)")
            assert (await connection.execute(query, {"n": number})).scalar() == number
            await connection.commit()
