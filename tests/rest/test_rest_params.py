"""What the REST routes accept: list filters, sorts and bounds, path ids, bodies; never a 500."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import insert

from db.models import Task
from tests.support.auth import auth
from tests.support.databases import services_of
from tests.support.errors import error_json
from tests.support.rest_client import create, error_locations, listed, tasks_url


async def titles(http: httpx.AsyncClient, **params: Any) -> list[str]:
    tasks, _ = await listed(http, "alice", **params)
    return [task["title"] for task in tasks]


async def _three_tasks(http: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Created oldest first: Banana (done), apple, cherry."""
    banana = await create(
        http, "alice", title="Banana", priority="high", due_date="2030-01-01T00:00:00Z"
    )
    apple = await create(
        http, "alice", title="apple", priority="low", description="Red 100% fruit_ok"
    )
    cherry = await create(http, "alice", title="cherry", due_date="2029-01-01T00:00:00Z")
    done = await http.patch(tasks_url("alice", banana["id"], "complete"), headers=auth("alice"))
    assert done.json()["completed"] is True
    return [banana, apple, cherry]


# --- list filters and sorts --------------------------------------------------------------


async def test_status_filters_and_their_synonyms(client: httpx.AsyncClient) -> None:
    await _three_tasks(client)
    assert await titles(client) == ["cherry", "apple", "Banana"]  # newest first by default
    assert await titles(client, status="all") == ["cherry", "apple", "Banana"]
    assert await titles(client, status="completed") == ["Banana"]
    assert await titles(client, status="pending") == ["cherry", "apple"]
    assert await titles(client, status="incomplete") == ["cherry", "apple"]
    assert await titles(client, status_filter="completed") == ["Banana"]
    assert await titles(client, status_filter="incomplete") == ["cherry", "apple"]
    # When a client sends both, `status` wins.
    assert await titles(client, status="completed", status_filter="pending") == ["Banana"]


async def test_search_and_priority(client: httpx.AsyncClient) -> None:
    await _three_tasks(client)
    assert await titles(client, search="BAN") == ["Banana"]
    assert await titles(client, search="red") == ["apple"]  # in the description
    assert await titles(client, search="100%") == ["apple"]  # LIKE wildcards are literal
    assert await titles(client, search="%") == ["apple"]
    assert await titles(client, search="u_t") == []
    assert await titles(client, search="t_o") == ["apple"]
    assert await titles(client, priority="low") == ["apple"]
    assert await titles(client, priority="medium", status="pending") == ["cherry"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sort": "created", "order": "asc"}, ["Banana", "apple", "cherry"]),
        ({"sort": "created_at", "order": "desc"}, ["cherry", "apple", "Banana"]),
        ({"sort": "title", "order": "asc"}, ["apple", "Banana", "cherry"]),
        ({"sort": "title", "order": "desc"}, ["cherry", "Banana", "apple"]),
        ({"sort": "priority", "order": "desc"}, ["Banana", "cherry", "apple"]),
        ({"sort": "priority", "order": "asc"}, ["apple", "cherry", "Banana"]),
        ({"sort": "due_date", "order": "asc"}, ["cherry", "Banana", "apple"]),
        ({"sort": "due_date", "order": "desc"}, ["Banana", "cherry", "apple"]),
        ({"sort": "updated_at", "order": "desc"}, ["Banana", "cherry", "apple"]),
    ],
)
async def test_sorts(
    client: httpx.AsyncClient, params: dict[str, str], expected: list[str]
) -> None:
    await _three_tasks(client)
    assert await titles(client, **params) == expected


async def test_limit_offset_and_total(client: httpx.AsyncClient) -> None:
    await _three_tasks(client)
    await create(client, "bob")
    page, total = await listed(client, "alice", sort="title", order="asc", limit=2, offset=1)
    assert ([task["title"] for task in page], total) == (["Banana", "cherry"], 3)
    pending, total = await listed(client, "alice", status="pending", limit=1)
    assert (len(pending), total) == (1, 2)  # the total counts every match, not the page
    assert await listed(client, "alice", offset=3) == ([], 3)


