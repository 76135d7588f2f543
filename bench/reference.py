"""The reference: the smallest honest hand-written version of the benchmarked routes.

Plain Starlette, an asyncpg pool, PyJWT HS256 verified on every request, orjson, and
graphql-core over the checked-in SDL. Same SQL semantics as the service: every statement scoped
to the token's user, the list newest first with a LIMIT and a count, writes as one
UPDATE/INSERT ... RETURNING that sets version and updated_at (the database's trigger bumps the
user's list revision within it, for the service and the references alike). Same JSON shapes as
the service. Only what the benchmark calls is here; anything else is refused rather than
silently ignored. The pool and the token check are bench/reference_base.py's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench import reference_graphql as gql
from bench.reference_base import INT64_MAX, Backend, health, json_response
from bench.reference_sql import INSERT, update_statement

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
PRIORITIES = {"low", "medium", "high"}


class Reference(Backend):
    async def list_tasks(self, request: Request) -> Response:
        owner = self.owner(request)
        params = request.query_params
        if params.keys() - {"limit", "offset"}:
            raise HTTPException(400, "The reference takes only limit and offset")
        try:
            limit, offset = int(params.get("limit", 100)), int(params.get("offset", 0))
        except ValueError:
            raise HTTPException(422, "limit and offset must be integers") from None
        if not (1 <= limit <= 100 and offset >= 0):
            raise HTTPException(422, "limit or offset out of range")
        rows, total = await self.page(owner, limit, offset)
        return json_response([dict(row) for row in rows], headers={"X-Total-Count": str(total)})

    async def create_task(self, request: Request) -> Response:
        owner = self.owner(request)
        body = _object(await request.body())
        values = (
            _title(body.get("title")),
            _description(body.get("description")),
            _priority(body.get("priority", "medium")),
            _due_date(body.get("due_date")),
            datetime.now(UTC),
        )
        row = await self.write(INSERT, owner, *values)
        return _task(row, 201)

    async def toggle_task(self, request: Request) -> Response:
        owner = self.owner(request)
        return _task(await self.toggle(owner, request.path_params["task_id"]))

    async def update_task(self, request: Request) -> Response:
        owner = self.owner(request)
        task_id = _task_id(request)
        body = _object(await request.body())
        checks = {"title": _title, "description": _description, "priority": _priority}
        if not body.keys() <= checks.keys():
            raise HTTPException(400, "The reference updates only title, description, priority")
        changes = {name: checks[name](value) for name, value in body.items()}
        if not changes:
            raise HTTPException(400, "The reference needs at least one field")
        statement = update_statement(list(changes))
        row = await self.write(statement, owner, task_id, datetime.now(UTC), *changes.values())
        return _task(row)

    async def graphql(self, request: Request) -> Response:
        body = _object(await request.body())
        context = gql.Context(owner=self.verified_user(request), page=self.page, toggle=self.toggle)
        return json_response(await gql.run(body, context))


def _object(raw: bytes) -> dict[str, Any]:
    try:
        value = orjson.loads(raw or b"{}")
    except orjson.JSONDecodeError:
        raise HTTPException(400, "The body is not JSON") from None
    if not isinstance(value, dict):
        raise HTTPException(422, "The body is not an object")
    return value


def _task_id(request: Request) -> int:
    task_id: int = request.path_params["task_id"]
    if not 0 < task_id <= INT64_MAX:
        raise HTTPException(404, f"Task {task_id} not found")
    return task_id


def _task(row: asyncpg.Record | None, status: int = 200) -> Response:
    if row is None:
        raise HTTPException(404, "Task not found")
    return json_response(dict(row), status, {"ETag": f'"{row["version"]}"'})


def _title(value: Any) -> str:
    if not isinstance(value, str) or not 0 < len(value.strip()) <= TITLE_MAX:
        raise HTTPException(422, f"title must be 1 to {TITLE_MAX} characters")
    return value.strip()


def _description(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value.strip()) > DESCRIPTION_MAX:
        raise HTTPException(422, f"description must be at most {DESCRIPTION_MAX} characters")
    return value.strip() or None


def _priority(value: Any) -> str:
    if value not in PRIORITIES:
        raise HTTPException(422, "priority must be low, medium or high")
    return str(value)


def _due_date(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise HTTPException(422, "due_date must be an ISO 8601 timestamp") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def create_app() -> Starlette:
    """The reference app, configured like the service: DATABASE_URL, BETTER_AUTH_SECRET."""
    reference = Reference.from_environment()
    tasks = "/api/{user_id}/tasks"
    return Starlette(
        routes=[
            Route("/health", health),
            Route(tasks, reference.list_tasks, methods=["GET"]),
            Route(tasks, reference.create_task, methods=["POST"]),
            Route(tasks + "/{task_id:int}", reference.update_task, methods=["PATCH", "PUT"]),
            Route(tasks + "/{task_id:int}/toggle", reference.toggle_task, methods=["PATCH"]),
            Route("/graphql", reference.graphql, methods=["POST"]),
        ],
        lifespan=reference.lifespan,
    )
