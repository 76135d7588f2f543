"""GraphQL input shapes; db.inputs enforces what their values may be."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from db.inputs import RECURRENCE, TIME_ZONE
from db.timezones import DEFAULT_TIME_ZONE
from schema.enums import Priority, SortDirection, SortField, StatusFilter, TagMatch


@strawberry.input
class CreateTaskInput:
    title: str
    description: str | None = None
    priority: Priority = Priority.MEDIUM
    due_date: datetime | None = None
    recurrence: str | None = strawberry.field(default=None, description=RECURRENCE)
    time_zone: str = strawberry.field(default=DEFAULT_TIME_ZONE, description=TIME_ZONE)
    tag_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Your tags' ids: the task's tags."
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Retries with the same key within 24 hours return the first task.",
    )


@strawberry.input(description="Only the fields given are changed; null clears an optional one.")
class UpdateTaskInput:
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    priority: Priority | None = strawberry.UNSET
    due_date: datetime | None = strawberry.UNSET
    completed: bool | None = strawberry.UNSET
    recurrence: str | None = strawberry.field(default=strawberry.UNSET, description=RECURRENCE)
    time_zone: str | None = strawberry.field(default=strawberry.UNSET, description=TIME_ZONE)
    tag_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the task's tags; [] removes them."
    )


@strawberry.input(description="Tasks carrying any (or all) of these tags.")
class TagFilter:
    ids: list[strawberry.ID]
    match: TagMatch = TagMatch.ANY


@strawberry.input
class CreateTagInput:
    name: str
    color: str | None = strawberry.field(
        default=strawberry.UNSET, description="`#RRGGBB`; left out or null: `#6b7280`."
    )


@strawberry.input(description="Only the fields given are changed.")
class UpdateTagInput:
    name: str | None = strawberry.UNSET
    color: str | None = strawberry.UNSET


@strawberry.input
class TaskFilter:
    status: StatusFilter = StatusFilter.ALL
    search: str | None = strawberry.field(
        default=None, description="Case-insensitive text in the title or description."
    )
    priority: Priority | None = None
    tags: TagFilter | None = None


@strawberry.input
class TaskOrder:
    field: SortField = SortField.CREATED_AT
    direction: SortDirection = SortDirection.DESC


def given_fields(value: object) -> dict[str, Any]:
    """The fields of an input object that the client sent (UNSET ones left out)."""
    return {name: field for name, field in vars(value).items() if field is not strawberry.UNSET}
