"""Query and Mutation: each resolver takes the owner from the context and calls db.tasks."""

from __future__ import annotations

import re
from typing import Annotated

import strawberry
from pydantic import TypeAdapter, ValidationError
from strawberry import Info

from db import idempotency, listing, tasks
from db.errors import InvalidCursor, InvalidInput
from db.inputs import PAGE_MAX, IdempotencyKeyText, TaskCreate, TaskQuery, TaskUpdate
from schema.context import Context
from schema.inputs import CreateTaskInput, TaskFilter, TaskOrder, UpdateTaskInput, given_fields
from schema.types import PageInfo, Task, TaskConnection, TaskEdge

DEFAULT_PAGE_SIZE = 20


# Any decimal integer is an id; out-of-range ones are simply not found (the service checks).
# The digit cap keeps int() cheap on hostile input.
_ID_PATTERN = re.compile(r"-?[0-9]{1,64}")


def parse_id(value: strawberry.ID, kind: str = "task") -> int:
    """A task's (or a tag's) id from a GraphQL ID; ids are decimal integers."""
    text = str(value).strip()
    if not _ID_PATTERN.fullmatch(text):
        raise InvalidInput("id", f"is not a {kind} id")
    return int(text)


_IDEMPOTENCY_KEY = TypeAdapter(IdempotencyKeyText)
EXPECTED_VERSION = "Write only if the task is at this version; else CONFLICT."
ExpectedVersion = Annotated[int | None, strawberry.argument(description=EXPECTED_VERSION)]


def _versions(expected_version: int | None) -> list[int] | None:
    return None if expected_version is None else [expected_version]


def _idempotency_key(value: str) -> str:
    try:
        return _IDEMPOTENCY_KEY.validate_python(value)
    except ValidationError:
        raise InvalidInput("idempotencyKey", "must be 1 to 255 visible ASCII characters") from None


def _task_query(filter: TaskFilter | None, order_by: TaskOrder | None) -> TaskQuery:
    values = {**given_fields(filter or TaskFilter()), **given_fields(order_by or TaskOrder())}
    values["sort"] = values.pop("field")
    if (tags := values.pop("tags", None)) is not None:
        values.update(tag_ids=tags.ids, tag_match=tags.match)
    return TaskQuery.model_validate(values)


@strawberry.type
class Query:
    @strawberry.field(description="One of your tasks; NOT_FOUND if it is not yours.")
    async def task(self, info: Info[Context, None], id: strawberry.ID) -> Task | None:
        return Task.from_model(await tasks.get_task(info.context.owner, parse_id(id)))

    @strawberry.field(
        description=(
            f"Your tasks, newest first by default; `first`: 0 to {PAGE_MAX}, "
            f"default {DEFAULT_PAGE_SIZE}."
        )
    )
    async def tasks(
        self,
        info: Info[Context, None],
        filter: TaskFilter | None = None,
        order_by: TaskOrder | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> TaskConnection:
        first = DEFAULT_PAGE_SIZE if first is None else first
        if not 0 <= first <= PAGE_MAX:
            raise InvalidInput("first", f"must be between 0 and {PAGE_MAX}")
        query = _task_query(filter, order_by)
        try:
            page = await listing.list_page(info.context.owner, query, first, after)
        except InvalidCursor as error:
            raise InvalidInput("after", error.reason) from error
        edges = [
            TaskEdge(cursor=cursor, node=Task.from_model(task))
            for task, cursor in zip(page.tasks, page.cursors, strict=True)
        ]
        return TaskConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                end_cursor=page.cursors[-1] if page.cursors else None,
            ),
            total_count=page.total_count,
        )


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def create_task(self, info: Info[Context, None], input: CreateTaskInput) -> Task:
        data = TaskCreate.model_validate(given_fields(input))
        owner = info.context.owner
        if input.idempotency_key is None:
            return Task.from_model(await tasks.create_task(owner, data))
        key = _idempotency_key(input.idempotency_key)
        task, _ = await idempotency.create_task_once(owner, data, key)
        return Task.from_model(task)

    @strawberry.mutation
    async def update_task(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        input: UpdateTaskInput,
        expected_version: ExpectedVersion = None,
    ) -> Task:
        patch = TaskUpdate.model_validate(given_fields(input))
        versions = _versions(expected_version)
        task = await tasks.update_task(info.context.owner, parse_id(id), patch, versions)
        return Task.from_model(task)

    @strawberry.mutation(description="Deletes one of your tasks; returns its id.")
    async def delete_task(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        expected_version: ExpectedVersion = None,
    ) -> strawberry.ID:
        versions = _versions(expected_version)
        deleted = await tasks.delete_task(info.context.owner, parse_id(id), versions)
        return strawberry.ID(str(deleted))

    @strawberry.mutation(description="No `completed`: flip it. A value: set it (idempotent).")
    async def toggle_task(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        completed: bool | None = None,
        expected_version: ExpectedVersion = None,
    ) -> Task:
        versions = _versions(expected_version)
        task = await tasks.toggle_task(info.context.owner, parse_id(id), completed, versions)
        return Task.from_model(task)
