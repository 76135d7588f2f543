"""No GraphQL operation ever reads or changes another user's task."""

from __future__ import annotations

import asyncio
import random

import httpx

from tests.support.graphql_client import CREATE, DELETE, GET, LIST, TOGGLE, UPDATE, GraphQL


async def test_every_operation_on_another_users_task_is_not_found(
    client: httpx.AsyncClient,
) -> None:
    alice, bob = GraphQL(client, "alice"), GraphQL(client, "bob")
    task = (await alice.data(CREATE, input={"title": "Alice's secret"}))["createTask"]
    task_id = task["id"]

    assert await bob.error_code(GET, id=task_id) == "NOT_FOUND"
    assert await bob.error_code(UPDATE, id=task_id, input={"title": "pwned"}) == "NOT_FOUND"
    assert await bob.error_code(UPDATE, id=task_id, input={}) == "NOT_FOUND"
    assert await bob.error_code(TOGGLE, id=task_id) == "NOT_FOUND"
    assert await bob.error_code(TOGGLE, id=task_id, completed=True) == "NOT_FOUND"
    assert await bob.error_code(DELETE, id=task_id) == "NOT_FOUND"
    bobs_list = (await bob.data(LIST))["tasks"]
    assert bobs_list["totalCount"] == 0
    assert bobs_list["edges"] == []
    searched = (await bob.data(LIST, filter={"search": "secret"}))["tasks"]
    assert searched["totalCount"] == 0

    assert (await alice.data(GET, id=task_id))["task"] == task


async def test_a_missing_task_and_anothers_task_give_the_same_answer(
    client: httpx.AsyncClient,
) -> None:
    alice, bob = GraphQL(client, "alice"), GraphQL(client, "bob")
    task_id = (await alice.data(CREATE, input={"title": "mine"}))["createTask"]["id"]
    theirs = (await bob.execute(GET, id=task_id))["errors"][0]
    missing_id = str(int(task_id) + 1000)
    missing = (await bob.execute(GET, id=missing_id))["errors"][0]
    assert theirs["extensions"]["code"] == missing["extensions"]["code"] == "NOT_FOUND"
    assert theirs["message"].replace(task_id, "N") == missing["message"].replace(missing_id, "N")


async def test_many_users_at_once_only_ever_see_their_own_tasks(
    client: httpx.AsyncClient,
) -> None:
    users = [f"user-{index}" for index in range(12)]

    async def work(user: str) -> tuple[str, set[str]]:
        gql = GraphQL(client, user)
        created: set[str] = set()
        for number in range(5):
            task = (await gql.data(CREATE, input={"title": f"{user} #{number}"}))["createTask"]
            created.add(task["id"])
            await asyncio.sleep(random.random() / 100)
            await gql.data(TOGGLE, id=task["id"])
        return user, created

    results = await asyncio.gather(*(work(user) for user in users))
    for user, created in results:
        listed = (await GraphQL(client, user).data(LIST, first=100))["tasks"]
        nodes = [edge["node"] for edge in listed["edges"]]
        assert {node["id"] for node in nodes} == created
        assert all(node["title"].startswith(f"{user} #") for node in nodes)
        assert all(node["completed"] for node in nodes)
