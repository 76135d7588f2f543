"""The executable schema with its limits and error handling."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence

from graphql import ASTValidationRule, GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry import Schema
from strawberry.extensions import (
    MaxAliasesLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from schema.errors import ErrorCodes
from schema.execution import PlainLeavesExecutionContext
from schema.metrics import OperationMetrics, OperationNames, OperationObserver
from schema.resolvers import Mutation, Query
from schema.tag_resolvers import TagMutation, TagQuery

MAX_DEPTH = 8
MAX_ALIASES = 30
MAX_TOKENS = 2000
# Whitespace and comments are not tokens; this bounds what the caches below may hold.
MAX_DOCUMENT_CHARS = 65_536
CACHE_SIZE = 256

# Made once: limiters made per request bring new rule classes each time, and ValidationCache,
# keyed by the rules, would never hit (every request validated again).
_LIMIT_RULES = (
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
)


class Limits(SchemaExtension):
    """The token limit and the extra validation rules, in one hook for every operation.

    What MaxTokensLimiter, AddValidationRules and DisableIntrospection each do in a hook of
    their own: Strawberry wraps and enters every extension's hooks on every request.
    """

    def __init__(self, rules: tuple[type[ASTValidationRule], ...]) -> None:
        super().__init__()
        self.rules = rules

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = MAX_TOKENS
        context.validation_rules = (*context.validation_rules, *self.rules)
        yield


class _ParserCache(ParserCache):
    """ParserCache that leaves a document it cannot parse to Strawberry.

    ParserCache parses before the parsing hook yields, where a syntax error escapes every
    extension (so ErrorCodes never gave it a code); Strawberry's own parse reports it normally.
    """

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with contextlib.suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(
                context.query, **context.parse_options
            )
        yield


# The root types: the tasks' fields, then the tags'.
ROOT_QUERY = merge_types("Query", (Query, TagQuery))
ROOT_MUTATION = merge_types("Mutation", (Mutation, TagMutation))


class TaskSchema(Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """ErrorCodes logs unexpected errors; client mistakes are not server errors."""


def build_schema(
    *,
    mask_unexpected_errors: bool = True,
    introspection: bool = True,
    observe_operation: OperationObserver | None = None,
    more_extensions: Sequence[Callable[[], SchemaExtension]] = (),
) -> Schema:
    """The schema; production masks unexpected errors and may hide introspection (and with
    it the "Did you mean ...?" of error messages).

    `observe_operation(name, outcome)` hears of every operation once it is over;
    `more_extensions` are the transport's (api/graphql/persisted.py stores valid documents).
    """
    counting = []
    # Without introspection, ErrorCodes also hides suggestions: a suggestion is a piece of it.
    rules: tuple[type[ASTValidationRule], ...] = (
        _LIMIT_RULES if introspection else (NoSchemaIntrospectionCustomRule, *_LIMIT_RULES)
    )
    if observe_operation is not None:
        names = OperationNames()
        # First in the list, so that it reads the result after ErrorCodes gave it its codes.
        counting = [lambda: OperationMetrics(observe_operation, names)]
    return TaskSchema(
        query=ROOT_QUERY,
        mutation=ROOT_MUTATION,
        extensions=[
            *counting,
            lambda: Limits(rules),
            lambda: _ParserCache(maxsize=CACHE_SIZE),
            lambda: ValidationCache(maxsize=CACHE_SIZE),
            *more_extensions,
            lambda: ErrorCodes(
                mask_unexpected=mask_unexpected_errors, hide_suggestions=not introspection
            ),
        ],
        execution_context_class=PlainLeavesExecutionContext,
    )
