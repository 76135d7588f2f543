"""Invalid input through /graphql: BAD_USER_INPUT naming the field, and nothing stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from db.inputs import DESCRIPTION_MAX, SEARCH_MAX, TITLE_MAX
from tests.support.graphql_client import (
    CREATE,
    DELETE,
    GET,
    LIST,
    TASK_FIELDS,
    TOGGLE,
    UPDATE,
    GraphQL,
)

OWNER = "alice"


async def _snapshot(gql: GraphQL) -> list[dict[str, Any]]:
    """Every task of the owner, as stored."""
    page = (await gql.data(LIST, first=100))["tasks"]
    return [edge["node"] for edge in page["edges"]]


@asynccontextmanager
async def _unchanged(gql: GraphQL) -> AsyncIterator[None]:
    """The owner's tasks are exactly as they were once the block is done."""
    before = await _snapshot(gql)
    yield
    assert await _snapshot(gql) == before


async def _assert_bad_input(
    gql: GraphQL, case: str, query: str, field: str, **variables: Any
) -> None:
    """BAD_USER_INPUT naming `field`, and no data."""
    body = await gql.execute(query, **variables)
    assert body.get("errors"), (case, body)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", (case, error)
    assert error["extensions"].get("field") == field, (case, error)
    assert not any((body.get("data") or {}).values()), (case, body)


@pytest.fixture
async def gql(client: httpx.AsyncClient) -> GraphQL:
    """A client whose owner already has one task (so "unchanged" is not trivially empty)."""
    alice = GraphQL(client, OWNER)
    await alice.data(CREATE, input={"title": "existing", "description": "keep me"})
    return alice


@pytest.fixture
async def task(gql: GraphQL) -> dict[str, Any]:
    tasks: list[dict[str, Any]] = await _snapshot(gql)
    return tasks[0]


BAD_CREATES = {
    "empty title": ({"title": ""}, "title"),
    "whitespace title": ({"title": "   "}, "title"),
    "tabs and newlines title": ({"title": "\t\n \r"}, "title"),
    "title too long": ({"title": "x" * (TITLE_MAX + 1)}, "title"),
    "title too long after trimming": ({"title": " " + "x" * (TITLE_MAX + 1) + " "}, "title"),
    "title with NUL": ({"title": "a\x00b"}, "title"),
    "description too long": (
        {"title": "t", "description": "d" * (DESCRIPTION_MAX + 1)},
        "description",
    ),
    "description with NUL": ({"title": "t", "description": "a\x00b"}, "description"),
    "unknown priority": ({"title": "t", "priority": "URGENT"}, "priority"),
    "lower-case priority": ({"title": "t", "priority": "high"}, "priority"),
    "title not a string": ({"title": 5}, "title"),
    "due date not a date": ({"title": "t", "dueDate": "next week"}, "dueDate"),
    "due date past 9999 in UTC": (
        {"title": "t", "dueDate": "9999-12-31T23:59:59-23:00"},
        "dueDate",
    ),
    "due date before year 1 in UTC": (
        {"title": "t", "dueDate": "0001-01-01T00:00:00+01:00"},
        "dueDate",
    ),
}


async def test_create_rejects(gql: GraphQL) -> None:
    async with _unchanged(gql):
        for case, (fields, field) in BAD_CREATES.items():
            await _assert_bad_input(gql, case, CREATE, field, input=fields)


INLINE_CREATES = {
    "unknown priority": ('{title: "t", priority: URGENT}', "priority"),
    "priority as a string": ('{title: "t", priority: "HIGH"}', "priority"),
    "title not a string": ("{title: 5}", "title"),
    "empty title": ('{title: ""}', "title"),
}


async def test_create_rejects_inline_values(gql: GraphQL) -> None:
    async with _unchanged(gql):
        for case, (literal, field) in INLINE_CREATES.items():
            query = f"mutation {{ createTask(input: {literal}) {{ {TASK_FIELDS} }} }}"
            await _assert_bad_input(gql, case, query, field)


async def test_the_longest_title_and_description_are_stored_trimmed(gql: GraphQL) -> None:
    title = "T" * TITLE_MAX
    description = "D" * DESCRIPTION_MAX
    created = (
        await gql.data(CREATE, input={"title": f"  {title}\t", "description": f"\n{description}  "})
    )["createTask"]
    assert created["title"] == title
    assert created["description"] == description
    stored = (await gql.data(GET, id=created["id"]))["task"]
    assert (stored["title"], stored["description"]) == (title, description)


