"""The task service: every statement is scoped to the owner inside the statement itself.

Another user's task is indistinguishable from one that never existed: both are TaskNotFound.
Statements are built once per shape (which fields change, how many versions If-Match names)
and run on the driver (db.store); the owner is bound to each by the Owner (db.store), never
passed by a caller.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Text,
    bindparam,
    delete,
    false,
    insert,
    literal_column,
    not_,
    select,
    update,
)

from db import tags
from db.errors import TaskNotFound, VersionConflict
from db.inputs import TaskCreate, TaskUpdate
from db.models import INT64_MAX, TASK_COLUMNS, Task, TaskRow
from db.statements import Statement
from db.store import Owner, OwnerTransaction, Row
from db.tag_json import EMPTY, parse_tags, tags_of

VERSION_MAX = 2**31 - 1  # Task.version is a 32-bit INTEGER

Versions = Collection[int] | None
"""The versions a conditional write accepts (If-Match, expectedVersion); None: any."""

Runner = Owner | OwnerTransaction


_WIDTH = len(TASK_COLUMNS)
TASK_ANSWER = (*TASK_COLUMNS, tags_of(Task.id).label("tags"))
"""What every statement answering with a task returns: its columns, then its tags (as JSON)."""


def task_row(row: Row) -> TaskRow:
    """A TaskRow from a row that starts with TASK_ANSWER's columns."""
    return TaskRow(*(*row[:_WIDTH], parse_tags(row[_WIDTH])))


def _now() -> datetime:
    return datetime.now(UTC)


def _owned() -> ColumnElement[bool]:
    return (Task.user_id == bindparam("owner_id")) & (Task.id == bindparam("task_id"))


def _check_id(task_id: int) -> int:
    # Bound, an id beyond BIGINT would fail in the driver instead of matching nothing.
    if not 0 < task_id <= INT64_MAX:
        raise TaskNotFound(task_id)
    return task_id


_GET = Statement(select(*TASK_ANSWER).where(_owned()))
_CREATE = Statement(
    insert(Task)
    .values(
        user_id=bindparam("owner_id"),
        title=bindparam("new_title"),
        description=bindparam("new_description"),
        priority=bindparam("new_priority"),
        due_date=bindparam("new_due_date", type_=Task.due_date.type),
        completed=False,
        created_at=bindparam("now", type_=Task.created_at.type),
        updated_at=bindparam("now", type_=Task.updated_at.type),
        version=1,
    )
    # A new task has no tags yet (and SQLAlchemy does not correlate a subquery of INSERT's
    # RETURNING with the inserted row).
    .returning(*TASK_COLUMNS, literal_column(f"'{EMPTY}'", Text).label("tags"))
)


@asynccontextmanager
async def _transaction(owner: Runner) -> AsyncIterator[OwnerTransaction]:
    """A transaction of the owner's, or the one `owner` already is (the caller's to commit)."""
    if isinstance(owner, OwnerTransaction):
        yield owner
        return
    async with owner.transaction() as transaction:
        yield transaction


async def get_task(owner: Runner, task_id: int) -> TaskRow:
    """One of the owner's tasks."""
    row = await owner.fetch_one(_GET, task_id=_check_id(task_id))
    if row is None:
        raise TaskNotFound(task_id)
    return task_row(row)


async def create_task(owner: Runner, data: TaskCreate) -> TaskRow:
    """A new task for the owner, not completed."""
    if data.tag_ids:
        return await _create_tagged(owner, data)
    row = await owner.fetch_one(
        _CREATE,
        new_title=data.title,
        new_description=data.description,
        new_priority=data.priority.value,
        new_due_date=data.due_date,
        now=_now(),
    )
    assert row is not None  # an INSERT ... RETURNING returns its row
    return task_row(row)


def _version_in(count: int | None) -> list[ColumnElement[bool]]:
    if count is None:
        return []
    if count == 0:  # If-Match named no version a task can have
        return [false()]
    return [Task.version.in_([bindparam(f"expected_version_{index}") for index in range(count)])]


def _versions(expected: Versions) -> dict[str, int]:
    if expected is None:
        return {}
    # A version the column cannot hold matches nothing; bound, it would overflow the driver.
    valid = sorted({version for version in expected if 0 < version <= VERSION_MAX})
    return {f"expected_version_{index}": version for index, version in enumerate(valid)}


def _count(expected: Versions, versions: dict[str, int]) -> int | None:
    return None if expected is None else len(versions)


@lru_cache(maxsize=256)
def _update_statement(fields: tuple[str, ...], versions: int | None) -> Statement:
    """UPDATE ... RETURNING of `fields`, bumping version and updated_at, checking the version.

    The version check is part of the statement, so two writers expecting the same version
    cannot both succeed.
    """
    values: dict[str, Any] = {
        name: bindparam(f"new_{name}", type_=Task.__table__.c[name].type) for name in fields
    }
    return Statement(
        update(Task)
        .where(_owned(), *_version_in(versions))
        .values(**values, version=Task.version + 1, updated_at=bindparam("now"))
        .returning(*TASK_ANSWER)
    )


