"""The one validation: what a title, a description, a recurrence rule, a time zone, a patch, a
tag and a list query may be.

REST bodies use these models directly; GraphQL inputs are converted into them.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
)

from db.models import INT64_MAX, TAG_NAME_MAX, Priority
from db.recurrence import RECURRENCE_MAX, normalize_rule
from db.timestamps import as_utc
from db.timezones import DEFAULT_TIME_ZONE, TIME_ZONE_MAX, time_zone_name

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
SEARCH_MAX = 200
PAGE_MAX = 100


def storable_text(value: str | None) -> str | None:
    """Text both backends can store: PostgreSQL rejects NUL characters."""
    if value is not None and "\x00" in value:
        raise ValueError("may not contain NUL characters")
    return value


def _blank_to_none(value: str | None) -> str | None:
    return value or None


Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX),
    AfterValidator(storable_text),
]
Description = Annotated[
    str | None,
    StringConstraints(strip_whitespace=True, max_length=DESCRIPTION_MAX),
    AfterValidator(_blank_to_none),
    AfterValidator(storable_text),
]
DueDate = Annotated[datetime, AfterValidator(as_utc)] | None

TAG_IDS_MAX = 100  # tags on one task, or named by one list filter
DEFAULT_TAG_COLOR = "#6b7280"  # a neutral gray, readable on light and dark backgrounds


def _lowercase(value: str) -> str:
    return value.lower()


TagName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TAG_NAME_MAX),
    AfterValidator(storable_text),
]
# `#RRGGBB`, any case in; stored and answered in lowercase.
TagColor = Annotated[
    str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$"), AfterValidator(_lowercase)
]
TagId = Annotated[int, Field(ge=1, le=INT64_MAX)]


def _distinct(ids: list[int]) -> list[int]:
    return list(dict.fromkeys(ids))


TagIds = Annotated[list[TagId], Field(max_length=TAG_IDS_MAX), AfterValidator(_distinct)]
"""Tag ids, each once (a repeated one counts once), at most TAG_IDS_MAX."""


def _rule(value: str | None) -> str | None:
    return None if value is None else normalize_rule(value)


# An RRULE of db.recurrence's subset, in its canonical text; blank is no recurrence.
RecurrenceRule = Annotated[
    str | None,
    StringConstraints(strip_whitespace=True, max_length=RECURRENCE_MAX),
    AfterValidator(_blank_to_none),
    AfterValidator(_rule),
]
# An IANA time zone name, in its IANA spelling (db.timezones.DEFAULT_TIME_ZONE when left out).
TimeZoneName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TIME_ZONE_MAX),
    AfterValidator(time_zone_name),
]


RECURRENCE = (
    "An RRULE of RFC 5545: FREQ=DAILY|WEEKLY|MONTHLY|YEARLY with INTERVAL, BYDAY, BYMONTHDAY, "
    "COUNT or UNTIL, like FREQ=WEEKLY;BYDAY=MO. Needs a due date (the series starts there); "
    "completing the task creates its next occurrence. Null or empty: the task does not recur."
)
TIME_ZONE = "The IANA time zone the rule is evaluated in, like Europe/Berlin (default UTC)."


def _refuse_null(value: Any) -> Any:
    """A patch field that may be left out but not sent as null."""
    if value is None:
        raise ValueError("may not be null")
    return value


class _Input(BaseModel):
    # Clients send extra fields (ids, timestamps echoed back); they are ignored, not errors.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)


class TaskCreate(_Input):
    """A new task."""

    title: Title
    description: Description = None
    priority: Priority = Priority.MEDIUM
    due_date: DueDate = None
    recurrence: RecurrenceRule = Field(default=None, description=RECURRENCE)
    time_zone: TimeZoneName = Field(default=DEFAULT_TIME_ZONE, description=TIME_ZONE)
    tag_ids: TagIds | None = None


# May be left out of a patch, but not sent as null (api.rest.models documents them so).
NOT_NULL = ("title", "priority", "completed", "time_zone", "tag_ids")


class _Patch(_Input):
    """A partial change: only the fields that were sent are applied."""

    def changes(self) -> dict[str, Any]:
        """The fields that were sent, with their validated values."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class TaskUpdate(_Patch):
    """A partial change: only the fields that were sent are applied."""

    title: Title | None = None
    description: Description = None
    priority: Priority | None = None
    due_date: DueDate = None
    completed: StrictBool | None = None
    recurrence: RecurrenceRule = Field(default=None, description=RECURRENCE)
    time_zone: TimeZoneName | None = Field(default=None, description=TIME_ZONE)
    tag_ids: TagIds | None = None

    _not_null = field_validator(*NOT_NULL, mode="before")(_refuse_null)


class TagCreate(_Input):
    """A new tag; its name is unique among the user's tags, ignoring case."""

    name: TagName
    color: TagColor = DEFAULT_TAG_COLOR

    @field_validator("color", mode="before")
    @classmethod
    def _null_is_default(cls, value: Any) -> Any:
        # Forms send `color: null` for "not chosen": the default, as when it is left out.
        return DEFAULT_TAG_COLOR if value is None else value


class TagUpdate(_Patch):
    """A partial change of a tag: only the fields that were sent are applied."""

    name: TagName | None = None
    color: TagColor | None = None

    _not_null = field_validator("name", "color", mode="before")(_refuse_null)


class TaskTags(_Input):
    """A task's tags from now on, replacing the ones it had."""

    tag_ids: TagIds = Field(description="Your tags' ids; `[]` removes every tag from the task.")


class TagMatch(enum.StrEnum):
    """Whether a task must carry any of the tags a list filter names, or all of them."""

    ANY = "any"
    ALL = "all"


class StatusFilter(enum.StrEnum):
    ALL = "all"
    PENDING = "pending"
    COMPLETED = "completed"


class SortField(enum.StrEnum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    TITLE = "title"
    DUE_DATE = "due_date"
    PRIORITY = "priority"


class SortDirection(enum.StrEnum):
    ASC = "asc"
    DESC = "desc"


class TaskQuery(_Input):
    """Which of the owner's tasks to list, and in which order."""

    status: StatusFilter = StatusFilter.ALL
    search: Annotated[
        str | None,
        Field(max_length=SEARCH_MAX),
        AfterValidator(storable_text),
    ] = None
    priority: Priority | None = None
    sort: SortField = SortField.CREATED_AT
    direction: SortDirection = SortDirection.DESC
    tag_ids: TagIds = Field(default_factory=list)
    tag_match: TagMatch = TagMatch.ANY


IDEMPOTENCY_KEY_MAX = 255
# Visible ASCII, like the header values clients generate (UUIDs, ULIDs, random tokens).
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]+$"
IdempotencyKeyText = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=IDEMPOTENCY_KEY_MAX, pattern=IDEMPOTENCY_KEY_PATTERN
    ),
]
