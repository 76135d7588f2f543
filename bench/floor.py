"""The framework floor: the list and the toggle as the smallest honest service on our stack.

FastAPI with one `async` dependency from the token to the owner (PyJWT HS256, `sub` compared
with the path's user), an asyncpg pool, orjson answers, and the reference's SQL (the list's
page and count, the toggle's one UPDATE); for GraphQL a Strawberry schema with its parser and
validation caches (bench/floor_graphql.py) under Strawberry's FastAPI router. Like the
reference, a written task carries its ETag; none of the service's extra work (list ETags,
conditional requests, idempotency, filters, middleware, GraphQL limits): what any FastAPI +
Strawberry service costs on this machine at least, the yardstick of issue 13.
"""

# No `from __future__ import annotations`: FastAPI reads the routes' annotations at runtime, and
# `Owner` is local to create_app, so a string annotation would not resolve.
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response

from bench.floor_graphql import SCHEMA, Context, Router
from bench.reference_base import Backend, health, json_response


def create_app() -> FastAPI:
    """The floor app, configured like the service: DATABASE_URL, BETTER_AUTH_SECRET."""
    backend = Backend.from_environment()

    async def owner(request: Request) -> str:
        """The verified token's user, who must be the path's user_id."""
        return backend.owner(request)

    async def graphql_context(request: Request) -> Context:
        return Context(backend, backend.verified_user(request))

    Owner = Annotated[str, Depends(owner)]
    app = FastAPI(lifespan=backend.lifespan, openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/api/{user_id}/tasks")
    async def read_tasks(
        owner: Owner,
        limit: Annotated[int, Query(ge=1, le=100)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> Response:
        rows, total = await backend.page(owner, limit, offset)
        return json_response([dict(row) for row in rows], headers={"X-Total-Count": str(total)})

    @app.patch("/api/{user_id}/tasks/{task_id}/toggle")
    async def toggle_task(owner: Owner, task_id: int) -> Response:
        row = await backend.toggle(owner, task_id)
        if row is None:
            raise HTTPException(404, "Task not found")
        return json_response(dict(row), headers={"ETag": f'"{row["version"]}"'})

    app.add_route("/health", health)
    app.include_router(
        Router(SCHEMA, context_getter=graphql_context, graphql_ide=None), prefix="/graphql"
    )
    return app
