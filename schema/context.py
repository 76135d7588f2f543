"""The per-request GraphQL context: the verified user, as the Owner the services take."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import cached_property
from typing import Any

from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from db import recurring
from db.models import TaskRow
from db.statements import Statement
from db.store import Executor, Owner, Row, Store
from schema.errors import NotAuthenticated


class Context(BaseContext):
    def __init__(self, store: Store, user_id: str | None) -> None:
        super().__init__()
        self._owner = None if user_id is None else Owner(OneAtATime(store), user_id)

    @property
    def authenticated(self) -> bool:
        """Whether the request carried a verified token."""
        return self._owner is not None

    @property
    def owner(self) -> Owner:
        """The verified user's store; UNAUTHENTICATED when the request carried no token."""
        if self._owner is None:
            raise NotAuthenticated
        return self._owner

    @cached_property
    def next_occurrences(self) -> DataLoader[int, TaskRow | None]:
        """The next occurrence of the owner's tasks by id, looked up together per page."""
        owner = self.owner

        async def load(task_ids: Sequence[int]) -> Sequence[TaskRow | None]:
            return await recurring.next_occurrences(owner, task_ids)

        return DataLoader(load_fn=load)


class OneAtATime:
    """A store that runs one request's statements one after another.

    graphql-core resolves a query's root fields concurrently: without this, a document of
    thirty aliased fields would hold as many pooled connections at once, and a few clients
    could take the whole pool. A request uses one connection at a time, as a REST call does.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._turn = asyncio.Lock()
        self.dialect = store.dialect

    async def fetch_as(
        self, owner_id: str, statement: Statement, params: dict[str, Any]
    ) -> list[Row]:
        async with self._turn:
            return await self._store.fetch_as(owner_id, statement, params)

    @asynccontextmanager
    async def transaction(self, owner_id: str) -> AsyncIterator[Executor]:
        async with self._turn, self._store.transaction(owner_id) as executor:
            yield executor

    async def ping(self) -> None:
        await self._store.ping()

    def pool_readings(self) -> tuple[int, int, int] | None:
        return self._store.pool_readings()

    async def close(self) -> None:
        await self._store.close()
