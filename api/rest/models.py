"""REST payloads: tasks and tags as clients read them, the list parameters, the toggle body,
errors.

Task and tag bodies are db.inputs' models (the patches documented here with their non-null
fields); these models only add the REST spellings the existing clients use and translate them
into db.inputs.TaskQuery.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StrictBool, model_validator

from db import inputs
from db.inputs import (
    PAGE_MAX,
    SEARCH_MAX,
    SortDirection,
    SortField,
    StatusFilter,
    TagIds,
    TagMatch,
    TaskQuery,
)
from db.models import Priority

OFFSET_MAX = 1_000_000


class ErrorDetail(BaseModel):
    """Every error except 422 validation errors (and 412, which answers the current task)."""

    detail: str = Field(examples=["Task 42 not found"])
    message: str = Field(
        examples=["Task 42 not found"], description="The same sentence: every error has one."
    )


def _drop_null(schema: dict[str, Any], fields: tuple[str, ...]) -> None:
    """Document `fields` as non-null (None is only the "not sent" default)."""
    for name in fields:
        field = schema["properties"][name]
        choices = [choice for choice in field.pop("anyOf", []) if choice != {"type": "null"}]
        if len(choices) == 1:
            field.update(choices[0])


class TaskUpdate(inputs.TaskUpdate):
    """A partial change: only the fields that were sent are applied."""

    # The same model; the OpenAPI document says which fields may not be null.
    model_config = ConfigDict(json_schema_extra=lambda schema: _drop_null(schema, inputs.NOT_NULL))


TAG_NOT_NULL = ("name", "color")


class TagUpdate(inputs.TagUpdate):
    """A partial change of a tag: only the fields that were sent are applied."""

    model_config = ConfigDict(
        json_schema_extra=lambda schema: _drop_null(schema, ("name", "color"))
    )


class TagRefPublic(BaseModel):
    """A tag as every task answer carries it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    color: str = Field(examples=["#6b7280"])


class TagPublic(BaseModel):
    """One of your tags; `task_count`: how many of your tasks carry it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str = Field(description="Unique among your tags, ignoring case.")
    color: str = Field(examples=["#6b7280"], description="`#rrggbb`, lowercase.")
    created_at: datetime
    task_count: int


class TaskPublic(BaseModel):
    """A task as every route returns it; timestamps are ISO-8601 in UTC."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: str
    title: str
    description: str | None
    completed: bool
    priority: Priority
    due_date: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int = Field(
        description="Starts at 1; every change adds 1 (its tags', and a rename of one, too)."
    )
    recurrence: str | None = Field(
        description="An RRULE (FREQ, INTERVAL, BYDAY, BYMONTHDAY, COUNT or UNTIL); null: once.",
        examples=["FREQ=WEEKLY;BYDAY=MO"],
    )
    time_zone: str = Field(
        description="The IANA time zone the rule is evaluated in.", examples=["Europe/Berlin"]
    )
    recurrence_start: datetime | None = Field(
        description="A recurring task's series' first due date: its time of day is kept."
    )
    occurrence: int | None = Field(
        description="A recurring task's place in its series (1 for the first), what COUNT counts."
    )
    recurs_from: int | None = Field(
        description="The task whose completion created this one (its previous occurrence)."
    )
    tags: list[TagRefPublic] = Field(description="By name ignoring case, then id.")


class TaskWritten(TaskPublic):
    """A task as an update, a toggle or a completion answers it."""

    next_task_id: int | None = Field(
        description=(
            "The task's next occurrence: created when this recurring task was completed (by "
            "this request or an earlier one; completing it again creates no other). Null when "
            "there is none: not recurring, never completed, or the series has ended."
        )
    )


class TaskDeleted(BaseModel):
    """The answer to DELETE: a body, because clients call `response.json()` on every answer."""

    message: str = Field(examples=["Task deleted"])
    deleted_id: int


class TagDeleted(BaseModel):
    """The answer to deleting a tag, like a task's."""

    message: str = Field(examples=["Tag deleted"])
    deleted_id: int


class TaskCompletion(BaseModel):
    """The optional body of /complete and /toggle: without `completed` the task flips."""

    model_config = ConfigDict(extra="ignore")

    completed: StrictBool | None = Field(
        default=None, description="Set this value; absent or null flips the current one."
    )


class ListStatus(enum.StrEnum):
    ALL = "all"
    PENDING = "pending"
    COMPLETED = "completed"
    INCOMPLETE = "incomplete"


class ListSort(enum.StrEnum):
    CREATED = "created"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    TITLE = "title"
    DUE_DATE = "due_date"
    PRIORITY = "priority"


_STATUS = {
    ListStatus.ALL: StatusFilter.ALL,
    ListStatus.PENDING: StatusFilter.PENDING,
    ListStatus.INCOMPLETE: StatusFilter.PENDING,
    ListStatus.COMPLETED: StatusFilter.COMPLETED,
}
_SORT = {ListSort.CREATED: SortField.CREATED_AT} | {
    ListSort(field.value): field for field in SortField
}


class TaskListParams(BaseModel):
    """The list's query parameters; others are ignored, and an empty value counts as absent."""

    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, values: Any) -> Any:
        # Clients build query strings like `?status=${filter ?? ""}`.
        if isinstance(values, dict):
            return {name: value for name, value in values.items() if value != ""}
        return values

    status: ListStatus | None = Field(
        default=None, description="`incomplete` means `pending`. Default `all`."
    )
    status_filter: ListStatus | None = Field(
        default=None, description="Another name of `status`, used when `status` is absent."
    )
    search: str | None = Field(
        default=None,
        max_length=SEARCH_MAX,
        description="Case-insensitive text in the title or description.",
    )
    priority: Priority | None = Field(default=None, description="Only tasks of this priority.")
    sort: ListSort = Field(default=ListSort.CREATED_AT, description="`created` means `created_at`.")
    order: SortDirection = Field(
        default=SortDirection.DESC, description="Tasks without a due date come last either way."
    )
    limit: int = Field(default=PAGE_MAX, ge=1, le=PAGE_MAX, description="At most this many.")
    offset: int = Field(default=0, ge=0, le=OFFSET_MAX, description="Skip this many first.")
    tag_ids: TagIds = Field(
        default_factory=list,
        description="Repeated (`tag_ids=1&tag_ids=2`): only tasks carrying these tags.",
    )
    tag_match: TagMatch = Field(
        default=TagMatch.ANY, description="`any` of the `tag_ids` (default), or `all` of them."
    )

    _query: TaskQuery = PrivateAttr()

    @model_validator(mode="after")
    def _service_query(self) -> Self:
        # The service's own validation applies; its errors answer 422 like the ones above.
        status = self.status or self.status_filter or ListStatus.ALL
        self._query = TaskQuery(
            status=_STATUS[status],
            search=self.search,
            priority=self.priority,
            sort=_SORT[self.sort],
            direction=self.order,
            tag_ids=self.tag_ids,
            tag_match=self.tag_match,
        )
        return self

    @property
    def query(self) -> TaskQuery:
        """The filters and order, as db.tasks takes them."""
        return self._query
