"""db.session.transaction on both backends: commit, rollback, and no nesting."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import tasks
from db.inputs import TaskCreate
from db.models import Task
from db.session import transaction
from tests.support.databases import services_of

OWNER = "alice"


class Boom(Exception):
    pass


@pytest.fixture
def sessions(app: FastAPI) -> async_sessionmaker[AsyncSession]:
    return services_of(app).sessionmaker


async def _titles(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    """The owner's task titles, read through a session of its own (what others can see)."""
    async with sessions() as other:
        statement = select(Task.title).where(Task.user_id == OWNER).order_by(Task.id)
        return list((await other.execute(statement)).scalars())


async def _add(session: AsyncSession, title: str) -> None:
    session.add(tasks.new_task(OWNER, TaskCreate(title=title)))
    await session.flush()


async def test_the_block_is_committed_at_its_end(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        async with transaction(session) as inside:
            assert inside is session
            await _add(session, "one")
            await _add(session, "two")
            # A real transaction: another connection does not see the rows yet.
            assert await _titles(sessions) == []
        assert not session.in_transaction()
        assert await _titles(sessions) == ["one", "two"]


async def test_an_error_rolls_the_whole_block_back_and_propagates(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        with pytest.raises(Boom):
            async with transaction(session):
                await _add(session, "one")
                await _add(session, "two")
                raise Boom
        assert not session.in_transaction()
        assert await _titles(sessions) == []
        # The session is usable afterwards, in a new transaction.
        async with transaction(session):
            await _add(session, "three")
    assert await _titles(sessions) == ["three"]


async def test_a_transaction_inside_a_transaction_is_refused(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        with pytest.raises(RuntimeError, match="transactions do not nest"):
            async with transaction(session):
                await _add(session, "outer")
                async with transaction(session):
                    await _add(session, "inner")  # pragma: no cover - never reached
        # The refusal is an error in the outer block: it rolled back, nothing was committed.
        assert not session.in_transaction()
    assert await _titles(sessions) == []


async def test_a_transaction_the_caller_left_open_is_refused_not_committed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        await session.execute(select(func.count()).select_from(Task))
        assert session.in_transaction()
        with pytest.raises(RuntimeError, match="already in a transaction"):
            async with transaction(session):
                pass  # pragma: no cover - never reached
        # Still the caller's own transaction, neither committed nor rolled back by the helper.
        assert session.in_transaction()
