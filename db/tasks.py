"""The task service: every statement is scoped to the owner inside the statement itself.

Another user's task is indistinguishable from one that never existed: both are TaskNotFound.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, not_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.errors import TaskNotFound, VersionConflict
from db.inputs import TaskCreate, TaskUpdate
from db.models import INT64_MAX, Task

VERSION_MAX = 2**31 - 1  # Task.version is a 32-bit INTEGER


def _now() -> datetime:
    return datetime.now(UTC)


def _owned(owner_id: str, task_id: int) -> ColumnElement[bool]:
    if not 0 < task_id <= INT64_MAX:
        raise TaskNotFound(task_id)
    return (Task.user_id == owner_id) & (Task.id == task_id)


async def get_task(session: AsyncSession, owner_id: str, task_id: int) -> Task:
    """One of the owner's tasks."""
    task = (await session.execute(select(Task).where(_owned(owner_id, task_id)))).scalar()
    if task is None:
        raise TaskNotFound(task_id)
    return task


Versions = Collection[int] | None
"""The versions a conditional write accepts (If-Match, expectedVersion); None: any."""


async def create_task(session: AsyncSession, owner_id: str, data: TaskCreate) -> Task:
    """A new task for the owner, committed."""
    task = new_task(owner_id, data)
    session.add(task)
    await session.commit()
    return task


def new_task(owner_id: str, data: TaskCreate) -> Task:
    now = _now()
    return Task(
        user_id=owner_id,
        title=data.title,
        description=data.description,
        priority=data.priority.value,
        due_date=data.due_date,
        completed=False,
        created_at=now,
        updated_at=now,
        version=1,
    )


async def _write(
    session: AsyncSession,
    owner_id: str,
    task_id: int,
    expected: Versions,
    *where: ColumnElement[bool],
    **values: Any,
) -> Task | None:
    """One UPDATE ... RETURNING that bumps version and updated_at; None when no row matched.

    The version check is part of the statement, so two writers expecting the same version
    cannot both succeed.
    """
    statement = (
        update(Task)
        .where(_owned(owner_id, task_id), *where, *_version_in(expected))
        .values(**values, version=Task.version + 1, updated_at=_now())
        .returning(Task)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    task = (await session.execute(statement)).scalar()
    await session.commit()
    return task


def _version_in(expected: Versions) -> list[ColumnElement[bool]]:
    if expected is None:
        return []
    # A version the column cannot hold matches nothing; bound, it would overflow the driver.
    return [Task.version.in_([version for version in expected if 0 < version <= VERSION_MAX])]


async def _unchanged(
    session: AsyncSession, owner_id: str, task_id: int, expected: Versions
) -> Task:
    """Why a conditional write matched nothing: not found, a version conflict, or no-op."""
    task = await get_task(session, owner_id, task_id)
    if expected is not None and task.version not in expected:
        raise VersionConflict(task)
    return task


async def update_task(
    session: AsyncSession,
    owner_id: str,
    task_id: int,
    patch: TaskUpdate,
    expected: Versions = None,
) -> Task:
    """Apply the fields that were sent; an empty patch changes nothing."""
    changes = {
        name: value.value if name == "priority" else value
        for name, value in patch.changes().items()
    }
    if not changes:
        return await _unchanged(session, owner_id, task_id, expected)
    task = await _write(session, owner_id, task_id, expected, **changes)
    return task or await _unchanged(session, owner_id, task_id, expected)


async def toggle_task(
    session: AsyncSession,
    owner_id: str,
    task_id: int,
    completed: bool | None = None,
    expected: Versions = None,
) -> Task:
    """Flip `completed`, or set it to `completed`; setting the current value changes nothing."""
    if completed is None:
        task = await _write(session, owner_id, task_id, expected, completed=not_(Task.completed))
    else:
        task = await _write(
            session,
            owner_id,
            task_id,
            expected,
            Task.completed.is_not(completed),
            completed=completed,
        )
    return task or await _unchanged(session, owner_id, task_id, expected)


async def delete_task(
    session: AsyncSession, owner_id: str, task_id: int, expected: Versions = None
) -> int:
    """Delete one of the owner's tasks; its id."""
    statement = (
        delete(Task).where(_owned(owner_id, task_id), *_version_in(expected)).returning(Task.id)
    )
    deleted = (await session.execute(statement)).scalar()
    if deleted is None:
        await _unchanged(session, owner_id, task_id, expected)  # not found, or a conflict
        raise TaskNotFound(task_id)
    await session.commit()
    return deleted