async def test_a_blank_description_is_stored_as_none(gql: GraphQL) -> None:
    created = (await gql.data(CREATE, input={"title": "t", "description": "   "}))["createTask"]
    assert created["description"] is None


BAD_UPDATES = {
    "null title": ({"title": None}, "title"),
    "null priority": ({"priority": None}, "priority"),
    "null completed": ({"completed": None}, "completed"),
    "empty title": ({"title": ""}, "title"),
    "whitespace title": ({"title": "  "}, "title"),
    "title too long": ({"title": "x" * (TITLE_MAX + 1)}, "title"),
    "description too long": ({"description": "d" * (DESCRIPTION_MAX + 1)}, "description"),
    "unknown priority": ({"priority": "URGENT"}, "priority"),
    "completed not a boolean": ({"completed": "yes"}, "completed"),
    "valid title with a null priority": ({"title": "new title", "priority": None}, "priority"),
}


async def test_update_rejects(gql: GraphQL, task: dict[str, Any]) -> None:
    async with _unchanged(gql):
        for case, (patch, field) in BAD_UPDATES.items():
            await _assert_bad_input(gql, case, UPDATE, field, id=task["id"], input=patch)
    assert (await gql.data(GET, id=task["id"]))["task"] == task


async def test_update_rejects_inline_null(gql: GraphQL, task: dict[str, Any]) -> None:
    async with _unchanged(gql):
        for name in ("title", "priority", "completed"):
            query = (
                f'mutation {{ updateTask(id: "{task["id"]}", input: {{{name}: null}}) {{ id }} }}'
            )
            await _assert_bad_input(gql, f"inline null {name}", query, name)
    assert (await gql.data(GET, id=task["id"]))["task"] == task


ID_OPERATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "task": (GET, {}),
    "updateTask": (UPDATE, {"input": {"title": "changed"}}),
    "updateTask (empty patch)": (UPDATE, {"input": {}}),
    "toggleTask": (TOGGLE, {}),
    "toggleTask (to a value)": (TOGGLE, {"completed": True}),
    "deleteTask": (DELETE, {}),
}


NON_NUMERIC_IDS = ["abc", "", " ", "1.5", "1e3", "0x10", "\u0661", "1 2", "--1"]
MISSING_IDS = ["-1", "0", "-0", str(-(2**63)), str(2**63 - 1), str(2**63), str(2**64), "9" * 40]


async def test_a_non_numeric_id_is_bad_user_input(gql: GraphQL) -> None:
    async with _unchanged(gql):
        for operation, (query, extra) in ID_OPERATIONS.items():
            for bad_id in NON_NUMERIC_IDS:
                case = f"{operation} with id {bad_id!r}"
                await _assert_bad_input(gql, case, query, "id", id=bad_id, **extra)


async def test_a_negative_zero_or_huge_id_is_not_found(gql: GraphQL) -> None:
    async with _unchanged(gql):
        for operation, (query, extra) in ID_OPERATIONS.items():
            for missing_id in MISSING_IDS:
                body = await gql.execute(query, id=missing_id, **extra)
                code = body["errors"][0]["extensions"]["code"]
                assert code == "NOT_FOUND", (operation, missing_id, body)


async def test_an_integer_id_literal_works(gql: GraphQL, task: dict[str, Any]) -> None:
    # ID accepts integer input; it reaches the resolver as its decimal text.
    body = await gql.data(f"{{ task(id: {task['id']}) {{ id title }} }}")
    assert body["task"] == {"id": task["id"], "title": task["title"]}


async def test_a_search_longer_than_the_limit_is_bad_user_input(gql: GraphQL) -> None:
    long_search = {"search": "x" * (SEARCH_MAX + 1)}
    await _assert_bad_input(gql, "long search", LIST, "search", filter=long_search)
    await _assert_bad_input(gql, "NUL in search", LIST, "search", filter={"search": "a\x00"})
    page = (await gql.data(LIST, filter={"search": "x" * SEARCH_MAX}))["tasks"]
    assert page["totalCount"] == 0


BAD_LIST_ARGUMENTS: list[tuple[dict[str, Any], str]] = [
    ({"filter": {"status": "DONE"}}, "status"),
    ({"filter": {"priority": "URGENT"}}, "priority"),
    ({"orderBy": {"field": "COLOUR"}}, "field"),
    ({"orderBy": {"direction": "UP"}}, "direction"),
    ({"first": "ten"}, "first"),
]


async def test_bad_list_arguments_are_bad_user_input(gql: GraphQL) -> None:
    for variables, field in BAD_LIST_ARGUMENTS:
        await _assert_bad_input(gql, str(variables), LIST, field, **variables)
