"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import ServicesDep
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
    summary="The database answers, and the service's role may use its tables",
    responses={503: {"description": "The database cannot be reached or used"}},
)
async def ready(services: ServicesDep) -> JSONResponse:
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS), services.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            problem = await missing_grants(connection)
    # TimeoutError: this probe's own time limit. Any other database error fails the probe too.
    except (DatabaseUnavailable, SQLAlchemyError, TimeoutError) as error:
        kind = error.kind if isinstance(error, DatabaseUnavailable) else type(error).__name__
        return unavailable(f"database: {kind}", status="unavailable")
    if problem is not None:
        return unavailable(f"database: {problem}", status="unavailable")
    return JSONResponse({"status": "ready"})
