"""Recurring tasks in the store: a task's next occurrence, made once, found by the task it
recurs from.

Completing a recurring task (db.tasks) creates the next occurrence of its series in the same
transaction: the same title, description, priority and rule, due at db.recurrence's next date.
The new task's `recurs_from` names the completed one, and a unique index on it makes the insert
happen at most once per completed task: a retry, a racing completion, or completing the task
again after un-completing it finds the existing one (ON CONFLICT DO NOTHING) and names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ScalarSelect, bindparam, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler

from db import tags
from db.models import TASK_COLUMNS, Task, TaskRow
from db.new_task import new_task_values
from db.recurrence import next_occurrence
from db.statements import Statement
from db.store import Owner, OwnerTransaction
from db.tag_json import parse_tags, tags_of

# The most completed tasks one statement looks up; fewer are padded to the next power of two,
# so that a handful of statement shapes serve every page size.
LOOKUP_MAX = 128

_NEXT = aliased(Task, name="next_task")

Runner = Owner | OwnerTransaction


class _Qualified(ColumnElement[Any]):
    """A column expression whose names keep their table (SQLAlchemy's SQLite dialect drops the
    table from RETURNING's names, which would make a correlated subquery there ambiguous)."""

    inherit_cache = True

    def __init__(self, inner: ColumnElement[Any]) -> None:
        self.inner = inner
        self.type = inner.type


@compiles(_Qualified)
def _compile_qualified(element: _Qualified, compiler: SQLCompiler, **kw: Any) -> str:
    kw.pop("include_table", None)
    return compiler.process(element.inner, **kw)


def next_task_id() -> ColumnElement[int | None]:
    """The id of the task's next occurrence, None if it has none: a column for a statement
    about the owner's task `tasks` (one lookup on the unique index of `recurs_from`)."""
    found: ScalarSelect[int] = (
        select(_NEXT.id)
        .where(_NEXT.recurs_from == Task.id, _NEXT.user_id == bindparam("owner_id"))
        .correlate(Task)
        .scalar_subquery()
    )
    return _Qualified(found).label("next_task_id")


_INSERT_NEXT = Statement(
    postgresql.insert(Task)
    .values(**new_task_values(), recurs_from=bindparam("task_id"))
    .on_conflict_do_nothing(index_elements=[Task.recurs_from])
    .returning(Task.id)
)


async def create_next(tx: OwnerTransaction, task: TaskRow, now: datetime) -> int | None:
    """Insert the next occurrence of `task`, which this transaction has just completed; its id.

    None when the series has ended (COUNT, UNTIL) or the next occurrence exists already (the
    completed task's `next_task_id` names it then).
    """
    if task.recurrence is None or task.due_date is None:
        return None
    occurrence = task.occurrence or 1
    start = task.recurrence_start or task.due_date
    due = next_occurrence(
        task.recurrence,
        task.due_date,
        time_zone=task.time_zone,
        start=start,
        occurrence=occurrence,
    )
    if due is None:
        return None
    row = await tx.fetch_one(
        _INSERT_NEXT,
        task_id=task.id,
        new_title=task.title,
        new_description=task.description,
        new_priority=task.priority,
        new_due_date=due,
        new_recurrence=task.recurrence,
        new_time_zone=task.time_zone,
        new_recurrence_start=start,
        new_occurrence=occurrence + 1,
        now=now,
    )
    if row is None:
        return None
    next_id: int = row[0]
    # The next occurrence carries the completed task's tags, in this same transaction.
    await tags.link(tx, next_id, [tag.id for tag in task.tags], replace=False)
    return next_id


@lru_cache(maxsize=16)
def _lookup_statement(size: int) -> Statement:
    keys = [bindparam(f"from_{index}", type_=Task.recurs_from.type) for index in range(size)]
    return Statement(
        select(*TASK_COLUMNS, tags_of(Task.id).label("tags")).where(
            Task.user_id == bindparam("owner_id"), Task.recurs_from.in_(keys)
        )
    )


async def next_occurrences(owner: Runner, task_ids: Sequence[int]) -> list[TaskRow | None]:
    """The next occurrence of each of the owner's tasks `task_ids` (None: it has none), in one
    statement per LOOKUP_MAX tasks."""
    found: dict[int, TaskRow] = {}
    for start in range(0, len(task_ids), LOOKUP_MAX):
        chunk = task_ids[start : start + LOOKUP_MAX]
        size = 1 << (len(chunk) - 1).bit_length()
        padded = [*chunk, *[chunk[-1]] * (size - len(chunk))]
        rows = await owner.fetch(
            _lookup_statement(size), **{f"from_{index}": key for index, key in enumerate(padded)}
        )
        for row in rows:
            task = TaskRow(*(*row[:-1], parse_tags(row[-1])))
            assert task.recurs_from is not None  # the statement's condition
            found[task.recurs_from] = task
    return [found.get(task_id) for task_id in task_ids]
