"""Many users at once against the real server over TCP, REST and GraphQL interleaved.

Each user runs its own seeded random sequence of writes (one at a time, while all the other users
run theirs); every answer is checked as it comes, and at the end each user's list must be exactly
what its acknowledged operations add up to. No answer may ever carry another user's task.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.support.auth import auth
from tests.support.errors import error_json
from tests.support.graphql_client import CREATE, DELETE, TOGGLE, UPDATE
from tests.support.rest_client import tasks_url

pytestmark = pytest.mark.slow

pytest_plugins = ["tests.support.live_server"]  # the `server` fixture

USERS = 20
OPERATIONS_PER_USER = 25
SEED = 20261126


@dataclass(frozen=True)
class Expected:
    title: str
    completed: bool
    version: int


@dataclass
class User:
    """One user's client and what its tasks must be after every acknowledged operation."""

    name: str
    http: httpx.AsyncClient
    rng: random.Random
    tasks: dict[int, Expected] = field(default_factory=dict)
    made: int = 0

    @property
    def headers(self) -> dict[str, str]:
        return auth(self.name)

    async def rest(
        self, method: str, *parts: object, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """A REST call on this user's own path; every task in the answer must be this user's."""
        response = await self.http.request(
            method,
            tasks_url(self.name, *parts),
            headers={**self.headers, **(headers or {})},
            **kwargs,
        )
        body = response.json()
        for task in body if isinstance(body, list) else [body]:
            if "user_id" in task:
                assert task["user_id"] == self.name, (self.name, method, parts, body)
        return response

    async def graphql(self, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def check(self, task: dict[str, Any]) -> None:
        """An answer about one of this user's tasks: exactly what the model says."""
        expected = self.tasks[int(task["id"])]
        assert Expected(task["title"], task["completed"], task["version"]) == expected, self.name

    def pick(self) -> int:
        return self.rng.choice(sorted(self.tasks))


# Each operation: one request over REST or GraphQL (the user's coin decides), its answer
# checked, the model updated only once the server acknowledged it.


async def create(user: User) -> None:
    user.made += 1
    title = f"{user.name} #{user.made}"
    if user.rng.random() < 0.5:
        response = await user.rest("POST", json={"title": title})
        assert response.status_code == 201, response.text
        task = response.json()
    else:
        body = await user.graphql(CREATE, input={"title": title})
        assert "errors" not in body, body
        task = body["data"]["createTask"]
    user.tasks[int(task["id"])] = Expected(title, False, 1)
    user.check(task)


async def rename(user: User) -> None:
    task_id = user.pick()
    before = user.tasks[task_id]
    title = f"{before.title}'"
    if user.rng.random() < 0.5:
        method = user.rng.choice(["PUT", "PATCH"])
        headers = {"If-Match": f'"{before.version}"'} if user.rng.random() < 0.5 else {}
        response = await user.rest(method, task_id, json={"title": title}, headers=headers)
        assert response.status_code == 200, response.text
        task = response.json()
    else:
        body = await user.graphql(
            UPDATE, id=str(task_id), input={"title": title}, expectedVersion=before.version
        )
        task = body["data"]["updateTask"]
    user.tasks[task_id] = Expected(title, before.completed, before.version + 1)
    user.check(task)


async def toggle(user: User) -> None:
    task_id = user.pick()
    before = user.tasks[task_id]
    if user.rng.random() < 0.5:
        route = user.rng.choice(["toggle", "complete"])
        response = await user.rest("PATCH", task_id, route)
        assert response.status_code == 200, response.text
        task = response.json()
    else:
        task = (await user.graphql(TOGGLE, id=str(task_id)))["data"]["toggleTask"]
    user.tasks[task_id] = Expected(before.title, not before.completed, before.version + 1)
    user.check(task)


async def stale_write(user: User) -> None:
    """A write expecting an old version changes nothing."""
    task_id = user.pick()
    stale = user.tasks[task_id].version - 1
    if stale < 1:
        return
    if user.rng.random() < 0.5:
        response = await user.rest("PATCH", task_id, "toggle", headers={"If-Match": f'"{stale}"'})
        assert response.status_code == 412, response.text
        user.check(response.json())
    else:
        body = await user.graphql(TOGGLE, id=str(task_id), expectedVersion=stale)
        assert body["errors"][0]["extensions"] == {
            "code": "CONFLICT",
            "currentVersion": user.tasks[task_id].version,
        }


async def delete(user: User) -> None:
    task_id = user.pick()
    if user.rng.random() < 0.5:
        response = await user.rest("DELETE", task_id)
        assert response.json() == {"message": "Task deleted", "deleted_id": task_id}
    else:
        body = await user.graphql(DELETE, id=str(task_id))
        assert body == {"data": {"deleteTask": str(task_id)}}
    del user.tasks[task_id]


async def read(user: User) -> None:
    response = await user.rest("GET", user.pick())
    assert response.status_code == 200, response.text
    user.check(response.json())


async def trespass(user: User, everyone: list[User]) -> None:
    """Another user's task under this user's own path is not found, and stays as it was."""
    others = [other for other in everyone if other is not user and other.tasks]
    if not others:
        return
    other = user.rng.choice(others)
    task_id = user.rng.choice(sorted(other.tasks))
    response = await user.rest("PATCH", task_id, "toggle")
    assert (response.status_code, response.json()) == (404, error_json(f"Task {task_id} not found"))


async def run(user: User, everyone: list[User]) -> None:
    for _ in range(OPERATIONS_PER_USER):
        if not user.tasks or user.rng.random() < 0.25:
            await create(user)
            continue
        operation = user.rng.choice([rename, toggle, toggle, stale_write, delete, read])
        await operation(user)
        if user.rng.random() < 0.2:
            await trespass(user, everyone)


async def final_state(user: User) -> dict[int, Expected]:
    response = await user.rest("GET", params={"limit": 100})
    assert response.status_code == 200, response.text
    assert response.headers["X-Total-Count"] == str(len(response.json()))
    return {
        task["id"]: Expected(task["title"], task["completed"], task["version"])
        for task in response.json()
    }


async def test_many_users_at_once_end_exactly_as_acknowledged(server: str, app: FastAPI) -> None:
    # `app` empties the tasks table afterwards; the users' ids are this test's own meanwhile.
    limits = httpx.Limits(max_connections=USERS)
    async with httpx.AsyncClient(base_url=server, limits=limits, timeout=30) as http:
        users = [User(f"http-{n}", http, random.Random(f"{SEED}-{n}")) for n in range(USERS)]
        await asyncio.gather(*(run(user, users) for user in users))
        for user in users:
            assert await final_state(user) == user.tasks, user.name
        assert sum(len(user.tasks) for user in users) > USERS  # the runs did build up state