@lru_cache(maxsize=256)
def _toggle_statement(completed: bool | None, versions: int | None) -> Statement:
    """Flip `completed` (None), or set it where it differs, in one UPDATE ... RETURNING."""
    statement = update(Task).where(_owned(), *_version_in(versions))
    if completed is None:
        statement = statement.values(completed=not_(Task.completed))
    else:
        statement = statement.where(Task.completed.is_not(completed)).values(completed=completed)
    return Statement(
        statement.values(version=Task.version + 1, updated_at=bindparam("now")).returning(
            *TASK_ANSWER
        )
    )


@lru_cache(maxsize=64)
def _delete_statement(versions: int | None) -> Statement:
    return Statement(delete(Task).where(_owned(), *_version_in(versions)).returning(Task.id))


async def _unchanged(owner: Runner, task_id: int, expected: Versions) -> TaskRow:
    """Why a conditional write matched nothing: not found, a version conflict, or no-op."""
    task = await get_task(owner, task_id)
    if expected is not None and task.version not in expected:
        raise VersionConflict(task)
    return task


async def update_task(
    owner: Runner, task_id: int, patch: TaskUpdate, expected: Versions = None
) -> TaskRow:
    """Apply the fields that were sent; an empty patch changes nothing."""
    changes = {
        f"new_{name}": value.value if name == "priority" else value
        for name, value in patch.changes().items()
    }
    if (tag_ids := changes.pop("new_tag_ids", None)) is not None:
        return await _update_tagged(owner, task_id, changes, tag_ids, expected)
    if not changes:
        return await _unchanged(owner, task_id, expected)
    versions = _versions(expected)
    fields = tuple(sorted(name.removeprefix("new_") for name in changes))
    statement = _update_statement(fields, _count(expected, versions))
    row = await owner.fetch_one(
        statement, task_id=_check_id(task_id), now=_now(), **changes, **versions
    )
    return task_row(row) if row is not None else await _unchanged(owner, task_id, expected)


async def toggle_task(
    owner: Runner,
    task_id: int,
    completed: bool | None = None,
    expected: Versions = None,
) -> TaskRow:
    """Flip `completed`, or set it to `completed`; setting the current value changes nothing."""
    versions = _versions(expected)
    statement = _toggle_statement(completed, _count(expected, versions))
    row = await owner.fetch_one(statement, task_id=_check_id(task_id), now=_now(), **versions)
    return task_row(row) if row is not None else await _unchanged(owner, task_id, expected)


async def delete_task(owner: Runner, task_id: int, expected: Versions = None) -> int:
    """Delete one of the owner's tasks; its id."""
    versions = _versions(expected)
    statement = _delete_statement(_count(expected, versions))
    row = await owner.fetch_one(statement, task_id=_check_id(task_id), **versions)
    if row is None:
        await _unchanged(owner, task_id, expected)  # not found, or a conflict
        raise TaskNotFound(task_id)
    deleted: int = row[0]
    return deleted


# --- a task's tags: written with the task, in one transaction ---------------------------------


async def set_task_tags(
    owner: Runner, task_id: int, tag_ids: Sequence[int], expected: Versions = None
) -> TaskRow:
    """Give the task exactly these tags (of the owner's); its version goes up like any write."""
    return await _update_tagged(owner, task_id, {}, tag_ids, expected)


async def _create_tagged(owner: Runner, data: TaskCreate) -> TaskRow:
    async with _transaction(owner) as transaction:
        task = await create_task(transaction, data.model_copy(update={"tag_ids": None}))
        await tags.link(transaction, task.id, data.tag_ids or (), replace=False)
        return await get_task(transaction, task.id)


async def _update_tagged(
    owner: Runner,
    task_id: int,
    changes: dict[str, Any],
    tag_ids: Sequence[int],
    expected: Versions,
) -> TaskRow:
    """The task's fields in `changes` (maybe none) and its tags, as one write: the UPDATE
    first (its owner and version checks, the version bump), then the tags, then the answer."""
    versions = _versions(expected)
    fields = tuple(sorted(name.removeprefix("new_") for name in changes))
    statement = _update_statement(fields, _count(expected, versions))
    async with _transaction(owner) as transaction:
        row = await transaction.fetch_one(
            statement, task_id=_check_id(task_id), now=_now(), **changes, **versions
        )
        if row is None:
            await _unchanged(transaction, task_id, expected)  # not found, or a conflict
            raise TaskNotFound(task_id)
        await tags.link(transaction, task_id, tag_ids, replace=True)
        return await get_task(transaction, task_id)
