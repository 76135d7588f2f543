"""One round trip per request: the hot routes send one statement to the database.

The list's revision (its ETag), its count and its page come from one statement; a write is one
UPDATE ... RETURNING (the revision trigger runs inside it). A second statement only comes when
there is something to explain: a write that matched nothing (not found, or a conflict).
"""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.support.auth import auth
from tests.support.graphql_client import LIST, GraphQL
from tests.support.rest_client import create, tasks_url
from tests.support.sql_counter import sql_statements

OWNER = "alice"


@pytest.fixture
async def task_id(client: httpx.AsyncClient) -> int:
    for index in range(3):
        task = await create(client, OWNER, title=f"Task {index}")
    return int(task["id"])


async def test_a_list_is_one_statement_with_its_etag_and_count(
    app: FastAPI, client: httpx.AsyncClient, task_id: int
) -> None:
    with sql_statements(app) as statements:
        response = await client.get(tasks_url(OWNER), headers=auth(OWNER))
    assert response.status_code == 200
    assert len(response.json()) == 3 and response.headers["X-Total-Count"] == "3"
    assert response.headers["ETag"]
    assert len(statements) == 1, statements


async def test_an_empty_page_still_has_its_revision_and_count(
    app: FastAPI, client: httpx.AsyncClient, task_id: int
) -> None:
    url = tasks_url(OWNER)
    first = await client.get(url, headers=auth(OWNER))
    with sql_statements(app) as statements:
        beyond = await client.get(url, params={"offset": 10}, headers=auth(OWNER))
    assert (beyond.status_code, beyond.json()) == (200, [])
    assert beyond.headers["X-Total-Count"] == "3"
    revision = first.headers["ETag"].strip('"').split("-")[0]
    assert beyond.headers["ETag"].strip('"').split("-")[0] == revision
    assert len(statements) == 1, statements


@pytest.mark.parametrize("method", ["toggle", "update"])
async def test_a_write_is_one_statement(
    app: FastAPI, client: httpx.AsyncClient, task_id: int, method: str
) -> None:
    url = f"{tasks_url(OWNER)}/{task_id}"
    with sql_statements(app) as statements:
        if method == "toggle":
            response = await client.patch(f"{url}/toggle", headers=auth(OWNER))
        else:
            response = await client.patch(url, json={"title": "New"}, headers=auth(OWNER))
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 2
    assert len(statements) == 1, statements


async def test_a_graphql_page_is_one_statement(
    app: FastAPI, client: httpx.AsyncClient, task_id: int
) -> None:
    with sql_statements(app) as statements:
        page = await GraphQL(client, OWNER).data(LIST, first=2)
    assert page["tasks"]["totalCount"] == 3
    assert len(page["tasks"]["edges"]) == 2
    assert page["tasks"]["pageInfo"]["hasNextPage"] is True
    assert len(statements) == 1, statements
