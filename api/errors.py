"""Map domain and infrastructure errors to HTTP answers, once for every route."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, TypeVar

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.utils import is_body_allowed_for_status_code
from starlette.exceptions import HTTPException
from starlette.routing import Match

from api.auth.jwks import JwksUnavailable
from api.error_bodies import error_body, problem_message
from api.rest.conditional import NotModified
from api.rest.task_json import task_answer
from api.settings import ErrorDetailStyle
from db.errors import (
    DatabaseUnavailable,
    IdempotencyKeyReused,
    InvalidInput,
    TagNameTaken,
    TagNotFound,
    TaskNotFound,
    VersionConflict,
)

log = logging.getLogger(__name__)

# Seconds a client should wait before retrying when something the service needs is down.
RETRY_AFTER = "5"

AnyResponse = TypeVar("AnyResponse", bound=Response)


def as_unavailable(response: AnyResponse) -> AnyResponse:
    """Make `response` the 503 of an outage: the status and Retry-After, its body unchanged."""
    response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    response.headers["Retry-After"] = RETRY_AFTER
    return response


def error_answer(
    status_code: int, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """Every error answer but a 422's and a 412's: the sentence as `detail` and `message`."""
    return JSONResponse(error_body(message), status_code=status_code, headers=headers)


def unavailable(detail: str, **fields: str) -> JSONResponse:
    """The one 503 answer, `{"detail": ..., "message": ...}` and Retry-After, whatever is down."""
    return as_unavailable(JSONResponse({**fields, **error_body(detail)}))


def _invalid_answer(request: Request, problems: Sequence[Any]) -> Response:
    """A 422: FastAPI's `detail` list (or, with REST_ERROR_DETAIL=text, the sentence) and the
    first problem as `message`."""
    message = problem_message(problems[0])
    if _error_detail(request) is ErrorDetailStyle.TEXT:
        body = _json(error_body(message))
    else:
        try:
            body = _json({"detail": jsonable_encoder(problems), "message": message})
        except (ValueError, RecursionError):
            # The problems echo the input: a NaN is not JSON and a deeply nested one cannot be
            # encoded. Name the fields without echoing the input.
            detail = [_without_input(item) for item in problems]
            body = _json({"detail": detail, "message": message})
    return Response(
        body, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, media_type="application/json"
    )


def _error_detail(request: Request) -> ErrorDetailStyle:
    style: ErrorDetailStyle = request.app.state.services.settings.rest_error_detail
    return style


async def _request_invalid(request: Request, error: Exception) -> Response:
    """FastAPI's own 422 (`detail`: a list naming each field), for any input at all."""
    assert isinstance(error, RequestValidationError)
    return _invalid_answer(request, error.errors())


def _json(content: Any) -> bytes:
    # ASCII escapes keep lone surrogates (valid in JSON text, not in UTF-8) encodable.
    return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode()


def _without_input(item: Any) -> dict[str, Any]:
    return {"type": item["type"], "loc": list(item["loc"]), "msg": item["msg"]}


# FastAPI's answer when a JSON body cannot be decoded at all (not UTF-8, nested past the recursion
# limit), as opposed to one that decodes to bad JSON (its own 422 `json_invalid`).
_UNREADABLE_BODY = "There was an error parsing the body"


async def _http_error(request: Request, error: Exception) -> Response:
    """FastAPI's own answer, with two corrections.

    An undecodable body is a 422 like any malformed JSON: the 400 FastAPI gives it is in no
    route's documented answers. A 405 lists every method of the path in `Allow`, not only
    those of the first route that matched it (FastAPI makes one route per method).
    """
    assert isinstance(error, HTTPException)
    if error.status_code == status.HTTP_400_BAD_REQUEST and error.detail == _UNREADABLE_BODY:
        problem = {"type": "json_invalid", "loc": ["body"], "msg": "JSON decode error"}
        return _invalid_answer(request, [problem])
    if error.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        error.headers = {**(error.headers or {}), "Allow": _allowed_methods(request)}
    if not is_body_allowed_for_status_code(error.status_code):
        return await http_exception_handler(request, error)
    message = (
        error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
    )
    return error_answer(error.status_code, message, error.headers)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> str:
    """The methods some route answers at this path (asked of the routes, nested routers too)."""
    allowed = (
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    )
    return ", ".join(allowed)


async def _not_found(_: Request, error: Exception) -> JSONResponse:
    return error_answer(status.HTTP_404_NOT_FOUND, str(error))


async def _invalid(request: Request, error: Exception) -> Response:
    assert isinstance(error, InvalidInput)
    problem = {"loc": [error.location, error.field], "msg": error.reason, "type": "value_error"}
    return _invalid_answer(request, [problem])


async def _not_modified(_: Request, error: Exception) -> Response:
    assert isinstance(error, NotModified)
    return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": error.etag})


async def _version_conflict(_: Request, error: Exception) -> Response:
    """The current task, as every task answer (no `detail`, no `message`): clients show or
    merge it, and the status says it is a conflict."""
    assert isinstance(error, VersionConflict)
    return task_answer(error.current, status_code=status.HTTP_412_PRECONDITION_FAILED)


async def _key_reused(_: Request, error: Exception) -> JSONResponse:
    return error_answer(status.HTTP_409_CONFLICT, str(error))


async def _conflict(_: Request, error: Exception) -> JSONResponse:
    return error_answer(status.HTTP_409_CONFLICT, str(error))


async def _database_unavailable(_: Request, error: Exception) -> JSONResponse:
    log.warning("Database unavailable: %s", error)
    return unavailable(DatabaseUnavailable.MESSAGE)


async def _keys_unavailable(_: Request, error: Exception) -> JSONResponse:
    """503 until the keys can be had; a throttled refetch says when to retry (api.auth.jwks)."""
    assert isinstance(error, JwksUnavailable)
    answer = unavailable(error.detail)  # api.auth.jwks logged why
    answer.headers["Retry-After"] = str(error.retry_after_seconds)
    return answer


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _request_invalid)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(TaskNotFound, _not_found)
    app.add_exception_handler(TagNotFound, _not_found)
    app.add_exception_handler(TagNameTaken, _conflict)
    app.add_exception_handler(InvalidInput, _invalid)
    app.add_exception_handler(NotModified, _not_modified)
    app.add_exception_handler(VersionConflict, _version_conflict)
    app.add_exception_handler(IdempotencyKeyReused, _key_reused)
    app.add_exception_handler(DatabaseUnavailable, _database_unavailable)
    app.add_exception_handler(JwksUnavailable, _keys_unavailable)
    # Anything else is a bug: api.middleware.edge answers it with a JSON 500.
