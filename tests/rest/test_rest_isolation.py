"""One user's token never reaches another user's tasks, on any REST route."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.auth import auth
from tests.support.errors import error_json
from tests.support.rest_client import create, listed, tasks_url

# Every route as (method, path after /api/{user_id}/tasks with {id} for a task id, body).
ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "", None),
    ("POST", "", {"title": "Planted by Bob"}),
    ("GET", "/{id}", None),
    ("PUT", "/{id}", {"title": "Renamed by Bob", "completed": True}),
    ("PATCH", "/{id}", {"description": "Edited by Bob"}),
    ("DELETE", "/{id}", None),
    ("PATCH", "/{id}/complete", None),
    ("PATCH", "/{id}/complete", {"completed": True}),
    ("PATCH", "/{id}/toggle", None),
]
TASK_ROUTES = [route for route in ROUTES if "{id}" in route[1]]


async def _alice_task(http: httpx.AsyncClient) -> dict[str, Any]:
    return await create(http, "alice", title="Alice's", description="private", priority="high")


async def _unchanged(http: httpx.AsyncClient, task: dict[str, Any]) -> None:
    assert await listed(http, "alice") == ([task], 1)
    assert await listed(http, "bob") == ([], 0)


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
async def test_another_users_path_is_403(
    client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    task = await _alice_task(client)
    url = f"/api/alice/tasks{path.format(id=task['id'])}"
    response = await client.request(method, url, json=body, headers=auth("bob"))
    assert response.status_code == 403, response.text
    assert "user_id" in response.json()["detail"]
    await _unchanged(client, task)


@pytest.mark.parametrize(("method", "path", "body"), TASK_ROUTES)
async def test_403_does_not_reveal_whether_the_task_exists(
    client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    task = await _alice_task(client)
    answers = []
    for task_id in (task["id"], task["id"] + 1000, "not-an-id"):
        url = f"/api/alice/tasks{path.format(id=task_id)}"
        answers.append(await client.request(method, url, json=body, headers=auth("bob")))
    assert {(a.status_code, a.text) for a in answers} == {(403, answers[0].text)}


@pytest.mark.parametrize(("method", "path", "body"), TASK_ROUTES)
async def test_another_users_task_under_your_own_path_is_404(
    client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    task = await _alice_task(client)
    gone = await create(client, "bob")
    deleted = await client.delete(tasks_url("bob", gone["id"]), headers=auth("bob"))
    assert deleted.status_code == 200

    def answer_for(task_id: int) -> Any:
        return client.request(
            method, f"/api/bob/tasks{path.format(id=task_id)}", json=body, headers=auth("bob")
        )

    alices = await answer_for(task["id"])
    never_existed = await answer_for(gone["id"])
    assert alices.status_code == never_existed.status_code == 404
    assert alices.json() == error_json(f"Task {task['id']} not found")
    assert never_existed.json() == error_json(f"Task {gone['id']} not found")
    assert alices.headers.keys() == never_existed.headers.keys()
    await _unchanged(client, task)


async def test_lists_and_creations_stay_with_their_owner(client: httpx.AsyncClient) -> None:
    alices = await _alice_task(client)
    bobs = await create(client, "bob", title="Bob's")
    assert await listed(client, "alice") == ([alices], 1)
    assert await listed(client, "bob") == ([bobs], 1)
    assert await listed(client, "bob", search="Alice") == ([], 0)


async def test_user_ids_are_compared_exactly(client: httpx.AsyncClient) -> None:
    await _alice_task(client)
    for path_user in ("Alice", "alice ", "alic", "alice2", "ALICE"):
        response = await client.get(tasks_url(path_user), headers=auth("alice"))
        assert response.status_code == 403, path_user
