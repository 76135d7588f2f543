"""Automatic persisted queries as Apollo Client and urql send them: the hash first, the query when
the server asks, the hash alone afterwards; over POST and GET, for queries and mutations."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from api.graphql.persisted import PersistedDocuments
from api.settings import Settings
from schema.build import MAX_DOCUMENT_CHARS
from tests.support.auth import auth
from tests.support.errors import error_json
from tests.support.graphql_client import CREATE, LIST, GraphQL
from tests.support.jwks_server import app_client

NOT_FOUND = {
    "errors": [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ]
}
NOT_SUPPORTED = {
    "errors": [
        {
            "message": "PersistedQueryNotSupported",
            "extensions": {"code": "PERSISTED_QUERY_NOT_SUPPORTED"},
        }
    ]
}
MISMATCH = (
    "provided sha does not match query: extensions.persistedQuery.sha256Hash must be the "
    "SHA-256 of the query's UTF-8 text, in hexadecimal"
)
COUNT = "query Count { tasks { totalCount } }"


def unique(document: str) -> str:
    """The document with a comment of its own: a hash no earlier test has stored."""
    return f"{document}\n# {uuid.uuid4().hex}"


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def persisted(digest: str, version: object = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": digest}}


class Apollo:
    """One user's requests as Apollo's persisted-query link makes them."""

    def __init__(self, http: httpx.AsyncClient, user: str | None) -> None:
        self.http = http
        self.headers = auth(user) if user is not None else {}

    async def hashed(self, document: str, **variables: Any) -> httpx.Response:
        """POST with the hash only (no `query`), as the link's first try."""
        body = {"variables": variables, "extensions": persisted(sha256(document))}
        return await self.http.post("/graphql", json=body, headers=self.headers)

    async def with_query(self, document: str, **variables: Any) -> httpx.Response:
        """POST with the query and its hash, as the link's retry."""
        body = {
            "query": document,
            "variables": variables,
            "extensions": persisted(sha256(document)),
        }
        return await self.http.post("/graphql", json=body, headers=self.headers)

    async def hashed_get(self, document: str, **variables: Any) -> httpx.Response:
        """GET with the hash only, as with `useGETForHashedQueries`."""
        params = {
            "variables": json.dumps(variables),
            "extensions": json.dumps(persisted(sha256(document))),
        }
        return await self.http.get("/graphql", params=params, headers=self.headers)


