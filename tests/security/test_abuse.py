"""Abusive requests: deep, wide, huge or out-of-range documents and bodies.

Each is refused with a clear error before anything runs: no SQL statement reaches the database.
How long each refusal took is printed (`pytest -s` shows it), never asserted.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.settings import Settings
from schema.build import MAX_ALIASES, MAX_DEPTH, MAX_DOCUMENT_CHARS, MAX_TOKENS
from tests.support.auth import auth
from tests.support.errors import error_json
from tests.support.graphql_client import CREATE, LIST
from tests.support.jwks_server import app_client
from tests.support.rest_client import tasks_url
from tests.support.sql_counter import sql_statements

pytest_plugins = ["tests.support.live_server"]  # the `server` fixture

USER = "alice"
LIMIT = 1_048_576  # MAX_BODY_BYTES by default
TOO_LARGE = error_json(f"Request body is larger than {LIMIT} bytes")
FRONTEND = "http://localhost:3000"


@contextmanager
def refused_quietly(app: FastAPI, what: str) -> Iterator[None]:
    """No SQL inside the block; prints how long it took."""
    started = time.perf_counter()
    with sql_statements(app) as statements:
        yield
    print(f"{what}: answered in {(time.perf_counter() - started) * 1000:.1f} ms")
    assert statements == [], statements


async def post_graphql(http: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    return await http.post("/graphql", json=body, headers=auth(USER))


def codes(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("data") is None, body
    return [error["extensions"]["code"] for error in body["errors"]]


def messages(response: httpx.Response) -> str:
    return " | ".join(error["message"] for error in response.json()["errors"])


# --- GraphQL documents ---------------------------------------------------------------------


def of_type_chain(levels: int) -> str:
    """Introspection nested `levels` deep: depth limits skip `__` fields, so the parser's
    own nesting limit is what stops it."""
    return (
        '{ __type(name: "Task") { fields { type { '
        + "ofType { " * levels
        + "name"
        + " }" * levels
        + " } } } }"
    )


def fragment_chain(levels: int) -> str:
    """Fields nested through a chain of fragments, one level each."""
    fragments = " ".join(
        f"fragment F{n} on Query {{ tasks {{ ...F{n + 1} }} }}" for n in range(levels)
    )
    return f"query {{ ...F0 }} {fragments} fragment F{levels} on Query {{ __typename }}"


def nested_literal(levels: int) -> str:
    return "{ tasks(filter: {search: " + "[" * levels + '"x"' + "]" * levels + "}) { totalCount } }"


def aliases(count: int) -> str:
    return "{ " + " ".join(f"a{n}: tasks {{ totalCount }}" for n in range(count)) + " }"


INTROSPECTION_CYCLE = (
    "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
)

# document: (the error code, words of the message)
DOCUMENTS: dict[str, tuple[Callable[[], str], str, str]] = {
    "fields nested through fragments": (
        lambda: fragment_chain(MAX_DEPTH + 4),
        "GRAPHQL_VALIDATION_FAILED",
        f"exceeds maximum operation depth of {MAX_DEPTH}",
    ),
    "introspection nested 250 deep": (
        lambda: of_type_chain(250),
        "GRAPHQL_PARSE_FAILED",
        "Document is nested too deeply",
    ),
    "introspection cycle": (
        lambda: INTROSPECTION_CYCLE,
        "GRAPHQL_VALIDATION_FAILED",
        "Maximum introspection depth exceeded",
    ),
    "an argument literal nested 250 deep": (
        lambda: nested_literal(250),
        "GRAPHQL_PARSE_FAILED",
        "Document is nested too deeply",
    ),
    "300 aliases": (
        lambda: aliases(300),
        "GRAPHQL_VALIDATION_FAILED",
        f"300 aliases found. Allowed: {MAX_ALIASES}",
    ),
    "1500 aliases": (
        lambda: aliases(1500),
        "GRAPHQL_PARSE_FAILED",
        f"more than {MAX_TOKENS} tokens",
    ),
    "55 kB of fields": (
        lambda: "{ tasks { " + "totalCount " * 5_000 + "} }",
        "GRAPHQL_PARSE_FAILED",
        f"more than {MAX_TOKENS} tokens",
    ),
    "first: 1e9": (
        lambda: "{ tasks(first: 1000000000) { totalCount } }",
        "BAD_USER_INPUT",
        "first: must be between 0 and 100",
    ),
    "first: 2^31": (
        lambda: "{ tasks(first: 2147483648) { totalCount } }",
        "BAD_USER_INPUT",
        "non 32-bit signed integer value: 2147483648",
    ),
    "first: 1e9 as a float": (
        lambda: "{ tasks(first: 1e9) { totalCount } }",
        "BAD_USER_INPUT",
        "Int cannot represent non-integer value: 1e9",
    ),
}


@pytest.mark.parametrize("case", DOCUMENTS.keys())
async def test_an_abusive_document_is_refused_before_it_runs(
    app: FastAPI, client: httpx.AsyncClient, case: str
) -> None:
    document, code, message = DOCUMENTS[case]
    with refused_quietly(app, case):
        response = await post_graphql(client, {"query": document()})
    assert codes(response)[0] == code, response.text
    assert message in messages(response)


@pytest.mark.parametrize(
    ("first", "message"),
    [
        (10**9, "first: must be between 0 and 100"),
        (1e9, "first: must be between 0 and 100"),
        (2**31, "non 32-bit signed integer value: 2147483648"),
        (-1, "first: must be between 0 and 100"),
    ],
)
async def test_an_oversized_first_variable_is_bad_user_input(
    app: FastAPI, client: httpx.AsyncClient, first: float, message: str
) -> None:
    with refused_quietly(app, f"first={first!r}"):
        response = await post_graphql(client, {"query": LIST, "variables": {"first": first}})
    assert codes(response) == ["BAD_USER_INPUT"]
    assert message in messages(response)


async def test_an_oversized_rest_limit_is_422(app: FastAPI, client: httpx.AsyncClient) -> None:
    for limit in (10**9, 2**31, 2**63):
        with refused_quietly(app, f"limit={limit}"):
            response = await client.get(
                tasks_url(USER), params={"limit": limit}, headers=auth(USER)
            )
        assert response.status_code == 422
        assert [item["loc"] for item in response.json()["detail"]] == [["query", "limit"]]


async def test_a_title_just_under_the_body_limit_is_bad_user_input(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    title = "t" * (LIMIT - 1000)
    with refused_quietly(app, "900 kB title over GraphQL"):
        response = await post_graphql(
            client, {"query": CREATE, "variables": {"input": {"title": title}}}
        )
    assert codes(response) == ["BAD_USER_INPUT"]
    assert response.json()["errors"][0]["extensions"]["field"] == "title"
    with refused_quietly(app, "900 kB title over REST"):
        response = await client.post(tasks_url(USER), json={"title": title}, headers=auth(USER))
    assert response.status_code == 422
    assert [item["loc"] for item in response.json()["detail"]] == [["body", "title"]]


def deeply_nested_json(levels: int) -> bytes:
    """A small body (2 bytes a level) that nests past Python's recursion limit."""
    return ("[" * levels + "]" * levels).encode()


