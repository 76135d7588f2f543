"""Minimal: the list and the toggle on plain Starlette, one statement each.

For the record of what Python itself allows (issue 13): PyJWT verifying HS256 on every request,
an asyncpg pool, orjson, and the list's page and count in a single statement. The GraphQL list
and toggle are bench/reference_graphql.py's graphql-core over these same statements. No ETag,
no refusal of unknown parameters: nothing the answer does not need.
"""

from __future__ import annotations

import asyncpg  # type: ignore[import-untyped]
import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench import reference_graphql as gql
from bench.reference_base import Backend, health, json_response
from bench.reference_sql import PAGE_AND_COUNT

PAGE_MAX = 100


class Minimal(Backend):
    async def page(self, owner: str, limit: int, offset: int) -> tuple[list[asyncpg.Record], int]:
        """The page's rows (each with a `total` column first) and the count: one statement."""
        rows: list[asyncpg.Record] = await self.pool.fetch(PAGE_AND_COUNT, owner, limit, offset)
        return [row for row in rows if row["id"] is not None], rows[0]["total"]

    async def list_tasks(self, request: Request) -> Response:
        owner = self.owner(request)
        try:
            limit = int(request.query_params.get("limit", PAGE_MAX))
            offset = int(request.query_params.get("offset", 0))
        except ValueError:
            raise HTTPException(422, "limit and offset must be integers") from None
        if not (1 <= limit <= PAGE_MAX and offset >= 0):
            raise HTTPException(422, "limit or offset out of range")
        rows, total = await self.page(owner, limit, offset)
        tasks = [dict(row) for row in rows]
        for task in tasks:
            del task["total"]
        return json_response(tasks, headers={"X-Total-Count": str(total)})

    async def toggle_task(self, request: Request) -> Response:
        row = await self.toggle(self.owner(request), request.path_params["task_id"])
        if row is None:
            raise HTTPException(404, "Task not found")
        return json_response(dict(row))

    async def graphql(self, request: Request) -> Response:
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            raise HTTPException(400, "The body is not JSON") from None
        if not isinstance(body, dict):
            raise HTTPException(422, "The body is not an object")
        context = gql.Context(owner=self.verified_user(request), page=self.page, toggle=self.toggle)
        return json_response(await gql.run(body, context))


def create_app() -> Starlette:
    """The minimal app, configured like the service: DATABASE_URL, BETTER_AUTH_SECRET."""
    minimal = Minimal.from_environment()
    tasks = "/api/{user_id}/tasks"
    return Starlette(
        routes=[
            Route("/health", health),
            Route(tasks, minimal.list_tasks, methods=["GET"]),
            Route(tasks + "/{task_id:int}/toggle", minimal.toggle_task, methods=["PATCH"]),
            Route("/graphql", minimal.graphql, methods=["POST"]),
        ],
        lifespan=minimal.lifespan,
    )