def data(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


async def test_the_apollo_round_trip(client: httpx.AsyncClient) -> None:
    alice = Apollo(client, "alice")
    await GraphQL(client, "alice").data(CREATE, input={"title": "one"})
    document = unique(COUNT)

    first = await alice.hashed(document)
    assert first.status_code == 200
    assert first.json() == NOT_FOUND
    assert data(await alice.with_query(document)) == {"tasks": {"totalCount": 1}}
    assert data(await alice.hashed(document)) == {"tasks": {"totalCount": 1}}


async def test_an_upper_case_hash_names_the_same_document(client: httpx.AsyncClient) -> None:
    alice = Apollo(client, "alice")
    document = unique(COUNT)
    data(await alice.with_query(document))
    body = {"extensions": persisted(sha256(document).upper())}
    response = await client.post("/graphql", json=body, headers=alice.headers)
    assert data(response) == {"tasks": {"totalCount": 0}}


async def test_a_query_that_is_not_the_hashs_is_400_and_not_stored(
    client: httpx.AsyncClient,
) -> None:
    alice = Apollo(client, "alice")
    claimed, sent = unique(COUNT), unique(COUNT)
    body = {"query": sent, "extensions": persisted(sha256(claimed))}
    response = await client.post("/graphql", json=body, headers=alice.headers)
    assert response.status_code == 400
    assert response.json() == error_json(MISMATCH)
    assert (await alice.hashed(claimed)).json() == NOT_FOUND
    assert (await alice.hashed(sent)).json() == NOT_FOUND


@pytest.mark.parametrize(
    ("persisted_query", "detail"),
    [
        ({"version": 2, "sha256Hash": "0" * 64}, "version must be 1"),
        ({"version": "1", "sha256Hash": "0" * 64}, "version must be 1"),
        ({"version": True, "sha256Hash": "0" * 64}, "version must be 1"),
        ({"sha256Hash": "0" * 64}, "version must be 1"),
        ({"version": 1}, "sha256Hash must be 64 hexadecimal characters"),
        ({"version": 1, "sha256Hash": "0" * 63}, "sha256Hash must be 64 hexadecimal characters"),
        ({"version": 1, "sha256Hash": "g" * 64}, "sha256Hash must be 64 hexadecimal characters"),
        ({"version": 1, "sha256Hash": 5}, "sha256Hash must be 64 hexadecimal characters"),
        ("x", "persistedQuery must be an object"),
        ([1], "persistedQuery must be an object"),
    ],
)
@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_a_malformed_persisted_query_is_400_naming_the_member(
    client: httpx.AsyncClient, persisted_query: object, detail: str, method: str
) -> None:
    extensions = {"persistedQuery": persisted_query}
    if method == "POST":
        body = {"query": COUNT, "extensions": extensions}
        response = await client.post("/graphql", json=body, headers=auth("alice"))
    else:
        params = {"query": COUNT, "extensions": json.dumps(extensions)}
        response = await client.get("/graphql", params=params, headers=auth("alice"))
    assert response.status_code == 400, response.text
    assert response.json()["detail"].startswith("extensions.persistedQuery")
    assert detail in response.json()["detail"]


async def test_get_by_hash_runs_a_stored_query(client: httpx.AsyncClient) -> None:
    alice = Apollo(client, "alice")
    await GraphQL(client, "alice").data(CREATE, input={"title": "one"})
    document = unique("query Page($first: Int) { tasks(first: $first) { totalCount } }")

    unknown = await alice.hashed_get(document, first=5)
    assert (unknown.status_code, unknown.json()) == (200, NOT_FOUND)
    data(await alice.with_query(document, first=5))
    # Any Accept, even */*: a GET with `extensions` and no `query` is never the explorer page.
    response = await alice.hashed_get(document, first=5)
    assert response.headers["content-type"] == "application/json"
    assert data(response) == {"tasks": {"totalCount": 1}}


async def test_a_get_may_send_the_query_and_its_hash(client: httpx.AsyncClient) -> None:
    alice = Apollo(client, "alice")
    document = unique(COUNT)
    params = {"query": document, "extensions": json.dumps(persisted(sha256(document)))}
    assert data(await client.get("/graphql", params=params, headers=alice.headers))
    assert data(await alice.hashed(document)) == {"tasks": {"totalCount": 0}}


async def test_a_mutation_by_hash_runs_over_post_and_is_refused_over_get(
    client: httpx.AsyncClient,
) -> None:
    alice = Apollo(client, "alice")
    document = unique(CREATE)
    assert (await alice.hashed(document, input={"title": "a"})).json() == NOT_FOUND
    first = data(await alice.with_query(document, input={"title": "a"}))["createTask"]
    second = data(await alice.hashed(document, input={"title": "b"}))["createTask"]
    assert (first["title"], second["title"]) == ("a", "b")
    assert first["id"] != second["id"]

    refused = await alice.hashed_get(document, input={"title": "c"})
    assert refused.status_code == 400
    assert refused.json() == error_json("mutations are not allowed when using GET")
    assert (await GraphQL(client, "alice").data(COUNT))["tasks"]["totalCount"] == 2


async def test_the_store_holds_documents_never_results(client: httpx.AsyncClient) -> None:
    alice, bob = Apollo(client, "alice"), Apollo(client, "bob")
    for title in ("alice 1", "alice 2"):
        await GraphQL(client, "alice").data(CREATE, input={"title": title})
    await GraphQL(client, "bob").data(CREATE, input={"title": "bob 1"})
    document = unique(LIST)

    alices = data(await alice.with_query(document))["tasks"]
    assert {edge["node"]["title"] for edge in alices["edges"]} == {"alice 1", "alice 2"}
    # Bob runs the document Alice stored: his own tasks, nothing of hers.
    bobs = data(await bob.hashed(document))["tasks"]
    assert [edge["node"]["title"] for edge in bobs["edges"]] == ["bob 1"]
    assert bobs["totalCount"] == 1
    # Alice by hash sees the data as it is now, not an answer kept from before.
    await GraphQL(client, "alice").data(CREATE, input={"title": "alice 3"})
    assert data(await alice.hashed(document))["tasks"]["totalCount"] == 3
    # Without a token the stored document runs, and is refused like any other.
    anonymous = (await Apollo(client, None).hashed(document)).json()
    assert anonymous["data"] is None
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ("query { tasks { nope } }", "GRAPHQL_VALIDATION_FAILED"),
        ("query { tasks { totalCount }", "GRAPHQL_PARSE_FAILED"),
    ],
)
async def test_a_document_that_does_not_validate_is_never_stored(
    client: httpx.AsyncClient, document: str, code: str
) -> None:
    alice = Apollo(client, "alice")
    document = unique(document)
    body = (await alice.with_query(document)).json()
    assert body["errors"][0]["extensions"]["code"] == code
    assert (await alice.hashed(document)).json() == NOT_FOUND


