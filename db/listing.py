"""Listing the owner's tasks: filters, keyset pages, offset pages, counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Row, Select, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import pagination
from db.inputs import SortDirection, SortField, StatusFilter, TaskQuery
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


@dataclass(frozen=True)
class _Shape:
    """What makes two list statements differ in SQL (not in their parameter values)."""

    status: StatusFilter
    by_priority: bool
    by_search: bool
    sort: SortField
    direction: SortDirection

    @classmethod
    def of(cls, query: TaskQuery) -> _Shape:
        return cls(
            query.status,
            query.priority is not None,
            bool(query.search),
            query.sort,
            query.direction,
        )


def _parameters(owner_id: str, query: TaskQuery, **extra: int) -> dict[str, Any]:
    parameters: dict[str, Any] = {"owner_id": owner_id, **extra}
    if query.priority is not None:
        parameters["priority"] = query.priority.value
    if query.search:
        parameters["pattern"] = f"%{_escape_like(query.search)}%"
    return parameters


def _filters(shape: _Shape) -> list[ColumnElement[bool]]:
    """Every list statement's conditions; the owner's is always the first."""
    conditions: list[ColumnElement[bool]] = [Task.user_id == bindparam("owner_id")]
    if shape.status is StatusFilter.PENDING:
        conditions.append(Task.completed.is_(False))
    elif shape.status is StatusFilter.COMPLETED:
        conditions.append(Task.completed.is_(True))
    if shape.by_priority:
        conditions.append(Task.priority == bindparam("priority"))
    if shape.by_search:
        pattern: BindParameter[str] = bindparam("pattern")
        conditions.append(
            or_(
                Task.title.ilike(pattern, escape="\\"), Task.description.ilike(pattern, escape="\\")
            )
        )
    return conditions


# Statements are built once per shape and reused with new parameters: building and
# fingerprinting a statement costs more than PostgreSQL takes to run it.
@lru_cache(maxsize=128)
def _count_statement(shape: _Shape) -> Select[Any]:
    return select(func.count()).select_from(Task).where(*_filters(shape))


@lru_cache(maxsize=128)
def _revision_and_count_statement(shape: _Shape) -> Select[Any]:
    revision = select(TaskListRevision.revision).where(
        TaskListRevision.user_id == bindparam("owner_id")
    )
    return select(revision.scalar_subquery(), _count_statement(shape).scalar_subquery())


@lru_cache(maxsize=128)
def _offset_statement(shape: _Shape) -> Select[Any]:
    return (
        select(*Task.__table__.columns)
        .where(*_filters(shape))
        .order_by(*pagination.order_by(shape.sort, shape.direction))
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


async def count_tasks(session: AsyncSession, owner_id: str, query: TaskQuery) -> int:
    """How many of the owner's tasks match the query's filters."""
    statement = _count_statement(_Shape.of(query))
    count: int = (await session.execute(statement, _parameters(owner_id, query))).scalar_one()
    return count


async def list_page(
    session: AsyncSession, owner_id: str, query: TaskQuery, first: int, after: str | None
) -> TaskPage:
    """The owner's tasks after the cursor `after`, at most `first` of them."""
    keys = pagination.sort_keys(query.sort)
    conditions = _filters(_Shape.of(query))
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
    rows = (await session.execute(statement, _parameters(owner_id, query))).all()
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
    parameters = _parameters(owner_id, query, limit=limit, offset=offset)
    result = await session.execute(_offset_statement(_Shape.of(query)), parameters)
    rows: Sequence[Row[Any]] = result.all()
    return rows


async def revision_and_count(
    session: AsyncSession, owner_id: str, query: TaskQuery
) -> tuple[int, int]:
    """The owner's list revision and how many tasks match `query`, in one round trip."""
    statement = _revision_and_count_statement(_Shape.of(query))
    row = (await session.execute(statement, _parameters(owner_id, query))).one()
    return row[0] or 0, row[1]
