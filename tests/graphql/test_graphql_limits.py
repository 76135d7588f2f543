"""Document limits, GraphQL error codes and the masking of unexpected errors, over /graphql."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, NoReturn

import graphql
import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from api.settings import Settings
from db import listing, tasks
from schema.build import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS
from tests.support.databases import close_services, services_of
from tests.support.graphql_client import CREATE, GET, LIST, GraphQL

OWNER = "alice"


async def _count(gql: GraphQL) -> int:
    count: int = (await gql.data(LIST, first=0))["tasks"]["totalCount"]
    return count


def _messages(body: dict[str, Any]) -> list[str]:
    return [error["message"] for error in body.get("errors") or []]


def _code(body: dict[str, Any]) -> str:
    code: str = body["errors"][0]["extensions"]["code"]
    return code


def _nested(levels: int) -> str:
    """A query whose fields nest `levels` deep (the names need not exist to be measured)."""
    return "{ " + "a { " * (levels - 1) + "a" + " }" * (levels - 1) + " }"


@pytest.fixture
def list_calls(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every call of the list service: a rejected document must not make one."""
    calls: list[object] = []
    original = listing.list_page

    async def spy(*args: Any, **kwargs: Any) -> listing.TaskPage:
        calls.append(args)
        return await original(*args, **kwargs)

    monkeypatch.setattr(listing, "list_page", spy)
    return calls


async def test_a_too_deep_document_is_rejected_before_execution(
    client: httpx.AsyncClient, list_calls: list[object]
) -> None:
    gql = GraphQL(client, OWNER)
    depth_error = f"exceeds maximum operation depth of {MAX_DEPTH}"
    assert not any(depth_error in m for m in _messages(await gql.execute(_nested(MAX_DEPTH))))
    body = await gql.execute(_nested(MAX_DEPTH + 2))
    assert any(depth_error in message for message in _messages(body)), body
    assert body.get("data") is None

    deep = "tasks { totalCount edges { node { " + "x { " * MAX_DEPTH + "y" + " }" * MAX_DEPTH
    body = await gql.execute("{ " + deep + " } } } }")
    assert any(depth_error in message for message in _messages(body)), body
    assert body.get("data") is None
    assert list_calls == []

    mutation = (
        'mutation { createTask(input: {title: "deep"}) { '
        + "x { " * (MAX_DEPTH + 2)
        + "y"
        + " }" * (MAX_DEPTH + 2)
        + " } }"
    )
    body = await gql.execute(mutation)
    assert any(depth_error in message for message in _messages(body)), body
    assert await _count(gql) == 0


async def test_too_many_aliases_are_rejected_and_nothing_is_created(
    client: httpx.AsyncClient,
) -> None:
    gql = GraphQL(client, OWNER)
    for count in (MAX_ALIASES + 1, 50):
        fields = " ".join(
            f'c{i}: createTask(input: {{title: "t{i}"}}) {{ id }}' for i in range(count)
        )
        body = await gql.execute(f"mutation {{ {fields} }}")
        assert body.get("data") is None, body
        assert _code(body) == "GRAPHQL_VALIDATION_FAILED"
        assert f"{count} aliases found. Allowed: {MAX_ALIASES}" in _messages(body), body
    assert await _count(gql) == 0


async def test_aliased_root_fields_up_to_the_limit_all_resolve(
    client: httpx.AsyncClient, list_calls: list[object]
) -> None:
    gql = GraphQL(client, OWNER)
    created = [
        (await gql.data(CREATE, input={"title": f"task {i}"}))["createTask"] for i in range(10)
    ]
    # Root fields resolve concurrently; they share the request's one session in turn.
    fields = [
        f'{prefix}{i}: task(id: "{task["id"]}") {{ id title }}'
        for prefix in ("a", "b")
        for i, task in enumerate(created)
    ]
    fields += [
        f"l{i}: tasks(first: {i + 1}) {{ totalCount edges {{ node {{ id }} }} }}" for i in range(10)
    ]
    assert len(fields) == MAX_ALIASES
    data = await gql.data("{ " + " ".join(fields) + " }")
    for prefix in ("a", "b"):
        for i, task in enumerate(created):
            assert data[f"{prefix}{i}"] == {"id": task["id"], "title": task["title"]}
    newest_first = [task["id"] for task in reversed(created)]
    for i in range(10):
        page = data[f"l{i}"]
        assert page["totalCount"] == 10
        assert [edge["node"]["id"] for edge in page["edges"]] == newest_first[: i + 1]
    assert len(list_calls) == 10


