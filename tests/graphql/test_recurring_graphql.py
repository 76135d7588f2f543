"""Recurring tasks through /graphql: the rule on createTask and updateTask, toggleTask and
updateTask completing it, and Task.nextOccurrence, looked up once per page."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI

from tests.support.graphql_client import CREATE, GraphQL
from tests.support.sql_counter import sql_statements

WEEKLY = "FREQ=WEEKLY;BYDAY=MO"
NEXT = "nextOccurrence { id dueDate completed occurrence recursFrom recurrence timeZone }"
TOGGLE = f"""
mutation($id: ID!, $completed: Boolean) {{
  toggleTask(id: $id, completed: $completed) {{ id completed version {NEXT} }}
}}"""
UPDATE = f"""
mutation($id: ID!, $input: UpdateTaskInput!) {{
  updateTask(id: $id, input: $input) {{ id completed recurrence occurrence {NEXT} }}
}}"""
PAGE = f"""
query($first: Int) {{
  tasks(first: $first, orderBy: {{field: CREATED_AT, direction: ASC}}) {{
    edges {{ node {{ id completed {NEXT} }} }}
  }}
}}"""


async def _recurring(gql: GraphQL, title: str = "Stand-up", **fields: Any) -> dict[str, Any]:
    values = {
        "title": title,
        "dueDate": "2030-03-25T09:00:00+01:00",
        "recurrence": "FREQ=weekly;BYDAY=MO",
        "timeZone": "Europe/Berlin",
        **fields,
    }
    task: dict[str, Any] = (await gql.data(CREATE, input=values))["createTask"]
    return task


async def test_create_shows_the_series(client: httpx.AsyncClient) -> None:
    task = await _recurring(GraphQL(client, "alice"))
    assert {key: task[key] for key in ("recurrence", "timeZone", "occurrence", "recursFrom")} == {
        "recurrence": WEEKLY,
        "timeZone": "Europe/Berlin",
        "occurrence": 1,
        "recursFrom": None,
    }
    assert task["recurrenceStart"] == task["dueDate"]


async def test_a_bad_rule_is_bad_user_input_naming_the_field(client: httpx.AsyncClient) -> None:
    gql = GraphQL(client, "alice")
    for fields, field in [
        ({"recurrence": "FREQ=SECONDLY"}, "recurrence"),
        ({"timeZone": "Europe/Atlantis"}, "timeZone"),
        ({"dueDate": None}, "dueDate"),
    ]:
        body = await gql.execute(CREATE, input={"title": "T", "recurrence": WEEKLY, **fields})
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert error["extensions"]["field"] == field, error


async def test_toggle_answers_the_next_occurrence_once(client: httpx.AsyncClient) -> None:
    gql = GraphQL(client, "alice")
    task = await _recurring(gql)
    done = (await gql.data(TOGGLE, id=task["id"]))["toggleTask"]
    following = done["nextOccurrence"]
    assert following == {
        "id": following["id"],
        "dueDate": "2030-04-01T07:00:00+00:00",
        "completed": False,
        "occurrence": 2,
        "recursFrom": task["id"],
        "recurrence": WEEKLY,
        "timeZone": "Europe/Berlin",
    }
    again = (await gql.data(TOGGLE, id=task["id"], completed=True))["toggleTask"]
    assert again["nextOccurrence"] == following and again["version"] == done["version"]
    undone = (await gql.data(TOGGLE, id=task["id"]))["toggleTask"]
    assert (undone["completed"], undone["nextOccurrence"]) == (False, following)
    updated = (await gql.data(UPDATE, id=task["id"], input={"completed": True}))["updateTask"]
    assert updated["nextOccurrence"] == following


async def test_update_completes_and_stops(client: httpx.AsyncClient) -> None:
    gql = GraphQL(client, "alice")
    task = (await gql.data(CREATE, input={"title": "Once"}))["createTask"]
    made = await gql.data(
        UPDATE,
        id=task["id"],
        input={"recurrence": "FREQ=DAILY;COUNT=2", "dueDate": "2030-01-01T09:00:00Z"},
    )
    assert made["updateTask"]["nextOccurrence"] is None
    done = (await gql.data(UPDATE, id=task["id"], input={"completed": True}))["updateTask"]
    assert done["nextOccurrence"]["dueDate"] == "2030-01-02T09:00:00+00:00"
    last = await gql.data(UPDATE, id=done["nextOccurrence"]["id"], input={"completed": True})
    assert last["updateTask"]["nextOccurrence"] is None  # COUNT=2 ended the series
    stopped = await gql.data(UPDATE, id=task["id"], input={"recurrence": None})
    assert (stopped["updateTask"]["recurrence"], stopped["updateTask"]["occurrence"]) == (
        None,
        None,
    )


async def test_racing_toggles_create_one_next_occurrence(client: httpx.AsyncClient) -> None:
    gql = GraphQL(client, "alice")
    task = await _recurring(gql)
    answers = await asyncio.gather(
        *(gql.data(TOGGLE, id=task["id"], completed=True) for _ in range(20))
    )
    assert len({answer["toggleTask"]["nextOccurrence"]["id"] for answer in answers}) == 1


async def test_a_page_looks_its_next_occurrences_up_in_one_statement(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    gql = GraphQL(client, "alice")
    made = [await _recurring(gql, f"Task {n}") for n in range(6)]
    for task in made[:4]:
        await gql.data(TOGGLE, id=task["id"])
    with sql_statements(app) as statements:
        page = (await gql.data(PAGE, first=50))["tasks"]["edges"]
    assert len(statements) == 2, statements  # the page, then one lookup of its next occurrences
    nodes = {node["node"]["id"]: node["node"] for node in page}
    assert len(nodes) == 10
    for task in made[:4]:
        following = nodes[task["id"]]["nextOccurrence"]
        assert following["recursFrom"] == task["id"]
        assert nodes[following["id"]]["nextOccurrence"] is None
    assert all(nodes[task["id"]]["nextOccurrence"] is None for task in made[4:])
    once = (await gql.data(CREATE, input={"title": "Once"}))["createTask"]
    with sql_statements(app) as statements:
        done = await gql.data(TOGGLE, id=once["id"])  # the write knows it has none: no lookup
    assert done["toggleTask"]["nextOccurrence"] is None
    assert len(statements) == 1, statements
