"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from api.deps import Services, ServicesDep
from api.errors import unavailable
from db.errors import DatabaseUnavailable
from db.roles import missing_grants

READY_TIMEOUT_SECONDS = 3

router = APIRouter(tags=["operations"])


@router.get("/health", summary="The process is up")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/ready",
    summary="The database answers, the role may use its tables, the signing keys can be had",
    responses={503: {"description": "The database or the JWKS cannot be reached or used"}},
)
async def ready(services: ServicesDep) -> JSONResponse:
    problems = [
        problem
        for problem in (await _database_problem(services), await _signing_keys_problem(services))
        if problem is not None
    ]
    if problems:
        return unavailable("; ".join(problems), status="unavailable")
    return JSONResponse({"status": "ready"})


async def _database_problem(services: Services) -> str | None:
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            await services.store.ping()  # the pool the requests use
            async with services.engine.connect() as connection:
                problem = await missing_grants(connection)
    # TimeoutError: this probe's own time limit. Any other database error fails the probe too.
    except (DatabaseUnavailable, SQLAlchemyError, TimeoutError) as error:
        problem = error.kind if isinstance(error, DatabaseUnavailable) else type(error).__name__
    return None if problem is None else f"database: {problem}"


async def _signing_keys_problem(services: Services) -> str | None:
    """Why no JWKS key is at hand (cached ones count, even when a refresh failed), if so."""
    if services.jwks is None:
        return None
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            problem = await services.jwks.problem()
    except TimeoutError:
        problem = "TimeoutError"
    return None if problem is None else f"signing keys: {problem}"
