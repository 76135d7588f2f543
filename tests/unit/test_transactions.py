"""Owner.transaction on both backends: one transaction, committed at the end, rolled back on error.

What the block wrote is read back through the engine: another connection, which sees only
what was committed.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import bindparam, select, update

from db import listing, tasks
from db.inputs import TaskCreate, TaskQuery, TaskUpdate
from db.models import Task
from db.statements import Statement
from db.store import Owner
from tests.support.databases import services_of

OWNER = "alice"
# Breaks the tasks table's version_positive check: fails in the database, mid-transaction.
_INVALID_VERSION = Statement(
    update(Task).where(Task.user_id == bindparam("owner_id")).values(version=0)
)


class Boom(Exception):
    pass


@pytest.fixture
def owner(app: FastAPI) -> Owner:
    return Owner(services_of(app).store, OWNER)


async def _titles(app: FastAPI) -> list[str]:
    """The owner's task titles, read on a connection of the engine's (what others can see)."""
    async with services_of(app).engine.connect() as other:
        statement = select(Task.title).where(Task.user_id == OWNER).order_by(Task.id)
        return list((await other.execute(statement)).scalars())


async def _revision(owner: Owner) -> int:
    return (await listing.list_offset(owner, TaskQuery(), limit=1, offset=0)).revision


async def test_the_block_is_committed_at_its_end(app: FastAPI, owner: Owner) -> None:
    async with owner.transaction() as transaction:
        one = await tasks.create_task(transaction, TaskCreate(title="one"))
        await tasks.create_task(transaction, TaskCreate(title="two"))
        # A real transaction: another connection does not see the rows yet.
        assert await _titles(app) == []
    assert await _titles(app) == ["one", "two"]
    assert (await tasks.get_task(owner, one.id)).title == "one"


async def test_the_blocks_statements_see_each_other(app: FastAPI, owner: Owner) -> None:
    async with owner.transaction() as transaction:
        created = await tasks.create_task(transaction, TaskCreate(title="draft"))
        assert await tasks.get_task(transaction, created.id) == created
        patch = TaskUpdate.model_validate({"title": "final"})
        updated = await tasks.update_task(transaction, created.id, patch, expected=[1])
        assert (updated.title, updated.version) == ("final", 2)
        toggled = await tasks.toggle_task(transaction, created.id, expected=[2])
        assert (await tasks.get_task(transaction, created.id)) == tasks.columns(toggled)
        assert await _titles(app) == []
    assert await tasks.get_task(owner, created.id) == tasks.columns(toggled)


async def test_an_error_rolls_the_whole_block_back_and_propagates(
    app: FastAPI, owner: Owner
) -> None:
    kept = await tasks.create_task(owner, TaskCreate(title="kept"))
    revision = await _revision(owner)
    with pytest.raises(Boom):
        async with owner.transaction() as transaction:
            await tasks.create_task(transaction, TaskCreate(title="one"))
            await tasks.update_task(transaction, kept.id, TaskUpdate.model_validate({"title": "x"}))
            await tasks.delete_task(transaction, kept.id)
            raise Boom
    assert await _titles(app) == ["kept"]
    assert await tasks.get_task(owner, kept.id) == kept
    assert await _revision(owner) == revision
    # The owner is usable afterwards, in a new transaction.
    async with owner.transaction() as transaction:
        await tasks.create_task(transaction, TaskCreate(title="three"))
    assert await _titles(app) == ["kept", "three"]


async def test_a_failing_statement_rolls_the_block_back(app: FastAPI, owner: Owner) -> None:
    kept = await tasks.create_task(owner, TaskCreate(title="kept"))
    revision = await _revision(owner)
    # asyncpg's own error on PostgreSQL, SQLAlchemy's on SQLite: both name the constraint.
    with pytest.raises(Exception, match="ck_tasks_version_positive"):
        async with owner.transaction() as transaction:
            await tasks.create_task(transaction, TaskCreate(title="one"))
            await transaction.fetch(_INVALID_VERSION)
    assert await _titles(app) == ["kept"]
    assert await tasks.get_task(owner, kept.id) == kept
    assert await _revision(owner) == revision


async def test_single_statements_commit_on_their_own_after_a_transaction(
    app: FastAPI, owner: Owner
) -> None:
    # The block's connection goes back to the pool: the next statements on it (and on others)
    # are in autocommit again, not left in a transaction that is never committed.
    with pytest.raises(Boom):
        async with owner.transaction() as transaction:
            await tasks.create_task(transaction, TaskCreate(title="rolled back"))
            raise Boom
    async with owner.transaction() as transaction:
        await tasks.create_task(transaction, TaskCreate(title="one"))
    for title in ("two", "three"):
        await tasks.create_task(owner, TaskCreate(title=title))
        assert (await _titles(app))[-1] == title
    assert await _titles(app) == ["one", "two", "three"]
