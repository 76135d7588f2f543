"""GraphQL output types."""

from __future__ import annotations

from datetime import datetime

import strawberry

from db import models
from schema.enums import Priority


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
    tags: list[TaskTag] = strawberry.field(description="By name ignoring case, then id.")

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
