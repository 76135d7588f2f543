"""The engine and session factory for a database target."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from db.urls import DatabaseTarget

SQLITE_BUSY_TIMEOUT_SECONDS = 30


def create_engine(
    target: DatabaseTarget, *, pool_size: int = 10, echo: bool = False
) -> AsyncEngine:
    """An async engine with sane pooling for the target's backend."""
    if target.is_sqlite:
        engine = create_async_engine(
            target.url,
            echo=echo,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
        )
        event.listen(engine.sync_engine, "connect", _tune_sqlite)
        return engine
    url = target.url
    connect_args: dict[str, Any] = {**target.connect_args, "timeout": 10}
    if target.behind_pgbouncer:
        url = url.update_query_dict({"prepared_statement_cache_size": "0"})
        # PgBouncer in transaction mode hands each transaction any server connection: named
        # prepared statements must be unique and must not be cached across transactions.
        connect_args["prepared_statement_name_func"] = lambda: f"__asyncpg_{uuid4()}__"
        connect_args["statement_cache_size"] = 0
    return create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        # Serverless PostgreSQL closes idle connections; recycle before it does.
        pool_recycle=300,
        connect_args=connect_args,
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


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
