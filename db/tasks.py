"""The task service: every statement is scoped to the owner inside the statement itself.

Another user's task is indistinguishable from one that never existed: both are TaskNotFound.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db import pagination
from db.errors import TaskNotFound
from db.inputs import StatusFilter, TaskCreate, TaskQuery, TaskUpdate
from db.models import Task

INT64_MAX = 2**63 - 1


@dataclass(frozen=True)
class TaskPage:
    """One page of a keyset-paginated list."""

    tasks: list[Task]
    cursors: list[str]
    has_next_page: bool
    total_count: int


def _now() -> datetime:
    return datetime.now(UTC)


def _owned(owner_id: str, task_id: int) -> ColumnElement[bool]:
    if not 0 < task_id <= INT64_MAX:
        raise TaskNotFound(task_id)
    return (Task.user_id == owner_id) & (Task.id == task_id)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filters(owner_id: str, query: TaskQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Task.user_id == owner_id]
    if query.status is StatusFilter.PENDING:
        conditions.append(Task.completed.is_(False))
    elif query.status is StatusFilter.COMPLETED:
        conditions.append(Task.completed.is_(True))
    if query.priority is not None:
        conditions.append(Task.priority == query.priority.value)
    if query.search:
        pattern = f"%{_escape_like(query.search)}%"
        conditions.append(
            or_(
                Task.title.ilike(pattern, escape="\\"),
                Task.description.ilike(pattern, escape="\\"),
            )
        )
    return conditions


async def count_tasks(session: AsyncSession, owner_id: str, query: TaskQuery) -> int:
    """How many of the owner's tasks match the query's filters."""
    statement = select(func.count()).select_from(Task).where(*_filters(owner_id, query))
    return (await session.execute(statement)).scalar_one()


async def list_page(
    session: AsyncSession, owner_id: str, query: TaskQuery, first: int, after: str | None
) -> TaskPage:
    """The owner's tasks after the cursor `after`, at most `first` of them."""
    keys = pagination.sort_keys(query.sort)
    conditions = _filters(owner_id, query)
    if after is not None:
        values = pagination.decode_cursor(after, query.sort, query.direction)
        conditions.append(pagination.after(query.sort, query.direction, values))
    statement = (
        select(Task, *(key.expression for key in keys))
        .where(*conditions)
        .order_by(*pagination.order_by(query.sort, query.direction))
        .limit(first + 1)
    )
    rows = (await session.execute(statement)).all()
    page = rows[:first]
    return TaskPage(
        tasks=[row[0] for row in page],
        cursors=[pagination.encode_cursor(query.sort, query.direction, row[1:]) for row in page],
        has_next_page=len(rows) > first,
        total_count=await count_tasks(session, owner_id, query),
    )


async def list_offset(
    session: AsyncSession, owner_id: str, query: TaskQuery, limit: int, offset: int
) -> Sequence[Task]:
    """The owner's tasks by position, for clients that page with limit and offset."""
    statement = (
        select(Task)
        .where(*_filters(owner_id, query))
        .order_by(*pagination.order_by(query.sort, query.direction))
        .limit(limit)
        .offset(offset)
    )
    return (await session.execute(statement)).scalars().all()


async def get_task(session: AsyncSession, owner_id: str, task_id: int) -> Task:
    """One of the owner's tasks."""
    task = (await session.execute(select(Task).where(_owned(owner_id, task_id)))).scalar()
    if task is None:
        raise TaskNotFound(task_id)
    return task


async def create_task(session: AsyncSession, owner_id: str, data: TaskCreate) -> Task:
    """A new task for the owner, committed."""
    now = _now()
    task = Task(
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
    session.add(task)
    await session.commit()
    return task


async def _write(
    session: AsyncSession, owner_id: str, task_id: int, *where: Any, **values: Any
) -> Task | None:
    """One UPDATE ... RETURNING that bumps version and updated_at; None when no row matched."""
    statement = (
        update(Task)
        .where(_owned(owner_id, task_id), *where)
        .values(**values, version=Task.version + 1, updated_at=_now())
        .returning(Task)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    task = (await session.execute(statement)).scalar()
    await session.commit()
    return task


async def update_task(
    session: AsyncSession, owner_id: str, task_id: int, patch: TaskUpdate
) -> Task:
    """Apply the fields that were sent; an empty patch changes nothing."""
    changes = {
        name: value.value if name == "priority" else value
        for name, value in patch.changes().items()
    }
    if not changes:
        return await get_task(session, owner_id, task_id)
    task = await _write(session, owner_id, task_id, **changes)
    if task is None:
        raise TaskNotFound(task_id)
    return task


async def toggle_task(
    session: AsyncSession, owner_id: str, task_id: int, completed: bool | None = None
) -> Task:
    """Flip `completed`, or set it to `completed`; setting the current value changes nothing."""
    if completed is None:
        task = await _write(session, owner_id, task_id, completed=not_(Task.completed))
    else:
        task = await _write(
            session, owner_id, task_id, Task.completed.is_not(completed), completed=completed
        )
        if task is None:
            return await get_task(session, owner_id, task_id)
    if task is None:
        raise TaskNotFound(task_id)
    return task


async def delete_task(session: AsyncSession, owner_id: str, task_id: int) -> int:
    """Delete one of the owner's tasks; its id."""
    statement = delete(Task).where(_owned(owner_id, task_id)).returning(Task.id)
    deleted = (await session.execute(statement)).scalar()
    await session.commit()
    if deleted is None:
        raise TaskNotFound(task_id)
    return deleted
