"""Tags over GraphQL on both backends: the tags query, the tag mutations, Task.tags everywhere a
task is answered, TaskFilter.tags, and the error codes of each refusal."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.graphql_client import (
    CREATE,
    CREATE_TAG,
    DELETE_TAG,
    GET,
    LIST,
    SET_TASK_TAGS,
    TAGS,
    UPDATE,
    UPDATE_TAG,
    GraphQL,
)


async def tag(api: GraphQL, name: str, **fields: Any) -> dict[str, Any]:
    made: dict[str, Any] = (await api.data(CREATE_TAG, input={"name": name, **fields}))["createTag"]
    return made


async def task(api: GraphQL, title: str = "Task", **fields: Any) -> dict[str, Any]:
    made: dict[str, Any] = (await api.data(CREATE, input={"title": title, **fields}))["createTask"]
    return made


def refs(*tags: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"id": t["id"], "name": t["name"], "color": t["color"]} for t in tags]


async def test_tags_on_every_task_answer(client: httpx.AsyncClient) -> None:
    api = GraphQL(client, "alice")
    work = await tag(api, "work", color="#ABCDEF")
    home = await tag(api, "Home")
    assert (work["color"], home["color"], work["taskCount"]) == ("#abcdef", "#6b7280", 0)
    made = await task(api, tagIds=[work["id"], home["id"]])
    assert made["tags"] == refs(home, work)
    assert (await api.data(GET, id=made["id"]))["task"]["tags"] == refs(home, work)
    page = await api.data(LIST)
    assert page["tasks"]["edges"][0]["node"]["tags"] == refs(home, work)
    updated = await api.data(UPDATE, id=made["id"], input={"tagIds": [work["id"]]})
    assert (updated["updateTask"]["tags"], updated["updateTask"]["version"]) == (refs(work), 2)
    listed = (await api.data(TAGS))["tags"]
    assert [(t["name"], t["taskCount"]) for t in listed] == [("Home", 0), ("work", 1)]


async def test_set_task_tags_replaces_them_or_changes_nothing(client: httpx.AsyncClient) -> None:
    api = GraphQL(client, "alice")
    work = await tag(api, "work")
    bobs = await tag(GraphQL(client, "bob"), "bob's")
    made = await task(api, tagIds=[work["id"]])
    for tag_ids, field in (([bobs["id"]], "tagIds"), (["12345678"], "tagIds"), (["x"], "tagIds.0")):
        body = await api.execute(SET_TASK_TAGS, id=made["id"], tagIds=tag_ids)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
        assert body["errors"][0]["extensions"]["field"] == field
    assert (await api.data(GET, id=made["id"]))["task"] == made
    stale = await api.execute(SET_TASK_TAGS, id=made["id"], tagIds=[], expectedVersion=5)
    assert stale["errors"][0]["extensions"] == {"code": "CONFLICT", "currentVersion": 1}
    cleared = await api.data(SET_TASK_TAGS, id=made["id"], tagIds=[], expectedVersion=1)
    assert (cleared["setTaskTags"]["tags"], cleared["setTaskTags"]["version"]) == ([], 2)
    missing = await api.execute(SET_TASK_TAGS, id="999999", tagIds=[])
    assert missing["errors"][0]["extensions"] == {"code": "NOT_FOUND", "id": "999999"}


async def test_rename_recolor_delete_and_their_refusals(client: httpx.AsyncClient) -> None:
    api, bob = GraphQL(client, "alice"), GraphQL(client, "bob")
    work = await tag(api, "work")
    await tag(api, "home")
    made = await task(api, tagIds=[work["id"]])
    taken = await api.execute(UPDATE_TAG, id=work["id"], input={"name": "HOME"})
    assert taken["errors"][0]["extensions"] == {"code": "CONFLICT", "field": "name"}
    duplicate = await api.execute(CREATE_TAG, input={"name": "Work"})
    assert duplicate["errors"][0]["extensions"] == {"code": "CONFLICT", "field": "name"}
    for document, variables in (
        (UPDATE_TAG, {"input": {"name": "mine"}}),
        (DELETE_TAG, {}),
    ):
        theirs = await bob.execute(document, id=work["id"], **variables)
        assert theirs["errors"][0]["extensions"] == {"code": "NOT_FOUND", "id": work["id"]}
    bad = await api.execute(UPDATE_TAG, id=work["id"], input={"color": "blue"})
    assert bad["errors"][0]["extensions"]["field"] == "color"
    renamed = await api.data(UPDATE_TAG, id=work["id"], input={"name": "job", "color": "#000000"})
    assert renamed["updateTag"]["taskCount"] == 1
    after = (await api.data(GET, id=made["id"]))["task"]
    assert (after["tags"], after["version"]) == (refs(renamed["updateTag"]), 2)
    assert (await api.data(DELETE_TAG, id=work["id"]))["deleteTag"] == work["id"]
    kept = (await api.data(GET, id=made["id"]))["task"]
    assert (kept["tags"], kept["version"]) == ([], 3)


async def test_the_filter_takes_any_or_all_tags(client: httpx.AsyncClient) -> None:
    api = GraphQL(client, "alice")
    work, home = await tag(api, "work"), await tag(api, "home")
    await task(api, "none")
    await task(api, "w", tagIds=[work["id"]])
    await task(api, "wh", tagIds=[work["id"], home["id"]])
    order = {"field": "TITLE", "direction": "ASC"}

    async def titles(tags: dict[str, Any]) -> list[str]:
        page = await api.data(LIST, filter={"tags": tags}, orderBy=order)
        return [edge["node"]["title"] for edge in page["tasks"]["edges"]]

    assert await titles({"ids": [work["id"], home["id"]]}) == ["w", "wh"]
    assert await titles({"ids": [work["id"], home["id"]], "match": "ALL"}) == ["wh"]
    assert await titles({"ids": []}) == ["none", "w", "wh"]
    bad = await api.execute(LIST, filter={"tags": {"ids": ["-3"]}})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_anonymous_callers_get_no_tags(client: httpx.AsyncClient) -> None:
    anonymous = GraphQL(client, None)
    assert await anonymous.error_code(TAGS) == "UNAUTHENTICATED"
    assert await anonymous.error_code(CREATE_TAG, input={"name": "x"}) == "UNAUTHENTICATED"
