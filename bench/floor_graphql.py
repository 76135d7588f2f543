"""The floor's GraphQL: a Strawberry schema for `tasks(first:)` and `toggleTask(id:)` only.

Strawberry as a service on it would run it, and no more: the parser and validation caches,
no other extension, plain types built from asyncpg rows, orjson answers. The connection is the
minimal one the benchmark's query asks for (edges, cursors, pageInfo, totalCount).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import orjson
import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.fastapi import BaseContext, GraphQLRouter

from bench.reference_base import Backend
from bench.reference_graphql import DEFAULT_PAGE, PAGE_MAX, cursor


class Context(BaseContext):
    def __init__(self, backend: Backend, owner: str | None) -> None:
        super().__init__()
        self.backend = backend
        self.owner = owner


Info = strawberry.Info[Context, None]


@strawberry.enum
class Priority(enum.Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@strawberry.type
class Task:
    id: strawberry.ID
    title: str
    description: str | None
    completed: bool
    priority: Priority
    due_date: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, row: asyncpg.Record) -> Task:
        return cls(
            id=strawberry.ID(str(row["id"])),
            title=row["title"],
            description=row["description"],
            completed=row["completed"],
            priority=Priority(row["priority"]),
            due_date=row["due_date"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            version=row["version"],
        )


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class TaskEdge:
    cursor: str
    node: Task


@strawberry.type
class TaskConnection:
    edges: list[TaskEdge]
    page_info: PageInfo
    total_count: int


def _owner(info: Info) -> str:
    if info.context.owner is None:
        raise GraphQLError("Not authenticated", extensions={"code": "UNAUTHENTICATED"})
    return info.context.owner


@strawberry.type
class Query:
    @strawberry.field
    async def tasks(self, info: Info, first: int = DEFAULT_PAGE) -> TaskConnection:
        if not 0 <= first <= PAGE_MAX:
            raise GraphQLError(f"first must be between 0 and {PAGE_MAX}")
        rows, total = await info.context.backend.page(_owner(info), first + 1, 0)
        edges = [TaskEdge(cursor=cursor(row), node=Task.of(row)) for row in rows[:first]]
        end = edges[-1].cursor if edges else None
        page_info = PageInfo(has_next_page=len(rows) > first, end_cursor=end)
        return TaskConnection(edges=edges, page_info=page_info, total_count=total)


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def toggle_task(self, info: Info, id: strawberry.ID) -> Task:
        row = await info.context.backend.toggle(_owner(info), int(id) if id.isdigit() else 0)
        if row is None:
            raise GraphQLError(f"Task {id} not found", extensions={"code": "NOT_FOUND"})
        return Task.of(row)


SCHEMA = strawberry.Schema(
    query=Query, mutation=Mutation, extensions=[ParserCache, ValidationCache]
)


class Router(GraphQLRouter[Context, None]):
    """Strawberry's FastAPI router with orjson, as the service runs it."""

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> Any:
        return orjson.loads(data)
