"""The rules of db.tasks, called directly through a real store on both backends.

Every write is checked against the row as another connection then reads it (the SQLAlchemy
engine, not the store): what the database holds, not what the returned row says.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from db import listing, tasks
from db.errors import TaskNotFound, VersionConflict
from db.inputs import TaskCreate, TaskQuery, TaskUpdate
from db.models import INT64_MAX, Tag, Task, TaskTag
from db.store import Owner
from tests.support.databases import services_of

ALICE, BOB = "alice", "bob"
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


@pytest.fixture
def engine(app: FastAPI) -> AsyncEngine:
    return services_of(app).engine


@pytest.fixture
def alice(app: FastAPI) -> Owner:
    return Owner(services_of(app).store, ALICE)


@pytest.fixture
def bob(app: FastAPI) -> Owner:
    return Owner(services_of(app).store, BOB)


async def _stored(engine: AsyncEngine, task_id: int) -> dict[str, Any] | None:
    """The row as another connection reads it (any owner), with its tags, or None."""
    async with engine.connect() as other:
        found = await other.execute(select(Task.__table__).where(Task.id == task_id))
        row = found.one_or_none()
        if row is None:
            return None
        linked = await other.execute(
            select(Tag.id, Tag.name, Tag.color)
            .join(TaskTag, TaskTag.tag_id == Tag.id)
            .where(TaskTag.task_id == task_id)
            .order_by(Tag.name_key, Tag.id)
        )
        return {**row._mapping, "tags": tuple(dict(tag._mapping) for tag in linked)}


async def _backdate(engine: AsyncEngine, task_id: int) -> None:
    """Last updated long ago, by another connection (so every write visibly moves it)."""
    async with engine.begin() as other:
        await other.execute(update(Task).where(Task.id == task_id).values(updated_at=LONG_AGO))


async def _created(owner: Owner, engine: AsyncEngine, **fields: Any) -> int:
    """A new task of `owner`, last updated long ago."""
    task = await tasks.create_task(owner, TaskCreate(title="Task", **fields))
    assert asdict(task) == await _stored(engine, task.id)
    await _backdate(engine, task.id)
    return task.id


async def _revision(owner: Owner) -> int:
    return (await listing.list_offset(owner, TaskQuery(), limit=1, offset=0)).revision


def _patch(**fields: Any) -> TaskUpdate:
    return TaskUpdate.model_validate(fields)


Write = Callable[[Owner, int], Awaitable[Any]]
WRITES: dict[str, Write] = {
    "get": lambda owner, i: tasks.get_task(owner, i),
    "update": lambda owner, i: tasks.update_task(owner, i, _patch(title="Mine now")),
    "empty update": lambda owner, i: tasks.update_task(owner, i, _patch()),
    "toggle": lambda owner, i: tasks.toggle_task(owner, i),
    "set": lambda owner, i: tasks.toggle_task(owner, i, completed=True),
    "delete": lambda owner, i: tasks.delete_task(owner, i),
}


@pytest.mark.parametrize("action", list(WRITES))
async def test_another_owners_task_is_not_found_and_stays_unchanged(
    alice: Owner, bob: Owner, engine: AsyncEngine, action: str
) -> None:
    bobs = await _created(bob, engine)
    before = await _stored(engine, bobs)
    bob_revision = await _revision(bob)
    with pytest.raises(TaskNotFound) as raised:
        await WRITES[action](alice, bobs)
    assert raised.value.task_id == bobs
    assert await _stored(engine, bobs) == before
    assert await _revision(bob) == bob_revision
    assert await _revision(alice) == 0
    # Still there for its owner: the attempt did not lose it either.
    assert (await tasks.get_task(bob, bobs)).version == 1


@pytest.mark.parametrize("action", list(WRITES))
async def test_an_id_no_task_can_have_is_not_found(alice: Owner, action: str) -> None:
    for task_id in (0, -1, INT64_MAX, INT64_MAX + 1, -(2**63)):
        with pytest.raises(TaskNotFound):
            await WRITES[action](alice, task_id)


async def test_each_write_bumps_the_version_and_updated_at(
    alice: Owner, engine: AsyncEngine
) -> None:
    task_id = await _created(alice, engine)
    created = await _stored(engine, task_id)
    assert created is not None and created["version"] == 1
    writes = [
        lambda: tasks.update_task(alice, task_id, _patch(description="Now with words")),
        lambda: tasks.toggle_task(alice, task_id),
        lambda: tasks.toggle_task(alice, task_id, completed=False),
    ]
    for version, write in enumerate(writes, start=2):
        returned = await write()
        stored = await _stored(engine, task_id)
        assert stored is not None
        assert asdict(tasks.columns(returned)) == stored
        assert returned.next_task_id is None
        assert returned.version == stored["version"] == version
        assert returned.updated_at == stored["updated_at"] > LONG_AGO
        assert stored["created_at"] == created["created_at"]
        await _backdate(engine, task_id)
    stored = await _stored(engine, task_id)
    assert stored is not None
    assert (stored["description"], stored["completed"]) == ("Now with words", False)


async def test_an_update_applies_only_the_fields_sent(alice: Owner, engine: AsyncEngine) -> None:
    task_id = await _created(alice, engine, description="Keep me", priority="high")
    before = await _stored(engine, task_id)
    await tasks.update_task(alice, task_id, _patch(title="  Renamed  ", due_date=None))
    after = await _stored(engine, task_id)
    assert before is not None and after is not None
    assert after["title"] == "Renamed"
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"title", "version", "updated_at"}


async def test_an_empty_patch_changes_nothing(alice: Owner, engine: AsyncEngine) -> None:
    task_id = await _created(alice, engine)
    before = await _stored(engine, task_id)
    revision = await _revision(alice)
    returned = await tasks.update_task(alice, task_id, _patch())
    assert returned.version == 1
    assert await _stored(engine, task_id) == before
    assert await _revision(alice) == revision


async def test_toggle_flips_and_setting_the_current_value_changes_nothing(
    alice: Owner, engine: AsyncEngine
) -> None:
    task_id = await _created(alice, engine)
    flipped = await tasks.toggle_task(alice, task_id)
    assert (flipped.completed, flipped.version) == (True, 2)
    await _backdate(engine, task_id)
    before = await _stored(engine, task_id)
    revision = await _revision(alice)
    same = await tasks.toggle_task(alice, task_id, completed=True)
    assert (same.completed, same.version, same.updated_at) == (True, 2, LONG_AGO)
    assert await _stored(engine, task_id) == before
    assert await _revision(alice) == revision
    back = await tasks.toggle_task(alice, task_id)
    assert (back.completed, back.version) == (False, 3)


Conditional = Callable[[Owner, int, list[int]], Awaitable[Any]]
CONDITIONAL: dict[str, Conditional] = {
    "update": lambda owner, i, v: tasks.update_task(owner, i, _patch(title="x"), v),
    "empty update": lambda owner, i, v: tasks.update_task(owner, i, _patch(), v),
    "toggle": lambda owner, i, v: tasks.toggle_task(owner, i, None, v),
    "set": lambda owner, i, v: tasks.toggle_task(owner, i, True, v),
    "delete": lambda owner, i, v: tasks.delete_task(owner, i, v),
}
# Versions the task is not at, including ones its 32-bit column cannot hold at all.
WRONG_VERSIONS = [[2], [0], [-1], [2**31], [2**63], [], [0, 2, 2**31]]


@pytest.mark.parametrize("action", list(CONDITIONAL))
async def test_a_write_expecting_another_version_conflicts_and_changes_nothing(
    alice: Owner, engine: AsyncEngine, action: str
) -> None:
    task_id = await _created(alice, engine)
    before = await _stored(engine, task_id)
    for expected in WRONG_VERSIONS:
        with pytest.raises(VersionConflict) as raised:
            await CONDITIONAL[action](alice, task_id, expected)
        assert raised.value.current.id == task_id, expected
        assert raised.value.current.version == 1, expected
        assert await _stored(engine, task_id) == before, expected


@pytest.mark.parametrize("action", list(CONDITIONAL))
async def test_a_write_expecting_the_current_version_goes_ahead(
    alice: Owner, engine: AsyncEngine, action: str
) -> None:
    task_id = await _created(alice, engine)
    await CONDITIONAL[action](alice, task_id, [7, 1])
    stored = await _stored(engine, task_id)
    if action == "delete":
        assert stored is None
    elif action == "empty update":
        assert stored is not None and stored["version"] == 1
    else:
        assert stored is not None and stored["version"] == 2


async def test_delete_returns_the_id_and_the_task_is_gone(
    alice: Owner, engine: AsyncEngine
) -> None:
    task_id = await _created(alice, engine)
    assert await tasks.delete_task(alice, task_id) == task_id
    assert await _stored(engine, task_id) is None
    with pytest.raises(TaskNotFound):
        await tasks.delete_task(alice, task_id)
    with pytest.raises(TaskNotFound):
        await tasks.get_task(alice, task_id)


async def test_each_write_bumps_the_owners_list_revision_only(
    alice: Owner, bob: Owner, engine: AsyncEngine
) -> None:
    revisions = [await _revision(alice)]
    task_id = await _created(alice, engine)  # an insert, then the test's own update of updated_at
    revisions.append(await _revision(alice))
    await tasks.update_task(alice, task_id, _patch(title="b"))
    revisions.append(await _revision(alice))
    await tasks.toggle_task(alice, task_id)
    revisions.append(await _revision(alice))
    await _created(bob, engine)
    revisions.append(await _revision(alice))
    await tasks.delete_task(alice, task_id)
    revisions.append(await _revision(alice))
    assert revisions == [0, 2, 3, 4, 4, 5]
