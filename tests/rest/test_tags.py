"""Tags over REST on both backends: the tag routes, tags on every task answer, the list filter,
and the validators (versions, ETags) that a tag's changes keep truthful."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from api.settings import Settings
from tests.support.auth import auth
from tests.support.errors import error_json
from tests.support.jwks_server import app_client
from tests.support.rest_client import (
    TAG_KEYS,
    create,
    create_tag,
    listed,
    tags_url,
    tasks_url,
)

ALICE, BOB = "alice", "bob"


def names(task: dict[str, Any]) -> list[str]:
    return [tag["name"] for tag in task["tags"]]


async def get_task(http: httpx.AsyncClient, task_id: int, user: str = ALICE) -> httpx.Response:
    response = await http.get(tasks_url(user, task_id), headers=auth(user))
    assert response.status_code == 200, response.text
    return response


async def set_tags(
    http: httpx.AsyncClient, task_id: int, tag_ids: list[Any], **headers: str
) -> httpx.Response:
    return await http.put(
        tasks_url(ALICE, task_id, "tags"),
        json={"tag_ids": tag_ids},
        headers={**auth(ALICE), **headers},
    )


async def test_a_tag_has_its_fields_and_a_default_color(client: httpx.AsyncClient) -> None:
    tag = await create_tag(client, ALICE, name="  Work  ")
    assert set(tag) == TAG_KEYS
    assert (tag["name"], tag["color"], tag["task_count"]) == ("Work", "#6b7280", 0)
    assert tag["created_at"].endswith("Z")
    colored = await create_tag(client, ALICE, name="Home", color="#A1B2C3")
    assert colored["color"] == "#a1b2c3"
    unchosen = await create_tag(client, ALICE, name="Later", color=None)
    assert unchosen["color"] == "#6b7280"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "name: Field required"),
        ({"name": "   "}, "name: String should have at least 1 character"),
        ({"name": "x" * 51}, "name: String should have at most 50 characters"),
        ({"name": "a\x00b"}, "name: may not contain NUL characters"),
        ({"name": "x", "color": "red"}, "color: String should match pattern '^#[0-9A-Fa-f]{6}$'"),
        ({"name": "x", "color": "#fff"}, "color: String should match pattern '^#[0-9A-Fa-f]{6}$'"),
        ({"name": "x", "color": 7}, "color: Input should be a valid string"),
    ],
)
async def test_a_bad_tag_is_a_422_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], message: str
) -> None:
    response = await client.post(tags_url(ALICE), json=body, headers=auth(ALICE))
    assert response.status_code == 422, response.text
    assert response.json()["message"] == message


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Work", "WORK"),
        ("work", "Work "),
        ("Straße", "STRASSE"),
        ("e\u0301t\u00e9", "\u00c9T\u00c9"),
    ],
    ids=["capitals", "spaces", "casefold", "unicode-spelling"],
)
async def test_a_name_is_unique_per_user_ignoring_case(
    client: httpx.AsyncClient, first: str, second: str
) -> None:
    await create_tag(client, ALICE, name=first)
    taken = await client.post(tags_url(ALICE), json={"name": second}, headers=auth(ALICE))
    assert (taken.status_code, taken.json()) == (
        409,
        error_json(f'A tag named "{second.strip()}" already exists'),
    )
    # Another user's names are theirs: bob may have the same one.
    await create_tag(client, BOB, name=second)


async def test_a_rename_to_a_name_taken_is_a_409_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    await create_tag(client, ALICE, name="Work")
    home = await create_tag(client, ALICE, name="Home")
    taken = await client.patch(
        tags_url(ALICE, home["id"]), json={"name": "work"}, headers=auth(ALICE)
    )
    assert (taken.status_code, taken.json()) == (
        409,
        error_json('A tag named "work" already exists'),
    )
    # Its own name in other capitals is no conflict.
    recased = await client.put(
        tags_url(ALICE, home["id"]), json={"name": "HOME"}, headers=auth(ALICE)
    )
    assert (recased.status_code, recased.json()["name"]) == (200, "HOME")


# Names whose order by SQL's lower() (ASCII only on SQLite), by collation, or by byte differs
# from Python's casefold in code point order: both backends must answer this one order.
AWKWARD = ["b", "Á", "a", "B2", "é", "Z", "ß", "_x", "10", "9"]


async def test_tags_come_by_name_ignoring_case_then_id_on_every_backend(
    client: httpx.AsyncClient,
) -> None:
    made = [await create_tag(client, ALICE, name=name) for name in AWKWARD]
    expected = sorted(
        made, key=lambda tag: (unicodedata.normalize("NFC", tag["name"]).casefold(), tag["id"])
    )
    listing = await client.get(tags_url(ALICE), headers=auth(ALICE))
    assert [tag["name"] for tag in listing.json()] == [tag["name"] for tag in expected]
    task = await create(client, ALICE, tag_ids=[tag["id"] for tag in reversed(made)])
    assert names(task) == [tag["name"] for tag in expected]
    (page,), _ = await listed(client, ALICE)
    assert (
        page["tags"]
        == task["tags"]
        == [{"id": tag["id"], "name": tag["name"], "color": tag["color"]} for tag in expected]
    )


async def test_the_tag_list_has_counts_a_total_and_an_etag(client: httpx.AsyncClient) -> None:
    work = await create_tag(client, ALICE, name="Work")
    home = await create_tag(client, ALICE, name="home")
    await create(client, ALICE, tag_ids=[work["id"], home["id"]])
    await create(client, ALICE, tag_ids=[work["id"]])
    await create_tag(client, BOB, name="Bob's")
    response = await client.get(tags_url(ALICE), headers=auth(ALICE))
    assert [(tag["name"], tag["task_count"]) for tag in response.json()] == [
        ("home", 1),
        ("Work", 2),
    ]
    assert response.headers["X-Total-Count"] == "2"
    etag = response.headers["ETag"]
    again = await client.get(tags_url(ALICE), headers={**auth(ALICE), "If-None-Match": etag})
    assert (again.status_code, again.headers["ETag"]) == (304, etag)
    # A new tag, a task deleted (a count changes): the ETag changes.
    await create_tag(client, ALICE, name="new")
    after_create = await client.get(tags_url(ALICE), headers={**auth(ALICE), "If-None-Match": etag})
    assert after_create.status_code == 200
    task, *_ = (await listed(client, ALICE))[0]
    await client.delete(tasks_url(ALICE, task["id"]), headers=auth(ALICE))
    after_delete = await client.get(tags_url(ALICE), headers=auth(ALICE))
    assert after_delete.headers["ETag"] != after_create.headers["ETag"]
    assert {tag["name"]: tag["task_count"] for tag in after_delete.json()}["Work"] == 1


async def test_an_empty_tag_list(client: httpx.AsyncClient) -> None:
    response = await client.get(tags_url(ALICE), headers=auth(ALICE))
    assert (response.status_code, response.json()) == (200, [])
    assert response.headers["X-Total-Count"] == "0" and response.headers["ETag"]


async def test_tag_ids_on_create_and_update(client: httpx.AsyncClient) -> None:
    work = await create_tag(client, ALICE, name="Work")
    home = await create_tag(client, ALICE, name="Home")
    task = await create(client, ALICE, title="T", tag_ids=[work["id"], work["id"]])
    assert names(task) == ["Work"] and task["version"] == 1
    url = tasks_url(ALICE, task["id"])
    updated = await client.patch(
        url, json={"tag_ids": [home["id"]], "title": "U"}, headers=auth(ALICE)
    )
    assert (updated.json()["title"], names(updated.json()), updated.json()["version"]) == (
        "U",
        ["Home"],
        2,
    )
    cleared = await client.put(url, json={"tag_ids": []}, headers=auth(ALICE))
    assert (cleared.json()["tags"], cleared.json()["version"]) == ([], 3)
    null = await client.patch(url, json={"tag_ids": None}, headers=auth(ALICE))
    assert (null.status_code, null.json()["message"]) == (422, "tag_ids: may not be null")
    untouched = await client.patch(url, json={"title": "V"}, headers=auth(ALICE))
    assert untouched.json()["tags"] == []


@pytest.mark.parametrize("owner_of_the_tag", [ALICE, BOB], ids=["unknown", "another-users"])
async def test_a_tag_id_that_is_not_yours_changes_nothing(
    client: httpx.AsyncClient, owner_of_the_tag: str
) -> None:
    work = await create_tag(client, ALICE, name="Work")
    other = await create_tag(client, owner_of_the_tag, name="Other")
    missing = other["id"] if owner_of_the_tag == BOB else other["id"] + 1000
    expected = {
        "detail": [
            {"loc": ["body", "tag_ids"], "msg": f"tag {missing} not found", "type": "value_error"}
        ],
        "message": f"tag_ids: tag {missing} not found",
    }
    refused = await client.post(
        tasks_url(ALICE), json={"title": "T", "tag_ids": [work["id"], missing]}, headers=auth(ALICE)
    )
    assert (refused.status_code, refused.json()) == (422, expected)
    assert (await listed(client, ALICE))[1] == 0  # no task was created
    task = await create(client, ALICE, tag_ids=[work["id"]])
    for response in (
        await set_tags(client, task["id"], [missing]),
        await client.patch(
            tasks_url(ALICE, task["id"]),
            json={"title": "X", "tag_ids": [missing]},
            headers=auth(ALICE),
        ),
    ):
        assert (response.status_code, response.json()) == (422, expected)
    assert (await get_task(client, task["id"])).json() == task  # title, tags, version


async def test_put_tags_replaces_the_set_with_if_match(client: httpx.AsyncClient) -> None:
    work = await create_tag(client, ALICE, name="Work")
    home = await create_tag(client, ALICE, name="Home")
    task = await create(client, ALICE, tag_ids=[work["id"]])
    stale = await set_tags(client, task["id"], [home["id"]], **{"If-Match": '"7"'})
    assert (stale.status_code, stale.json()) == (412, task)
    done = await set_tags(client, task["id"], [home["id"], work["id"]], **{"If-Match": '"1"'})
    assert (done.status_code, names(done.json()), done.json()["version"]) == (
        200,
        ["Home", "Work"],
        2,
    )
    assert done.headers["ETag"] == '"2"'
    assert done.json()["updated_at"] > task["updated_at"]
    emptied = await set_tags(client, task["id"], [])
    assert (emptied.json()["tags"], emptied.json()["version"]) == ([], 3)
    gone = await set_tags(client, 987654, [])
    assert (gone.status_code, gone.json()) == (404, error_json("Task 987654 not found"))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tag_ids": ["W"]}, ["w", "wh"]),
        ({"tag_ids": ["W", "H"]}, ["h", "w", "wh"]),
        ({"tag_ids": "W,H"}, ["h", "w", "wh"]),
        ({"tag_ids": ["W", "H"], "tag_match": "all"}, ["wh"]),
        ({"tag_ids": ["W"], "tag_match": "all"}, ["w", "wh"]),
        ({"tag_ids": ["W", "UNKNOWN"], "tag_match": "all"}, []),
        ({"tag_ids": ["BOBS"]}, []),
        ({"tag_ids": ""}, ["-", "h", "w", "wh"]),
        ({"tag_ids": ["W"], "search": "w"}, ["w", "wh"]),
    ],
)
async def test_the_list_filters_by_tags(
    client: httpx.AsyncClient, params: dict[str, Any], expected: list[str]
) -> None:
    ids = {
        "W": (await create_tag(client, ALICE, name="Work"))["id"],
        "H": (await create_tag(client, ALICE, name="Home"))["id"],
        "BOBS": (await create_tag(client, BOB, name="Work"))["id"],
        "UNKNOWN": 999999,
    }
    for title, tags in [("-", []), ("w", ["W"]), ("h", ["H"]), ("wh", ["W", "H"])]:
        await create(client, ALICE, title=title, tag_ids=[ids[tag] for tag in tags])
    await create(client, BOB, title="w", tag_ids=[ids["BOBS"]])

    def resolve(value: Any) -> Any:
        if isinstance(value, list):
            return [ids[name] for name in value]
        return ",".join(str(ids[name]) for name in value.split(",")) if value else value

    query = {name: resolve(value) if name == "tag_ids" else value for name, value in params.items()}
    tasks, total = await listed(client, ALICE, sort="title", order="asc", **query)
    assert ([task["title"] for task in tasks], total) == (expected, len(expected))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "tag_ids=x",
            "tag_ids[0]: Input should be a valid integer, unable to parse string as an integer",
        ),
        ("tag_ids=0", "tag_ids[0]: Input should be greater than or equal to 1"),
        ("tag_ids=1&tag_match=some", "tag_match: Input should be 'any' or 'all'"),
        (
            "&".join(f"tag_ids={n}" for n in range(1, 102)),
            "tag_ids: List should have at most 100 items after validation, not 101",
        ),
    ],
)
async def test_a_bad_tag_filter_is_a_422(
    client: httpx.AsyncClient, query: str, message: str
) -> None:
    response = await client.get(f"{tasks_url(ALICE)}?{query}", headers=auth(ALICE))
    assert (response.status_code, response.json()["message"]) == (422, message)


async def test_a_rename_or_recolor_changes_the_tasks_validators(client: httpx.AsyncClient) -> None:
    """The tasks carrying a tag show its name: their version, their ETags and the list's change."""
    work = await create_tag(client, ALICE, name="Work")
    tagged = await create(client, ALICE, tag_ids=[work["id"]])
    untagged = await create(client, ALICE)
    list_etag = (await client.get(tasks_url(ALICE), headers=auth(ALICE))).headers["ETag"]
    for change, version in (({"name": "Job"}, 2), ({"color": "#123456"}, 3), ({"name": "Job"}, 3)):
        response = await client.patch(tags_url(ALICE, work["id"]), json=change, headers=auth(ALICE))
        assert response.status_code == 200, response.text
        task = await client.get(
            tasks_url(ALICE, tagged["id"]),
            headers={**auth(ALICE), "If-None-Match": f'"{version - 1}"'},
        )
        assert (task.status_code, task.json()["version"]) == (200, version), change
    final = (await get_task(client, tagged["id"])).json()
    assert final["tags"] == [{"id": work["id"], "name": "Job", "color": "#123456"}]
    # Not edited by its user: updated_at stays. The untagged task is untouched.
    assert final["updated_at"] == tagged["updated_at"]
    assert (await get_task(client, untagged["id"])).json() == untagged
    relisted = await client.get(
        tasks_url(ALICE), headers={**auth(ALICE), "If-None-Match": list_etag}
    )
    assert relisted.status_code == 200 and relisted.headers["ETag"] != list_etag


