"""Where the services' statements run, and the one ownership rule they all go through.

A `Store` runs statements: on PostgreSQL on an asyncpg pool (db.postgres_store), on SQLite
through SQLAlchemy (db.sqlite_store). The services never get a store: they get an `Owner`, the
store as one verified user sees it. An Owner binds its user to every statement's `owner_id`
parameter itself (a service cannot pass another), and names that user to the connection where
row level security asks for it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from db.statements import Statement

Row = Sequence[Any]
"""A result row: its columns in the statement's order."""


class Executor(Protocol):
    """Runs statements: the store itself (each statement on its own) or one transaction."""

    async def fetch(self, statement: Statement, params: dict[str, Any]) -> list[Row]: ...


class Store(Protocol):
    dialect: str
    """"postgresql" or "sqlite"."""

    async def fetch_as(
        self, owner_id: str, statement: Statement, params: dict[str, Any]
    ) -> list[Row]:
        """One statement, on its own, as `owner_id` (for row level security)."""
        ...

    def transaction(self, owner_id: str) -> AbstractAsyncContextManager[Executor]:
        """Statements that succeed or fail together, committed at the end of the block."""
        ...

    async def ping(self) -> None:
        """A round trip to the database; DatabaseUnavailable when there is none."""
        ...

    def pool_readings(self) -> tuple[int, int, int] | None:
        """Connections kept, in use, beyond the pool's size; None for a pool that keeps none."""
        ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Owner:
    """The store as one verified user sees it: what every service takes.

    `id` comes from a verified token only (api.deps, schema.context). Every statement a service
    runs gets it as its `owner_id` parameter, and the statements scope every row by it: another
    user's task is simply not found.
    """

    store: Store
    id: str

    async def fetch(self, statement: Statement, **params: Any) -> list[Row]:
        params["owner_id"] = self.id
        return await self.store.fetch_as(self.id, statement, params)

    async def fetch_one(self, statement: Statement, **params: Any) -> Row | None:
        rows = await self.fetch(statement, **params)
        return rows[0] if rows else None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[OwnerTransaction]:
        """The block's statements as one transaction, committed at its end, rolled back on error."""
        async with self.store.transaction(self.id) as executor:
            yield OwnerTransaction(executor, self.id)


@dataclass(frozen=True, slots=True)
class OwnerTransaction:
    """One transaction of an Owner: the same owner bound to every statement."""

    executor: Executor
    id: str

    async def fetch(self, statement: Statement, **params: Any) -> list[Row]:
        params["owner_id"] = self.id
        return await self.executor.fetch(statement, params)

    async def fetch_one(self, statement: Statement, **params: Any) -> Row | None:
        rows = await self.fetch(statement, **params)
        return rows[0] if rows else None
