"""GraphQL output types."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import Info

from db import models
from db.tasks import WrittenTask
from schema.context import Context
from schema.enums import Priority

NEXT_OCCURRENCE = (
    "The task's next occurrence: created when this recurring task was completed (by this "
    "request or an earlier one; completing it again creates no other). Null when there is "
    "none: not recurring, never completed, or the series has ended."
)


@strawberry.type(description="A tag as a task carries it.")
class TaskTag:
    id: strawberry.ID
    name: str
    color: str

    @classmethod
    def from_model(cls, tag: models.TagRef) -> TaskTag:
        return cls(id=strawberry.ID(str(tag.id)), name=tag.name, color=tag.color)


@strawberry.type(description="One of the signed-in user's tags.")
class Tag:
    id: strawberry.ID
    name: str = strawberry.field(description="Unique among your tags, ignoring case.")
    color: str = strawberry.field(description="`#rrggbb`, lowercase.")
    created_at: datetime
    task_count: int = strawberry.field(description="How many of your tasks carry it.")

    @classmethod
    def from_model(cls, tag: models.TagRow) -> Tag:
        return cls(
            id=strawberry.ID(str(tag.id)),
            name=tag.name,
            color=tag.color,
            created_at=tag.created_at,
            task_count=tag.task_count,
        )


@strawberry.type(description="One of the signed-in user's tasks.")
class Task:
    id: strawberry.ID
    title: str
    description: str | None
    completed: bool
    priority: Priority
    due_date: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int = strawberry.field(description="Goes up by one on every write.")
    recurrence: str | None = strawberry.field(
        description="An RRULE (FREQ, INTERVAL, BYDAY, BYMONTHDAY, COUNT or UNTIL); null: once."
    )
    time_zone: str = strawberry.field(description="The IANA time zone the rule is evaluated in.")
    recurrence_start: datetime | None = strawberry.field(
        description="A recurring task's series' first due date: its time of day is kept."
    )
    occurrence: int | None = strawberry.field(
        description="A recurring task's place in its series (1 for the first), what COUNT counts."
    )
    recurs_from: strawberry.ID | None = strawberry.field(
        description="The task whose completion created this one (its previous occurrence)."
    )
    tags: list[TaskTag] = strawberry.field(description="By name ignoring case, then id.")
    # From a write, which knows whether the task has a next occurrence: none needs no lookup.
    known_without_next: strawberry.Private[bool] = False

    @strawberry.field(description=NEXT_OCCURRENCE)
    async def next_occurrence(self, info: Info[Context, None]) -> Task | None:
        if self.known_without_next:
            return None
        # One statement for every task of the page that asks (a DataLoader batch).
        found = await info.context.next_occurrences.load(int(self.id))
        return None if found is None else Task.from_model(found)

    @classmethod
    def from_model(cls, task: models.TaskRow) -> Task:
        return cls(
            id=strawberry.ID(str(task.id)),
            title=task.title,
            description=task.description,
            completed=task.completed,
            priority=models.Priority(task.priority),
            due_date=task.due_date,
            created_at=task.created_at,
            updated_at=task.updated_at,
            version=task.version,
            recurrence=task.recurrence,
            time_zone=task.time_zone,
            recurrence_start=task.recurrence_start,
            occurrence=task.occurrence,
            recurs_from=None if task.recurs_from is None else strawberry.ID(str(task.recurs_from)),
            known_without_next=isinstance(task, WrittenTask) and task.next_task_id is None,
            tags=[TaskTag.from_model(tag) for tag in task.tags],
        )


@strawberry.type
class TaskEdge:
    cursor: str
    node: Task


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class TaskConnection:
    edges: list[TaskEdge]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Tasks matching the filter, on all pages.")
