"""Map domain and infrastructure errors to HTTP answers, once for every route."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError

from db.errors import InvalidInput, TaskNotFound

log = logging.getLogger(__name__)


async def _not_found(_: Request, error: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(error)}, status_code=status.HTTP_404_NOT_FOUND)


async def _invalid(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, InvalidInput)
    return JSONResponse(
        {"detail": [{"loc": ["query", error.field], "msg": error.reason, "type": "value_error"}]},
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


async def _database_unavailable(_: Request, error: Exception) -> JSONResponse:
    log.warning("Database unavailable: %s", error)
    return JSONResponse(
        {"detail": "The database is unavailable; retry shortly."},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": "5"},
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(TaskNotFound, _not_found)
    app.add_exception_handler(InvalidInput, _invalid)
    for error in (OperationalError, InterfaceError, ConnectionError, TimeoutError):
        app.add_exception_handler(error, _database_unavailable)
