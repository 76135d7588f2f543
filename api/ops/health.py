"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import ServicesDep
from api.errors import RETRY_AFTER

READY_TIMEOUT_SECONDS = 3

router = APIRouter(tags=["operations"])


@router.get("/health", summary="The process is up")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/ready",
    summary="The database answers",
    responses={503: {"description": "The database cannot be reached"}},
)
async def ready(services: ServicesDep) -> JSONResponse:
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS), services.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError, TimeoutError) as error:
        return JSONResponse(
            {"status": "unavailable", "detail": f"database: {type(error).__name__}"},
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": RETRY_AFTER},
        )
    return JSONResponse({"status": "ready"})
