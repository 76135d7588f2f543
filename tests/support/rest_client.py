"""Small helpers for the REST routes over the test app."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from tests.support.auth import auth

TASK_KEYS = {
    "id",
    "user_id",
    "title",
    "description",
    "completed",
    "priority",
    "due_date",
    "created_at",
    "updated_at",
    "version",
    "recurrence",
    "time_zone",
    "recurrence_start",
    "occurrence",
    "recurs_from",
    "tags",
}


# What an update's or a toggle's answer adds to the task's columns.
WRITTEN_KEYS = TASK_KEYS | {"next_task_id"}


def as_read(task: dict[str, Any]) -> dict[str, Any]:
    """An update's or a toggle's answer as a read answers the task: without `next_task_id`."""
    assert set(task) == WRITTEN_KEYS, task
    return {key: value for key, value in task.items() if key != "next_task_id"}


def tasks_url(user_id: str, *parts: object) -> str:
    """`/api/{user_id}/tasks` followed by `parts`, as a client builds it (the id URL-encoded)."""
    return "/".join([f"/api/{quote(user_id, safe='')}/tasks", *(str(part) for part in parts)])


async def create(http: httpx.AsyncClient, user_id: str, /, **fields: Any) -> dict[str, Any]:
    """A new task of `user_id` (title "Task" unless given)."""
    response = await http.post(
        tasks_url(user_id), json={"title": "Task", **fields}, headers=auth(user_id)
    )
    assert response.status_code == 201, response.text
    task: dict[str, Any] = response.json()
    return task


async def listed(
    http: httpx.AsyncClient, user_id: str, /, **params: Any
) -> tuple[list[dict[str, Any]], int]:
    """The tasks a list answers with, and its X-Total-Count."""
    response = await http.get(tasks_url(user_id), params=params, headers=auth(user_id))
    assert response.status_code == 200, response.text
    return response.json(), int(response.headers["X-Total-Count"])


def error_locations(response: httpx.Response) -> list[list[str | int]]:
    """The `loc` of each item of a 422 answer."""
    assert response.status_code == 422, response.text
    return [item["loc"] for item in response.json()["detail"]]


TAG_KEYS = {"id", "name", "color", "created_at", "task_count"}


def tags_url(user_id: str, *parts: object) -> str:
    """`/api/{user_id}/tags` followed by `parts` (the id URL-encoded)."""
    return "/".join([f"/api/{quote(user_id, safe='')}/tags", *(str(part) for part in parts)])


async def create_tag(http: httpx.AsyncClient, user_id: str, /, **fields: Any) -> dict[str, Any]:
    """A new tag of `user_id` (name "Tag" unless given)."""
    response = await http.post(
        tags_url(user_id), json={"name": "Tag", **fields}, headers=auth(user_id)
    )
    assert response.status_code == 201, response.text
    tag: dict[str, Any] = response.json()
    return tag
