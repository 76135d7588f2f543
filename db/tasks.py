"""The task service: every statement is scoped to the owner inside the statement itself.

Another user's task is indistinguishable from one that never existed: both are TaskNotFound.
Statements are built once per shape (which fields change, how many versions If-Match names)
and run on the driver (db.store); the owner is bound to each by the Owner (db.store), never
passed by a caller.

A write is one statement, except one that completes a recurring task (db.recurring): the
single UPDATE refuses that, and only when it matched nothing does the write take a transaction
that locks the task, writes it and inserts its next occurrence.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Text,
    bindparam,
    case,
    delete,
    false,
    insert,
    literal_column,
    not_,
    null,
    or_,
    select,
    update,
)

from db import recurring, tags
from db.errors import TaskNotFound, VersionConflict
from db.inputs import TaskCreate, TaskUpdate
from db.models import INT64_MAX, TASK_COLUMNS, Task, TaskRow
from db.new_task import new_task_values
from db.recurrence import require_due_date
from db.statements import Statement
from db.store import Owner, OwnerTransaction, Row
from db.tag_json import EMPTY, parse_tags, tags_of

VERSION_MAX = 2**31 - 1  # Task.version is a 32-bit INTEGER

Versions = Collection[int] | None
"""The versions a conditional write accepts (If-Match, expectedVersion); None: any."""

Runner = Owner | OwnerTransaction


_WIDTH = len(TASK_COLUMNS)
# Changing any of these restarts a recurring task's series (db.recurrence).
SERIES_FIELDS = ("recurrence", "due_date", "time_zone")


@dataclass(slots=True)
class WrittenTask(TaskRow):
    """A task as an update or a toggle answers it: its columns, then the id of its next
    occurrence (made when it was completed, by this write or an earlier one); None: none."""

    next_task_id: int | None = None


TASK_ANSWER = (*TASK_COLUMNS, tags_of(Task.id).label("tags"))
"""What every statement answering with a task returns: its columns, then its tags (as JSON)."""


def task_row(row: Row) -> TaskRow:
    """A TaskRow from a row that starts with TASK_ANSWER's columns."""
    return TaskRow(*(*row[:_WIDTH], parse_tags(row[_WIDTH])))


def _written(row: Row) -> WrittenTask:
    """A WrittenTask from a row of TASK_ANSWER's columns and recurring.next_task_id()."""
    return WrittenTask(*(*row[:_WIDTH], parse_tags(row[_WIDTH]), row[_WIDTH + 1]))


def columns(task: TaskRow) -> TaskRow:
    """The task's columns alone: a TaskRow of a WrittenTask (what a 412 answers)."""
    return TaskRow(*(getattr(task, field.name) for field in fields(TaskRow)))


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
_GET_WRITTEN = Statement(select(*TASK_ANSWER, recurring.next_task_id()).where(_owned()))
_NEXT_ID = Statement(select(recurring.next_task_id()).where(_owned()))
# PostgreSQL locks the row until the transaction ends; SQLite's BEGIN IMMEDIATE locks it all.
# Not its next occurrence: a read that waited for the lock sees the row as its holder left it,
# but the rest of the database (a next occurrence it inserted) as it was before the wait.
_LOCK = Statement(select(*TASK_ANSWER).where(_owned()).with_for_update(of=Task))
_CREATE = Statement(
    insert(Task)
    .values(**new_task_values())
    # A new task has no tags yet (and SQLAlchemy does not correlate a subquery of INSERT's
    # RETURNING with the inserted row).
    .returning(*TASK_COLUMNS, literal_column(f"'{EMPTY}'", Text).label("tags"))
)


async def get_task(owner: Runner, task_id: int) -> TaskRow:
    """One of the owner's tasks."""
    row = await owner.fetch_one(_GET, task_id=_check_id(task_id))
    if row is None:
        raise TaskNotFound(task_id)
    return task_row(row)


