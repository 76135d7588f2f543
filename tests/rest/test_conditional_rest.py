"""Versions, ETags, If-Match and If-None-Match on the REST routes, and private cache headers."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

import httpx
import pytest

from tests.support.auth import auth
from tests.support.errors import error_json
from tests.support.rest_client import as_read, create, tasks_url

# Every conditional write as (method, path after the task's URL, JSON body or None).
WRITES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("PUT", "", {"title": "Changed"}),
    ("PATCH", "", {"priority": "high"}),
    ("DELETE", "", None),
    ("PATCH", "/complete", None),
    ("PATCH", "/complete", {"completed": True}),
    ("PATCH", "/toggle", None),
    ("PATCH", "/toggle", {"completed": True}),
]
WRITE_IDS = ["put", "patch", "delete", "complete", "complete-true", "toggle", "toggle-true"]

# If-Match values that name no version a task can have.
GARBAGE_IF_MATCH: list[str | bytes] = [
    "garbage",
    '"abc"',
    '""',
    '"1',
    "1",
    '"-1"',
    '"0"',
    '"1.0"',
    '"3000000000"',  # beyond the 32-bit version column
    '"9999999999999999999"',  # beyond 64 bits, yet short enough to look like a version
    b'"\xb2"',  # a Latin-1 superscript two: str.isdigit() says it is a digit
    # The current version's number, but other tags: strong comparison is character by character.
    '"01"',
    '"0001"',
    '"00000000000000000001"',
]


def etag(response: httpx.Response) -> str:
    value: str | None = response.headers.get("ETag")
    assert value is not None, (response.status_code, response.headers)
    return value


async def send(
    http: httpx.AsyncClient,
    user_id: str,
    method: str,
    url: str,
    body: dict[str, Any] | None = None,
    **headers: str | bytes,
) -> httpx.Response:
    """A request as `user_id`, with extra headers given as If_Match=... (underscores: dashes).

    A bytes value is sent as is: how a client sends a header that is not ASCII.
    """
    raw = [(name.encode(), value.encode()) for name, value in auth(user_id).items()]
    for name, value in headers.items():
        raw.append((name.replace("_", "-").encode(), latin_1(value)))
    return await http.request(method, url, json=body, headers=raw)


def latin_1(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("latin-1")


async def current(http: httpx.AsyncClient, user_id: str, task_id: int) -> dict[str, Any]:
    response = await send(http, user_id, "GET", tasks_url(user_id, task_id))
    assert response.status_code == 200, response.text
    task: dict[str, Any] = response.json()
    return task


async def list_etag(http: httpx.AsyncClient, user_id: str, **params: Any) -> str:
    response = await http.get(tasks_url(user_id), params=params, headers=auth(user_id))
    assert response.status_code == 200, response.text
    return etag(response)


# --- versions and single-task ETags ------------------------------------------------------


async def test_every_write_bumps_the_version_and_the_strong_etag(
    client: httpx.AsyncClient,
) -> None:
    created = await client.post(tasks_url("alice"), json={"title": "T"}, headers=auth("alice"))
    assert (created.json()["version"], etag(created)) == (1, '"1"')
    url = tasks_url("alice", created.json()["id"])
    answers = [
        await send(client, "alice", "PUT", url, {"title": "U"}),
        await send(client, "alice", "PATCH", url, {"description": "d"}),
        await send(client, "alice", "PATCH", f"{url}/toggle"),
        await send(client, "alice", "PATCH", f"{url}/complete", {"completed": False}),
    ]
    for version, answer in enumerate(answers, start=2):
        assert answer.status_code == 200, answer.text
        assert (answer.json()["version"], etag(answer)) == (version, f'"{version}"')
    read = await send(client, "alice", "GET", url)
    assert (read.json()["version"], etag(read)) == (5, '"5"')


async def test_setting_the_current_completion_changes_nothing(client: httpx.AsyncClient) -> None:
    task = await create(client, "alice")
    url = tasks_url("alice", task["id"])
    before = await list_etag(client, "alice")
    for path in ("/complete", "/toggle"):
        kept = await send(client, "alice", "PATCH", url + path, {"completed": False})
        assert (kept.status_code, as_read(kept.json()), etag(kept)) == (200, task, '"1"')
        empty = await send(client, "alice", "PUT", url, {})
        assert (empty.status_code, as_read(empty.json())) == (200, task)
        # A no-op still checks the version: the client's view of the task is stale.
        stale = await send(
            client, "alice", "PATCH", url + path, {"completed": False}, If_Match='"9"'
        )
        assert (stale.status_code, stale.json()) == (412, task)
    assert await list_etag(client, "alice") == before


# --- If-Match -----------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body"), WRITES, ids=WRITE_IDS)
async def test_a_matching_if_match_writes(
    client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    task = await create(client, "alice")
    url = tasks_url("alice", task["id"])
    response = await send(client, "alice", method, url + path, body, If_Match='"1"')
    assert response.status_code == 200, response.text
    if method == "DELETE":
        assert (await send(client, "alice", "GET", url)).status_code == 404
    else:
        assert (response.json()["version"], etag(response)) == (2, '"2"')


@pytest.mark.parametrize(("method", "path", "body"), WRITES, ids=WRITE_IDS)
async def test_a_mismatched_if_match_is_412_with_the_current_task_and_changes_nothing(
    client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    task = await create(client, "alice")
    url = tasks_url("alice", task["id"])
    edited = await send(client, "alice", "PATCH", url, {"title": "Edited"})
    assert edited.json()["version"] == 2
    before = await list_etag(client, "alice")

    # Weak tags never match (strong comparison), even when they name the current version.
    for if_match in ('"1"', 'W/"2"', '"1", "3"', 'W/"2", "1"'):
        response = await send(client, "alice", method, url + path, body, If_Match=if_match)
        assert response.status_code == 412, (if_match, response.text)
        assert (response.json(), etag(response)) == (as_read(edited.json()), '"2"')

    assert await current(client, "alice", task["id"]) == as_read(edited.json())
    assert await list_etag(client, "alice") == before


@pytest.mark.parametrize("if_match", ["*", ' "7", "2" ', '"2",W/"1"'], ids=["star", "list", "mix"])
async def test_star_or_a_list_naming_the_version_matches(
    client: httpx.AsyncClient, if_match: str
) -> None:
    for method, path, body in WRITES:
        task = await create(client, "alice")
        url = tasks_url("alice", task["id"])
        await send(client, "alice", "PATCH", url, {"title": "Edited"})
        response = await send(client, "alice", method, url + path, body, If_Match=if_match)
        assert response.status_code == 200, (method, path, response.text)


@pytest.mark.parametrize("if_match", GARBAGE_IF_MATCH)
async def test_a_garbage_if_match_is_412_for_a_task_and_404_without_one(
    client: httpx.AsyncClient, if_match: str | bytes
) -> None:
    task = await create(client, "alice")
    url = tasks_url("alice", task["id"])
    for method, path, body in WRITES:
        refused = await send(client, "alice", method, url + path, body, If_Match=if_match)
        assert (refused.status_code, refused.json()) == (412, task), (method, path)
        missing = tasks_url("alice", task["id"] + 1000) + path
        absent = await send(client, "alice", method, missing, body, If_Match=if_match)
        assert absent.status_code == 404, (method, path, absent.text)
    assert await current(client, "alice", task["id"]) == task


@pytest.mark.parametrize(("method", "path", "body"), WRITES, ids=WRITE_IDS)
async def test_if_match_on_another_users_task_is_404_never_412(
    client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    bobs = await create(client, "bob")
    url = tasks_url("alice", bobs["id"]) + path
    for if_match in ('"1"', '"2"', "*", "garbage"):
        response = await send(client, "alice", method, url, body, If_Match=if_match)
        assert response.status_code == 404, (if_match, response.text)
        assert "ETag" not in response.headers
        assert response.json() == error_json(f"Task {bobs['id']} not found")
    assert await current(client, "bob", bobs["id"]) == bobs


async def test_if_none_match_on_another_users_task_is_404_never_304(
    client: httpx.AsyncClient,
) -> None:
    bobs = await create(client, "bob")
    url = tasks_url("alice", bobs["id"])
    for if_none_match in ('"1"', 'W/"1"', "*"):
        response = await send(client, "alice", "GET", url, If_None_Match=if_none_match)
        assert (response.status_code, "ETag" in response.headers) == (404, False)


# --- racing writers -----------------------------------------------------------------------


@pytest.mark.parametrize("writers", [2, 10])
async def test_concurrent_updates_with_one_if_match_have_one_winner(
    client: httpx.AsyncClient, writers: int
) -> None:
    task = await create(client, "alice")
    url = tasks_url("alice", task["id"])
    titles = [f"Writer {n}" for n in range(writers)]
    answers = await asyncio.gather(
        *(send(client, "alice", "PUT", url, {"title": t}, If_Match='"1"') for t in titles)
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] + [412] * (writers - 1)
    (winner,) = [as_read(answer.json()) for answer in answers if answer.status_code == 200]
    assert winner["version"] == 2
    stored = await current(client, "alice", task["id"])
    assert stored == winner
    assert all(answer.json() == stored for answer in answers if answer.status_code == 412)


@pytest.mark.parametrize("writers", [2, 10])
@pytest.mark.parametrize("body", [None, {"completed": True}], ids=["flip", "set"])
async def test_concurrent_toggles_with_one_if_match_have_one_winner(
    client: httpx.AsyncClient, writers: int, body: dict[str, Any] | None
) -> None:
    task = await create(client, "alice")
    url = tasks_url("alice", task["id"], "toggle")
    answers = await asyncio.gather(
        *(send(client, "alice", "PATCH", url, body, If_Match='"1"') for _ in range(writers))
    )
    assert sorted(answer.status_code for answer in answers) == [200] + [412] * (writers - 1)
    stored = await current(client, "alice", task["id"])
    assert (stored["completed"], stored["version"]) == (True, 2)  # flipped exactly once


@pytest.mark.parametrize("writers", [2, 10])
async def test_concurrent_deletes_with_one_if_match_have_one_winner(
    client: httpx.AsyncClient, writers: int
) -> None:
    task = await create(client, "alice")
    url = tasks_url("alice", task["id"])
    answers = await asyncio.gather(
        *(send(client, "alice", "DELETE", url, If_Match='"1"') for _ in range(writers))
    )
    # The losers find no task left to compare with: not found, never a second success.
    assert sorted(answer.status_code for answer in answers) == [200] + [404] * (writers - 1)
    assert (await send(client, "alice", "GET", url)).status_code == 404


async def test_an_update_racing_a_delete_with_one_if_match_has_one_winner(
    client: httpx.AsyncClient,
) -> None:
    task = await create(client, "alice")
    url = tasks_url("alice", task["id"])
    update, delete = await asyncio.gather(
        send(client, "alice", "PUT", url, {"title": "Kept"}, If_Match='"1"'),
        send(client, "alice", "DELETE", url, If_Match='"1"'),
    )
    after = await send(client, "alice", "GET", url)
    if update.status_code == 200:
        assert (delete.status_code, delete.json()) == (412, as_read(update.json()))
        assert after.json() == as_read(update.json())
    else:
        assert (update.status_code, delete.status_code, after.status_code) == (404, 200, 404)


# --- If-None-Match and the list's ETag ----------------------------------------------------


async def test_a_current_etag_is_304_without_a_body(client: httpx.AsyncClient) -> None:
    task = await create(client, "alice")
    task_url = tasks_url("alice", task["id"])
    for url in (tasks_url("alice"), task_url):
        fresh = await send(client, "alice", "GET", url)
        tag = etag(fresh)
        for if_none_match in (tag, f"W/{tag}", f'"nope", {tag}', "*"):
            cached = await send(client, "alice", "GET", url, If_None_Match=if_none_match)
            assert (cached.status_code, cached.content) == (304, b""), if_none_match
            assert etag(cached) == tag
            assert cached.headers["Cache-Control"] == "private, no-cache"
        stale = await send(client, "alice", "GET", url, If_None_Match='"0-0", "9"')
        assert (stale.status_code, stale.content, etag(stale)) == (200, fresh.content, tag)


async def test_if_none_match_compares_tags_character_by_character(
    client: httpx.AsyncClient,
) -> None:
    task = await create(client, "alice")
    url = tasks_url("alice", task["id"])
    fresh = await send(client, "alice", "GET", url)
    assert etag(fresh) == '"1"'
    for if_none_match in ('"01"', 'W/"0001"', '"1 "', '"01", W/"001"'):
        answer = await send(client, "alice", "GET", url, If_None_Match=if_none_match)
        assert (answer.status_code, answer.content) == (200, fresh.content), if_none_match


async def test_the_list_etag_changes_with_every_write_and_never_repeats(
    client: httpx.AsyncClient,
) -> None:
    tags = [await list_etag(client, "alice")]

    async def write(method: str, url: str, body: dict[str, Any] | None = None) -> None:
        response = await send(client, "alice", method, url, body)
        assert response.status_code in (200, 201), response.text
        tags.append(await list_etag(client, "alice"))

    first = await create(client, "alice")
    tags.append(await list_etag(client, "alice"))
    url = tasks_url("alice", first["id"])
    await write("PUT", url, {"title": "Renamed"})
    await write("PATCH", url, {"priority": "low"})
    await write("PATCH", f"{url}/toggle")
    await write("PATCH", f"{url}/complete", {"completed": False})
    await write("DELETE", url)  # the list is empty again, as it was at the start
    await write("POST", tasks_url("alice"), {"title": "Task"})  # one task again, same title
    assert len(set(tags)) == len(tags) == 8, tags


async def test_the_list_etag_covers_only_changes_to_your_tasks(
    client: httpx.AsyncClient,
) -> None:
    task = await create(client, "alice")
    url = tasks_url("alice", task["id"])
    before = await list_etag(client, "alice")
    await create(client, "bob")
    refused = [
        await send(client, "alice", "PUT", url, {"title": "X"}, If_Match='"9"'),
        await send(client, "alice", "DELETE", url, If_Match='"9"'),
        await send(client, "alice", "DELETE", tasks_url("alice", task["id"] + 1000)),
        await send(client, "alice", "PATCH", f"{url}/complete", {"completed": False}),
        await send(client, "alice", "PATCH", url, {}),
    ]
    assert [answer.status_code for answer in refused] == [412, 412, 404, 200, 200]
    assert await list_etag(client, "alice") == before


async def test_different_list_parameters_have_different_etags(
    client: httpx.AsyncClient,
) -> None:
    await create(client, "alice")
    pages: list[dict[str, Any]] = [
        {},
        {"status": "completed"},
        {"priority": "high"},
        {"search": "task"},
        {"sort": "title"},
        {"order": "asc"},
        {"limit": 5},
        {"offset": 1},
    ]
    tags = [await list_etag(client, "alice", **params) for params in pages]
    assert len(set(tags)) == len(tags), tags
    assert tags[0] == await list_etag(client, "alice")  # the same request, the same tag
    response = await client.get(
        tasks_url("alice"),
        params={"status": "completed"},
        headers={**auth("alice"), "If-None-Match": tags[0]},
    )
    assert response.status_code == 200


async def test_one_users_list_etag_is_never_current_for_another(
    client: httpx.AsyncClient,
) -> None:
    # Two new users with the same history: their lists' revisions are equal.
    alice, bob = f"alice-{uuid4().hex}", f"bob-{uuid4().hex}"
    for user in (alice, bob):
        await create(client, user, title="Same")
    alices = await list_etag(client, alice)
    assert await list_etag(client, bob) != alices
    response = await send(client, bob, "GET", tasks_url(bob), If_None_Match=alices)
    assert response.status_code == 200
    assert [task["user_id"] for task in response.json()] == [bob]


# --- private cache headers ----------------------------------------------------------------


def assert_private(response: httpx.Response, name: str = "") -> None:
    assert response.headers["Cache-Control"] == "private, no-cache", (name, response.headers)
    vary = [value.strip().lower() for value in response.headers["Vary"].split(",")]
    assert "authorization" in vary, (name, response.headers)


async def test_every_per_user_answer_is_private(client: httpx.AsyncClient) -> None:
    task = await create(client, "alice")
    url = tasks_url("alice", task["id"])
    answers = {
        "list": await send(client, "alice", "GET", tasks_url("alice")),
        "read": await send(client, "alice", "GET", url),
        "304": await send(client, "alice", "GET", url, If_None_Match='"1"'),
        "create": await send(client, "alice", "POST", tasks_url("alice"), {"title": "T"}),
        "412": await send(client, "alice", "PUT", url, {"title": "X"}, If_Match='"5"'),
        "404": await send(client, "alice", "GET", tasks_url("alice", task["id"] + 1000)),
        "422": await send(client, "alice", "POST", tasks_url("alice"), {"title": ""}),
        "401": await client.get(tasks_url("alice")),
        "403": await send(client, "bob", "GET", tasks_url("alice")),
        "graphql": await client.post(
            "/graphql", json={"query": "{ tasks { totalCount } }"}, headers=auth("alice")
        ),
        "graphql-401": await client.post("/graphql", json={"query": "{ tasks { totalCount } }"}),
    }
    expected = [200, 200, 304, 201, 412, 404, 422, 401, 403, 200, 200]
    assert [answer.status_code for answer in answers.values()] == expected
    for name, answer in answers.items():
        assert_private(answer, name)
