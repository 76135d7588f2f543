"""Count GraphQL operations by name and outcome, with label values a client cannot multiply.

The extension knows nothing of Prometheus: it hands (operation, outcome) to an observer. A name
becomes a label value only once an authenticated request has run it: the label slots are few,
and anyone may send a request without a token or a document that fails validation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

from graphql import GraphQLError
from strawberry.exceptions import MissingQueryError
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError

from schema.context import Context

OperationObserver = Callable[[str, str], None]

ANONYMOUS = "anonymous"
UNAUTHENTICATED = "unauthenticated"  # a request without a token, whatever it asked
# Never run: it failed to parse or validate, or the view refused it; or the name is longer
# than MAX_NAME_LENGTH.
INVALID_NAME = "invalid"
OTHER_NAME = "other"  # a new name once MAX_OPERATION_NAMES are known
OK = "ok"
# No query, an unknown operationName, a mutation over GET: the view answers 400 without errors.
BAD_REQUEST = "BAD_REQUEST"
UNKNOWN_ERROR = "INTERNAL_SERVER_ERROR"
_REFUSED = (MissingQueryError, CannotGetOperationTypeError, InvalidOperationTypeError)
MAX_NAME_LENGTH = 64
MAX_OPERATION_NAMES = 200

_NAME = re.compile(rf"[_A-Za-z][_0-9A-Za-z]{{0,{MAX_NAME_LENGTH - 1}}}")
_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,63}")


class OperationNames:
    """Operation names as label values: the first MAX_OPERATION_NAMES valid names, then OTHER."""

    def __init__(self, limit: int = MAX_OPERATION_NAMES) -> None:
        self.limit = limit
        self._known: set[str] = set()

    def label(self, name: str | None) -> str:
        if not name:
            return ANONYMOUS
        if name in self._known:
            return name
        if not _NAME.fullmatch(name):
            return INVALID_NAME
        if len(self._known) >= self.limit:
            return OTHER_NAME
        self._known.add(name)
        return name


class _Result(Protocol):
    @property
    def errors(self) -> Sequence[GraphQLError] | None: ...


def outcome(result: _Result | None) -> str:
    """OK, or the `extensions.code` of the first error (ErrorCodes gives every error one)."""
    if result is None:
        return UNKNOWN_ERROR
    if not result.errors:
        return OK
    code = (result.errors[0].extensions or {}).get("code")
    return code if isinstance(code, str) and _CODE.fullmatch(code) else UNKNOWN_ERROR


class OperationMetrics(SchemaExtension):
    """Report each operation once it is over; list it before ErrorCodes to see the final codes.

    Hooks leave in the reverse order they entered, so an extension listed earlier reads the
    result after every later one has finished with it.
    """

    def __init__(self, observe: OperationObserver, names: OperationNames) -> None:
        self.observe = observe
        self.names = names
        self.executed = False

    def on_execute(self) -> Iterator[None]:
        # Reached only once the document parsed, named one operation of an allowed type,
        # and passed validation.
        self.executed = True
        yield

    def on_operation(self) -> Iterator[None]:
        result = UNKNOWN_ERROR
        try:
            yield
            result = outcome(self.execution_context.result)
        except _REFUSED:
            result = BAD_REQUEST
            raise
        finally:
            self.observe(self._label(), result)

    def _label(self) -> str:
        context = self.execution_context.context
        if not (isinstance(context, Context) and context.authenticated):
            return UNAUTHENTICATED
        if not self.executed:
            return INVALID_NAME
        return self.names.label(self.execution_context.operation_name)