async def create_task(owner: Runner, data: TaskCreate) -> TaskRow:
    """A new task for the owner, not completed; a recurring one starts its series."""
    if data.tag_ids:
        return await _create_tagged(owner, data)
    require_due_date(data.recurrence, data.due_date)
    recurs = data.recurrence is not None
    row = await owner.fetch_one(
        _CREATE,
        new_title=data.title,
        new_description=data.description,
        new_priority=data.priority.value,
        new_due_date=data.due_date,
        new_recurrence=data.recurrence,
        new_time_zone=data.time_zone,
        new_recurrence_start=data.due_date if recurs else None,
        new_occurrence=1 if recurs else None,
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
    if valid:
        # Padded to a power of two with the last one repeated (IN (1, 2, 2, 2) is IN (1, 2)):
        # a handful of statement shapes, not one per count a client can send.
        valid += [valid[-1]] * ((1 << (len(valid) - 1).bit_length()) - len(valid))
    return {f"expected_version_{index}": version for index, version in enumerate(valid)}


def _count(expected: Versions, versions: dict[str, int]) -> int | None:
    return None if expected is None else len(versions)


@dataclass(frozen=True)
class _Patch:
    """What makes two UPDATE statements differ in SQL (not in their parameter values)."""

    fields: tuple[str, ...]
    versions: int | None
    recurs: bool | None  # what `recurrence` is set to: a rule (True), none (False); None: kept
    clears_due_date: bool
    completes: bool

    @classmethod
    def of(cls, changes: dict[str, Any], versions: int | None) -> _Patch:
        return cls(
            tuple(sorted(changes)),
            versions,
            None if "recurrence" not in changes else changes["recurrence"] is not None,
            "due_date" in changes and changes["due_date"] is None,
            changes.get("completed") is True,
        )


def _series(patch: _Patch, values: dict[str, Any]) -> dict[str, Any]:
    """The series' start and the task's place in it: restarted where the rule, the due date or
    the time zone changes to another value (db.recurrence); none once the task does not recur."""
    if patch.recurs is False:
        return {"recurrence_start": None, "occurrence": None}
    column = Task.__table__.c
    sent = [name for name in SERIES_FIELDS if name in patch.fields]
    changed = or_(*(values[name].is_distinct_from(column[name]) for name in sent))
    due = values.get("due_date", Task.due_date)
    stopped = Task.recurrence.is_(None) if patch.recurs is None else false()
    return {
        "recurrence_start": case((stopped, null()), (changed, due), else_=Task.recurrence_start),
        "occurrence": case((stopped, null()), (changed, 1), else_=Task.occurrence),
    }


def _patch_conditions(patch: _Patch, guarded: bool) -> list[ColumnElement[bool]]:
    """A recurring task keeps a due date; `guarded`: the UPDATE does not complete a recurring
    task (the transaction in _complete_recurring does)."""
    conditions: list[ColumnElement[bool]] = []
    if patch.recurs and "due_date" not in patch.fields:
        conditions.append(Task.due_date.is_not(None))
    if patch.clears_due_date and patch.recurs is None:
        conditions.append(Task.recurrence.is_(None))
    if guarded and patch.completes and patch.recurs is not False:
        recurs_now = Task.recurrence.is_(None) if patch.recurs is None else false()
        conditions.append(or_(recurs_now, Task.completed.is_(True)))
    return conditions


@lru_cache(maxsize=256)
def _update_statement(patch: _Patch, guarded: bool) -> Statement:
    """UPDATE ... RETURNING of the patch's fields, bumping version and updated_at, checking the
    version.

    The version check is part of the statement, so two writers expecting the same version
    cannot both succeed.
    """
    values: dict[str, Any] = {
        name: bindparam(f"new_{name}", type_=Task.__table__.c[name].type) for name in patch.fields
    }
    if any(name in patch.fields for name in SERIES_FIELDS):
        values.update(_series(patch, values))
    return Statement(
        update(Task)
        .where(_owned(), *_version_in(patch.versions), *_patch_conditions(patch, guarded))
        .values(**values, version=Task.version + 1, updated_at=bindparam("now"))
        .returning(*TASK_ANSWER, recurring.next_task_id())
    )


@lru_cache(maxsize=256)
def _toggle_statement(completed: bool | None, versions: int | None, guarded: bool) -> Statement:
    """Flip `completed` (None), or set it where it differs, in one UPDATE ... RETURNING;
    `guarded`: not where that completes a recurring task."""
    statement = update(Task).where(_owned(), *_version_in(versions))
    if completed is None:
        statement = statement.values(completed=not_(Task.completed))
        if guarded:
            statement = statement.where(or_(Task.recurrence.is_(None), Task.completed.is_(True)))
    else:
        statement = statement.where(Task.completed.is_not(completed)).values(completed=completed)
        if guarded and completed:
            statement = statement.where(Task.recurrence.is_(None))
    return Statement(
        statement.values(version=Task.version + 1, updated_at=bindparam("now")).returning(
            *TASK_ANSWER, recurring.next_task_id()
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


async def _answer(owner: Runner, row: Row) -> WrittenTask:
    """What the single UPDATE returned, its next occurrence read again for a recurring task
    that seems to have none: on PostgreSQL an UPDATE that waited for the lock of a transaction
    completing the task sees the task as that transaction left it, but not the next occurrence
    it inserted (the rest of the database is as it was before the wait)."""
    task = _written(row)
    if task.recurrence is None or task.next_task_id is not None:
        return task
    found = await owner.fetch_one(_NEXT_ID, task_id=task.id)
    return task if found is None else replace(task, next_task_id=found[0])


async def _current(owner: Runner, task_id: int, expected: Versions) -> WrittenTask:
    """The task as it is, and its next occurrence: not found, or a version conflict."""
    row = await owner.fetch_one(_GET_WRITTEN, task_id=task_id)
    if row is None:
        raise TaskNotFound(task_id)
    task = _written(row)
    _check_version(task, expected)
    return task


async def _locked(tx: OwnerTransaction, task_id: int, expected: Versions) -> TaskRow:
    """The task, locked until the transaction ends: not found, or a version conflict."""
    row = await tx.fetch_one(_LOCK, task_id=task_id)
    if row is None:
        raise TaskNotFound(task_id)
    task = task_row(row)
    _check_version(task, expected)
    return task


def _check_version(task: TaskRow, expected: Versions) -> None:
    if expected is not None and task.version not in expected:
        raise VersionConflict(columns(task))


def _check_merged(task: TaskRow, changes: dict[str, Any]) -> None:
    """The task as the patch would leave it keeps a due date if it recurs."""
    require_due_date(
        changes.get("recurrence", task.recurrence), changes.get("due_date", task.due_date)
    )


@asynccontextmanager
async def _transaction(owner: Runner) -> AsyncIterator[OwnerTransaction]:
    """A transaction of the owner's, or the one the caller runs this write in."""
    if isinstance(owner, OwnerTransaction):
        yield owner
        return
    async with owner.transaction() as tx:
        yield tx


async def _completed(tx: OwnerTransaction, before: TaskRow, row: Row | None) -> WrittenTask:
    """The task as the transaction wrote it, and its next occurrence if the write completed it."""
    assert row is not None  # the task is locked, and its version was checked
    task = _written(row)
    if before.completed or not task.completed or task.recurrence is None:
        return task
    created = await recurring.create_next(tx, task, task.updated_at)
    return task if created is None else replace(task, next_task_id=created)


async def update_task(
    owner: Runner, task_id: int, patch: TaskUpdate, expected: Versions = None
) -> WrittenTask:
    """Apply the fields that were sent; an empty patch changes nothing. Completing a recurring
    task creates its next occurrence."""
    task_id = _check_id(task_id)
    changes = {
        name: value.value if name == "priority" else value
        for name, value in patch.changes().items()
    }
    if (tag_ids := changes.pop("tag_ids", None)) is not None:
        return await _update_tagged(owner, task_id, changes, tag_ids, expected)
    return await _update_fields(owner, task_id, changes, expected)


async def _update_fields(
    owner: Runner, task_id: int, changes: dict[str, Any], expected: Versions
) -> WrittenTask:
    """update_task's write of the task's own fields (`changes`, by column)."""
    if not changes:
        return await _current(owner, task_id, expected)
    if "recurrence" in changes and "due_date" in changes:
        require_due_date(changes["recurrence"], changes["due_date"])
    versions = _versions(expected)
    shape = _Patch.of(changes, _count(expected, versions))
    params = {f"new_{name}": value for name, value in changes.items()}
    params.update(task_id=task_id, now=_now(), **versions)
    row = await owner.fetch_one(_update_statement(shape, guarded=True), **params)
    if row is not None:
        return await _answer(owner, row)
    # Not found, a conflict, a recurring task left without a due date, or one to complete.
    _check_merged(await _current(owner, task_id, expected), changes)
    async with _transaction(owner) as tx:
        before = await _locked(tx, task_id, expected)
        _check_merged(before, changes)
        written = await tx.fetch_one(_update_statement(shape, guarded=False), **params)
        return await _completed(tx, before, written)


async def toggle_task(
    owner: Runner,
    task_id: int,
    completed: bool | None = None,
    expected: Versions = None,
) -> WrittenTask:
    """Flip `completed`, or set it to `completed`; setting the current value changes nothing.
    Completing a recurring task creates its next occurrence."""
    task_id = _check_id(task_id)
    versions = _versions(expected)
    count = _count(expected, versions)
    params: dict[str, Any] = {"task_id": task_id, "now": _now(), **versions}
    row = await owner.fetch_one(_toggle_statement(completed, count, guarded=True), **params)
    if row is not None:
        return await _answer(owner, row)
    # Not found, a conflict, already so, or a recurring task to complete.
    task = await _current(owner, task_id, expected)
    if task.completed is completed:
        return task
    async with _transaction(owner) as tx:
        before = await _locked(tx, task_id, expected)
        if before.completed is completed:  # completed meanwhile: its next occurrence is new too
            return await _current(tx, task_id, expected)
        written = await tx.fetch_one(_toggle_statement(completed, count, guarded=False), **params)
        return await _completed(tx, before, written)


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
    return columns(await _update_tagged(owner, _check_id(task_id), {}, tag_ids, expected))


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
) -> WrittenTask:
    """The task's fields in `changes` (maybe none) and its tags, as one write: the update first
    (its owner and version checks, the version bump, a recurring task's next occurrence), then
    the tags, then the answer."""
    async with _transaction(owner) as transaction:
        if changes:
            await _update_fields(transaction, task_id, changes, expected)
        else:
            versions = _versions(expected)
            touch = _update_statement(_Patch.of({}, _count(expected, versions)), guarded=True)
            row = await transaction.fetch_one(touch, task_id=task_id, now=_now(), **versions)
            if row is None:
                await _unchanged(transaction, task_id, expected)  # not found, or a conflict
                raise TaskNotFound(task_id)
        await tags.link(transaction, task_id, tag_ids, replace=True)
        return await _current(transaction, task_id, None)