async def test_one_failing_aliased_field_leaves_the_others_resolved(
    client: httpx.AsyncClient,
) -> None:
    gql = GraphQL(client, OWNER)
    ids = [
        (await gql.data(CREATE, input={"title": f"task {i}"}))["createTask"]["id"] for i in range(4)
    ]
    missing = str(int(ids[-1]) + 1000)
    query = (
        "{ "
        + " ".join(
            f't{i}: task(id: "{task_id}") {{ id }}'
            for i, task_id in enumerate([*ids[:2], missing, *ids[2:]])
        )
        + " }"
    )
    body = await gql.execute(query)
    assert [error["path"] for error in body["errors"]] == [["t2"]]
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert body["data"] == {
        "t0": {"id": ids[0]},
        "t1": {"id": ids[1]},
        "t2": None,
        "t3": {"id": ids[2]},
        "t4": {"id": ids[3]},
    }


async def test_too_many_tokens_are_rejected_and_nothing_is_created(
    client: httpx.AsyncClient,
) -> None:
    gql = GraphQL(client, OWNER)
    # No aliases and shallow: only the token count is over.
    selection = "id " * MAX_TOKENS
    body = await gql.execute(f'mutation {{ createTask(input: {{title: "t"}}) {{ {selection} }} }}')
    assert body.get("data") is None
    assert _code(body) == "GRAPHQL_PARSE_FAILED"
    assert any(f"more than {MAX_TOKENS} tokens" in message for message in _messages(body)), body
    assert await _count(gql) == 0
    # Just under the limit is fine: many small operations (8 tokens each), one of them run.
    operations = " ".join(
        f"query Q{i} {{ tasks {{ totalCount }} }}" for i in range(MAX_TOKENS // 8)
    )
    response = await client.post(
        "/graphql",
        json={"query": operations, "operationName": "Q7"},
        headers=gql.headers,
    )
    assert response.json() == {"data": {"tasks": {"totalCount": 0}}}


@pytest.mark.parametrize(
    "document",
    [
        "{ tasks { ",
        "query {",
        "mutation { createTask(input: {title: }) { id } }",
        "}{",
        "{ task(id: 1) { id } ] }",
    ],
)
async def test_a_syntax_error_is_graphql_parse_failed(
    client: httpx.AsyncClient, document: str
) -> None:
    body = await GraphQL(client, OWNER).execute(document)
    assert _code(body) == "GRAPHQL_PARSE_FAILED", body
    assert body["errors"][0]["message"].startswith("Syntax Error")
    assert body.get("data") is None


async def test_the_same_syntax_error_twice_has_the_same_code(client: httpx.AsyncClient) -> None:
    # The parser cache must not turn a repeated bad document into something else.
    gql = GraphQL(client, OWNER)
    first = await gql.execute("{ tasks { totalCount ")
    second = await gql.execute("{ tasks { totalCount ")
    assert first == second
    assert _code(first) == "GRAPHQL_PARSE_FAILED"


@pytest.mark.parametrize(
    "document",
    [
        "{ tasks { bogus } }",
        "{ nothing }",
        "{ task(id: 1, extra: 2) { id } }",
        "{ tasks }",
        "mutation { deleteTask }",
    ],
)
async def test_an_invalid_document_is_graphql_validation_failed(
    client: httpx.AsyncClient, document: str, list_calls: list[object]
) -> None:
    body = await GraphQL(client, OWNER).execute(document)
    assert _code(body) == "GRAPHQL_VALIDATION_FAILED", body
    assert body.get("data") is None
    assert list_calls == []


async def test_repeated_documents_are_validated_once(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    validations: list[object] = []
    validate = graphql.validate

    def counting_validate(*args: Any, **kwargs: Any) -> Any:
        validations.append(args)
        return validate(*args, **kwargs)

    # Strawberry's validate_document (what ValidationCache caches) calls graphql's validate.
    monkeypatch.setattr("strawberry.schema.schema.validate", counting_validate)
    gql = GraphQL(client, OWNER)
    # A text never sent before (the caches outlive an app), so the first request validates it.
    alias = f"n{uuid.uuid4().hex}"
    query = f"{{ {alias}: tasks {{ totalCount }} }}"
    for _ in range(3):
        assert (await gql.data(query))[alias]["totalCount"] == 0
    assert len(validations) == 1


@asynccontextmanager
async def _app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(settings)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http
    finally:
        await close_services(app)


def _explode(*_: object, **__: object) -> NoReturn:
    raise RuntimeError("secret detail")


async def test_unexpected_errors_are_masked_in_production(
    make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "get_task", _explode)
    async with _app_client(make_settings(environment="production")) as http:
        gql = GraphQL(http, OWNER)
        response = await http.post(
            "/graphql", json={"query": GET, "variables": {"id": "1"}}, headers=gql.headers
        )
        assert response.status_code == 200
        assert "secret detail" not in response.text
        error = response.json()["errors"][0]
        assert error["message"] == "Unexpected error."
        assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
        assert error["path"] == ["task"]

        # Client mistakes keep their message and code in production.
        bad_enum = await gql.execute(CREATE, input={"title": "t", "priority": "URGENT"})
        assert bad_enum["errors"][0]["extensions"] == {
            "code": "BAD_USER_INPUT",
            "field": "priority",
        }
        assert "URGENT" in bad_enum["errors"][0]["message"]
        bad_title = await gql.execute(CREATE, input={"title": " "})
        assert bad_title["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert _code(await gql.execute("{ tasks { ")) == "GRAPHQL_PARSE_FAILED"
        assert _code(await gql.execute("{ tasks { bogus } }")) == "GRAPHQL_VALIDATION_FAILED"
        missing = await gql.execute(LIST, after="garbage")
        assert missing["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}


async def test_unexpected_errors_are_shown_in_development(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "get_task", _explode)
    body = await GraphQL(client, OWNER).execute(GET, id="1")
    error = body["errors"][0]
    assert error["message"] == "secret detail"
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"


class _ConcurrencyProbe:
    """The app's store, noting how many statements of the request run at once."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.dialect = store.dialect
        self.running = 0
        self.most = 0
        self.calls = 0

    async def fetch_as(self, owner_id: str, statement: Any, params: dict[str, Any]) -> Any:
        self.running += 1
        self.calls += 1
        self.most = max(self.most, self.running)
        try:
            await asyncio.sleep(0.001)  # let any other resolver start meanwhile
            return await self._store.fetch_as(owner_id, statement, params)
        finally:
            self.running -= 1

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


async def test_one_request_runs_its_statements_one_at_a_time(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Root fields resolve concurrently; their statements must not take a connection each."""
    services = services_of(app)
    probe = _ConcurrencyProbe(services.store)
    services.store = probe  # type: ignore[assignment]
    try:
        fields = " ".join(f"a{index}: tasks(first: 1) {{ totalCount }}" for index in range(20))
        body = await GraphQL(client, OWNER).execute(f"{{ {fields} }}")
    finally:
        services.store = probe._store
    assert "errors" not in body, body
    assert len(body["data"]) == 20
    assert probe.calls == 20
    assert probe.most == 1
