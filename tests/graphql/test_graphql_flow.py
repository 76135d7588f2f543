"""The whole task flow through /graphql."""

from __future__ import annotations

from datetime import datetime

import httpx

from tests.support.graphql_client import CREATE, DELETE, GET, LIST, TOGGLE, UPDATE, GraphQL


async def test_create_list_get_update_toggle_delete(client: httpx.AsyncClient) -> None:
    gql = GraphQL(client, "alice")
    created = (
        await gql.data(
            CREATE,
            input={
                "title": "  Buy milk  ",
                "description": "two litres",
                "priority": "HIGH",
                "dueDate": "2030-01-02T03:04:05+02:00",
            },
        )
    )["createTask"]
    assert created["title"] == "Buy milk"
    assert created["description"] == "two litres"
    assert created["priority"] == "HIGH"
    assert created["completed"] is False
    assert created["version"] == 1
    assert datetime.fromisoformat(created["dueDate"]) == datetime.fromisoformat(
        "2030-01-02T01:04:05+00:00"
    )
    assert datetime.fromisoformat(created["createdAt"]).utcoffset().total_seconds() == 0
    task_id = created["id"]

    listed = (await gql.data(LIST))["tasks"]
    assert listed["totalCount"] == 1
    assert [edge["node"]["id"] for edge in listed["edges"]] == [task_id]

    assert (await gql.data(GET, id=task_id))["task"] == created

    updated = (
        await gql.data(UPDATE, id=task_id, input={"title": "Buy oat milk", "description": None})
    )["updateTask"]
    assert updated["title"] == "Buy oat milk"
    assert updated["description"] is None
    assert updated["priority"] == "HIGH"
    assert updated["version"] == 2
    assert updated["updatedAt"] > created["updatedAt"]
    assert updated["createdAt"] == created["createdAt"]

    toggled = (await gql.data(TOGGLE, id=task_id))["toggleTask"]
    assert toggled["completed"] is True
    assert toggled["version"] == 3
    flipped_back = (await gql.data(TOGGLE, id=task_id))["toggleTask"]
    assert flipped_back["completed"] is False

    assert (await gql.data(DELETE, id=task_id))["deleteTask"] == task_id
    assert await gql.error_code(GET, id=task_id) == "NOT_FOUND"
    assert (await gql.data(LIST))["tasks"]["totalCount"] == 0


async def test_toggle_to_a_value_is_idempotent(client: httpx.AsyncClient) -> None:
    gql = GraphQL(client, "alice")
    task = (await gql.data(CREATE, input={"title": "Walk"}))["createTask"]
    done = (await gql.data(TOGGLE, id=task["id"], completed=True))["toggleTask"]
    again = (await gql.data(TOGGLE, id=task["id"], completed=True))["toggleTask"]
    assert done["completed"] is again["completed"] is True
    assert again["version"] == done["version"] == 2
    undone = (await gql.data(TOGGLE, id=task["id"], completed=False))["toggleTask"]
    assert undone["completed"] is False
    assert undone["version"] == 3


async def test_update_can_complete_and_empty_patch_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    gql = GraphQL(client, "alice")
    task = (await gql.data(CREATE, input={"title": "Read"}))["createTask"]
    unchanged = (await gql.data(UPDATE, id=task["id"], input={}))["updateTask"]
    assert unchanged == task
    completed = (
        await gql.data(UPDATE, id=task["id"], input={"completed": True, "priority": "LOW"})
    )["updateTask"]
    assert completed["completed"] is True
    assert completed["priority"] == "LOW"
    assert completed["version"] == 2


async def test_defaults_of_a_new_task(client: httpx.AsyncClient) -> None:
    task = (await GraphQL(client, "alice").data(CREATE, input={"title": "x"}))["createTask"]
    assert task["priority"] == "MEDIUM"
    assert task["description"] is None
    assert task["dueDate"] is None
    assert task["createdAt"] == task["updatedAt"]


async def test_naive_due_date_is_read_as_utc(client: httpx.AsyncClient) -> None:
    task = (
        await GraphQL(client, "alice").data(
            CREATE, input={"title": "x", "dueDate": "2030-05-06T07:08:09"}
        )
    )["createTask"]
    assert datetime.fromisoformat(task["dueDate"]) == datetime.fromisoformat(
        "2030-05-06T07:08:09+00:00"
    )


async def test_one_operation_runs_keyed_creates_after_reads_and_replays(
    client: httpx.AsyncClient,
) -> None:
    """Mutations share the request's session: each ends its work before the next begins.

    An empty patch or setting the current value only reads, a replayed key rolls back and
    reads; none may leave a transaction open for the next keyed create (which runs in a
    transaction of its own).
    """
    gql = GraphQL(client, "alice")
    task = (await gql.data(CREATE, input={"title": "Read"}))["createTask"]
    keyed = '{ title: "Keyed", idempotencyKey: "k-1" }'
    data = await gql.data(
        f"""mutation {{
          same: updateTask(id: {task["id"]}, input: {{}}) {{ version }}
          first: createTask(input: {keyed}) {{ id title }}
          set: toggleTask(id: {task["id"]}, completed: false) {{ version }}
          replay: createTask(input: {keyed}) {{ id title }}
          other: createTask(input: {{ title: "Other", idempotencyKey: "k-2" }}) {{ title }}
        }}"""
    )
    assert data["same"] == data["set"] == {"version": 1}
    assert data["replay"] == data["first"]
    assert data["first"]["title"] == "Keyed"
    assert data["other"] == {"title": "Other"}
    assert (await gql.data(LIST))["tasks"]["totalCount"] == 3
