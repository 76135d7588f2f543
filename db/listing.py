"""Listing the owner's tasks: filters, keyset pages, offset pages, counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import pagination
from db.inputs import StatusFilter, TaskQuery
from db.models import Task


@dataclass(frozen=True)
class TaskPage:
    """One page of a keyset-paginated list."""

    tasks: list[Task]
    cursors: list[str]
    has_next_page: bool
    total_count: int


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
