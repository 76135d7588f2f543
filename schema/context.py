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
        """The request's session, for one resolver at a time; its work ends with the block."""
        async with self._session_lock:
            try:
                yield self._session
            finally:
                await _end_work(self._session)


async def _end_work(session: AsyncSession) -> None:
    """End what a resolver left open, so the next one (a mutation's sibling) starts clean.

    The services commit what they write, so what is left is reads, or a write that failed.
    """
    if session.in_transaction():
        # Detached, the answers keep their loaded values; a rollback would expire them.
        session.expunge_all()
        await session.rollback()
