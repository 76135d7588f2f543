"""A trailing slash is served like the path without it, on every route: never a redirect.

Starlette answered `/api/alice/tasks/` with a 307 to an absolute `http://` URL, which a page
served over https may not follow (mixed content).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from tests.support.auth import auth
from tests.support.rest_client import TASK_KEYS, WRITTEN_KEYS, create, tasks_url

REDIRECTS = {301, 302, 303, 307, 308}

# Every REST route as (method, path after /api/{user_id}/tasks with {id}, body, status).
ROUTES: list[tuple[str, str, dict[str, Any] | None, int]] = [
    ("GET", "", None, 200),
    ("POST", "", {"title": "Slashed"}, 201),
    ("GET", "/{id}", None, 200),
    ("PUT", "/{id}", {"title": "Renamed"}, 200),
    ("PATCH", "/{id}", {"priority": "high"}, 200),
    ("PATCH", "/{id}/complete", None, 200),
    ("PATCH", "/{id}/toggle", {"completed": False}, 200),
    ("DELETE", "/{id}", None, 200),
]
ROUTE_IDS = ["list", "create", "read", "put", "patch", "complete", "toggle", "delete"]


@pytest.mark.parametrize("slash", ["", "/", "//"], ids=["bare", "slash", "two-slashes"])
@pytest.mark.parametrize(("method", "suffix", "body", "status"), ROUTES, ids=ROUTE_IDS)
async def test_every_rest_route_is_served_with_or_without_a_trailing_slash(
    client: httpx.AsyncClient,
    method: str,
    suffix: str,
    body: dict[str, Any] | None,
    status: int,
    slash: str,
) -> None:
    user = f"slash-{uuid.uuid4().hex[:8]}"
    task = await create(client, user)
    url = tasks_url(user) + suffix.replace("{id}", str(task["id"])) + slash

    response = await client.request(method, url, json=body, headers=auth(user))

    assert response.status_code == status, (url, response.status_code, response.text)
    assert "location" not in response.headers
    answer = response.json()
    if method == "GET" and not suffix:
        assert [listed["id"] for listed in answer] == [task["id"]]
        assert response.headers["X-Total-Count"] == "1"
    elif method == "DELETE":
        assert answer["deleted_id"] == task["id"]
    elif method in ("GET", "POST"):
        assert set(answer) == TASK_KEYS
    else:  # an update's or a toggle's answer
        assert set(answer) == WRITTEN_KEYS


async def test_a_slashed_url_is_the_same_resource_for_conditional_requests(
    client: httpx.AsyncClient,
) -> None:
    user = f"slash-{uuid.uuid4().hex[:8]}"
    task = await create(client, user)
    plain = await client.get(tasks_url(user), headers=auth(user))
    slashed = await client.get(
        tasks_url(user) + "/", headers={**auth(user), "If-None-Match": plain.headers["ETag"]}
    )
    assert slashed.status_code == 304
    stale = await client.put(
        tasks_url(user, task["id"]) + "/",
        json={"title": "late"},
        headers={**auth(user), "If-Match": '"7"'},
    )
    assert (stale.status_code, stale.json()) == (412, task)


def _concrete(path: str) -> str:
    """`path` with each `{parameter}` replaced by a value every route accepts."""
    return re.sub(r"\{[^}]+\}", "1", path)


async def test_no_path_of_any_route_is_ever_redirected(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Every route of the app (REST, GraphQL, docs, probes, metrics), every method it has,
    with one trailing slash: its own answer, never a redirect."""
    asked = 0
    for route in iter_route_contexts(app.routes):
        if route.path is None or route.methods is None:  # the WebSocket route
            continue
        for method in sorted(route.methods):
            for path in (route.path, route.path + "/"):
                response = await client.request(
                    method, _concrete(path), headers=auth("1"), follow_redirects=False
                )
                asked += 1
                assert response.status_code not in REDIRECTS, (method, path)
                assert "location" not in response.headers, (method, path)
    assert asked >= 30  # the routes were found
    unknown = await client.get("/no/such/path/", follow_redirects=False)
    assert unknown.status_code == 404


async def test_the_explorer_and_the_docs_are_served_with_a_trailing_slash(
    client: httpx.AsyncClient,
) -> None:
    explorer = await client.get("/graphql/", headers={"Accept": "text/html"})
    assert explorer.status_code == 200
    assert 'data-endpoint="/graphql"' in explorer.text  # a path: it keeps the page's scheme
    docs = await client.get("/docs/")
    assert docs.status_code == 200 and "/openapi.json" in docs.text
    graphql = await client.post("/graphql/", json={"query": "{ __typename }"}, headers=auth("a"))
    assert graphql.json() == {"data": {"__typename": "Query"}}
