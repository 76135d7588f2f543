"""Listing the owner's tasks: filters, keyset pages, offset pages, counts, in one round trip.

A list's statement returns the owner's list revision and how many tasks match on every row,
then the page's tasks with their tags (a JSON array per task, db.tag_json): one header row LEFT
JOINed to the page, so that an empty page still brings the revision and the count. Statements
are built once per shape (which filters, which order, whether a cursor has a null, how many
tags) and reused with new parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    bindparam,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
    true,
)

from db import pagination
from db.inputs import SortDirection, SortField, StatusFilter, TagMatch, TaskQuery
from db.models import TASK_COLUMNS, Tag, Task, TaskListRevision, TaskRow, TaskTag
from db.statements import Statement
from db.store import Owner
from db.tag_json import EMPTY, tags_of
from db.tasks import task_row

_WIDTH = len(TASK_COLUMNS) + 1  # the task's columns and its tags


@dataclass(frozen=True)
class TaskPage:
    """One page of a keyset-paginated list."""

    tasks: list[TaskRow]
    cursors: list[str]
    has_next_page: bool
    total_count: int


@dataclass(frozen=True)
class TaskList:
    """One page of an offset-paginated list, with what its ETag and X-Total-Count need."""

    tasks: list[TaskRow]
    revision: int
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
    # Which cursor values are null (keyset pages after a cursor); None: no cursor.
    after_nulls: tuple[bool, ...] | None = None
    # How many tag ids the filter names (one parameter each), and whether tasks need them all.
    tags: int = 0
    all_tags: bool = False

    @classmethod
    def of(cls, query: TaskQuery, after: list[Any] | None = None) -> _Shape:
        return cls(
            query.status,
            query.priority is not None,
            bool(query.search),
            query.sort,
            query.direction,
            None if after is None else tuple(value is None for value in after),
            len(query.tag_ids),
            query.tag_match is TagMatch.ALL and len(query.tag_ids) > 1,
        )


def _parameters(query: TaskQuery, **extra: Any) -> dict[str, Any]:
    parameters: dict[str, Any] = dict(extra)
    if query.priority is not None:
        parameters["priority"] = query.priority.value
    if query.search:
        parameters["pattern"] = f"%{_escape_like(query.search)}%"
    for index, tag_id in enumerate(query.tag_ids):
        parameters[f"tag_{index}"] = tag_id
    return parameters


def _tagged(shape: _Shape) -> ColumnElement[bool]:
    """Tasks carrying any of the filter's tags, or all of them (the links are the owner's)."""
    wanted = [bindparam(f"tag_{index}", type_=TaskTag.tag_id.type) for index in range(shape.tags)]
    links = (TaskTag.task_id == Task.id) & (TaskTag.user_id == bindparam("owner_id"))
    matching = links & TaskTag.tag_id.in_(wanted)
    if not shape.all_tags:
        return exists().where(matching)
    carried = select(func.count()).select_from(TaskTag).where(matching).scalar_subquery()
    return carried == shape.tags


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
    if shape.tags:
        conditions.append(_tagged(shape))
    return conditions


# Every shape a client can ask for (filters x orders x cursor nulls: a few hundred) fits.
@lru_cache(maxsize=1024)
def _list_statement(shape: _Shape) -> Statement:
    """Revision, count, then the page's task columns, tags and sort keys, in the page's order."""
    keys = [key.expression for key in pagination.sort_keys(shape.sort)]
    conditions = _filters(shape)
    if shape.after_nulls is not None:
        conditions.append(pagination.after(shape.sort, shape.direction, shape.after_nulls))
    page = (
        select(*TASK_COLUMNS, *(key.label(f"sort_{index}") for index, key in enumerate(keys)))
        .where(*conditions)
        .order_by(*pagination.order_by(shape.sort, shape.direction))
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery("page")
    )
    revision = select(TaskListRevision.revision).where(
        TaskListRevision.user_id == bindparam("owner_id")
    )
    count = select(func.count()).select_from(Task).where(*_filters(shape))
    # Whether the owner has any tag: if not, no page row needs its subquery (measured on
    # PostgreSQL: a page of 50 tasks without tags costs what it did before tags).
    tagged = exists().where(Tag.user_id == bindparam("owner_id"))
    header = select(
        revision.scalar_subquery().label("revision"),
        count.scalar_subquery().label("total"),
        tagged.label("tagged"),
    ).subquery("header")
    sort_columns = [page.c[f"sort_{index}"] for index in range(len(keys))]
    # The tags of the page's tasks only: the subquery runs once per row of the page.
    task_columns = [page.c[column.name] for column in TASK_COLUMNS]
    return Statement(
        select(
            header.c.revision,
            header.c.total,
            *task_columns,
            case((header.c.tagged, tags_of(page.c.id)), else_=literal_column(f"'{EMPTY}'")).label(
                "tags"
            ),
            *sort_columns,
        )
        .select_from(header.outerjoin(page, true()))
        .order_by(*pagination.order_by(shape.sort, shape.direction, sort_columns))
    )


async def list_offset(owner: Owner, query: TaskQuery, limit: int, offset: int) -> TaskList:
    """The owner's tasks by position, for clients that page with limit and offset."""
    statement = _list_statement(_Shape.of(query))
    rows = await owner.fetch(statement, **_parameters(query, limit=limit, offset=offset))
    return TaskList(
        tasks=[task_row(row[2:]) for row in rows if row[2] is not None],
        revision=rows[0][0] or 0,
        total_count=rows[0][1],
    )


async def list_page(owner: Owner, query: TaskQuery, first: int, after: str | None) -> TaskPage:
    """The owner's tasks after the cursor `after`, at most `first` of them."""
    values = None
    if after is not None:
        values = pagination.decode_cursor(after, query.sort, query.direction)
    statement = _list_statement(_Shape.of(query, values))
    parameters = _parameters(query, limit=first + 1, offset=0)
    parameters.update(pagination.after_parameters(values or []))
    rows = await owner.fetch(statement, **parameters)
    total = rows[0][1]
    found = [row for row in rows if row[2] is not None]
    page = found[:first]
    return TaskPage(
        tasks=[task_row(row[2:]) for row in page],
        cursors=[
            pagination.encode_cursor(query.sort, query.direction, row[2 + _WIDTH :]) for row in page
        ],
        has_next_page=len(found) > first,
        total_count=total,
    )
