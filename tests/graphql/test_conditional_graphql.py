"""expectedVersion on updateTask, toggleTask and deleteTask: CONFLICT with the current version."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.support.graphql_client import CREATE, DELETE, GET, TOGGLE, UPDATE, GraphQL

# Each conditional mutation as (name, document, variables besides id and expectedVersion).
MUTATIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("updateTask", UPDATE, {"input": {"title": "Changed"}}),
    ("toggleTask", TOGGLE, {}),
    ("toggleTask", TOGGLE, {"completed": True}),
    ("deleteTask", DELETE, {}),
]
MUTATION_IDS = ["update", "toggle", "toggle-true", "delete"]


async def new_task(gql: GraphQL, **fields: Any) -> dict[str, Any]:
    created: dict[str, Any] = (await gql.data(CREATE, input={"title": "T", **fields}))["createTask"]
    return created


async def stored(gql: GraphQL, task_id: str) -> dict[str, Any] | None:
    task: dict[str, Any] | None = (await gql.execute(GET, id=task_id))["data"]["task"]
    return task


async def edited_task(gql: GraphQL) -> dict[str, Any]:
    """A task at version 2."""
    task = await new_task(gql)
    edited: dict[str, Any] = (await gql.data(UPDATE, id=task["id"], input={"title": "Edited"}))[
        "updateTask"
    ]
    assert edited["version"] == 2
    return edited


@pytest.mark.parametrize(("name", "document", "variables"), MUTATIONS, ids=MUTATION_IDS)
async def test_the_expected_version_writes(
    client: httpx.AsyncClient, name: str, document: str, variables: dict[str, Any]
) -> None:
    gql = GraphQL(client, "alice")
    task = await edited_task(gql)
    result = (await gql.data(document, id=task["id"], expectedVersion=2, **variables))[name]
    if name == "deleteTask":
        assert (result, await stored(gql, task["id"])) == (task["id"], None)
    else:
        assert (result["id"], result["version"]) == (task["id"], 3)


@pytest.mark.parametrize(("name", "document", "variables"), MUTATIONS, ids=MUTATION_IDS)
async def test_another_version_is_conflict_with_the_current_one_and_changes_nothing(
    client: httpx.AsyncClient, name: str, document: str, variables: dict[str, Any]
) -> None:
    gql = GraphQL(client, "alice")
    task = await edited_task(gql)
    for expected in (1, 3, 0, -1, 2**31 - 1):
        body = await gql.execute(document, id=task["id"], expectedVersion=expected, **variables)
        (error,) = body["errors"]
        assert error["extensions"] == {"code": "CONFLICT", "currentVersion": 2}, expected
        assert (error["path"], body["data"]) == ([name], None)
    assert await stored(gql, task["id"]) == task


async def test_setting_the_current_completion_checks_the_version_but_writes_nothing(
    client: httpx.AsyncClient,
) -> None:
    gql = GraphQL(client, "alice")
    task = await new_task(gql)
    same = await gql.data(TOGGLE, id=task["id"], completed=False, expectedVersion=1)
    assert same["toggleTask"] == task
    stale = await gql.execute(TOGGLE, id=task["id"], completed=False, expectedVersion=7)
    assert stale["errors"][0]["extensions"] == {"code": "CONFLICT", "currentVersion": 1}
    empty = await gql.execute(UPDATE, id=task["id"], input={}, expectedVersion=7)
    assert empty["errors"][0]["extensions"] == {"code": "CONFLICT", "currentVersion": 1}
    assert await stored(gql, task["id"]) == task


@pytest.mark.parametrize(("name", "document", "variables"), MUTATIONS, ids=MUTATION_IDS)
async def test_another_users_task_is_not_found_whatever_the_version(
    client: httpx.AsyncClient, name: str, document: str, variables: dict[str, Any]
) -> None:
    bob = GraphQL(client, "bob")
    bobs = await new_task(bob)
    alice = GraphQL(client, "alice")
    for expected in (1, 2, None):
        body = await alice.execute(document, id=bobs["id"], expectedVersion=expected, **variables)
        (error,) = body["errors"]
        assert error["extensions"] == {"code": "NOT_FOUND", "id": bobs["id"]}, expected
    assert await stored(bob, bobs["id"]) == bobs


# --- racing writers -----------------------------------------------------------------------


async def race(
    gql: GraphQL, writers: int, document: str, **variables: Any
) -> tuple[list[dict[str, Any]], list[str]]:
    """Run `writers` copies of one mutation at once: the successes' data, the errors' codes."""
    bodies = await asyncio.gather(*(gql.execute(document, **variables) for _ in range(writers)))
    successes = [body["data"] for body in bodies if "errors" not in body]
    codes = [body["errors"][0]["extensions"]["code"] for body in bodies if "errors" in body]
    return successes, codes


@pytest.mark.parametrize("writers", [2, 10])
async def test_concurrent_updates_with_one_expected_version_have_one_winner(
    client: httpx.AsyncClient, writers: int
) -> None:
    gql = GraphQL(client, "alice")
    task = await new_task(gql)
    bodies = await asyncio.gather(
        *(
            gql.execute(UPDATE, id=task["id"], input={"title": f"W{n}"}, expectedVersion=1)
            for n in range(writers)
        )
    )
    winners = [body["data"]["updateTask"] for body in bodies if "errors" not in body]
    conflicts = [body["errors"][0]["extensions"] for body in bodies if "errors" in body]
    assert len(winners) == 1, bodies
    assert conflicts == [{"code": "CONFLICT", "currentVersion": 2}] * (writers - 1)
    assert await stored(gql, task["id"]) == winners[0]


@pytest.mark.parametrize("writers", [2, 10])
async def test_concurrent_toggles_with_one_expected_version_have_one_winner(
    client: httpx.AsyncClient, writers: int
) -> None:
    gql = GraphQL(client, "alice")
    task = await new_task(gql)
    successes, codes = await race(gql, writers, TOGGLE, id=task["id"], expectedVersion=1)
    assert (len(successes), codes) == (1, ["CONFLICT"] * (writers - 1))
    now = await stored(gql, task["id"])
    assert now is not None
    assert (now["completed"], now["version"]) == (True, 2)


@pytest.mark.parametrize("writers", [2, 10])
async def test_concurrent_deletes_with_one_expected_version_have_one_winner(
    client: httpx.AsyncClient, writers: int
) -> None:
    gql = GraphQL(client, "alice")
    task = await new_task(gql)
    successes, codes = await race(gql, writers, DELETE, id=task["id"], expectedVersion=1)
    # The losers find no task left to compare with: not found, never a second success.
    assert (successes, codes) == ([{"deleteTask": task["id"]}], ["NOT_FOUND"] * (writers - 1))
    assert await stored(gql, task["id"]) is None
