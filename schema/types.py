"""GraphQL output types."""

from __future__ import annotations

from datetime import datetime

import strawberry

from db import models
from schema.enums import Priority


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
