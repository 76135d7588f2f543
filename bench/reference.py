"""The reference: the smallest honest hand-written version of the benchmarked routes.

Plain Starlette, an asyncpg pool, PyJWT HS256 verified on every request, orjson, and
graphql-core over the checked-in SDL. Same SQL semantics as the service: every statement scoped
to the token's user, the list newest first with a LIMIT and a count, writes as one
UPDATE/INSERT ... RETURNING that sets version and updated_at, and the user's list revision
bumped in the same transaction as every write. Same JSON shapes as the service. Only what the
benchmark calls is here; anything else is refused rather than silently ignored.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import jwt
import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench import reference_graphql as gql
from bench.reference_sql import BUMP_REVISION, COUNT, INSERT, PAGE, TOGGLE, update_statement

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
PRIORITIES = {"low", "medium", "high"}
INT64_MAX = 2**63 - 1


def json_response(
    content: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    # OPT_UTC_Z: timestamps end in "Z", as the service's Pydantic models write them.
    body = orjson.dumps(content, option=orjson.OPT_UTC_Z)
    return Response(body, status, headers, media_type="application/json")


class Reference:
    def __init__(self, database_url: str, secret: str, pool_size: int) -> None:
        self.database_url = database_url
        self.secret = secret
        self.pool_size = pool_size
        self._pool: asyncpg.Pool | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        assert self._pool is not None
        return self._pool

    @asynccontextmanager
    async def lifespan(self, _: Starlette) -> AsyncIterator[None]:
        # As many connections as the service's pool may hold (pool size plus as many overflow).
        self._pool = await asyncpg.create_pool(
            self.database_url, min_size=self.pool_size, max_size=2 * self.pool_size
        )
        yield
        await self._pool.close()

    def verified_user(self, request: Request) -> str | None:
        """The token's `sub`; None without a token; 401 for a bad one."""
        header = request.headers.get("authorization")
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        try:
            if scheme.lower() != "bearer":
                raise jwt.InvalidTokenError("not a bearer token")
            claims = jwt.decode(
                token, self.secret, algorithms=["HS256"], options={"require": ["exp", "sub"]}
            )
        except jwt.PyJWTError:
            raise HTTPException(401, "Invalid token") from None
        subject = claims["sub"]
        if not isinstance(subject, str) or not subject:
            raise HTTPException(401, "Invalid token")
        return subject

    def owner(self, request: Request) -> str:
        """The token's user, when the path names that same user."""
        user = self.verified_user(request)
        if user is None:
            raise HTTPException(401, "Missing bearer token")
        if user != request.path_params["user_id"]:
            raise HTTPException(403, "The user_id in the path is not the token's user")
        return user

    async def write(self, statement: str, owner: str, *args: Any) -> asyncpg.Record | None:
        """One statement and the revision bump, in one transaction."""
        async with self.pool.acquire() as connection, connection.transaction():
            row: asyncpg.Record | None = await connection.fetchrow(statement, owner, *args)
            if row is not None:
                await connection.execute(BUMP_REVISION, owner)
        return row

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
        async with self.pool.acquire() as connection:
            total = await connection.fetchval(COUNT, owner)
            rows = await connection.fetch(PAGE, owner, limit, offset)
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
        task_id = _task_id(request)
        row = await self.write(TOGGLE, owner, task_id, datetime.now(UTC))
        return _task(row)

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
        context = gql.Context(pool=self.pool, owner=self.verified_user(request), write=self.write)
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


async def health(_: Request) -> Response:
    return json_response({"status": "ok"})


def create_app() -> Starlette:
    """The reference app, configured like the service: DATABASE_URL, BETTER_AUTH_SECRET."""
    reference = Reference(
        database_url=os.environ["DATABASE_URL"],
        secret=os.environ["BETTER_AUTH_SECRET"],
        pool_size=int(os.environ.get("DATABASE_POOL_SIZE", "10")),
    )
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
