"""With introspection off (production), errors give no "Did you mean ...?" hints at the schema:
not for fields, arguments, enum values, input fields or types; the code and the rest stay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from api.settings import Settings
from tests.support.auth import auth
from tests.support.graphql_client import CREATE
from tests.support.jwks_server import app_client

# (kind, query, variables, the error's code, its message without the hint)
MISTAKES: list[tuple[str, str, dict[str, Any], str, str]] = [
    (
        "field",
        "{ taks { totalCount } }",
        {},
        "GRAPHQL_VALIDATION_FAILED",
        "Cannot query field 'taks' on type 'Query'.",
    ),
    (
        "argument",
        "{ tasks(frist: 1) { totalCount } }",
        {},
        "GRAPHQL_VALIDATION_FAILED",
        "Unknown argument 'frist' on field 'Query.tasks'.",
    ),
    (
        "enum value",
        'mutation { createTask(input: {title: "t", priority: HIHG}) { id } }',
        {},
        "BAD_USER_INPUT",
        "Value 'HIHG' does not exist in 'Priority' enum.",
    ),
    (
        "enum value in a variable",
        CREATE,
        {"input": {"title": "t", "priority": "HIHG"}},
        "BAD_USER_INPUT",
        "Variable '$input' has invalid value at .priority:"
        " Value 'HIHG' does not exist in 'Priority' enum.",
    ),
    (
        "input field",
        'mutation { createTask(input: {title: "t", descripton: "d"}) { id } }',
        {},
        "GRAPHQL_VALIDATION_FAILED",
        "Expected value of type 'CreateTaskInput' not to include unknown field 'descripton'."
        ' Found: { title: "t", descripton: "d" }.',
    ),
    (
        "type",
        "query($f: TaskFiltr) { tasks(filter: $f) { totalCount } }",
        {},
        "GRAPHQL_VALIDATION_FAILED",
        "Unknown type 'TaskFiltr'.",
    ),
]
IDS = [case[0] for case in MISTAKES]


async def first_error(settings: Settings, query: str, variables: dict[str, Any]) -> Any:
    async with app_client(settings) as http:
        response = await http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=auth("alice")
        )
    assert response.status_code == 200, response.text
    return response.json()["errors"][0]


@pytest.mark.parametrize(("kind", "query", "variables", "code", "message"), MISTAKES, ids=IDS)
async def test_development_suggests(
    make_settings: Callable[..., Settings],
    kind: str,
    query: str,
    variables: dict[str, Any],
    code: str,
    message: str,
) -> None:
    error = await first_error(make_settings(), query, variables)
    assert error["extensions"]["code"] == code
    assert " Did you mean '" in error["message"] or " Did you mean the " in error["message"]
    assert error["message"] != message, kind


@pytest.mark.parametrize(
    "overrides",
    [{"environment": "production"}, {"graphql_introspection": False}],
    ids=["production", "introspection-off"],
)
@pytest.mark.parametrize(("kind", "query", "variables", "code", "message"), MISTAKES, ids=IDS)
async def test_without_introspection_nothing_is_suggested(
    make_settings: Callable[..., Settings],
    overrides: dict[str, Any],
    kind: str,
    query: str,
    variables: dict[str, Any],
    code: str,
    message: str,
) -> None:
    error = await first_error(make_settings(**overrides), query, variables)
    assert error["extensions"]["code"] == code
    assert error["message"] == message, kind
