"""The store on SQLite: the services' statements through SQLAlchemy Core on its aiosqlite engine.

SQLite is the embedded default, not the production database: SQLAlchemy keeps doing what it
does well here (timestamps stored as naive text and read back as UTC, booleans, the engine's
pragmas and its single-connection pool for an in-memory database).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import QueuePool

from db.statements import Statement
from db.store import Row


class SqliteStore:
    """Statements on the engine's connections: each on its own in autocommit, or a transaction."""

    dialect = "sqlite"

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def fetch_as(
        self, owner_id: str, statement: Statement, params: dict[str, Any]
    ) -> list[Row]:
        async with self.engine.connect() as connection:
            return await _fetch(connection, statement, params)

    @asynccontextmanager
    async def transaction(self, owner_id: str) -> AsyncIterator[_Transaction]:
        async with self.engine.connect() as connection:
            # The engine's connections are in autocommit; this BEGIN is ours. IMMEDIATE takes
            # the write lock now: two transactions that read, then write, would otherwise both
            # read and the second fail to write (SQLITE_BUSY, whatever the busy timeout).
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield _Transaction(connection)
            except BaseException:
                await connection.exec_driver_sql("ROLLBACK")
                raise
            await connection.exec_driver_sql("COMMIT")

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    def pool_readings(self) -> tuple[int, int, int] | None:
        pool = self.engine.pool
        if not isinstance(pool, QueuePool):  # an in-memory database's single connection
            return None
        # SQLAlchemy's overflow() is negative while the pool is not full yet.
        return pool.size(), pool.checkedout(), max(pool.overflow(), 0)

    async def close(self) -> None:
        await self.engine.dispose()


class _Transaction:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def fetch(self, statement: Statement, params: dict[str, Any]) -> list[Row]:
        return await _fetch(self._connection, statement, params)


async def _fetch(
    connection: AsyncConnection, statement: Statement, params: dict[str, Any]
) -> list[Row]:
    result = await connection.execute(statement.core, params)
    return list(result.all()) if result.returns_rows else []
