"""The REST compatibility routes: the frontend's flow, the task's shape, auth, CORS, OpenAPI."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from api.auth.tokens import mint_token
from db import inputs
from tests.support.auth import TEST_SECRET, auth, token_for
from tests.support.errors import error_json
from tests.support.rest_client import TASK_KEYS, as_read, create, listed, tasks_url

FRONTEND = "http://localhost:3000"

# Every route as (method, path after /api/{user_id}/tasks, JSON body or None).
ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "", None),
    ("POST", "", {"title": "x"}),
    ("GET", "/1", None),
    ("PUT", "/1", {"title": "x"}),
    ("PATCH", "/1", {"title": "x"}),
    ("DELETE", "/1", None),
    ("PATCH", "/1/complete", None),
    ("PATCH", "/1/toggle", None),
]


def utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() == timedelta(0), text
    return moment


async def test_the_frontend_flow(client: httpx.AsyncClient) -> None:
    headers = auth("alice")
    created = await create(
        client, "alice", title="  Buy milk ", description="two litres", priority="high"
    )
    assert created["title"] == "Buy milk"
    assert (created["completed"], created["priority"], created["version"]) == (False, "high", 1)
    task_url = tasks_url("alice", created["id"])

    tasks, total = await listed(client, "alice")
    assert (tasks, total) == ([created], 1)
    assert (await client.get(task_url, headers=headers)).json() == created

    put = await client.put(task_url, json={"title": "Buy oat milk"}, headers=headers)
    assert put.status_code == 200, put.text
    assert put.json()["title"] == "Buy oat milk"
    assert put.json()["description"] == "two litres"  # a PUT with some fields is partial
    assert put.json()["priority"] == "high"
    assert put.json()["version"] == 2

    patched = await client.patch(
        task_url, json={"description": None, "priority": "low"}, headers=headers
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["description"], patched.json()["priority"]) == (None, "low")
    assert patched.json()["title"] == "Buy oat milk"
    assert utc(patched.json()["updated_at"]) > utc(created["updated_at"])
    assert patched.json()["created_at"] == created["created_at"]

    no_body = await client.patch(f"{task_url}/complete", headers=headers)
    assert (no_body.status_code, no_body.json()["completed"]) == (200, True)
    empty_object = await client.patch(f"{task_url}/complete", json={}, headers=headers)
    assert (empty_object.status_code, empty_object.json()["completed"]) == (200, False)
    done = await client.patch(f"{task_url}/complete", json={"completed": True}, headers=headers)
    again = await client.patch(f"{task_url}/complete", json={"completed": True}, headers=headers)
    assert done.json()["completed"] is again.json()["completed"] is True
    assert again.json()["version"] == done.json()["version"]  # setting the same value is a no-op
    toggled = await client.patch(f"{task_url}/toggle", headers=headers)
    assert (toggled.status_code, toggled.json()["completed"]) == (200, False)
    kept = await client.patch(f"{task_url}/toggle", json={"completed": False}, headers=headers)
    assert kept.json()["completed"] is False

    deleted = await client.delete(task_url, headers=headers)
    assert deleted.status_code == 200
    assert deleted.json() == {"message": "Task deleted", "deleted_id": created["id"]}
    assert (await client.get(task_url, headers=headers)).status_code == 404
    assert await listed(client, "alice") == ([], 0)


async def test_empty_body_with_json_content_type_toggles(client: httpx.AsyncClient) -> None:
    task = await create(client, "alice")
    response = await client.patch(
        tasks_url("alice", task["id"], "toggle"),
        content=b"",
        headers={**auth("alice"), "Content-Type": "application/json", "Content-Length": "0"},
    )
    assert (response.status_code, response.json()["completed"]) == (200, True)


async def test_a_task_has_every_field_with_utc_timestamps(client: httpx.AsyncClient) -> None:
    aware = await create(client, "alice", due_date="2030-01-02T03:04:05+02:00")
    assert set(aware) == TASK_KEYS
    assert aware["user_id"] == "alice"
    assert (aware["description"], aware["priority"]) == (None, "medium")
    assert utc(aware["due_date"]) == datetime.fromisoformat("2030-01-02T01:04:05+00:00")
    assert utc(aware["created_at"]) == utc(aware["updated_at"])
    naive = await create(client, "alice", due_date="2030-05-06T07:08:09")
    assert utc(naive["due_date"]) == datetime.fromisoformat("2030-05-06T07:08:09+00:00")
    cleared = await client.patch(
        tasks_url("alice", naive["id"]), json={"due_date": None}, headers=auth("alice")
    )
    assert cleared.json()["due_date"] is None


async def test_unknown_body_fields_are_ignored_and_cannot_change_the_owner(
    client: httpx.AsyncClient,
) -> None:
    echoed = {"id": 999, "user_id": "mallory", "version": 40, "created_at": "2000-01-01T00:00:00Z"}
    task = await create(client, "alice", completed=True, tags=["x"], **echoed)
    assert (task["user_id"], task["version"], task["completed"]) == ("alice", 1, False)
    assert task["id"] != 999
    response = await client.put(
        tasks_url("alice", task["id"]),
        json={**task, **echoed, "title": "Renamed", "url_user_id": "mallory"},
        headers=auth("alice"),
    )
    assert response.status_code == 200, response.text
    assert (response.json()["title"], response.json()["user_id"]) == ("Renamed", "alice")
    assert response.json()["id"] == task["id"]
    assert await listed(client, "mallory") == ([], 0)


async def test_an_empty_update_changes_nothing(client: httpx.AsyncClient) -> None:
    task = await create(client, "alice")
    response = await client.put(tasks_url("alice", task["id"]), json={}, headers=auth("alice"))
    assert (response.status_code, as_read(response.json())) == (200, task)


async def test_deleting_twice_is_not_found(client: httpx.AsyncClient) -> None:
    task = await create(client, "alice")
    url = tasks_url("alice", task["id"])
    assert (await client.delete(url, headers=auth("alice"))).status_code == 200
    again = await client.delete(url, headers=auth("alice"))
    assert again.status_code == 404
    assert again.json() == error_json(f"Task {task['id']} not found")


# --- authentication ---------------------------------------------------------------------


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


BAD_CREDENTIALS: list[tuple[dict[str, str], str]] = [
    ({}, "missing"),
    (_bearer(mint_token(TEST_SECRET, "alice", lifetime=timedelta(minutes=-5))), "expired"),
    (_bearer("not-a-jwt"), "malformed"),
    (_bearer("a.b.c"), "malformed"),
    (_bearer(mint_token("another-secret-0123456789-abcdefghijklmnop", "alice")), "signature"),
    ({"Authorization": f"Basic {token_for('alice')}"}, "bearer"),
    ({"Authorization": "Bearer "}, "bearer"),
]


@pytest.mark.parametrize(("headers", "reason"), BAD_CREDENTIALS)
@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
async def test_bad_credentials_are_401_saying_why(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    reason: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    response = await client.request(method, f"/api/alice/tasks{path}", json=body, headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert reason in response.json()["detail"].lower()


async def test_unaccepted_algorithms_are_401(client: httpx.AsyncClient) -> None:
    unsigned = jwt.encode({"sub": "alice", "exp": 2**40}, key="", algorithm="none")
    # An `alg` that is not Latin-1 once made the WWW-Authenticate header unencodable (500).
    strange = (
        ".".join(
            base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")
            for part in ({"alg": "HS256€\u2603", "typ": "JWT"}, {"sub": "alice", "exp": 2**40})
        )
        + ".c2ln"
    )
    for token in (unsigned, strange):
        response = await client.get(tasks_url("alice"), headers=_bearer(token))
        assert response.status_code == 401, response.text
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "algorithm" in response.json()["detail"].lower()


async def test_a_token_without_sub_is_401(client: httpx.AsyncClient) -> None:
    token = jwt.encode({"exp": 2**40}, TEST_SECRET, algorithm="HS256")
    response = await client.get(tasks_url("alice"), headers=_bearer(token))
    assert response.status_code == 401
    assert "sub" in response.json()["detail"]


async def test_user_ids_need_not_be_uuids(client: httpx.AsyncClient) -> None:
    user = "Xk9_better-auth.ID~7"
    task = await create(client, user)
    assert task["user_id"] == user
    assert await listed(client, user) == ([task], 1)


# --- CORS ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
async def test_preflight_allows_the_frontend(
    client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = await client.options(
        f"/api/alice/tasks{path}",
        headers={
            "Origin": FRONTEND,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert response.status_code == 200, response.text
    assert response.headers["Access-Control-Allow-Origin"] == FRONTEND
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert method in response.headers["Access-Control-Allow-Methods"].split(", ")
    allowed = {
        name.lower() for name in response.headers["Access-Control-Allow-Headers"].split(", ")
    }
    assert {"authorization", "content-type"} <= allowed


async def test_answers_and_errors_carry_cors_headers(client: httpx.AsyncClient) -> None:
    await create(client, "alice")
    listing = await client.get(tasks_url("alice"), headers={**auth("alice"), "Origin": FRONTEND})
    assert listing.headers["Access-Control-Allow-Origin"] == FRONTEND
    assert listing.headers["Access-Control-Allow-Credentials"] == "true"
    assert "x-total-count" in listing.headers["Access-Control-Expose-Headers"].lower()
    refused = await client.get(tasks_url("alice"), headers={"Origin": FRONTEND})
    assert refused.status_code == 401
    assert refused.headers["Access-Control-Allow-Origin"] == FRONTEND  # so `detail` is readable


async def test_other_origins_are_refused(client: httpx.AsyncClient) -> None:
    preflight = await client.options(
        tasks_url("alice"),
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 400
    assert "Access-Control-Allow-Origin" not in preflight.headers
    answer = await client.get(
        tasks_url("alice"), headers={**auth("alice"), "Origin": "https://evil.example"}
    )
    assert "Access-Control-Allow-Origin" not in answer.headers


# --- OpenAPI ------------------------------------------------------------------------------

EXPECTED_OPERATIONS = {
    ("/api/{user_id}/tasks", "get"): ("read_tasks", "200", None),
    ("/api/{user_id}/tasks", "post"): ("create_task", "201", "TaskCreate"),
    ("/api/{user_id}/tasks/{task_id}", "get"): ("read_task", "200", None),
    ("/api/{user_id}/tasks/{task_id}", "put"): ("update_task", "200", "TaskUpdate"),
    ("/api/{user_id}/tasks/{task_id}", "patch"): ("patch_task", "200", "TaskUpdate"),
    ("/api/{user_id}/tasks/{task_id}", "delete"): ("delete_task", "200", None),
    ("/api/{user_id}/tasks/{task_id}/complete", "patch"): ("complete_task", "200", None),
    ("/api/{user_id}/tasks/{task_id}/toggle", "patch"): ("toggle_task", "200", None),
    ("/api/{user_id}/tasks/{task_id}/tags", "put"): ("set_task_tags", "200", "TaskTags"),
    ("/api/{user_id}/tags", "get"): ("read_tags", "200", None),
    ("/api/{user_id}/tags", "post"): ("create_tag", "201", "TagCreate"),
    ("/api/{user_id}/tags/{tag_id}", "put"): ("update_tag", "200", "TagUpdate"),
    ("/api/{user_id}/tags/{tag_id}", "patch"): ("patch_tag", "200", "TagUpdate"),
    ("/api/{user_id}/tags/{tag_id}", "delete"): ("delete_tag", "200", None),
}


# Conditional requests: 304 for If-None-Match reads, 412 (with the current task) for If-Match.
CONDITIONAL_ANSWERS = {"get": {"304"}, "put": {"412"}, "patch": {"412"}, "delete": {"412"}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


async def test_openapi_describes_every_route(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    rest = {
        (path, method): operation
        for path, operations in document["paths"].items()
        if path.startswith("/api/")
        for method, operation in operations.items()
    }
    assert set(rest) == set(EXPECTED_OPERATIONS)
    for key, (operation_id, success, body) in EXPECTED_OPERATIONS.items():
        operation = rest[key]
        assert operation["operationId"] == operation_id
        assert operation["security"] == [{"HTTPBearer": []}]
        answers = operation["responses"]
        path, method = key
        named = "{task_id}" in path or "{tag_id}" in path
        errors = {"401", "403", "413", "503"} | ({"404"} if named else set())
        # Tags have no version: only their list is conditional (If-None-Match).
        of_a_tag = path.startswith("/api/{user_id}/tags") and method != "get"
        conditional = set() if of_a_tag else CONDITIONAL_ANSWERS.get(method, set())
        if method == "post" or (of_a_tag and method != "delete"):
            errors |= {"409"}  # an idempotency key reused; a tag's name taken
        assert set(answers) == {success, "422"} | errors | conditional, key
        for status in errors:
            assert answers[status]["content"]["application/json"]["schema"] == _ref("ErrorDetail")
        assert answers["422"]["content"]["application/json"]["schema"] == _ref(
            "HTTPValidationError"
        )
        assert "WWW-Authenticate" in answers["401"]["headers"]
        parameters = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "path"}
        assert parameters["user_id"]["schema"]["type"] == "string"
        if body is not None:
            request = operation["requestBody"]
            assert request["required"] is True
            assert request["content"]["application/json"]["schema"] == _ref(body)


async def test_openapi_answers_and_bodies(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    paths, schemas = document["paths"], document["components"]["schemas"]

    listing = paths["/api/{user_id}/tasks"]["get"]
    ok = listing["responses"]["200"]
    assert ok["content"]["application/json"]["schema"]["items"] == _ref("TaskPublic")
    assert ok["headers"]["X-Total-Count"]["schema"] == {"type": "integer"}
    query = {p["name"]: p["schema"] for p in listing["parameters"] if p["in"] == "query"}
    assert set(query) == {
        "status", "status_filter", "search", "priority", "sort", "order", "limit", "offset",
        "tag_ids", "tag_match",
    }  # fmt: skip
    assert query["tag_ids"]["type"] == "array"  # repeated: `tag_ids=1&tag_ids=2`
    assert (query["limit"]["minimum"], query["limit"]["maximum"]) == (1, 100)
    assert query["limit"]["default"] == 100
    assert (query["offset"]["minimum"], query["offset"]["default"]) == (0, 0)
    assert schemas["ListStatus"]["enum"] == ["all", "pending", "completed", "incomplete"]
    assert set(schemas["ListSort"]["enum"]) == {
        "created", "created_at", "updated_at", "title", "due_date", "priority"
    }  # fmt: skip

    assert set(schemas["TaskPublic"]["properties"]) == TASK_KEYS
    assert set(schemas["TaskPublic"]["required"]) == TASK_KEYS
    assert schemas["TaskPublic"]["properties"]["created_at"]["format"] == "date-time"
    assert schemas["TaskDeleted"]["required"] == ["message", "deleted_id"]
    assert schemas["ErrorDetail"]["properties"]["detail"]["type"] == "string"
    delete = paths["/api/{user_id}/tasks/{task_id}"]["delete"]["responses"]["200"]
    assert delete["content"]["application/json"]["schema"] == _ref("TaskDeleted")

    for action in ("complete", "toggle"):
        operation = paths[f"/api/{{user_id}}/tasks/{{task_id}}/{action}"]["patch"]
        assert operation["requestBody"].get("required", False) is False
        body_schema = operation["requestBody"]["content"]["application/json"]["schema"]
        assert _ref("TaskCompletion") in body_schema["anyOf"]
        answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert answer == _ref("TaskWritten")
    for method in ("put", "patch"):
        operation = paths["/api/{user_id}/tasks/{task_id}"][method]
        answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert answer == _ref("TaskWritten")
    assert set(schemas["TaskWritten"]["required"]) == TASK_KEYS | {"next_task_id"}
    assert schemas["TaskCompletion"]["properties"]["completed"]["anyOf"] == [
        {"type": "boolean"},
        {"type": "null"},
    ]


async def test_openapi_says_which_patch_fields_may_not_be_null(
    client: httpx.AsyncClient,
) -> None:
    """title, priority, completed, time_zone and tag_ids may be left out but not sent as null;
    the others may. A tag's name and color likewise."""
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    update = schemas["TaskUpdate"]
    assert update["description"] == "A partial change: only the fields that were sent are applied."
    assert "required" not in update
    assert update["properties"] == {
        "title": {"type": "string", "maxLength": 200, "minLength": 1, "title": "Title"},
        "description": {
            "anyOf": [{"type": "string", "maxLength": 2000}, {"type": "null"}],
            "title": "Description",
        },
        "priority": _ref("Priority"),
        "due_date": {
            "anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}],
            "title": "Due Date",
        },
        "completed": {"type": "boolean", "title": "Completed"},
        "recurrence": {
            "anyOf": [{"type": "string", "maxLength": 500}, {"type": "null"}],
            "title": "Recurrence",
            "description": inputs.RECURRENCE,
        },
        "time_zone": {
            "type": "string",
            "maxLength": 64,
            "minLength": 1,
            "title": "Time Zone",
            "description": inputs.TIME_ZONE,
        },
        "tag_ids": {
            "type": "array",
            # FastAPI's OpenAPI model holds bounds as floats: 2**63 - 1 rounds to 2**63.
            "items": {"type": "integer", "minimum": 1, "maximum": float(2**63 - 1)},
            "maxItems": 100,
            "title": "Tag Ids",
        },
    }
    assert schemas["TagUpdate"]["properties"] == {
        "name": {"type": "string", "maxLength": 50, "minLength": 1, "title": "Name"},
        "color": {"type": "string", "pattern": "^#[0-9A-Fa-f]{6}$", "title": "Color"},
    }
    # One TaskUpdate in the document, and the one validation (db.inputs) knows nothing of it.
    assert [name for name in schemas if "TaskUpdate" in name] == ["TaskUpdate"]
    title = inputs.TaskUpdate.model_json_schema()["properties"]["title"]
    assert {"type": "null"} in title["anyOf"]


async def test_docs_page_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert "swagger-ui" in response.text.lower()
    assert "/openapi.json" in response.text
