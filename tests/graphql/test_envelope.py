"""The GraphQL request envelope (query, variables, operationName, extensions): a client's
mistake in it is a 400 that says which member is wrong, with metrics on or off."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from api.settings import Settings
from tests.support.auth import auth
from tests.support.errors import error_json
from tests.support.jwks_server import app_client

OWNER = "alice"
QUERY = "query M { tasks { totalCount } }"

MUST_BE_A_STRING = "operationName must be a string or null"
BAD_POST_BODIES: list[tuple[object, str]] = [
    ({"query": QUERY, "operationName": ["M"]}, MUST_BE_A_STRING),
    ({"query": QUERY, "operationName": 1}, MUST_BE_A_STRING),
    ({"query": QUERY, "operationName": {}}, MUST_BE_A_STRING),
    ({"query": QUERY, "operationName": True}, MUST_BE_A_STRING),
    ({"query": ["M"]}, "query must be a string or null"),
    ({"query": 1}, "query must be a string or null"),
    ({"query": QUERY, "variables": [1]}, "variables must be an object or null"),
    ({"query": QUERY, "variables": "{}"}, "variables must be an object or null"),
    ({"query": QUERY, "extensions": "x"}, "extensions must be an object or null"),
    ({"query": QUERY, "extensions": [1]}, "extensions must be an object or null"),
    (1, "The GraphQL request must be a JSON object"),
    ("query", "The GraphQL request must be a JSON object"),
    (None, "The GraphQL request must be a JSON object"),
    ([{"query": QUERY}], "Batching is not enabled"),
]
BAD_GET_PARAMS: list[tuple[dict[str, str], str]] = [
    ({"query": QUERY, "variables": "[1]"}, "variables must be an object or null"),
    ({"query": QUERY, "variables": "1"}, "variables must be an object or null"),
    ({"query": QUERY, "extensions": '"x"'}, "extensions must be an object or null"),
]


@pytest.fixture(params=[True, False], ids=["metrics", "no-metrics"])
async def http(
    request: pytest.FixtureRequest, make_settings: Callable[..., Settings]
) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(make_settings(metrics=request.param)) as client:
        yield client


@pytest.mark.parametrize(("body", "detail"), BAD_POST_BODIES)
async def test_a_bad_envelope_over_post_is_400_naming_the_member(
    http: httpx.AsyncClient, body: object, detail: str
) -> None:
    response = await http.post(
        "/graphql",
        content=json.dumps(body),
        headers={**auth(OWNER), "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert response.json() == error_json(detail)


@pytest.mark.parametrize(("params", "detail"), BAD_GET_PARAMS)
async def test_a_bad_envelope_over_get_is_400_naming_the_member(
    http: httpx.AsyncClient, params: dict[str, str], detail: str
) -> None:
    response = await http.get("/graphql", params=params, headers=auth(OWNER))
    assert response.status_code == 400, response.text
    assert response.json() == error_json(detail)


@pytest.mark.parametrize(
    "envelope",
    [
        {"query": QUERY},
        {"query": QUERY, "operationName": "M", "variables": {}, "extensions": {}},
        {"query": QUERY, "operationName": None, "variables": None, "extensions": None},
    ],
)
async def test_a_good_envelope_runs(http: httpx.AsyncClient, envelope: dict[str, Any]) -> None:
    response = await http.post("/graphql", json=envelope, headers=auth(OWNER))
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"tasks": {"totalCount": 0}}}
    params = {name: json.dumps(v) if isinstance(v, dict) else v for name, v in envelope.items()}
    response = await http.get(
        "/graphql",
        params={name: v for name, v in params.items() if v is not None},
        headers=auth(OWNER),
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"tasks": {"totalCount": 0}}}