async def test_deleting_a_tag_keeps_its_tasks(client: httpx.AsyncClient) -> None:
    work = await create_tag(client, ALICE, name="Work")
    home = await create_tag(client, ALICE, name="Home")
    task = await create(client, ALICE, tag_ids=[work["id"], home["id"]])
    deleted = await client.delete(tags_url(ALICE, work["id"]), headers=auth(ALICE))
    assert (deleted.status_code, deleted.json()) == (
        200,
        {"message": "Tag deleted", "deleted_id": work["id"]},
    )
    kept = (await get_task(client, task["id"])).json()
    assert (names(kept), kept["version"]) == (["Home"], 2)
    again = await client.delete(tags_url(ALICE, work["id"]), headers=auth(ALICE))
    assert (again.status_code, again.json()) == (404, error_json(f"Tag {work['id']} not found"))
    # Deleting the task removes its links, never the tag.
    await client.delete(tasks_url(ALICE, task["id"]), headers=auth(ALICE))
    remaining = (await client.get(tags_url(ALICE), headers=auth(ALICE))).json()
    assert [(tag["name"], tag["task_count"]) for tag in remaining] == [("Home", 0)]


@pytest.mark.parametrize("tag_id", ["0", "-1", str(2**63), "99999"])
async def test_a_tag_that_is_not_there_is_a_404(client: httpx.AsyncClient, tag_id: str) -> None:
    for method, body in (("PUT", {"name": "x"}), ("PATCH", {"color": "#000000"}), ("DELETE", None)):
        response = await client.request(
            method, tags_url(ALICE, tag_id), json=body, headers=auth(ALICE)
        )
        assert (response.status_code, response.json()) == (
            404,
            error_json(f"Tag {tag_id} not found"),
        )


