"""Listing the owner's tasks: filters, keyset pages, offset pages, counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import pagination
from db.inputs import StatusFilter, TaskQuery
from db.models import Task, TaskListRevision, TaskRow


@dataclass(frozen=True)
class TaskPage:
    """One page of a keyset-paginated list."""

    tasks: list[TaskRow]
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
    columns = Task.__table__.columns
    statement = (
        select(*columns, *(key.expression for key in keys))
        .where(*conditions)
        .order_by(*pagination.order_by(query.sort, query.direction))
        .limit(first + 1)
    )
    rows = (await session.execute(statement)).all()
    page = rows[:first]
    width = len(columns)
    return TaskPage(
        tasks=list(page),
        cursors=[
            pagination.encode_cursor(query.sort, query.direction, row[width:]) for row in page
        ],
        has_next_page=len(rows) > first,
        total_count=await count_tasks(session, owner_id, query),
    )


async def list_offset(
    session: AsyncSession, owner_id: str, query: TaskQuery, limit: int, offset: int
) -> Sequence[Row[Any]]:
    """The owner's tasks by position, for clients that page with limit and offset.

    Plain rows (attributes named like Task's): building ORM objects for a page that is only
    serialized costs more than the query.
    """
    statement = (
        select(*Task.__table__.columns)
        .where(*_filters(owner_id, query))
        .order_by(*pagination.order_by(query.sort, query.direction))
        .limit(limit)
        .offset(offset)
    )
    return (await session.execute(statement)).all()


async def revision_and_count(
    session: AsyncSession, owner_id: str, query: TaskQuery
) -> tuple[int, int]:
    """The owner's list revision and how many tasks match `query`, in one round trip."""
    revision = select(TaskListRevision.revision).where(TaskListRevision.user_id == owner_id)
    count = select(func.count()).select_from(Task).where(*_filters(owner_id, query))
    row = (await session.execute(select(revision.scalar_subquery(), count.scalar_subquery()))).one()
    return row[0] or 0, row[1]
