"""One round trip per request: the hot routes send one statement to the database.

The list's revision (its ETag), its count and its page with each task's tags come from one
statement; a write is one UPDATE ... RETURNING (the revision trigger runs inside it), and so is
each write of a tag (its triggers bump the revision and its tasks' versions). A second
statement only comes when there is something to explain: a write that matched nothing (not
found, or a conflict). Writing a task's tags is the exception: one transaction of four.
"""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.support.auth import auth
from tests.support.graphql_client import LIST, GraphQL
from tests.support.rest_client import create, create_tag, tags_url, tasks_url
from tests.support.sql_counter import sql_statements

OWNER = "alice"


@pytest.fixture
async def task_id(client: httpx.AsyncClient) -> int:
    """Three tasks, each with tags: a page loads them in its one statement (no N+1)."""
    tags = [(await create_tag(client, OWNER, name=f"Tag {index}"))["id"] for index in range(3)]
    for index in range(3):
        task = await create(client, OWNER, title=f"Task {index}", tag_ids=tags[: index + 1])
    return int(task["id"])


async def test_a_list_is_one_statement_with_its_etag_and_count(
    app: FastAPI, client: httpx.AsyncClient, task_id: int
) -> None:
    with sql_statements(app) as statements:
        response = await client.get(tasks_url(OWNER), headers=auth(OWNER))
    assert response.status_code == 200
    assert len(response.json()) == 3 and response.headers["X-Total-Count"] == "3"
    assert [len(task["tags"]) for task in response.json()] == [3, 2, 1]
    assert response.headers["ETag"]
    assert len(statements) == 1, statements


async def test_a_list_filtered_by_tags_is_one_statement(
    app: FastAPI, client: httpx.AsyncClient, task_id: int
) -> None:
    tags = (await client.get(tags_url(OWNER), headers=auth(OWNER))).json()
    ids = [tag["id"] for tag in tags[:2]]  # Tag 0 and Tag 1: the last two tasks have both
    with sql_statements(app) as statements:
        response = await client.get(
            tasks_url(OWNER), params={"tag_ids": ids, "tag_match": "all"}, headers=auth(OWNER)
        )
    assert [len(task["tags"]) for task in response.json()] == [3, 2]
    assert len(statements) == 1, statements


@pytest.mark.parametrize("method", ["list", "create", "rename", "delete"])
async def test_a_tag_route_is_one_statement(
    app: FastAPI, client: httpx.AsyncClient, task_id: int, method: str
) -> None:
    """A rename or delete also bumps its tasks' versions and the revision: in its triggers."""
    tag = (await client.get(tags_url(OWNER), headers=auth(OWNER))).json()[0]
    with sql_statements(app) as statements:
        if method == "list":
            response = await client.get(tags_url(OWNER), headers=auth(OWNER))
        elif method == "create":
            response = await client.post(tags_url(OWNER), json={"name": "New"}, headers=auth(OWNER))
        elif method == "rename":
            url = tags_url(OWNER, tag["id"])
            response = await client.patch(url, json={"name": "Renamed"}, headers=auth(OWNER))
        else:
            response = await client.delete(tags_url(OWNER, tag["id"]), headers=auth(OWNER))
    assert response.status_code in (200, 201), response.text
    assert len(statements) == 1, statements
    if method in ("rename", "delete"):
        task = (await client.get(tasks_url(OWNER, task_id), headers=auth(OWNER))).json()
        assert task["version"] == 2


async def test_setting_a_tasks_tags_is_one_transaction(
    app: FastAPI, client: httpx.AsyncClient, task_id: int
) -> None:
    """The task's UPDATE (owner, If-Match, version), its links out, its links in, the answer."""
    tag = (await client.get(tags_url(OWNER), headers=auth(OWNER))).json()[0]
    url = tasks_url(OWNER, task_id, "tags")
    with sql_statements(app) as statements:
        response = await client.put(url, json={"tag_ids": [tag["id"]]}, headers=auth(OWNER))
    assert response.status_code == 200, response.text
    # SQLite's engine also records the BEGIN and COMMIT the store sends.
    kinds = [statement.split()[0] for statement in statements]
    assert [kind for kind in kinds if kind not in ("BEGIN", "COMMIT")] == [
        "UPDATE",
        "DELETE",
        "INSERT",
        "SELECT",
    ], statements


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
    assert [len(edge["node"]["tags"]) for edge in page["tasks"]["edges"]] == [3, 2]
    assert page["tasks"]["pageInfo"]["hasNextPage"] is True
    assert len(statements) == 1, statements