async def test_deeply_nested_json_variables_are_400_on_graphql(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    query = json.dumps(CREATE).encode()
    body = (
        b'{"query": ' + query + b', "variables": {"input": ' + deeply_nested_json(100_000) + b"}}"
    )
    with refused_quietly(app, "variables nested 100000 deep"):
        response = await client.post(
            "/graphql", content=body, headers={**auth(USER), "Content-Type": "application/json"}
        )
    assert response.status_code == 400, response.text
    assert response.json() == error_json("Unable to parse request body as JSON")


async def test_a_deeply_nested_json_body_is_422_on_rest(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    body = b'{"title": ' + deeply_nested_json(100_000) + b"}"
    with refused_quietly(app, "REST body nested 100000 deep"):
        response = await client.post(
            tasks_url(USER),
            content=body,
            headers={**auth(USER), "Content-Type": "application/json"},
        )
    assert response.status_code == 422, response.text
    assert [item["loc"] for item in response.json()["detail"]] == [["body"]]


# --- Body size ------------------------------------------------------------------------------


async def streamed(data: bytes, chunk: int = 64 * 1024) -> AsyncIterator[bytes]:
    """`data` as a chunked body: no Content-Length, the size is only known once it has all come."""
    for start in range(0, len(data), chunk):
        yield data[start : start + chunk]


def padded(document: dict[str, Any], size: int) -> bytes:
    """`document` as JSON padded with trailing whitespace to exactly `size` bytes."""
    text = json.dumps(document).encode()
    assert len(text) <= size
    return text + b" " * (size - len(text))


# (where, the JSON a valid request sends there)
TARGETS: dict[str, tuple[str, dict[str, Any]]] = {
    "rest": (tasks_url(USER), {"title": "Within the limit"}),
    "graphql": ("/graphql", {"query": CREATE, "variables": {"input": {"title": "Within"}}}),
}
FRAMINGS = ["content-length", "chunked"]


async def send_body(
    http: httpx.AsyncClient, target: str, framing: str, body: bytes
) -> httpx.Response:
    url, _ = TARGETS[target]
    content: bytes | AsyncIterator[bytes] = body if framing == "content-length" else streamed(body)
    headers = {**auth(USER), "Content-Type": "application/json", "Origin": FRONTEND}
    return await http.post(url, content=content, headers=headers)


@pytest.mark.parametrize("framing", FRAMINGS)
@pytest.mark.parametrize("target", TARGETS.keys())
@pytest.mark.parametrize("size", [LIMIT + 1, 5 * LIMIT])
async def test_a_body_over_the_limit_is_413_before_anything_runs(
    app: FastAPI, client: httpx.AsyncClient, target: str, framing: str, size: int
) -> None:
    body = padded(TARGETS[target][1], size)
    with refused_quietly(app, f"{size} bytes to {target}, {framing}"):
        response = await send_body(client, target, framing, body)
    assert response.status_code == 413, response.text
    assert response.json() == TOO_LARGE
    assert response.headers["access-control-allow-origin"] == FRONTEND  # the page can read it


@pytest.mark.parametrize("framing", FRAMINGS)
@pytest.mark.parametrize("target", TARGETS.keys())
async def test_a_body_of_exactly_the_limit_is_accepted(
    client: httpx.AsyncClient, target: str, framing: str
) -> None:
    response = await send_body(client, target, framing, padded(TARGETS[target][1], LIMIT))
    assert response.status_code == (201 if target == "rest" else 200), response.text
    if target == "graphql":
        assert response.json()["data"]["createTask"]["title"] == "Within"


async def test_the_limit_is_a_setting(make_settings: Callable[..., Settings], app: FastAPI) -> None:
    # `app` shares the database: it empties the tasks table afterwards.
    async with app_client(make_settings(max_body_bytes=64)) as http:
        for framing in FRAMINGS:
            fits = await send_body(http, "rest", framing, padded({"title": "t"}, 64))
            assert fits.status_code == 201, fits.text
            over = await send_body(http, "rest", framing, padded({"title": "t"}, 65))
            assert over.status_code == 413
            assert over.json() == error_json("Request body is larger than 64 bytes")


async def test_a_huge_document_is_413(app: FastAPI, client: httpx.AsyncClient) -> None:
    for what, filler in (("whitespace", " "), ("a comment", "#" + "c" * 100)):
        document = "{ tasks { totalCount } }\n" + filler * (LIMIT // len(filler) + 1)
        with refused_quietly(app, f"a document padded with {what}"):
            response = await post_graphql(client, {"query": document})
        assert (response.status_code, response.json()) == (413, TOO_LARGE)


# Comments and whitespace cost no tokens: without a length limit such a document would run, and
# the parser and validation caches would keep it (about 2.7 MB per distinct 1 MB document).
@pytest.mark.parametrize("filler", [" ", "# padding\n"], ids=["whitespace", "comments"])
async def test_a_document_padded_past_the_length_limit_is_refused(
    app: FastAPI, client: httpx.AsyncClient, filler: str
) -> None:
    head = "{ tasks { totalCount } }\n"
    document = (head + filler * (MAX_DOCUMENT_CHARS // len(filler) + 1))[: MAX_DOCUMENT_CHARS + 1]
    with refused_quietly(app, f"a document padded past the limit with {filler!r}"):
        response = await post_graphql(client, {"query": document})
    assert response.status_code == 413
    assert response.json() == error_json(
        f"The GraphQL document is longer than {MAX_DOCUMENT_CHARS} characters"
    )


async def test_huge_variables_are_413(app: FastAPI, client: httpx.AsyncClient) -> None:
    title = "t" * (5 * LIMIT)
    with refused_quietly(app, "a 5 MB title"):
        response = await post_graphql(
            client, {"query": CREATE, "variables": {"input": {"title": title}}}
        )
    assert (response.status_code, response.json()) == (413, TOO_LARGE)


async def test_over_real_http_an_oversized_upload_gets_its_413(server: str, app: FastAPI) -> None:
    # uvicorn frames the body itself: the client must read the 413 (not a reset connection)
    # after sending it all, and the server must go on serving. (`app` empties the tasks table.)
    async with httpx.AsyncClient(base_url=server, limits=httpx.Limits(max_connections=1)) as http:
        for framing in FRAMINGS:
            body = padded(TARGETS["rest"][1], 2 * LIMIT)
            response = await send_body(http, "rest", framing, body)
            assert (response.status_code, response.json()) == (413, TOO_LARGE)
            fits = await send_body(http, "rest", framing, padded(TARGETS["rest"][1], LIMIT))
            assert fits.status_code == 201, fits.text


async def test_a_document_at_the_length_limit_runs(client: httpx.AsyncClient) -> None:
    head = "{ tasks { totalCount } }\n"
    document = head + " " * (MAX_DOCUMENT_CHARS - len(head))
    response = await post_graphql(client, {"query": document})
    assert response.status_code == 200
    assert response.json() == {"data": {"tasks": {"totalCount": 0}}}
