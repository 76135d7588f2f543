"""Map domain errors to GraphQL errors with stable `extensions.code` values, in one place."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    ObjectFieldNode,
    ValueNode,
    VariableNode,
    Visitor,
    visit,
)
from pydantic import ValidationError
from sqlalchemy.exc import StatementError
from strawberry.extensions import SchemaExtension
from strawberry.utils.str_converters import to_camel_case

from db.errors import (
    DatabaseUnavailable,
    IdempotencyKeyReused,
    InvalidInput,
    TagNameTaken,
    TagNotFound,
    TaskNotFound,
    VersionConflict,
)
from schema.suggestions import without_suggestions

log = logging.getLogger(__name__)

UNEXPECTED_MESSAGE = "Unexpected error."


class NotAuthenticated(Exception):
    def __init__(self) -> None:
        super().__init__("Authentication required: send Authorization: Bearer <JWT>")


def _field_name(location: tuple[int | str, ...]) -> str:
    return ".".join(to_camel_case(str(part)) for part in location)


def _extensions(
    original: Exception | None, error: GraphQLError, document: DocumentNode | None
) -> dict[str, Any] | None:
    """The extensions for a known error; None for an unexpected one."""
    if isinstance(original, NotAuthenticated):
        return {"code": "UNAUTHENTICATED"}
    if isinstance(original, TaskNotFound):
        return {"code": "NOT_FOUND", "id": str(original.task_id)}
    if isinstance(original, TagNotFound):
        return {"code": "NOT_FOUND", "id": str(original.tag_id)}
    if isinstance(original, TagNameTaken):
        return {"code": "CONFLICT", "field": "name"}
    if isinstance(original, VersionConflict):
        return {"code": "CONFLICT", "currentVersion": original.current.version}
    if isinstance(original, IdempotencyKeyReused):
        return {"code": "CONFLICT", "field": "idempotencyKey"}
    if isinstance(original, InvalidInput):
        return {"code": "BAD_USER_INPUT", "field": _field_name((original.field,))}
    if isinstance(original, ValidationError):
        fields = [
            {"field": _field_name(detail["loc"]), "message": detail["msg"]}
            for detail in original.errors()
        ]
        return {"code": "BAD_USER_INPUT", "field": fields[0]["field"], "fields": fields}
    if isinstance(original, DatabaseUnavailable):
        return {"code": "SERVICE_UNAVAILABLE"}
    # graphql-core's own errors; a bad variable wraps the GraphQLError that describes it.
    if original is None or isinstance(original, GraphQLError):
        if error.message.startswith("Syntax Error"):
            return {"code": "GRAPHQL_PARSE_FAILED"}
        if match := _BAD_VARIABLE.match(error.message):
            name, path = match.groups()
            return {"code": "BAD_USER_INPUT", "field": _path_name(path) if path else name}
        if (field := _literal_field(error, document)) is not None:
            return {"code": "BAD_USER_INPUT", "field": field}
        return {"code": "GRAPHQL_VALIDATION_FAILED"}
    return None


# "Variable '$input' has invalid value at .priority: ..." names the input field in its path.
_BAD_VARIABLE = re.compile(r"Variable '\$(\w+)'(?: has invalid value at ((?:\.\w+|\[\d+\])+))?")


def _path_name(path: str) -> str:
    return re.sub(r"\[(\d+)\]", r".\1", path).lstrip(".")


class _InputNames(Visitor):
    """Where each argument's and input field's value starts in the document, and its name."""

    def __init__(self) -> None:
        super().__init__()
        self.by_start: dict[int, str] = {}

    def enter_argument(self, node: ArgumentNode, *_: object) -> None:
        self._add(node)

    def enter_object_field(self, node: ObjectFieldNode, *_: object) -> None:
        self._add(node)

    def _add(self, node: ArgumentNode | ObjectFieldNode) -> None:
        if node.value.loc is not None:
            self.by_start[node.value.loc.start] = node.name.value


def _literal_field(error: GraphQLError, document: DocumentNode | None) -> str | None:
    """The argument or input field whose inline value the validation rejected, if that is it."""
    node = error.nodes[0] if error.nodes else None
    if document is None or not isinstance(node, ValueNode) or isinstance(node, VariableNode):
        return None
    names = _InputNames()
    visit(document, names)
    return names.by_start.get(node.loc.start) if node.loc is not None else None


def _message(original: Exception | None, error: GraphQLError) -> str:
    if isinstance(original, ValidationError):
        return "; ".join(
            f"{_field_name(detail['loc'])}: {detail['msg']}" for detail in original.errors()
        )
    if isinstance(original, DatabaseUnavailable):
        return DatabaseUnavailable.MESSAGE
    if isinstance(original, InvalidInput):  # its field as GraphQL names it (`tagIds`)
        return f"{_field_name((original.field,))}: {original.reason}"
    if isinstance(original, StatementError) and original.orig is not None:
        # SQLAlchemy's text adds the statement and its parameters: the driver's message only.
        return f"{type(original).__name__}: {original.orig}"
    return error.message


class ErrorCodes(SchemaExtension):
    """Give every error a code; hide the text of unexpected ones when `mask_unexpected`, and
    the "Did you mean ...?" of every message when `hide_suggestions` (schema/suggestions.py)."""

    def __init__(self, *, mask_unexpected: bool, hide_suggestions: bool = False) -> None:
        self.mask_unexpected = mask_unexpected
        self.hide_suggestions = hide_suggestions

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [self._translate(error) for error in result.errors]

    def _translate(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        extensions = _extensions(original, error, self.execution_context.graphql_document)
        message = _message(original, error)
        if isinstance(original, DatabaseUnavailable):
            log.warning("Database unavailable: %s", original)
        if extensions is None:
            log.error("Unexpected error in %s", error.path, exc_info=original)
            extensions = {"code": "INTERNAL_SERVER_ERROR"}
            if self.mask_unexpected:
                message = UNEXPECTED_MESSAGE
        if self.hide_suggestions:
            message = without_suggestions(message)
        return copy_error(error, message, extensions={**(error.extensions or {}), **extensions})


def copy_error(
    error: GraphQLError, message: str, *, extensions: dict[str, Any] | None = None
) -> GraphQLError:
    """`error` with another message (and extensions): a copy, as cached errors are shared."""
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions if extensions is None else extensions,
    )
