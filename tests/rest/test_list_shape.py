"""REST_LIST_SHAPE: the task list as a bare array (the default) or `{"tasks": [...], "count": n}`.

Both answer with the same X-Total-Count and conditional requests; /openapi.json describes the
shape the app serves, and each answer conforms to it.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from api.rest.conditional import list_etag
from api.settings import ListShape, Settings
from db.inputs import TaskQuery
from tests.support.auth import auth
from tests.support.jwks_server import app_client
from tests.support.openapi import answer_schema, violations
from tests.support.rest_client import TASK_KEYS, create, tasks_url

LIST = "/api/{user_id}/tasks"


@pytest.fixture
async def envelope(make_settings: Callable[..., Settings]) -> AsyncIterator[httpx.AsyncClient]:
    """An app with REST_LIST_SHAPE=envelope on the test database."""
    async with app_client(make_settings(rest_list_shape="envelope")) as http:
        yield http


def new_user() -> str:
    return f"shape-{uuid.uuid4().hex[:8]}"


async def test_the_envelope_holds_a_page_and_the_total(
    client: httpx.AsyncClient, envelope: httpx.AsyncClient
) -> None:
    user = new_user()
    made = [await create(client, user, title=f"Task {n}") for n in range(3)]

    first = await envelope.get(tasks_url(user), params={"limit": 2}, headers=auth(user))
    rest = await envelope.get(tasks_url(user), params={"offset": 2}, headers=auth(user))

    assert first.status_code == rest.status_code == 200, first.text
    assert set(first.json()) == {"tasks", "count"}
    assert first.json()["count"] == rest.json()["count"] == 3
    assert first.headers["X-Total-Count"] == rest.headers["X-Total-Count"] == "3"
    listed = first.json()["tasks"] + rest.json()["tasks"]
    assert [task["id"] for task in listed] == [task["id"] for task in reversed(made)]
    assert all(set(task) == TASK_KEYS for task in listed)
    forbidden = await envelope.get(tasks_url(user), headers=auth("someone-else"))
    assert forbidden.status_code == 403  # the shape changes no rule


async def test_an_empty_list_is_an_empty_envelope(envelope: httpx.AsyncClient) -> None:
    user = new_user()
    response = await envelope.get(tasks_url(user), headers=auth(user))
    assert response.json() == {"tasks": [], "count": 0}
    assert response.headers["X-Total-Count"] == "0"


async def test_filters_count_in_the_envelope_as_in_x_total_count(
    client: httpx.AsyncClient, envelope: httpx.AsyncClient
) -> None:
    user = new_user()
    await create(client, user, title="Milk")
    await create(client, user, title="Bread")
    response = await envelope.get(
        tasks_url(user), params={"search": "milk", "limit": 1}, headers=auth(user)
    )
    assert response.json()["count"] == int(response.headers["X-Total-Count"]) == 1
    assert [task["title"] for task in response.json()["tasks"]] == ["Milk"]


async def test_each_shape_has_its_own_etag_and_304(
    client: httpx.AsyncClient, envelope: httpx.AsyncClient
) -> None:
    """A browser that cached the array must not get a 304 for it from an envelope service."""
    user = new_user()
    await create(client, user)
    array = await client.get(tasks_url(user), headers=auth(user))
    wrapped = await envelope.get(tasks_url(user), headers=auth(user))
    assert array.headers["ETag"] != wrapped.headers["ETag"]
    # The same revision: the shapes' tags differ only in their digest.
    assert array.headers["ETag"].split("-")[0] == wrapped.headers["ETag"].split("-")[0]

    for http, answer in ((client, array), (envelope, wrapped)):
        again = await http.get(
            tasks_url(user), headers={**auth(user), "If-None-Match": answer.headers["ETag"]}
        )
        assert (again.status_code, again.content) == (304, b"")
    stale = await envelope.get(
        tasks_url(user), headers={**auth(user), "If-None-Match": array.headers["ETag"]}
    )
    assert stale.status_code == 200 and stale.json()["count"] == 1

    await create(client, user)
    changed = await envelope.get(
        tasks_url(user), headers={**auth(user), "If-None-Match": wrapped.headers["ETag"]}
    )
    assert changed.status_code == 200 and changed.json()["count"] == 2


def test_the_array_keeps_the_etags_it_had_before_the_setting() -> None:
    query = TaskQuery()
    assert list_etag("alice", 7, query, 100, 0, ListShape.ARRAY) == list_etag(
        "alice", 7, query, 100, 0
    )
    assert list_etag("alice", 7, query, 100, 0, ListShape.ENVELOPE) != list_etag(
        "alice", 7, query, 100, 0
    )


async def test_openapi_describes_the_array_by_default(client: httpx.AsyncClient) -> None:
    user = new_user()
    await create(client, user)
    schema = await answer_schema(client, LIST, "get", 200)
    assert schema["type"] == "array"
    answer = (await client.get(tasks_url(user), headers=auth(user))).json()
    assert not violations(schema, answer)
    assert violations(schema, {"tasks": answer, "count": 1})
    assert "TasksEnvelope" not in schema["components"]["schemas"]


async def test_openapi_describes_the_envelope_when_it_is_on(
    client: httpx.AsyncClient, envelope: httpx.AsyncClient
) -> None:
    user = new_user()
    await create(client, user)
    schema = await answer_schema(envelope, LIST, "get", 200)
    assert schema["$ref"] == "#/components/schemas/TasksEnvelope"
    described = schema["components"]["schemas"]["TasksEnvelope"]
    assert described["required"] == ["tasks", "count"]
    assert described["properties"]["tasks"]["items"] == {"$ref": "#/components/schemas/TaskPublic"}
    assert described["properties"]["count"]["type"] == "integer"

    answer = (await envelope.get(tasks_url(user), headers=auth(user))).json()
    assert not violations(schema, answer)
    assert violations(schema, answer["tasks"])  # the bare array is not what it serves
    document = (await envelope.get("/openapi.json")).json()
    ok = document["paths"][LIST]["get"]["responses"]["200"]
    assert "envelope" in ok["description"]
    assert set(ok["headers"]) == {"X-Total-Count", "ETag"}
    # Only the list changes: one task is still a task.
    one = document["paths"][LIST + "/{task_id}"]["get"]["responses"]["200"]
    assert one["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TaskPublic"
    }


def test_an_unknown_shape_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="rest_list_shape"):
        Settings(_env_file=None, rest_list_shape="object")
