"""The tag service: a user's tags, and which of them a task carries.

Every statement is scoped to the owner inside the statement, like the task service's: another
user's tag is indistinguishable from one that never existed (TagNotFound). Each tag write is one
statement; triggers (the tags migration) bump the owner's list revision, and the version of
every task carrying a renamed, recolored or deleted tag, inside that same statement.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, func, insert, literal, select, true, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError

from db.errors import TagNameTaken, TagNotFound, TagsNotFound
from db.inputs import TagCreate, TagUpdate
from db.models import INT64_MAX, Tag, TagRow, TaskListRevision, TaskTag
from db.statements import Statement
from db.store import Owner, OwnerTransaction, Row
from db.tag_json import qualified

Runner = Owner | OwnerTransaction


@dataclass(frozen=True)
class TagList:
    """The owner's tags, by name ignoring case then id, with the revision of their ETag."""

    tags: list[TagRow]
    revision: int


def name_key(name: str) -> str:
    """What makes two names one tag's: equal ignoring case (and how Unicode spells them)."""
    return unicodedata.normalize("NFC", name).casefold()


def _owned() -> ColumnElement[bool]:
    return (Tag.user_id == bindparam("owner_id")) & (Tag.id == bindparam("tag_id"))


def _check_id(tag_id: int) -> int:
    # Bound, an id beyond BIGINT would fail in the driver instead of matching nothing.
    if not 0 < tag_id <= INT64_MAX:
        raise TagNotFound(tag_id)
    return tag_id


_TASK_COUNT = qualified(
    select(func.count())
    .select_from(TaskTag)
    .where(TaskTag.tag_id == Tag.id, TaskTag.user_id == bindparam("owner_id"))
    .correlate(Tag)
    .scalar_subquery()
)
_COLUMNS = (Tag.id, Tag.name, Tag.color, Tag.created_at, _TASK_COUNT.label("task_count"))


def _list_statement() -> Statement:
    """The list revision on every row (alone when there is no tag), then each tag in order."""
    revision = select(TaskListRevision.revision).where(
        TaskListRevision.user_id == bindparam("owner_id")
    )
    header = select(revision.scalar_subquery().label("revision")).subquery("header")
    owned = select(*_COLUMNS, Tag.name_key).where(Tag.user_id == bindparam("owner_id"))
    page = owned.subquery("tag")
    return Statement(
        select(header.c.revision, *(page.c[column.name] for column in _COLUMNS))
        .select_from(header.outerjoin(page, true()))
        .order_by(page.c.name_key, page.c.id)
    )


_LIST = _list_statement()
_GET = Statement(select(*_COLUMNS).where(_owned()))
# ON CONFLICT DO NOTHING: a name taken (also by a concurrent create) inserts no row.
_CREATE = Statement(
    postgresql.insert(Tag)
    .values(
        user_id=bindparam("owner_id"),
        name=bindparam("new_name"),
        name_key=bindparam("new_name_key"),
        color=bindparam("new_color"),
        created_at=bindparam("now", type_=Tag.created_at.type),
    )
    .on_conflict_do_nothing()
    .returning(Tag.id, Tag.name, Tag.color, Tag.created_at, literal(0).label("task_count"))
)
_DELETE = Statement(delete(Tag).where(_owned()).returning(Tag.id))


@lru_cache(maxsize=8)
def _update_statement(fields: tuple[str, ...]) -> Statement:
    values: dict[str, Any] = {name: bindparam(f"new_{name}") for name in fields}
    return Statement(update(Tag).where(_owned()).values(**values).returning(*_COLUMNS))


def _tag(row: Row) -> TagRow:
    return TagRow(*row)


async def list_tags(owner: Owner) -> TagList:
    """All of the owner's tags, each with how many of the owner's tasks carry it."""
    rows = await owner.fetch(_LIST)
    return TagList(
        tags=[_tag(row[1:]) for row in rows if row[1] is not None], revision=rows[0][0] or 0
    )


