"""The engine and the store for a database target.

The store (db.store) runs the services' statements. The SQLAlchemy engine runs the rest: SQLite's
statements (through SqliteStore), migrations, and the operational checks (the role's grants,
/ready) on PostgreSQL, which use a connection or two at most.
"""

from __future__ import annotations

import time
from typing import Any
from uuid import uuid4

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from db.availability import pool_class, report_outages
from db.postgres_store import (
    COMMAND_TIMEOUT_SECONDS,
    CONNECT_TIMEOUT_SECONDS,
    PING_AFTER_IDLE_SECONDS,
    POOL_TIMEOUT_SECONDS,
    PostgresStore,
)
from db.sqlite_store import SqliteStore
from db.store import Store
from db.urls import DatabaseTarget

# The engine's pool follows the store's rules (the same waits, the same pings of idle
# connections): POOL_TIMEOUT_SECONDS and PING_AFTER_IDLE_SECONDS come from db.postgres_store.
SQLITE_BUSY_TIMEOUT_SECONDS = 30


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


def create_store(
    target: DatabaseTarget,
    engine: AsyncEngine,
    *,
    pool_size: int = 10,
    row_level_security: bool = False,
    command_timeout: float | None = COMMAND_TIMEOUT_SECONDS,
) -> Store:
    """Where the services' statements run: asyncpg's pool on PostgreSQL, `engine` on SQLite."""
    if target.is_sqlite:
        return SqliteStore(engine)
    return PostgresStore(
        target,
        pool_size=pool_size,
        row_level_security=row_level_security,
        command_timeout=command_timeout,
    )


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
