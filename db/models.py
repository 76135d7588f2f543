"""The tables: tasks, their list revisions, idempotency keys, tags and the tags of each task."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.recurrence import RECURRENCE_MAX
from db.timestamps import as_utc
from db.timezones import DEFAULT_TIME_ZONE, TIME_ZONE_MAX

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite has no 64-bit autoincrement type named BIGINT; INTEGER PRIMARY KEY is its rowid.
TaskId = BigInteger().with_variant(Integer(), "sqlite")
INT64_MAX = 2**63 - 1  # the largest id (and cursor integer) the database can hold


@dataclass(frozen=True, slots=True)
class TagRef:
    """A tag as a task carries it (in every task answer): its id, name and color."""

    id: int
    name: str
    color: str


# Not frozen: a frozen dataclass sets each field through object.__setattr__, four times the cost
# of building one (measured: 1.4 against 0.3 µs for a task), and a list builds fifty.
@dataclass(slots=True)
class TaskRow:
    """A task as the services return it: the tasks table's columns, in its order.

    A plain record, not an ORM object: the services read rows straight from the driver, and
    orjson encodes a dataclass natively.
    """

    id: int
    user_id: str
    title: str
    description: str | None
    completed: bool
    priority: str
    due_date: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    recurrence: str | None
    time_zone: str
    recurrence_start: datetime | None
    occurrence: int | None
    recurs_from: int | None
    # Not a column: the task's tags, by name ignoring case, then id (db.tag_json).
    tags: tuple[TagRef, ...] = ()


class Priority(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(TaskId, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    completed: Mapped[bool] = mapped_column(Boolean)
    priority: Mapped[str] = mapped_column(String(6))
    due_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer)
    # Recurring tasks (db.recurrence, db.recurring): the rule in its canonical text, the zone it
    # is evaluated in, the series' first due date and this task's place in the series (both
    # restart when the rule, the due date or the zone changes), and the task whose completion
    # created this one.
    recurrence: Mapped[str | None] = mapped_column(String(RECURRENCE_MAX))
    time_zone: Mapped[str] = mapped_column(String(TIME_ZONE_MAX), server_default=DEFAULT_TIME_ZONE)
    recurrence_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    occurrence: Mapped[int | None] = mapped_column(Integer)
    recurs_from: Mapped[int | None] = mapped_column(TaskId)

    __table_args__ = (
        CheckConstraint("priority IN ('low', 'medium', 'high')", name="priority"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("occurrence >= 1", name="occurrence_positive"),
        # A completed task has at most one next occurrence, whoever completes it how often.
        Index("uq_tasks_recurs_from", "recurs_from", unique=True),
        # Serves the default order (newest first) and its keyset pagination per user.
        Index("ix_tasks_user_id_created_at_id", "user_id", "created_at", "id"),
        Index("ix_tasks_user_id_updated_at_id", "user_id", "updated_at", "id"),
        # What task_tags' foreign key names: a tag link cannot join one user's task to another's.
        Index("uq_tasks_id_user_id", "id", "user_id", unique=True),
        # Never hand a deleted task's id to a new task (stale clients would edit the wrong one).
        {"sqlite_autoincrement": True},
    )


class TaskListRevision(Base):
    """A per-user counter that every write to the user's tasks bumps: the list's ETag.

    Reading it is one primary-key lookup, and it never goes back, so a delete followed by a
    create cannot reproduce an earlier value.
    """

    __tablename__ = "task_list_revisions"

    user_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger)


class IdempotencyKey(Base):
    """A client's `Idempotency-Key` for a create, kept for a day."""

    __tablename__ = "idempotency_keys"

    user_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    task_id: Mapped[int] = mapped_column(TaskId)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


TAG_NAME_MAX = 50
# Python's casefold() of a name: what "the same name ignoring case" means, on both backends.
# Byte order ("C") on PostgreSQL, as SQLite's BINARY: both sort tags in code point order.
TagNameKey = String(4 * TAG_NAME_MAX).with_variant(
    String(4 * TAG_NAME_MAX, collation="C"), "postgresql"
)


@dataclass(frozen=True, slots=True)
class TagRow:
    """A tag as the tag routes answer it."""

    id: int
    name: str
    color: str
    created_at: datetime
    task_count: int


class Tag(Base):
    """A user's tag: a name unique per user ignoring case, and a `#rrggbb` color."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(TaskId, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(TAG_NAME_MAX))
    name_key: Mapped[str] = mapped_column(TagNameKey)
    color: Mapped[str] = mapped_column(String(7))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        # Also the index of the tags list's order (name ignoring case, then id).
        UniqueConstraint("user_id", "name_key", name="uq_tags_user_id_name_key"),
        UniqueConstraint("id", "user_id", name="uq_tags_id_user_id"),
        CheckConstraint("length(color) = 7", name="color_length"),
        {"sqlite_autoincrement": True},
    )


class TaskTag(Base):
    """One tag on one task, both of the same user (the foreign keys include the user)."""

    __tablename__ = "task_tags"

    task_id: Mapped[int] = mapped_column(TaskId, primary_key=True)
    tag_id: Mapped[int] = mapped_column(TaskId, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(255))

    __table_args__ = (
        ForeignKeyConstraint(
            ["task_id", "user_id"],
            ["tasks.id", "tasks.user_id"],
            name="fk_task_tags_task_id_tasks",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["tag_id", "user_id"],
            ["tags.id", "tags.user_id"],
            name="fk_task_tags_tag_id_tags",
            ondelete="CASCADE",
        ),
        # A tag's tasks: its task count, the list's tag filter, a deleted tag's links.
        Index("ix_task_tags_tag_id_task_id", "tag_id", "task_id"),
    )


TASK_COLUMNS = tuple(Task.__table__.columns)
"""The tasks table's columns in TaskRow's order: what every statement returning tasks selects."""