async def test_the_default_page_is_100(client: httpx.AsyncClient, app: FastAPI) -> None:
    now = datetime.now(UTC)
    async with services_of(app).engine.begin() as connection:
        await connection.execute(
            insert(Task),
            [
                {
                    "user_id": "alice",
                    "title": f"t{index}",
                    "completed": False,
                    "priority": "medium",
                    "created_at": now + timedelta(seconds=index),
                    "updated_at": now,
                    "version": 1,
                }
                for index in range(101)
            ],
        )
    page, total = await listed(client, "alice")
    assert (len(page), total) == (100, 101)
    assert page[0]["title"] == "t100"
    assert (await listed(client, "alice", limit=100, offset=100))[0][0]["title"] == "t0"


async def test_unknown_and_empty_parameters_are_ignored(client: httpx.AsyncClient) -> None:
    await _three_tasks(client)
    everything = await titles(client)
    assert await titles(client, url_user_id="mallory", user_id="mallory", page=3) == everything
    empty = {"status": "", "priority": "", "sort": "", "order": "", "limit": "", "search": ""}
    assert await titles(client, **empty) == everything


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("limit", "0"),
        ("limit", "101"),
        ("limit", "-1"),
        ("limit", "ten"),
        ("offset", "-1"),
        ("offset", "1000001"),
        ("offset", "9" * 30),
        ("status", "done"),
        ("status_filter", "PENDING"),
        ("sort", "name"),
        ("order", "up"),
        ("priority", "urgent"),
        ("search", "x" * 201),
    ],
)
async def test_bad_list_parameters_are_422_naming_them(
    client: httpx.AsyncClient, name: str, value: str
) -> None:
    response = await client.get(tasks_url("alice"), params={name: value}, headers=auth("alice"))
    assert error_locations(response) == [["query", name]]


async def test_the_longest_search_is_accepted(client: httpx.AsyncClient) -> None:
    assert await listed(client, "alice", search="x" * 200) == ([], 0)


# --- the task id in the path -------------------------------------------------------------

TASK_ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "", None),
    ("PUT", "", {"title": "x"}),
    ("PATCH", "", {"title": "x"}),
    ("DELETE", "", None),
    ("PATCH", "/complete", None),
    ("PATCH", "/toggle", {"completed": True}),
]


@pytest.mark.parametrize(("method", "suffix", "body"), TASK_ROUTES)
async def test_task_ids(
    client: httpx.AsyncClient, method: str, suffix: str, body: dict[str, Any] | None
) -> None:
    task = await create(client, "alice")
    for bad in ("abc", "1.5", "1e3", "0x1", "9" * 5000):
        response = await client.request(
            method, tasks_url("alice", bad) + suffix, json=body, headers=auth("alice")
        )
        assert error_locations(response) == [["path", "task_id"]], bad
    for missing in (0, -1, task["id"] + 1, 2**63 - 1, 2**63, 10**30):
        response = await client.request(
            method, tasks_url("alice", missing) + suffix, json=body, headers=auth("alice")
        )
        assert response.status_code == 404, (missing, response.text)
        assert response.json() == error_json(f"Task {missing} not found")


# --- bodies ------------------------------------------------------------------------------

BAD_CREATE_BODIES: list[tuple[Any, list[str | int]]] = [
    ({}, ["body", "title"]),
    ({"title": ""}, ["body", "title"]),
    ({"title": "   "}, ["body", "title"]),
    ({"title": None}, ["body", "title"]),
    ({"title": 5}, ["body", "title"]),
    ({"title": "x" * 201}, ["body", "title"]),
    ({"title": "x", "description": "d" * 2001}, ["body", "description"]),
    ({"title": "x", "priority": "urgent"}, ["body", "priority"]),
    ({"title": "x", "priority": "HIGH"}, ["body", "priority"]),
    ({"title": "x", "due_date": "tomorrow"}, ["body", "due_date"]),
    ([{"title": "x"}], ["body"]),
    ("x", ["body"]),
]