async def get_tag(owner: Runner, tag_id: int) -> TagRow:
    """One of the owner's tags."""
    row = await owner.fetch_one(_GET, tag_id=_check_id(tag_id))
    if row is None:
        raise TagNotFound(tag_id)
    return _tag(row)


async def create_tag(owner: Runner, data: TagCreate) -> TagRow:
    """A new tag; TagNameTaken when the owner has one of that name, ignoring case."""
    row = await owner.fetch_one(
        _CREATE,
        new_name=data.name,
        new_name_key=name_key(data.name),
        new_color=data.color,
        now=datetime.now(UTC),
    )
    if row is None:
        raise TagNameTaken(data.name)
    return _tag(row)


async def update_tag(owner: Runner, tag_id: int, patch: TagUpdate) -> TagRow:
    """Rename or recolor a tag (the fields sent); its tasks' versions go up with it."""
    changes = patch.changes()
    if not changes:
        return await get_tag(owner, tag_id)
    if "name" in changes:
        changes["name_key"] = name_key(changes["name"])
    statement = _update_statement(tuple(sorted(changes)))
    values = {f"new_{name}": value for name, value in changes.items()}
    try:
        row = await owner.fetch_one(statement, tag_id=_check_id(tag_id), **values)
    except Exception as error:
        if "name" in changes and _unique_violation(error):
            raise TagNameTaken(changes["name"]) from error
        raise
    if row is None:
        raise TagNotFound(tag_id)
    return _tag(row)


def _unique_violation(error: Exception) -> bool:
    """A unique index refused the write (a rename to a name taken, maybe concurrently)."""
    cause = error.orig if isinstance(error, IntegrityError) else error  # SQLite's, or asyncpg's
    return (
        getattr(cause, "sqlstate", None) == "23505"
        or getattr(cause, "sqlite_errorname", None) == "SQLITE_CONSTRAINT_UNIQUE"
    )


async def delete_tag(owner: Runner, tag_id: int) -> int:
    """Delete one of the owner's tags: its tasks lose it (and their versions go up), never more."""
    row = await owner.fetch_one(_DELETE, tag_id=_check_id(tag_id))
    if row is None:
        raise TagNotFound(tag_id)
    deleted: int = row[0]
    return deleted


# --- which tags a task carries (inside the task service's transactions) ----------------------

_UNLINK = Statement(
    delete(TaskTag).where(
        TaskTag.task_id == bindparam("task_id"), TaskTag.user_id == bindparam("owner_id")
    )
)


@lru_cache(maxsize=128)
def _link_statement(count: int) -> Statement:
    """Link a task to those of `count` tag ids that are the owner's tags; their ids."""
    wanted = [bindparam(f"tag_{index}", type_=Tag.id.type) for index in range(count)]
    owned = select(
        bindparam("task_id", type_=TaskTag.task_id.type),
        Tag.id,
        bindparam("owner_id", type_=TaskTag.user_id.type),
    ).where(Tag.user_id == bindparam("owner_id"), Tag.id.in_(wanted))
    return Statement(
        insert(TaskTag)
        .from_select(["task_id", "tag_id", "user_id"], owned)
        .returning(TaskTag.tag_id)
    )


async def link(
    transaction: OwnerTransaction, task_id: int, tag_ids: Sequence[int], *, replace: bool
) -> None:
    """Give the owner's task `task_id` exactly these tags (`replace`) or these too.

    TagsNotFound, naming them, when some are not the owner's tags: the caller's transaction
    then rolls back, and nothing has changed. The task must be the owner's (checked before).
    """
    if replace:
        await transaction.fetch(_UNLINK, task_id=task_id)
    if not tag_ids:
        return
    wanted = {f"tag_{index}": tag_id for index, tag_id in enumerate(tag_ids)}
    rows = await transaction.fetch(_link_statement(len(tag_ids)), task_id=task_id, **wanted)
    linked = {row[0] for row in rows}
    missing = [tag_id for tag_id in tag_ids if tag_id not in linked]
    if missing:
        raise TagsNotFound(missing)
