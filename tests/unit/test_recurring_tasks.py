"""Recurring tasks in db.tasks, called directly through a real store on both backends.

Completing a recurring task creates its next occurrence, once; the series' start, place and
rule travel with it; COUNT and UNTIL end it; editing the rule, the due date or the time zone
restarts it. What the database holds is read by another connection.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from db import recurring, tasks
from db.errors import InvalidInput, TaskNotFound, VersionConflict
from db.inputs import TaskCreate, TaskUpdate
from db.models import Task, TaskRow
from db.store import Owner
from tests.support.databases import services_of

MONDAY = datetime(2030, 3, 25, 8, tzinfo=UTC)  # 09:00 in Berlin, the Monday before DST
WEEKLY = "FREQ=WEEKLY;BYDAY=MO"


@pytest.fixture
def engine(app: FastAPI) -> AsyncEngine:
    return services_of(app).engine


@pytest.fixture
def alice(app: FastAPI) -> Owner:
    return Owner(services_of(app).store, "alice")


@pytest.fixture
def bob(app: FastAPI) -> Owner:
    return Owner(services_of(app).store, "bob")


async def _stored(engine: AsyncEngine) -> list[dict[str, Any]]:
    """Every task, oldest first, as another connection reads them."""
    async with engine.connect() as other:
        rows = await other.execute(select(Task.__table__).order_by(Task.id))
        return [dict(row._mapping) for row in rows]


async def _count(engine: AsyncEngine) -> int:
    async with engine.connect() as other:
        return int((await other.execute(select(func.count()).select_from(Task))).scalar_one())


async def _recurring(owner: Owner, rule: str = WEEKLY, **fields: Any) -> TaskRow:
    values = {"title": "Stand-up", "due_date": MONDAY, "recurrence": rule, **fields}
    return await tasks.create_task(owner, TaskCreate.model_validate(values))


def _patch(**fields: Any) -> TaskUpdate:
    return TaskUpdate.model_validate(fields)


async def test_a_recurring_task_starts_its_series(alice: Owner) -> None:
    task = await _recurring(alice, "rrule:freq=weekly;byday=mo", time_zone="europe/berlin")
    assert (task.recurrence, task.time_zone) == (WEEKLY, "Europe/Berlin")
    assert (task.recurrence_start, task.occurrence, task.recurs_from) == (MONDAY, 1, None)
    once = await tasks.create_task(alice, TaskCreate(title="Once", due_date=MONDAY))
    assert (once.recurrence, once.time_zone, once.recurrence_start, once.occurrence) == (
        None,
        "UTC",
        None,
        None,
    )


async def test_a_recurring_task_needs_a_due_date(alice: Owner, engine: AsyncEngine) -> None:
    with pytest.raises(InvalidInput) as raised:
        await tasks.create_task(alice, TaskCreate(title="Daily", recurrence="FREQ=DAILY"))
    assert (raised.value.field, raised.value.reason) == (
        "due_date",
        "is required for a recurring task",
    )
    task = await _recurring(alice)
    once = await tasks.create_task(alice, TaskCreate(title="Once"))
    refused = [
        (task.id, {"due_date": None}),
        (once.id, {"recurrence": "FREQ=DAILY"}),
        (once.id, {"recurrence": "FREQ=DAILY", "due_date": None}),
    ]
    for task_id, fields in refused:
        with pytest.raises(InvalidInput, match="due_date: is required for a recurring task"):
            await tasks.update_task(alice, task_id, _patch(**fields))
    assert await _count(engine) == 2
    stopped = await tasks.update_task(alice, task.id, _patch(recurrence=None, due_date=None))
    assert (stopped.recurrence, stopped.due_date, stopped.occurrence) == (None, None, None)


@pytest.mark.parametrize(
    "complete",
    [
        lambda owner, task_id: tasks.toggle_task(owner, task_id),
        lambda owner, task_id: tasks.toggle_task(owner, task_id, completed=True),
        lambda owner, task_id: tasks.update_task(owner, task_id, _patch(completed=True)),
    ],
    ids=["flip", "set", "update"],
)
async def test_completing_creates_the_next_occurrence(
    alice: Owner, engine: AsyncEngine, complete: Any
) -> None:
    task = await _recurring(alice, description="Notes", priority="high", time_zone="Europe/Berlin")
    done = await complete(alice, task.id)
    assert done.completed and done.version == 2 and done.next_task_id is not None
    first, following = await _stored(engine)
    assert first["completed"] and first["id"] == task.id
    assert following == {
        **following,
        "id": done.next_task_id,
        "user_id": "alice",
        "title": "Stand-up",
        "description": "Notes",
        "priority": "high",
        "completed": False,
        "version": 1,
        # Monday 09:00 in Berlin, now summer time
        "due_date": datetime(2030, 4, 1, 7, tzinfo=UTC),
        "recurrence": WEEKLY,
        "time_zone": "Europe/Berlin",
        "recurrence_start": MONDAY,
        "occurrence": 2,
        "recurs_from": task.id,
    }


async def test_completing_again_names_the_one_next_occurrence(
    alice: Owner, engine: AsyncEngine
) -> None:
    task = await _recurring(alice)
    done = await tasks.toggle_task(alice, task.id, completed=True)
    again = await tasks.toggle_task(alice, task.id, completed=True)
    assert again.next_task_id == done.next_task_id and again.version == done.version
    updated = await tasks.update_task(alice, task.id, _patch(completed=True, title="Renamed"))
    assert updated.next_task_id == done.next_task_id and updated.title == "Renamed"
    # Un-completing keeps the next occurrence; completing again creates no other.
    undone = await tasks.toggle_task(alice, task.id)
    assert (undone.completed, undone.next_task_id) == (False, done.next_task_id)
    redone = await tasks.toggle_task(alice, task.id)
    assert (redone.completed, redone.next_task_id) == (True, done.next_task_id)
    assert await _count(engine) == 2


@pytest.mark.parametrize("how", ["toggle", "update"])
async def test_racing_completions_create_one_next_occurrence(
    alice: Owner, engine: AsyncEngine, how: str
) -> None:
    task = await _recurring(alice)
    if how == "toggle":
        writes = [tasks.toggle_task(alice, task.id, completed=True) for _ in range(20)]
    else:
        writes = [tasks.update_task(alice, task.id, _patch(completed=True)) for _ in range(20)]
    answers = await asyncio.gather(*writes)
    assert {answer.next_task_id for answer in answers} == {answers[0].next_task_id}
    assert answers[0].next_task_id is not None
    assert await _count(engine) == 2
    # A toggle that finds the task completed changes nothing; an update writes all the same.
    version = (await tasks.get_task(alice, task.id)).version
    assert version == (2 if how == "toggle" else 21)


async def test_the_series_continues_and_count_ends_it(alice: Owner, engine: AsyncEngine) -> None:
    task = await _recurring(alice, "FREQ=DAILY;COUNT=3")
    dues = [task.due_date]
    while True:
        done = await tasks.toggle_task(alice, task.id, completed=True)
        if done.next_task_id is None:
            break
        task = await tasks.get_task(alice, done.next_task_id)
        dues.append(task.due_date)
    assert dues == [MONDAY.replace(day=day) for day in (25, 26, 27)]
    assert [row["occurrence"] for row in await _stored(engine)] == [1, 2, 3]


async def test_until_ends_the_series(alice: Owner) -> None:
    task = await _recurring(alice, "FREQ=WEEKLY;UNTIL=20300401")
    second = await tasks.toggle_task(alice, task.id, completed=True)
    assert second.next_task_id is not None
    last = await tasks.toggle_task(alice, second.next_task_id, completed=True)
    assert last.next_task_id is None


async def test_editing_the_series_restarts_it(alice: Owner) -> None:
    task = await _recurring(alice, "FREQ=DAILY;COUNT=2")
    done = await tasks.toggle_task(alice, task.id, completed=True)
    assert done.next_task_id is not None
    second = await tasks.get_task(alice, done.next_task_id)
    assert second.occurrence == 2
    # Sending the same values changes nothing of the series.
    same = await tasks.update_task(
        alice, second.id, _patch(recurrence="FREQ=DAILY;COUNT=2", due_date=second.due_date)
    )
    assert (same.occurrence, same.recurrence_start) == (2, MONDAY)
    later = datetime(2030, 5, 1, 18, 30, tzinfo=UTC)
    moved = await tasks.update_task(alice, second.id, _patch(due_date=later))
    assert (moved.occurrence, moved.recurrence_start) == (1, later)
    zoned = await tasks.update_task(alice, second.id, _patch(time_zone="Asia/Tokyo"))
    assert (zoned.occurrence, zoned.recurrence_start) == (1, later)
    again = await tasks.toggle_task(alice, second.id, completed=True)
    assert again.next_task_id is not None
    third = await tasks.get_task(alice, again.next_task_id)
    assert (third.due_date, third.occurrence) == (datetime(2030, 5, 2, 18, 30, tzinfo=UTC), 2)


async def test_completion_checks_the_owner_and_the_version(
    alice: Owner, bob: Owner, engine: AsyncEngine
) -> None:
    task = await _recurring(alice)
    with pytest.raises(TaskNotFound):
        await tasks.toggle_task(bob, task.id, completed=True)
    with pytest.raises(TaskNotFound):
        await tasks.update_task(bob, task.id, _patch(completed=True))
    with pytest.raises(VersionConflict) as conflict:
        await tasks.toggle_task(alice, task.id, completed=True, expected=[7])
    assert type(conflict.value.current) is TaskRow and conflict.value.current.version == 1
    with pytest.raises(VersionConflict):
        await tasks.update_task(alice, task.id, _patch(completed=True), expected=[7])
    assert await _count(engine) == 1
    done = await tasks.toggle_task(alice, task.id, completed=True, expected=[1])
    assert done.next_task_id is not None


async def test_the_next_occurrences_of_a_page_in_one_lookup(alice: Owner) -> None:
    made = [await _recurring(alice, title=f"Task {n}") for n in range(5)]
    nexts = [await tasks.toggle_task(alice, task.id) for task in made[:3]]
    found = await recurring.next_occurrences(alice, [task.id for task in made])
    assert [task.id if task else None for task in found] == [
        *(done.next_task_id for done in nexts),
        None,
        None,
    ]
    assert await recurring.next_occurrences(Owner(alice.store, "bob"), [made[0].id]) == [None]
