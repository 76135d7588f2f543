"""The per-request GraphQL context: the verified user and one database session."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.fastapi import BaseContext

from schema.errors import NotAuthenticated


class Context(BaseContext):
    def __init__(self, session: AsyncSession, user_id: str | None) -> None:
        super().__init__()
        self._session = session
        self._user_id = user_id
        # graphql-core resolves the root fields of a query concurrently; a session is not
        # safe for concurrent use, so each resolver takes it in turn.
        self._session_lock = asyncio.Lock()

    @property
    def authenticated(self) -> bool:
        """Whether the request carried a verified token."""
        return self._user_id is not None

    @property
    def owner_id(self) -> str:
        """The verified user; UNAUTHENTICATED when the request carried no token."""
        if self._user_id is None:
            raise NotAuthenticated
        return self._user_id

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._session_lock:
            yield self._session