@pytest.mark.parametrize(("body", "location"), BAD_CREATE_BODIES)
async def test_bad_create_bodies_are_422_naming_the_field(
    client: httpx.AsyncClient, body: Any, location: list[str | int]
) -> None:
    response = await client.post(tasks_url("alice"), json=body, headers=auth("alice"))
    assert error_locations(response) == [location]
    assert await listed(client, "alice") == ([], 0)


@pytest.mark.parametrize("field", ["title", "priority", "completed"])
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
async def test_updates_may_not_null_required_fields(
    client: httpx.AsyncClient, method: str, field: str
) -> None:
    task = await create(client, "alice")
    url = tasks_url("alice", task["id"])
    response = await client.request(method, url, json={field: None}, headers=auth("alice"))
    assert error_locations(response) == [["body", field]]
    assert (await client.get(url, headers=auth("alice"))).json() == task


@pytest.mark.parametrize(
    "body", [{"completed": "yes"}, {"completed": 1}, {"completed": "true"}, [], "x", 1]
)
async def test_completion_must_be_a_boolean(client: httpx.AsyncClient, body: Any) -> None:
    task = await create(client, "alice")
    url = tasks_url("alice", task["id"], "complete")
    response = await client.patch(url, json=body, headers=auth("alice"))
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][0] == "body"
    assert (await client.get(tasks_url("alice", task["id"]), headers=auth("alice"))).json() == task


MALFORMED: list[tuple[bytes, str]] = [
    (b"{", "application/json"),
    (b'{"title": "x",}', "application/json"),
    (b"\xff\xfe", "application/json"),
    (b"title=x", "application/x-www-form-urlencoded"),
    (b'{"title": "x"}', "text/plain"),
]


@pytest.mark.parametrize(("content", "content_type"), MALFORMED)
@pytest.mark.parametrize(
    ("method", "suffix"),
    [("POST", ""), ("PUT", "/{id}"), ("PATCH", "/{id}"), ("PATCH", "/{id}/toggle")],
)
async def test_malformed_bodies_are_422(
    client: httpx.AsyncClient, content: bytes, content_type: str, method: str, suffix: str
) -> None:
    task = await create(client, "alice")
    url = tasks_url("alice") + suffix.format(id=task["id"])
    headers = {**auth("alice"), "Content-Type": content_type}
    response = await client.request(method, url, content=content, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][0] == "body"


@pytest.mark.parametrize(
    "content",
    [
        b'{"title": NaN}',
        b'{"title": "x", "priority": Infinity}',
        b'{"title": "\\ud800"}',
        b'{"title": "x", "due_date": 1e400}',
        b'{"title": ' + b"[" * 600 + b"]" * 600 + b"}",
    ],
)
async def test_inputs_echoed_in_errors_never_break_the_answer(
    client: httpx.AsyncClient, content: bytes
) -> None:
    headers = {**auth("alice"), "Content-Type": "application/json"}
    response = await client.post(tasks_url("alice"), content=content, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][:1] == ["body"]


# Values the database would refuse (a 500): db/inputs.py refuses them first.
@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"title": "a\x00b"}, ["body", "title"]),
        ({"title": "x", "description": "\x00"}, ["body", "description"]),
        ({"title": "x", "due_date": "9999-12-31T23:00:00-05:00"}, ["body", "due_date"]),
        ({"title": "x", "due_date": "0001-01-01T00:00:00+05:00"}, ["body", "due_date"]),
    ],
)
async def test_values_no_database_can_store_are_422(
    client: httpx.AsyncClient, body: dict[str, Any], location: list[str]
) -> None:
    response = await client.post(tasks_url("alice"), json=body, headers=auth("alice"))
    assert error_locations(response) == [location]


async def test_a_nul_in_search_is_422(client: httpx.AsyncClient) -> None:
    response = await client.get(
        tasks_url("alice"), params={"search": "a\x00"}, headers=auth("alice")
    )
    assert error_locations(response) == [["query", "search"]]
