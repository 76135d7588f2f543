"""No "Did you mean ...?" in error messages: with introspection off, they would still map the
schema to anyone who guesses near a name (fields, arguments, enum values, input fields, types).

graphql-core 3.3 can leave them out itself (`hide_suggestions`), but Strawberry passes that to
neither validation nor execution, and its `disable_field_suggestions` covers fields only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from schema.errors import copy_error

# graphql-core's did_you_mean(): " Did you mean 'a', 'b', or 'c'?" (names hold no "?").
_SUGGESTION = re.compile(r" Did you mean [^?]*\?")


def without_suggestions(message: str) -> str:
    """The message with graphql-core's suggestion sentences taken out."""
    return _SUGGESTION.sub("", message)


class HideSuggestions(SchemaExtension):
    """Take the suggestions out of every error's message."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [_without_suggestions(error) for error in result.errors]


def _without_suggestions(error: GraphQLError) -> GraphQLError:
    # A copy: validation errors are cached and shared between requests.
    message = without_suggestions(error.message)
    if message == error.message:
        return error
    return copy_error(error, message)
