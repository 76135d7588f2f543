"""What every reference shares: the asyncpg pool, the token check, the reference's SQL, JSON.

The references (`reference`, `floor`, `minimal`) differ in framework and in how much they do;
they hold the database and the token the same way, so only that difference is measured.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, Self

import asyncpg  # type: ignore[import-untyped]
import jwt
import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bench.reference_sql import COUNT, PAGE, TOGGLE

INT64_MAX = 2**63 - 1
DEFAULT_POOL_SIZE = 10


def json_response(
    content: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """An orjson answer; timestamps end in "Z" (OPT_UTC_Z), as the service writes them."""
    body = orjson.dumps(content, option=orjson.OPT_UTC_Z)
    return Response(body, status, headers, media_type="application/json")


async def health(_: Request) -> Response:
    """The harness waits for this before it loads a server."""
    return json_response({"status": "ok"})


class Backend:
    """The pool, the token check and the statements the references send."""

    def __init__(self, database_url: str, secret: str, pool_size: int) -> None:
        self.database_url = database_url
        self.secret = secret
        self.pool_size = pool_size
        self._pool: asyncpg.Pool | None = None

    @classmethod
    def from_environment(cls) -> Self:
        """Configured like the service: DATABASE_URL, BETTER_AUTH_SECRET, DATABASE_POOL_SIZE."""
        return cls(
            database_url=os.environ["DATABASE_URL"],
            secret=os.environ["BETTER_AUTH_SECRET"],
            pool_size=int(os.environ.get("DATABASE_POOL_SIZE", str(DEFAULT_POOL_SIZE))),
        )

    @property
    def pool(self) -> asyncpg.Pool:
        assert self._pool is not None
        return self._pool

    @asynccontextmanager
    async def lifespan(self, _: Starlette) -> AsyncIterator[None]:
        """The pool: `pool_size` connections growing to twice that (see bench/README.md)."""
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

    async def page(self, owner: str, limit: int, offset: int) -> tuple[list[asyncpg.Record], int]:
        """One page of the owner's tasks, newest first, and how many they have: two statements."""
        async with self.pool.acquire() as connection:
            rows: list[asyncpg.Record] = await connection.fetch(PAGE, owner, limit, offset)
            total: int = await connection.fetchval(COUNT, owner)
        return rows, total

    async def write(self, statement: str, owner: str, *args: Any) -> asyncpg.Record | None:
        """One statement; the database's trigger bumps the list revision within it."""
        row: asyncpg.Record | None = await self.pool.fetchrow(statement, owner, *args)
        return row

    async def toggle(self, owner: str, task_id: int) -> asyncpg.Record | None:
        """Flip one of the owner's tasks; None when they have no such task."""
        if not 0 < task_id <= INT64_MAX:
            return None
        return await self.write(TOGGLE, owner, task_id, datetime.now(UTC))
