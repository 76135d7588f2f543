"""The reference's GraphQL: graphql-core over the checked-in SDL, with hand-written resolvers.

Documents are parsed and validated once per query text. Only `tasks(first:)` and
`toggleTask(id:)` are implemented: what the benchmark calls. The statements come with the
context (`page`, `toggle`), so bench/minimal.py runs this same GraphQL over its own SQL.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from inspect import isawaitable
from pathlib import Path
from typing import Any, cast

import asyncpg  # type: ignore[import-untyped]
import orjson
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLScalarType,
    build_schema,
    execute,
    parse,
    validate,
)

SDL = Path(__file__).resolve().parent.parent / "schema.graphql"
PAGE_MAX = 100
DEFAULT_PAGE = 20
CACHE_SIZE = 256

Page = Callable[[str, int, int], Awaitable[tuple[list[asyncpg.Record], int]]]
Toggle = Callable[[str, int], Awaitable[asyncpg.Record | None]]


@dataclass(frozen=True)
class Context:
    owner: str | None
    page: Page
    """(owner, limit, offset) -> the page's rows and the owner's task count."""
    toggle: Toggle
    """(owner, task id) -> the toggled row, or None when the owner has no such task."""


def _owner(info: GraphQLResolveInfo[Context]) -> str:
    owner: str | None = info.context.owner
    if owner is None:
        raise GraphQLError("Not authenticated", extensions={"code": "UNAUTHENTICATED"})
    return owner


def _refuse_other_arguments(arguments: dict[str, Any]) -> None:
    if any(value is not None for value in arguments.values()):
        raise GraphQLError("The reference does not implement " + ", ".join(arguments))


def _node(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "title": row["title"],
        "description": row["description"],
        "completed": row["completed"],
        "priority": row["priority"].upper(),
        "dueDate": row["due_date"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "version": row["version"],
    }


def cursor(row: asyncpg.Record) -> str:
    # The service's cursor: the sort field, the direction and the row's sort values.
    raw = orjson.dumps(["created_at", "desc", [row["created_at"].isoformat(), row["id"]]])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def resolve_tasks(
    _: None, info: GraphQLResolveInfo[Context], first: int | None = None, **others: Any
) -> dict[str, Any]:
    _refuse_other_arguments(others)
    first = DEFAULT_PAGE if first is None else first
    if not 0 <= first <= PAGE_MAX:
        raise GraphQLError(f"first must be between 0 and {PAGE_MAX}")
    rows, total = await info.context.page(_owner(info), first + 1, 0)
    edges = [{"cursor": cursor(row), "node": _node(row)} for row in rows[:first]]
    return {
        "edges": edges,
        "pageInfo": {
            "hasNextPage": len(rows) > first,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
        "totalCount": total,
    }


async def resolve_toggle(_: None, info: GraphQLResolveInfo[Context], id: str, **others: Any) -> Any:
    _refuse_other_arguments(others)
    owner = _owner(info)
    row = await info.context.toggle(owner, int(id) if id.isdigit() else 0)
    if row is None:
        raise GraphQLError(f"Task {id} not found", extensions={"code": "NOT_FOUND"})
    return _node(row)


def _schema() -> Any:
    schema = build_schema(SDL.read_text())
    assert schema.query_type is not None and schema.mutation_type is not None
    schema.query_type.fields["tasks"].resolve = resolve_tasks
    schema.mutation_type.fields["toggleTask"].resolve = resolve_toggle
    # Strawberry writes DateTime as datetime.isoformat() (graphql-core 3.3 reads the first name,
    # 3.2 the second).
    date_time = cast(GraphQLScalarType, schema.type_map["DateTime"])
    date_time.coerce_output_value = date_time.serialize = datetime.isoformat  # type: ignore[method-assign,assignment]
    return schema


SCHEMA = _schema()
_documents: dict[str, DocumentNode | list[GraphQLError]] = {}


def _document(query: str) -> DocumentNode | list[GraphQLError]:
    """The parsed and validated document, or its errors; cached by the query's text."""
    cached = _documents.get(query)
    if cached is None:
        try:
            document = parse(query)
            errors = validate(SCHEMA, document)
            cached = errors or document
        except GraphQLError as error:
            cached = [error]
        if len(_documents) >= CACHE_SIZE:
            _documents.clear()
        _documents[query] = cached
    return cached


async def run(body: dict[str, Any], context: Context) -> Mapping[str, Any]:
    """The answer to a GraphQL request body: `{"data": ...}`, with `errors` when there are any."""
    query = body.get("query")
    if not isinstance(query, str):
        return {"errors": [{"message": "No query"}]}
    document = _document(query)
    if isinstance(document, list):
        return {"errors": [error.formatted for error in document]}
    result = execute(
        SCHEMA,
        document,
        context_value=context,
        variable_values=body.get("variables"),
        operation_name=body.get("operationName"),
    )
    if isawaitable(result):
        result = await result
    assert isinstance(result, ExecutionResult)  # no @defer or @stream in this schema
    return result.formatted
