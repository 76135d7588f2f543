"""Count the SQL statements an app sends to its database while a block runs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import event

from db.statements import Statement
from db.store import Executor, Row, Store
from tests.support.databases import services_of


class _RecordingStore:
    """The app's store, noting each statement's SQL before running it."""

    def __init__(self, store: Store, statements: list[str]) -> None:
        self._store = store
        self._statements = statements
        self.dialect = store.dialect

    async def fetch_as(
        self, owner_id: str, statement: Statement, params: dict[str, Any]
    ) -> list[Row]:
        self._statements.append(statement.sql)
        return await self._store.fetch_as(owner_id, statement, params)

    def transaction(self, owner_id: str) -> AbstractAsyncContextManager[Executor]:
        return self._transaction(owner_id)

    @asynccontextmanager
    async def _transaction(self, owner_id: str) -> AsyncIterator[Executor]:
        async with self._store.transaction(owner_id) as executor:
            yield _RecordingExecutor(executor, self._statements)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


class _RecordingExecutor:
    def __init__(self, executor: Executor, statements: list[str]) -> None:
        self._executor = executor
        self._statements = statements

    async def fetch(self, statement: Statement, params: dict[str, Any]) -> list[Row]:
        self._statements.append(statement.sql)
        return await self._executor.fetch(statement, params)


@contextmanager
def sql_statements(app: FastAPI) -> Iterator[list[str]]:
    """Every statement the app sends inside the block (its store's and its engine's), in order.

    A refusal that must come before the database asserts this list stays empty.
    """
    services = services_of(app)
    engine = services.engine.sync_engine
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    store = services.store
    # SQLite's store runs its statements on the engine, which records them already.
    if store.dialect != "sqlite":
        services.store = _RecordingStore(store, statements)  # type: ignore[assignment]
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
        services.store = store