async def test_an_empty_tag_patch_answers_the_tag(client: httpx.AsyncClient) -> None:
    work = await create_tag(client, ALICE, name="Work")
    response = await client.patch(tags_url(ALICE, work["id"]), json={}, headers=auth(ALICE))
    assert (response.status_code, response.json()) == (200, work)
    null = await client.patch(tags_url(ALICE, work["id"]), json={"name": None}, headers=auth(ALICE))
    assert (null.status_code, null.json()["message"]) == (422, "name: may not be null")


async def test_a_retried_create_with_tags_replays_it(client: httpx.AsyncClient) -> None:
    work = await create_tag(client, ALICE, name="Work")
    headers = {**auth(ALICE), "Idempotency-Key": "tagged-once"}
    body = {"title": "T", "tag_ids": [work["id"]]}
    first = await client.post(tasks_url(ALICE), json=body, headers=headers)
    retried = await client.post(tasks_url(ALICE), json=body, headers=headers)
    assert first.status_code == retried.status_code == 201
    assert retried.json() == first.json() and retried.headers["Idempotent-Replayed"] == "true"
    other = await client.post(tasks_url(ALICE), json={"title": "T"}, headers=headers)
    assert other.status_code == 409
    assert (await listed(client, ALICE))[1] == 1


async def test_the_envelope_shape_holds_tags_too(
    client: httpx.AsyncClient, make_settings: Callable[..., Settings]
) -> None:
    """(`client`: the session's app empties the tables after this test too.)"""
    user = f"envelope-{uuid.uuid4().hex[:8]}"
    async with app_client(make_settings(rest_list_shape="envelope")) as http:
        tag = await create_tag(http, user, name="Work")
        response = await http.get(tags_url(user), headers=auth(user))
        assert response.json() == {"tags": [tag], "count": 1}
        assert response.headers["X-Total-Count"] == "1"
