"""The executable schema with its limits and error handling."""

from __future__ import annotations

from graphql import GraphQLError
from strawberry import Schema
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from schema.errors import ErrorCodes
from schema.resolvers import Mutation, Query

MAX_DEPTH = 8
MAX_ALIASES = 30
MAX_TOKENS = 2000
CACHE_SIZE = 256


class TaskSchema(Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """ErrorCodes logs unexpected errors; client mistakes are not server errors."""


def build_schema(*, mask_unexpected_errors: bool = True, introspection: bool = True) -> Schema:
    """The schema; production masks unexpected errors and may hide introspection."""
    return TaskSchema(
        query=Query,
        mutation=Mutation,
        extensions=[
            *([] if introspection else [DisableIntrospection]),
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            lambda: ParserCache(maxsize=CACHE_SIZE),
            lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
            lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
            lambda: ValidationCache(maxsize=CACHE_SIZE),
            lambda: ErrorCodes(mask_unexpected=mask_unexpected_errors),
        ],
    )
