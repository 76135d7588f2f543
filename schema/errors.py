"""Map domain errors to GraphQL errors with stable `extensions.code` values, in one place."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from pydantic import ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError
from strawberry.extensions import SchemaExtension
from strawberry.utils.str_converters import to_camel_case

from db.errors import InvalidInput, TaskNotFound

log = logging.getLogger(__name__)

UNEXPECTED_MESSAGE = "Unexpected error."


class NotAuthenticated(Exception):
    def __init__(self) -> None:
        super().__init__("Authentication required: send Authorization: Bearer <JWT>")


def _field_name(location: tuple[int | str, ...]) -> str:
    return ".".join(to_camel_case(str(part)) for part in location)


def _extensions(original: Exception | None, error: GraphQLError) -> dict[str, Any] | None:
    """The extensions for a known error; None for an unexpected one."""
    if isinstance(original, NotAuthenticated):
        return {"code": "UNAUTHENTICATED"}
    if isinstance(original, TaskNotFound):
        return {"code": "NOT_FOUND", "id": str(original.task_id)}
    if isinstance(original, InvalidInput):
        return {"code": "BAD_USER_INPUT", "field": _field_name((original.field,))}
    if isinstance(original, ValidationError):
        fields = [
            {"field": _field_name(detail["loc"]), "message": detail["msg"]}
            for detail in original.errors()
        ]
        return {"code": "BAD_USER_INPUT", "field": fields[0]["field"], "fields": fields}
    if isinstance(original, (OperationalError, InterfaceError, OSError, TimeoutError)):
        return {"code": "SERVICE_UNAVAILABLE"}
    if original is None:
        if error.message.startswith("Syntax Error"):
            return {"code": "GRAPHQL_PARSE_FAILED"}
        if error.message.startswith("Variable '$"):
            return {"code": "BAD_USER_INPUT"}
        return {"code": "GRAPHQL_VALIDATION_FAILED"}
    return None


def _message(original: Exception | None, error: GraphQLError) -> str:
    if isinstance(original, ValidationError):
        return "; ".join(
            f"{_field_name(detail['loc'])}: {detail['msg']}" for detail in original.errors()
        )
    return error.message


class ErrorCodes(SchemaExtension):
    """Give every error a code; hide the text of unexpected ones when `mask_unexpected`."""

    def __init__(self, *, mask_unexpected: bool) -> None:
        self.mask_unexpected = mask_unexpected

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [self._translate(error) for error in result.errors]

    def _translate(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        extensions = _extensions(original, error)
        message = _message(original, error)
        if extensions == {"code": "SERVICE_UNAVAILABLE"}:
            log.warning("Database unavailable: %s", original)
            message = "The database is unavailable; retry shortly."
        if extensions is None:
            log.error("Unexpected error in %s", error.path, exc_info=original)
            extensions = {"code": "INTERNAL_SERVER_ERROR"}
            if self.mask_unexpected:
                message = UNEXPECTED_MESSAGE
        return GraphQLError(
            message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=original,
            extensions={**(error.extensions or {}), **extensions},
        )
