"""The rules of db.tasks, called directly with a real session on both backends.

Every write is checked against the row as a separate session then reads it: what the
database holds, not what the returned object says.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import listing, tasks
from db.errors import TaskNotFound, VersionConflict
from db.inputs import TaskCreate, TaskQuery, TaskUpdate
from db.models import INT64_MAX, Task
from tests.support.databases import services_of

ALICE, BOB = "alice", "bob"
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def sessions(app: FastAPI) -> Sessions:
    return services_of(app).sessionmaker


@pytest.fixture
async def session(sessions: Sessions) -> AsyncIterator[AsyncSession]:
    async with sessions() as opened:
        yield opened


async def _stored(sessions: Sessions, task_id: int) -> dict[str, Any] | None:
    """The row as another session reads it (any owner), or None."""
    async with sessions() as other:
        task = await other.get(Task, task_id)
        if task is None:
            return None
        return {column.key: getattr(task, column.key) for column in Task.__table__.columns}


async def _created(session: AsyncSession, owner: str = ALICE, **fields: Any) -> int:
    """A new task of `owner`, last updated long ago (so every write visibly moves it)."""
    task = await tasks.create_task(session, owner, TaskCreate(title="Task", **fields))
    await session.execute(update(Task).where(Task.id == task.id).values(updated_at=LONG_AGO))
    await session.commit()
    return task.id


async def _revision(session: AsyncSession, owner: str = ALICE) -> int:
    revision, _ = await listing.revision_and_count(session, owner, TaskQuery())
    await session.commit()
    return revision


def _patch(**fields: Any) -> TaskUpdate:
    return TaskUpdate.model_validate(fields)


WRITES = {
    "get": lambda s, owner, i: tasks.get_task(s, owner, i),
    "update": lambda s, owner, i: tasks.update_task(s, owner, i, _patch(title="Mine now")),
    "empty update": lambda s, owner, i: tasks.update_task(s, owner, i, _patch()),
    "toggle": lambda s, owner, i: tasks.toggle_task(s, owner, i),
    "set": lambda s, owner, i: tasks.toggle_task(s, owner, i, completed=True),
    "delete": lambda s, owner, i: tasks.delete_task(s, owner, i),
}


@pytest.mark.parametrize("action", list(WRITES))
async def test_another_owners_task_is_not_found_and_stays_unchanged(
    session: AsyncSession, sessions: Sessions, action: str
) -> None:
    bobs = await _created(session, BOB)
    before = await _stored(sessions, bobs)
    bob_revision = await _revision(session, BOB)
    with pytest.raises(TaskNotFound) as raised:
        await WRITES[action](session, ALICE, bobs)
    assert raised.value.task_id == bobs
    await session.rollback()
    assert await _stored(sessions, bobs) == before
    assert await _revision(session, BOB) == bob_revision
    assert await _revision(session, ALICE) == 0


@pytest.mark.parametrize("action", list(WRITES))
async def test_an_id_no_task_can_have_is_not_found(session: AsyncSession, action: str) -> None:
    for task_id in (0, -1, INT64_MAX, INT64_MAX + 1, -(2**63)):
        with pytest.raises(TaskNotFound):
            await WRITES[action](session, ALICE, task_id)


async def test_each_write_bumps_the_version_and_updated_at(
    session: AsyncSession, sessions: Sessions
) -> None:
    task_id = await _created(session)
    created = await _stored(sessions, task_id)
    assert created is not None and created["version"] == 1
    writes = [
        lambda: tasks.update_task(session, ALICE, task_id, _patch(description="Now with words")),
        lambda: tasks.toggle_task(session, ALICE, task_id),
        lambda: tasks.toggle_task(session, ALICE, task_id, completed=False),
    ]
    for version, write in enumerate(writes, start=2):
        returned = await write()
        stored = await _stored(sessions, task_id)
        assert stored is not None
        assert returned.version == stored["version"] == version
        assert returned.updated_at == stored["updated_at"] > LONG_AGO
        assert stored["created_at"] == created["created_at"]
        await session.execute(update(Task).where(Task.id == task_id).values(updated_at=LONG_AGO))
        await session.commit()
    stored = await _stored(sessions, task_id)
    assert stored is not None
    assert (stored["description"], stored["completed"]) == ("Now with words", False)


async def test_an_update_applies_only_the_fields_sent(
    session: AsyncSession, sessions: Sessions
) -> None:
    task_id = await _created(session, description="Keep me", priority="high")
    before = await _stored(sessions, task_id)
    await tasks.update_task(session, ALICE, task_id, _patch(title="  Renamed  ", due_date=None))
    after = await _stored(sessions, task_id)
    assert before is not None and after is not None
    assert after["title"] == "Renamed"
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"title", "version", "updated_at"}


async def test_an_empty_patch_changes_nothing(session: AsyncSession, sessions: Sessions) -> None:
    task_id = await _created(session)
    before = await _stored(sessions, task_id)
    revision = await _revision(session)
    returned = await tasks.update_task(session, ALICE, task_id, _patch())
    assert returned.version == 1
    assert await _stored(sessions, task_id) == before
    assert await _revision(session) == revision


async def test_toggle_flips_and_setting_the_current_value_changes_nothing(
    session: AsyncSession, sessions: Sessions
) -> None:
    task_id = await _created(session)
    flipped = await tasks.toggle_task(session, ALICE, task_id)
    assert (flipped.completed, flipped.version) == (True, 2)
    await session.execute(update(Task).where(Task.id == task_id).values(updated_at=LONG_AGO))
    await session.commit()
    before = await _stored(sessions, task_id)
    revision = await _revision(session)
    same = await tasks.toggle_task(session, ALICE, task_id, completed=True)
    assert (same.completed, same.version, same.updated_at) == (True, 2, LONG_AGO)
    assert await _stored(sessions, task_id) == before
    assert await _revision(session) == revision
    back = await tasks.toggle_task(session, ALICE, task_id)
    assert (back.completed, back.version) == (False, 3)


CONDITIONAL = {
    "update": lambda s, i, v: tasks.update_task(s, ALICE, i, _patch(title="x"), v),
    "empty update": lambda s, i, v: tasks.update_task(s, ALICE, i, _patch(), v),
    "toggle": lambda s, i, v: tasks.toggle_task(s, ALICE, i, None, v),
    "set": lambda s, i, v: tasks.toggle_task(s, ALICE, i, True, v),
    "delete": lambda s, i, v: tasks.delete_task(s, ALICE, i, v),
}
# Versions the task is not at, including ones its 32-bit column cannot hold at all.
WRONG_VERSIONS = [[2], [0], [-1], [2**31], [2**63], [], [0, 2, 2**31]]


@pytest.mark.parametrize("action", list(CONDITIONAL))
async def test_a_write_expecting_another_version_conflicts_and_changes_nothing(
    session: AsyncSession, sessions: Sessions, action: str
) -> None:
    task_id = await _created(session)
    before = await _stored(sessions, task_id)
    for expected in WRONG_VERSIONS:
        with pytest.raises(VersionConflict) as raised:
            await CONDITIONAL[action](session, task_id, expected)
        assert raised.value.current.id == task_id, expected
        assert raised.value.current.version == 1, expected
        await session.rollback()
        assert await _stored(sessions, task_id) == before, expected


@pytest.mark.parametrize("action", list(CONDITIONAL))
async def test_a_write_expecting_the_current_version_goes_ahead(
    session: AsyncSession, sessions: Sessions, action: str
) -> None:
    task_id = await _created(session)
    await CONDITIONAL[action](session, task_id, [7, 1])
    stored = await _stored(sessions, task_id)
    if action == "delete":
        assert stored is None
    elif action == "empty update":
        assert stored is not None and stored["version"] == 1
    else:
        assert stored is not None and stored["version"] == 2


async def test_delete_returns_the_id_and_the_task_is_gone(
    session: AsyncSession, sessions: Sessions
) -> None:
    task_id = await _created(session)
    assert await tasks.delete_task(session, ALICE, task_id) == task_id
    assert await _stored(sessions, task_id) is None
    with pytest.raises(TaskNotFound):
        await tasks.delete_task(session, ALICE, task_id)
    with pytest.raises(TaskNotFound):
        await tasks.get_task(session, ALICE, task_id)


async def test_each_write_bumps_the_owners_list_revision_only(session: AsyncSession) -> None:
    revisions = [await _revision(session)]
    task_id = await _created(session)  # an insert, then the test's own update of updated_at
    revisions.append(await _revision(session))
    await tasks.update_task(session, ALICE, task_id, _patch(title="b"))
    revisions.append(await _revision(session))
    await tasks.toggle_task(session, ALICE, task_id)
    revisions.append(await _revision(session))
    await _created(session, BOB)
    revisions.append(await _revision(session))
    await tasks.delete_task(session, ALICE, task_id)
    revisions.append(await _revision(session))
    assert revisions == [0, 2, 3, 4, 4, 5]
