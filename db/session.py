"""The engine and session factory for a database target, and the transaction helper."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

from sqlalchemy import Connection, event, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry

from db.availability import pool_class, report_outages
from db.urls import DatabaseTarget

SQLITE_BUSY_TIMEOUT_SECONDS = 30
CONNECT_TIMEOUT_SECONDS = 10
# A statement on a server that stopped answering fails (503) instead of hanging the request.
COMMAND_TIMEOUT_SECONDS = 15
# Waiting for a pooled connection when all are busy (also a 503).
POOL_TIMEOUT_SECONDS = 10
# A pooled connection idle longer than this is pinged before use (a serverless database may have
# closed it); busy connections are not, which saves a round trip per request.
PING_AFTER_IDLE_SECONDS = 10
# Local to the transaction: safe through PgBouncer in transaction mode.
SET_OWNER = text("SELECT set_config('app.user_id', :owner_id, true)")
# For the few operations that need several statements in one transaction (`transaction`).
TRANSACTION_ISOLATION = {"postgresql": "READ COMMITTED", "sqlite": "SERIALIZABLE"}


def create_engine(
    target: DatabaseTarget,
    *,
    pool_size: int = 10,
    echo: bool = False,
    row_level_security: bool = False,
    command_timeout: float | None = COMMAND_TIMEOUT_SECONDS,
) -> AsyncEngine:
    """An async engine with sane pooling for the target's backend."""
    if target.is_sqlite:
        engine = create_async_engine(
            target.url,
            echo=echo,
            isolation_level="AUTOCOMMIT",
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            poolclass=pool_class(target.url),
        )
        event.listen(engine.sync_engine, "connect", _tune_sqlite)
        report_outages(engine)
        return engine
    url = target.url
    connect_args: dict[str, Any] = {
        **target.connect_args,
        "timeout": CONNECT_TIMEOUT_SECONDS,
        "command_timeout": command_timeout,
    }
    if target.behind_pgbouncer:
        url = url.update_query_dict({"prepared_statement_cache_size": "0"})
        # PgBouncer in transaction mode hands each transaction any server connection: named
        # prepared statements must be unique and must not be cached across transactions.
        connect_args["prepared_statement_name_func"] = lambda: f"__asyncpg_{uuid4()}__"
        connect_args["statement_cache_size"] = 0
    engine = create_async_engine(
        url,
        echo=echo,
        # Every read and write is one statement, so each runs in its own implicit transaction
        # (no BEGIN/COMMIT round trips). Behind PgBouncer a statement's parse and execute must
        # share a transaction to reach the same server connection, so there it is explicit.
        # Row level security keys on a per-transaction setting: it needs transactions too.
        isolation_level=(
            "READ COMMITTED" if target.behind_pgbouncer or row_level_security else "AUTOCOMMIT"
        ),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        # Serverless PostgreSQL closes idle connections; recycle before it does.
        pool_recycle=300,
        connect_args=connect_args,
        poolclass=pool_class(url),
    )
    _ping_idle_connections(engine)
    report_outages(engine)
    return engine


def create_sessionmaker(
    engine: AsyncEngine, *, row_level_security: bool = False
) -> async_sessionmaker[AsyncSession]:
    """Sessions; with row level security each transaction first names its owner."""
    session_class = OwnerScopedSession if row_level_security else Session
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=session_class)


class OwnerScopedSession(Session):
    """A session whose transactions set `app.user_id` (see the row level security migration).

    The owner comes from `session.info["owner_id"]`; without one the setting is empty, and
    PostgreSQL's policy shows no task at all.
    """


@event.listens_for(OwnerScopedSession, "after_begin")
def _name_the_owner(session: Session, _transaction: Any, connection: Connection) -> None:
    owner_id = session.info.get("owner_id") or ""
    connection.execute(SET_OWNER, {"owner_id": owner_id})


@asynccontextmanager
async def transaction(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """The block's statements as one transaction: committed at its end, rolled back on error.

    Refuses to start inside a transaction the session already has (RuntimeError): it would
    have to commit that one first, or become part of it, and neither is what the caller means.
    """
    if session.in_transaction():
        raise RuntimeError(
            "transaction(): the session is already in a transaction; transactions do not nest, "
            "so commit or roll back the open one first"
        )
    isolation = TRANSACTION_ISOLATION[session.get_bind().dialect.name]
    await session.connection(execution_options={"isolation_level": isolation})
    try:
        yield session
        await session.commit()
    except BaseException:
        await session.rollback()
        raise


def _ping_idle_connections(engine: AsyncEngine) -> None:
    pool_events = engine.sync_engine

    @event.listens_for(pool_events, "checkin")
    def _idle_from(_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(pool_events, "checkout")
    def _ping_if_idle(connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(connection)
        except Exception as error:
            # The pool discards this connection and checks out (or opens) another.
            raise DisconnectionError(str(error)) from error


def _tune_sqlite(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    # SQLite's lower() (used by case-insensitive search and title order) knows only ASCII;
    # Python's matches PostgreSQL's for non-ASCII letters too.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value
