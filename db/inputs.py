"""The one validation: what a title, a description, a patch and a list query may be.

REST bodies use these models directly; GraphQL inputs are converted into them.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from db.models import Priority

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
SEARCH_MAX = 200
PAGE_MAX = 100


def _as_utc(value: datetime | None) -> datetime | None:
    """Read a naive timestamp as UTC; convert an aware one to UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _blank_to_none(value: str | None) -> str | None:
    return value or None


Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX)]
Description = Annotated[
    str | None,
    StringConstraints(strip_whitespace=True, max_length=DESCRIPTION_MAX),
    AfterValidator(_blank_to_none),
]
DueDate = Annotated[datetime | None, AfterValidator(_as_utc)]


class _Input(BaseModel):
    # Clients send extra fields (ids, timestamps echoed back); they are ignored, not errors.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)


class TaskCreate(_Input):
    """A new task."""

    title: Title
    description: Description = None
    priority: Priority = Priority.MEDIUM
    due_date: DueDate = None


class TaskUpdate(_Input):
    """A partial change: only the fields that were sent are applied."""

    title: Title | None = None
    description: Description = None
    priority: Priority | None = None
    due_date: DueDate = None
    completed: bool | None = None

    @field_validator("title", "priority", "completed", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null")
        return value

    def changes(self) -> dict[str, Any]:
        """The fields that were sent, with their validated values."""
        return {name: getattr(self, name) for name in self.model_fields_set}


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
    search: Annotated[str | None, Field(max_length=SEARCH_MAX)] = None
    priority: Priority | None = None
    sort: SortField = SortField.CREATED_AT
    direction: SortDirection = SortDirection.DESC
