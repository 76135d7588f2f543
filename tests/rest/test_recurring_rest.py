"""Recurring tasks through the REST routes: the rule on create and update, completion by every
route creating the next occurrence once, time zones across daylight-saving changes, and the
statements a completion costs."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI

from tests.support.auth import auth
from tests.support.rest_client import WRITTEN_KEYS, as_read, create, listed, tasks_url
from tests.support.sql_counter import sql_statements

OWNER = "alice"
WEEKLY = "FREQ=WEEKLY;BYDAY=MO"
TRANSACTION = {"BEGIN", "COMMIT", "ROLLBACK"}  # SQLite's, which the counter sees too


async def _recurring(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    values = {"due_date": "2030-03-25T08:00:00Z", "recurrence": WEEKLY, **fields}
    return await create(client, OWNER, title="Stand-up", **values)


async def _patch(
    client: httpx.AsyncClient, task_id: int, path: str = "", body: Any = None
) -> httpx.Response:
    return await client.patch(tasks_url(OWNER, task_id) + path, json=body, headers=auth(OWNER))


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"recurrence": "FREQ=HOURLY"}, "recurrence: FREQ must be DAILY, WEEKLY, MONTHLY or "),
        ({"recurrence": "FREQ=DAILY;BYHOUR=9"}, "recurrence: BYHOUR is not supported: "),
        ({"recurrence": "FREQ=DAILY;COUNT=2;UNTIL=20300101"}, "recurrence: COUNT and UNTIL "),
        ({"recurrence": "x" * 501}, "recurrence: String should have at most 500 characters"),
        ({"recurrence": 7}, "recurrence: Input should be a valid string"),
        ({"time_zone": "Mars/Olympus"}, "time_zone: must be an IANA time zone name, like "),
        ({"time_zone": None}, "time_zone: Input should be a valid string"),
        ({"recurrence": "FREQ=DAILY", "due_date": None}, "due_date: is required for a recurring"),
    ],
)
async def test_a_bad_rule_or_zone_is_a_422_naming_it(
    client: httpx.AsyncClient, body: dict[str, Any], message: str
) -> None:
    values = {"title": "Stand-up", "due_date": "2030-03-25T08:00:00Z", **body}
    response = await client.post(tasks_url(OWNER), json=values, headers=auth(OWNER))
    assert response.status_code == 422, response.text
    assert response.json()["message"].startswith(message), response.json()
    assert await listed(client, OWNER) == ([], 0)


async def test_an_update_keeps_a_recurring_task_due(client: httpx.AsyncClient) -> None:
    task = await _recurring(client)
    once = await create(client, OWNER, title="Once")
    for task_id, body in [(task["id"], {"due_date": None}), (once["id"], {"recurrence": WEEKLY})]:
        response = await _patch(client, task_id, body=body)
        assert response.status_code == 422, response.text
        assert response.json()["message"] == "due_date: is required for a recurring task"
    response = await _patch(client, once["id"], body={"time_zone": None})
    assert response.json()["message"] == "time_zone: may not be null"
    stopped = await _patch(client, task["id"], body={"recurrence": "", "due_date": None})
    assert stopped.status_code == 200, stopped.text
    assert {key: stopped.json()[key] for key in ("recurrence", "occurrence", "version")} == {
        "recurrence": None,
        "occurrence": None,
        "version": 2,
    }


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/complete", None),
        ("PATCH", "/complete", {"completed": True}),
        ("PATCH", "/toggle", {}),
        ("PATCH", "/toggle", {"completed": True}),
        ("PUT", "", {"completed": True}),
        ("PATCH", "", {"completed": True, "title": "Stand-up, moved"}),
    ],
)
async def test_every_completion_creates_the_next_occurrence_once(
    client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    task = await _recurring(client, time_zone="Europe/Berlin", priority="high")
    url = tasks_url(OWNER, task["id"]) + path
    done = await client.request(method, url, json=body, headers=auth(OWNER))
    assert done.status_code == 200, done.text
    answer = done.json()
    assert set(answer) == WRITTEN_KEYS
    assert answer["completed"] is True and isinstance(answer["next_task_id"], int)
    following = await client.get(tasks_url(OWNER, answer["next_task_id"]), headers=auth(OWNER))
    assert following.json() == {
        **following.json(),
        "title": answer["title"],
        "priority": "high",
        "completed": False,
        "due_date": "2030-04-01T07:00:00Z",  # 09:00 in Berlin, summer time from March 31
        "recurrence": WEEKLY,
        "time_zone": "Europe/Berlin",
        "recurrence_start": "2030-03-25T08:00:00Z",
        "occurrence": 2,
        "recurs_from": task["id"],
        "version": 1,
    }
    # A retry names the same next occurrence; un-completing keeps it; completing again too.
    retried = await _patch(client, task["id"], "/complete", {"completed": True})
    assert retried.json()["next_task_id"] == answer["next_task_id"]
    undone = await _patch(client, task["id"], "/toggle")
    assert (undone.json()["completed"], undone.json()["next_task_id"]) == (
        False,
        answer["next_task_id"],
    )
    redone = await _patch(client, task["id"], "/toggle")
    assert redone.json()["next_task_id"] == answer["next_task_id"]
    assert (await listed(client, OWNER))[1] == 2


async def test_a_task_that_does_not_recur_answers_no_next_task(
    client: httpx.AsyncClient,
) -> None:
    task = await create(client, OWNER, due_date="2030-03-25T08:00:00Z")
    done = await _patch(client, task["id"], "/complete", {"completed": True})
    assert as_read(done.json())["completed"] is True
    assert done.json()["next_task_id"] is None
    assert (await listed(client, OWNER))[1] == 1


# Mondays at 09:00 across both of each zone's 2030 changes: Europe on March 31 and October 27,
# New York on March 10 and November 3. The UTC times show the offsets moving.
SERIES = {
    "Europe/Berlin": [
        ("2030-03-18T08:00:00Z", ["2030-03-25T08:00:00Z", "2030-04-01T07:00:00Z"]),
        ("2030-10-21T07:00:00Z", ["2030-10-28T08:00:00Z", "2030-11-04T08:00:00Z"]),
    ],
    "America/New_York": [
        ("2030-03-04T14:00:00Z", ["2030-03-11T13:00:00Z", "2030-03-18T13:00:00Z"]),
        ("2030-10-28T13:00:00Z", ["2030-11-04T14:00:00Z", "2030-11-11T14:00:00Z"]),
    ],
}


@pytest.mark.parametrize("zone", SERIES)
async def test_every_monday_at_nine_stays_at_nine_across_daylight_saving(
    client: httpx.AsyncClient, zone: str
) -> None:
    for start, expected in SERIES[zone]:
        task = await _recurring(client, due_date=start, time_zone=zone)
        dues = []
        for _ in expected:
            done = await _patch(client, task["id"], "/toggle")
            url = tasks_url(OWNER, done.json()["next_task_id"])
            task = (await client.get(url, headers=auth(OWNER))).json()
            dues.append(task["due_date"])
        assert dues == expected
        for due in [start, *dues]:
            local = _utc(due).astimezone(ZoneInfo(zone))
            assert (local.weekday(), local.hour, local.minute) == (0, 9, 0), (zone, due)


async def test_count_ends_the_series(client: httpx.AsyncClient) -> None:
    task = await _recurring(client, recurrence="FREQ=DAILY;INTERVAL=2;COUNT=2")
    first = await _patch(client, task["id"], "/complete", {"completed": True})
    second = await _patch(client, first.json()["next_task_id"], "/complete", {"completed": True})
    assert second.json()["next_task_id"] is None
    assert second.json()["due_date"] == "2030-03-27T08:00:00Z"
    assert (await listed(client, OWNER))[1] == 2


async def test_racing_completions_create_one_next_occurrence(
    client: httpx.AsyncClient,
) -> None:
    task = await _recurring(client)
    answers = await asyncio.gather(
        *(_patch(client, task["id"], "/complete", {"completed": True}) for _ in range(25)),
        *(_patch(client, task["id"], "", {"completed": True}) for _ in range(5)),
    )
    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.json()["next_task_id"] for answer in answers}) == 1
    assert (await listed(client, OWNER))[1] == 2


async def test_statements_of_a_completion(
    app: FastAPI, client: httpx.AsyncClient, backend: str
) -> None:
    """A task that does not recur is completed in one statement; a recurring one in the
    refused UPDATE, a read, and a transaction of the locked read, the UPDATE and the INSERT."""
    once = await create(client, OWNER)
    task = await _recurring(client)
    with sql_statements(app) as statements:
        assert (await _patch(client, once["id"], "/complete")).status_code == 200
    assert len(statements) == 1, statements
    with sql_statements(app) as statements:
        assert (await _patch(client, task["id"], "/complete")).status_code == 200
    sent = [statement for statement in statements if statement.split()[0] not in TRANSACTION]
    kinds = [statement.split()[0] for statement in sent]
    assert kinds == ["UPDATE", "SELECT", "SELECT", "UPDATE", "INSERT"], statements
    assert ("FOR UPDATE" in sent[2]) is (backend == "postgresql")
    # Another write of a recurring task without a next occurrence reads that again (see
    # db.tasks._answer): two statements.
    task = await _recurring(client)
    with sql_statements(app) as statements:
        assert (await _patch(client, task["id"], body={"title": "Renamed"})).status_code == 200
    assert [statement.split()[0] for statement in statements] == ["UPDATE", "SELECT"]


async def test_a_keyed_create_replays_the_recurring_task(client: httpx.AsyncClient) -> None:
    body = {"title": "Rent", "due_date": "2030-01-01T09:00:00Z", "recurrence": "FREQ=MONTHLY"}
    headers = {**auth(OWNER), "Idempotency-Key": "rent-2030"}
    first = await client.post(tasks_url(OWNER), json=body, headers=headers)
    retried = await client.post(tasks_url(OWNER), json=body, headers=headers)
    assert (first.status_code, retried.status_code) == (201, 201)
    assert retried.json() == first.json() and retried.headers["Idempotent-Replayed"] == "true"
    other = {**body, "recurrence": "FREQ=YEARLY"}
    refused = await client.post(tasks_url(OWNER), json=other, headers=headers)
    assert refused.status_code == 409, refused.text
    assert (await listed(client, OWNER))[1] == 1