async def test_a_request_without_a_token_stores_nothing(client: httpx.AsyncClient) -> None:
    document = unique(COUNT)
    body = (await Apollo(client, None).with_query(document)).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await Apollo(client, "alice").hashed(document)).json() == NOT_FOUND


async def test_a_document_over_the_limit_is_413_and_never_stored(
    client: httpx.AsyncClient,
) -> None:
    alice = Apollo(client, "alice")
    document = COUNT + " " * (MAX_DOCUMENT_CHARS - len(COUNT) + 1)
    response = await alice.with_query(document)
    assert response.status_code == 413
    assert response.json() == error_json(
        f"The GraphQL document is longer than {MAX_DOCUMENT_CHARS} characters"
    )
    assert (await alice.hashed(document)).json() == NOT_FOUND


async def test_the_store_keeps_the_most_recently_used_documents(
    make_settings: Callable[..., Settings],
) -> None:
    async with app_client(make_settings(graphql_persisted_queries=2)) as http:
        alice = Apollo(http, "alice")
        a, b, c, d = (unique(COUNT) for _ in range(4))
        for document in (a, b, c):
            data(await alice.with_query(document))
        assert (await alice.hashed(a)).json() == NOT_FOUND  # evicted by c
        data(await alice.hashed(b))  # b is now more recent than c
        data(await alice.with_query(d))
        assert (await alice.hashed(c)).json() == NOT_FOUND  # evicted by d
        assert data(await alice.hashed(b)) == data(await alice.hashed(d))


async def test_with_the_store_off_the_hash_is_not_supported(
    make_settings: Callable[..., Settings],
) -> None:
    async with app_client(make_settings(graphql_persisted_queries=0)) as http:
        alice = Apollo(http, "alice")
        assert (await alice.hashed(COUNT)).json() == NOT_SUPPORTED
        assert data(await alice.with_query(COUNT)) == {"tasks": {"totalCount": 0}}
        assert (await alice.hashed(COUNT)).json() == NOT_SUPPORTED


def test_the_store_is_bounded_by_the_bytes_of_its_text_too() -> None:
    documents = PersistedDocuments(max_documents=100, max_bytes=2 * 1_100)
    texts = [unique("x" * 1_000) for _ in range(4)]
    for text in texts:
        documents.remember(text)
    assert len(documents) == 2
    assert [documents.get(sha256(text)) for text in texts] == [None, None, *texts[2:]]
