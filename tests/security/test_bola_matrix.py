"""Broken object level authorization: every user tries every REST route (with its conditional and
idempotency headers) and every GraphQL operation on every other user's task and tag.

Besides alice and bob, the users include ids that differ from "alice" only by case, a trailing
space or a LIKE wildcard, to catch sloppy comparisons. After each attempt, nothing of anyone
else's is read or changed: the database is compared exactly (versions and timestamps included)
before and after.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from db.idempotency import KEY_LIFETIME
from db.models import IdempotencyKey, Tag, Task, TaskListRevision, TaskTag
from tests.support.auth import auth
from tests.support.databases import services_of
from tests.support.errors import error_json
from tests.support.graphql_client import (
    CREATE,
    CREATE_TAG,
    DELETE,
    DELETE_TAG,
    GET,
    LIST,
    SET_TASK_TAGS,
    TAGS,
    TOGGLE,
    UPDATE,
    UPDATE_TAG,
    GraphQL,
)
from tests.support.rest_client import as_read, tags_url, tasks_url

USERS = ["alice", "bob", "Alice", "alice ", "alice%"]
# alice against each other user and each of them against alice: every sloppy comparison of an
# id with "alice" shows in one direction or the other (bob is the plainly different user).
PAIRS = [pair for user in USERS[1:] for pair in (("alice", user), (user, "alice"))]
FORBIDDEN = error_json("The user_id in the path is not the user this token belongs to")
REPLAYED = "Idempotent-Replayed"

Created = dict[tuple[str, int], str]
"""What attackers made for themselves: ("task" or "tag", its id) -> the attacker."""


@dataclass(frozen=True)
class Victim:
    """A user's task at version 2 carrying the user's tag, as its owner last read them, and how
    they were made."""

    user: str
    task: dict[str, Any]
    body: dict[str, str]
    key: str
    list_etag: str
    tag: dict[str, Any]
    tags_etag: str

    @property
    def id(self) -> int:
        task_id: int = self.task["id"]
        return task_id

    @property
    def tag_id(self) -> int:
        tag_id: int = self.tag["id"]
        return tag_id

    @property
    def secrets(self) -> tuple[str, str, str]:
        return self.body["title"], self.body["description"], self.tag["name"]

    def etag(self, version_offset: int = 0) -> str:
        return f'"{self.task["version"] + version_offset}"'


# The victims' tasks recur, or not: completing another user's recurring task must create
# nothing either (the state comparison sees any new task).
RECURRING = {"due_date": "2030-01-07T09:00:00Z", "recurrence": "FREQ=WEEKLY;BYDAY=MO"}
KINDS = {"once": {}, "recurring": RECURRING}


async def plant(http: httpx.AsyncClient, kind: str) -> dict[str, Victim]:
    """One tag and one task per user, the task made with an Idempotency-Key and then edited
    once (given the tag; made recurring, for the `recurring` kind)."""
    victims = {}
    for user in USERS:
        made_tag = await http.post(
            tags_url(user), json={"name": f"label {uuid4()}"}, headers=auth(user)
        )
        assert made_tag.status_code == 201, made_tag.text
        body = {"title": f"secret {uuid4()}", "description": f"diary {uuid4()}"}
        key = f"key-{uuid4()}"
        headers = {**auth(user), "Idempotency-Key": key}
        created = await http.post(tasks_url(user), json=body, headers=headers)
        assert created.status_code == 201, created.text
        url = tasks_url(user, created.json()["id"])
        change = {"priority": "high", "tag_ids": [made_tag.json()["id"]], **KINDS[kind]}
        edited = await http.patch(url, json=change, headers=auth(user))
        assert edited.json()["version"] == 2, edited.text
        listed = await http.get(tasks_url(user), headers=auth(user))
        assert listed.json() == [as_read(edited.json())]
        tags = await http.get(tags_url(user), headers=auth(user))
        (tag,) = tags.json()
        assert tag["task_count"] == 1
        victims[user] = Victim(
            user,
            as_read(edited.json()),
            body,
            key,
            listed.headers["ETag"],
            tag,
            tags.headers["ETag"],
        )
    return victims


@dataclass(frozen=True)
class State:
    """Every task row, every live idempotency key, every list revision, every tag and link."""

    tasks: dict[int, dict[str, Any]]
    keys: frozenset[tuple[Any, ...]]
    revisions: dict[str, int]
    tags: dict[int, dict[str, Any]]
    links: frozenset[tuple[Any, ...]]


async def state(app: FastAPI) -> State:
    # Expired keys (other tests make some) may be swept by any keyed create: not compared.
    live_after = datetime.now(UTC) - KEY_LIFETIME + timedelta(hours=1)
    async with services_of(app).engine.connect() as connection:
        rows = await connection.execute(select(Task.__table__))
        tasks = {row.id: dict(row._mapping) for row in rows}
        keys = frozenset(
            tuple(row)
            for row in await connection.execute(
                select(IdempotencyKey.__table__).where(IdempotencyKey.created_at > live_after)
            )
        )
        revisions = await connection.execute(
            select(TaskListRevision.user_id, TaskListRevision.revision)
        )
        tags = {
            row.id: dict(row._mapping) for row in await connection.execute(select(Tag.__table__))
        }
        links = frozenset(tuple(row) for row in await connection.execute(select(TaskTag.__table__)))
        return State(tasks, keys, {user: revision for user, revision in revisions}, tags, links)


def assert_only_creators_gained(before: State, after: State, created: Created) -> None:
    """Nothing changed but the tasks and tags (with keys and revisions) attackers made for
    themselves; no task or tag gained or lost a link."""
    for kind, rows, earlier in (
        ("task", after.tasks, before.tasks),
        ("tag", after.tags, before.tags),
    ):
        made = {id_: user for (made_kind, id_), user in created.items() if made_kind == kind}
        assert {id_: row for id_, row in rows.items() if id_ not in made} == earlier, kind
        assert all(rows[id_]["user_id"] == user for id_, user in made.items()), kind
    assert after.links == before.links
    assert before.keys <= after.keys
    assert {key[0] for key in after.keys - before.keys} <= set(created.values())
    creators = set(created.values())
    unchanged = {user: rev for user, rev in after.revisions.items() if user not in creators}
    assert unchanged == {u: rev for u, rev in before.revisions.items() if u not in creators}


def assert_unreadable(response: httpx.Response, victim: Victim) -> None:
    for secret in victim.secrets:
        assert secret not in response.text, (response.request.url, response.text)


def no_headers(_: Victim) -> dict[str, str]:
    return {}


def grouped(creates: dict[str, bool]) -> dict[str, list[str]]:
    """All attempts that change nothing in one group (one set of victims serves them all);
    each attempt that creates in a group of its own (each uses the victims' keys once)."""
    return {
        "reads and writes": [name for name, creating in creates.items() if not creating],
        **{name: [name] for name, creating in creates.items() if creating},
    }


@contextmanager
def noted(note: str) -> Iterator[None]:
    """Name the attempt and the pair in the report of a failing assertion."""
    try:
        yield
    except AssertionError as error:
        error.add_note(note)
        raise


Attack = Callable[[str, Victim, Created], Awaitable[None]]


async def every_pair(
    app: FastAPI, victims: dict[str, Victim], name: str, attack: Attack, *, creates: bool
) -> None:
    """`attack` by every attacker on every victim; then the database must hold nothing new but
    the attackers' own tasks (when the attempt `creates`), and nothing changed."""
    before = await state(app)
    created: Created = {}
    with noted(f"attempt: {name}"):
        for attacker, victim in PAIRS:
            with noted(f"attacker {attacker!r}, victim {victim!r}"):
                await attack(attacker, victims[victim], created)
        assert_only_creators_gained(before, await state(app), created)
        # Each attacker made its own task once per victim, or nothing at all.
        assert sorted(created.values()) == sorted(a for a, _ in PAIRS if creates)


# --- REST -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestAttempt:
    """A request on the victim's task or tag (`{id}`, `{tag}` in `suffix`), or a list, made as
    the attacker; `{own}` in `suffix` is the attacker's own task."""

    method: str
    suffix: str
    body: Callable[[Victim], Any] = lambda _: None
    headers: Callable[[Victim], dict[str, str]] = no_headers
    # Under the attacker's own path: 404 for the victim's task; the list and creates work.
    own_status: int = 404
    base: str = "tasks"  # or "tags"
    # The answer under the attacker's own path, from (attacker, victim), where not the default.
    own_answer: Callable[[Victim, Victim], Any] | None = None


def tag_not_found(_: Victim, victim: Victim) -> dict[str, str]:
    return error_json(f"Tag {victim.tag_id} not found")


def tags_not_found(_: Victim, victim: Victim) -> dict[str, Any]:
    problem = {
        "loc": ["body", "tag_ids"],
        "msg": f"tag {victim.tag_id} not found",
        "type": "value_error",
    }
    return {"detail": [problem], "message": f"tag_ids: tag {victim.tag_id} not found"}


def its_tag(victim: Victim) -> dict[str, list[int]]:
    return {"tag_ids": [victim.tag_id]}


def if_match(offset: int = 0) -> Callable[[Victim], dict[str, str]]:
    return lambda victim: {"If-Match": victim.etag(offset)}


def header(name: str, value: str) -> Callable[[Victim], dict[str, str]]:
    return lambda _: {name: value}


CHANGE = {"title": "pwned", "description": "pwned", "completed": True, "priority": "low"}
GRAPHQL_CHANGE = {**CHANGE, "priority": "LOW"}
REST_ATTEMPTS: dict[str, RestAttempt] = {
    "list": RestAttempt("GET", "", own_status=200),
    "list If-None-Match its ETag": RestAttempt(
        "GET", "", headers=lambda v: {"If-None-Match": v.list_etag}, own_status=200
    ),
    "create": RestAttempt("POST", "", body=lambda v: v.body, own_status=201),
    "create with its Idempotency-Key and body": RestAttempt(
        "POST",
        "",
        body=lambda v: v.body,
        headers=lambda v: {"Idempotency-Key": v.key},
        own_status=201,
    ),
    "create with its Idempotency-Key, another body": RestAttempt(
        "POST",
        "",
        body=lambda _: {"title": "mine"},
        headers=lambda v: {"Idempotency-Key": v.key},
        own_status=201,
    ),
    "read": RestAttempt("GET", "/{id}"),
    "read If-None-Match its ETag": RestAttempt(
        "GET", "/{id}", headers=lambda v: {"If-None-Match": v.etag()}
    ),
    "read If-None-Match *": RestAttempt("GET", "/{id}", headers=header("If-None-Match", "*")),
    "put": RestAttempt("PUT", "/{id}", body=lambda _: CHANGE),
    "put If-Match": RestAttempt("PUT", "/{id}", body=lambda _: CHANGE, headers=if_match()),
    "patch": RestAttempt("PATCH", "/{id}", body=lambda _: CHANGE),
    "patch If-Match *": RestAttempt(
        "PATCH", "/{id}", body=lambda _: CHANGE, headers=header("If-Match", "*")
    ),
    "patch If-Match stale": RestAttempt(
        "PATCH", "/{id}", body=lambda _: CHANGE, headers=if_match(-1)
    ),
    "delete": RestAttempt("DELETE", "/{id}"),
    "delete If-Match": RestAttempt("DELETE", "/{id}", headers=if_match()),
    "delete If-Match stale": RestAttempt("DELETE", "/{id}", headers=if_match(-1)),
    "complete": RestAttempt("PATCH", "/{id}/complete"),
    "complete true": RestAttempt("PATCH", "/{id}/complete", body=lambda _: {"completed": True}),
    "complete If-Match": RestAttempt("PATCH", "/{id}/complete", headers=if_match()),
    "toggle": RestAttempt("PATCH", "/{id}/toggle"),
    "toggle If-Match": RestAttempt("PATCH", "/{id}/toggle", headers=if_match()),
    "toggle If-Match stale": RestAttempt("PATCH", "/{id}/toggle", headers=if_match(+1)),
    "list filtered by its tag": RestAttempt(
        "GET", "?tag_ids={tag}", own_status=200, own_answer=lambda *_: []
    ),
    "set its task's tags": RestAttempt("PUT", "/{id}/tags", body=lambda _: {"tag_ids": []}),
    "set its task's tags If-Match": RestAttempt(
        "PUT", "/{id}/tags", body=lambda _: {"tag_ids": []}, headers=if_match()
    ),
    "set its task's tags to its tag": RestAttempt("PUT", "/{id}/tags", body=its_tag),
    "set my task's tags to its tag": RestAttempt(
        "PUT", "/{own}/tags", body=its_tag, own_status=422, own_answer=tags_not_found
    ),
    "patch my task with its tag": RestAttempt(
        "PATCH", "/{own}", body=its_tag, own_status=422, own_answer=tags_not_found
    ),
    "create with its tag": RestAttempt(
        "POST",
        "",
        body=lambda v: {"title": "mine", **its_tag(v)},
        own_status=422,
        own_answer=tags_not_found,
    ),
    "tags": RestAttempt(
        "GET", "", base="tags", own_status=200, own_answer=lambda mine, _: [mine.tag]
    ),
    "tags If-None-Match its ETag": RestAttempt(
        "GET",
        "",
        base="tags",
        headers=lambda v: {"If-None-Match": v.tags_etag},
        own_status=200,
        own_answer=lambda mine, _: [mine.tag],
    ),
    "create tag with its name": RestAttempt(
        "POST", "", base="tags", body=lambda v: {"name": v.tag["name"]}, own_status=201
    ),
    "put tag": RestAttempt(
        "PUT", "/{tag}", base="tags", body=lambda _: {"name": "pwned"}, own_answer=tag_not_found
    ),
    "patch tag": RestAttempt(
        "PATCH",
        "/{tag}",
        base="tags",
        body=lambda _: {"name": "pwned", "color": "#000000"},
        own_answer=tag_not_found,
    ),
    "patch tag, empty": RestAttempt(
        "PATCH", "/{tag}", base="tags", body=lambda _: {}, own_answer=tag_not_found
    ),
    "delete tag": RestAttempt("DELETE", "/{tag}", base="tags", own_answer=tag_not_found),
}


async def send(
    http: httpx.AsyncClient, attempt: RestAttempt, path_user: str, mine: Victim, victim: Victim
) -> httpx.Response:
    base = (tags_url if attempt.base == "tags" else tasks_url)(path_user)
    url = base + attempt.suffix.format(id=victim.id, tag=victim.tag_id, own=mine.id)
    return await http.request(
        attempt.method,
        url,
        json=attempt.body(victim),
        headers={**auth(mine.user), **attempt.headers(victim)},
    )


def check_own_path_answer(
    response: httpx.Response,
    attempt: RestAttempt,
    attacker: Victim,
    victim: Victim,
    created: Created,
) -> None:
    """What the attacker gets under its own path: its own things only."""
    assert response.status_code == attempt.own_status, response.text
    if attempt.own_answer is not None:
        assert response.json() == attempt.own_answer(attacker, victim)
    elif attempt.own_status == 404:
        assert response.json() == error_json(f"Task {victim.id} not found")
    elif attempt.own_status == 200:
        assert response.json() == [attacker.task]
        assert response.headers["X-Total-Count"] == "1"
    elif attempt.base == "tags":
        tag = response.json()
        assert (tag["name"], tag["task_count"]) == (victim.tag["name"], 0)
        assert tag["id"] not in (victim.tag_id, attacker.tag_id)
        created[("tag", tag["id"])] = attacker.user
        return
    else:
        task = response.json()
        assert (task["user_id"], task["version"], task["tags"]) == (attacker.user, 1, [])
        assert task["id"] not in (victim.id, attacker.id)
        assert REPLAYED not in response.headers
        created[("task", task["id"])] = attacker.user
        return
    assert_unreadable(response, victim)


def rest_attack(
    http: httpx.AsyncClient, victims: dict[str, Victim], attempt: RestAttempt
) -> Attack:
    async def attack(attacker: str, victim: Victim, created: Created) -> None:
        theirs = await send(http, attempt, victim.user, victims[attacker], victim)
        assert (theirs.status_code, theirs.json()) == (403, FORBIDDEN)
        mine = await send(http, attempt, attacker, victims[attacker], victim)
        check_own_path_answer(mine, attempt, victims[attacker], victim, created)

    return attack


REST_GROUPS = grouped({name: a.own_status == 201 for name, a in REST_ATTEMPTS.items()})


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("group", REST_GROUPS.keys())
async def test_rest_routes_never_reach_another_users_task(
    app: FastAPI, client: httpx.AsyncClient, group: str, kind: str
) -> None:
    victims = await plant(client, kind)
    for name in REST_GROUPS[group]:
        attempt = REST_ATTEMPTS[name]
        attack = rest_attack(client, victims, attempt)
        await every_pair(app, victims, name, attack, creates=attempt.own_status == 201)


# --- GraphQL --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GraphQLAttempt:
    """An operation on the victim's task or tag (or looking for them), made with the attacker's
    token; `variables` from the victim, or from (attacker, victim) with `mine`."""

    document: str
    variables: Callable[..., dict[str, Any]]
    # Or "LIST" (only the attacker's own tasks), "TAGS" (its own tags), "CREATE" (a new task),
    # "CREATE_TAG", "BAD_TAG" (refused: the tag is none of the attacker's), "TAG_NOT_FOUND".
    expect: str = "NOT_FOUND"
    mine: bool = False


def on_task(**variables: Any) -> Callable[[Victim], dict[str, Any]]:
    """The victim's id, with `expectedVersion` given as an offset from its current version."""

    def make(victim: Victim) -> dict[str, Any]:
        values = {"id": str(victim.id), **variables}
        if "expectedVersion" in values:
            values["expectedVersion"] += victim.task["version"]
        return values

    return make


NEXT_OF_TASK = "query($id: ID!) { task(id: $id) { id nextOccurrence { id title } } }"
NEXT_OF_TASKS = (
    "query($first: Int) { tasks(first: $first) "
    "{ totalCount edges { node { id nextOccurrence { id title } } } } }"
)
GRAPHQL_ATTEMPTS: dict[str, GraphQLAttempt] = {
    "task": GraphQLAttempt(GET, on_task()),
    "task nextOccurrence": GraphQLAttempt(NEXT_OF_TASK, on_task()),
    "tasks nextOccurrence": GraphQLAttempt(NEXT_OF_TASKS, lambda _: {"first": 100}, "LIST"),
    "tasks searching its title": GraphQLAttempt(
        LIST, lambda v: {"filter": {"search": v.body["title"]}}, "LIST"
    ),
    "tasks searching a wildcard": GraphQLAttempt(
        LIST, lambda _: {"filter": {"search": "%"}, "first": 100}, "LIST"
    ),
    "createTask with its idempotencyKey and input": GraphQLAttempt(
        CREATE, lambda v: {"input": {**v.body, "idempotencyKey": v.key}}, "CREATE"
    ),
    "createTask with its idempotencyKey, another input": GraphQLAttempt(
        CREATE, lambda v: {"input": {"title": "mine", "idempotencyKey": v.key}}, "CREATE"
    ),
    "updateTask": GraphQLAttempt(UPDATE, on_task(input=GRAPHQL_CHANGE)),
    "updateTask expectedVersion": GraphQLAttempt(
        UPDATE, on_task(input=GRAPHQL_CHANGE, expectedVersion=0)
    ),
    "updateTask expectedVersion stale": GraphQLAttempt(
        UPDATE, on_task(input=GRAPHQL_CHANGE, expectedVersion=-1)
    ),
    "deleteTask": GraphQLAttempt(DELETE, on_task()),
    "deleteTask expectedVersion": GraphQLAttempt(DELETE, on_task(expectedVersion=0)),
    "deleteTask expectedVersion stale": GraphQLAttempt(DELETE, on_task(expectedVersion=-1)),
    "toggleTask": GraphQLAttempt(TOGGLE, on_task()),
    "toggleTask completed": GraphQLAttempt(TOGGLE, on_task(completed=True)),
    "toggleTask expectedVersion": GraphQLAttempt(TOGGLE, on_task(expectedVersion=0)),
    "toggleTask expectedVersion stale": GraphQLAttempt(TOGGLE, on_task(expectedVersion=+1)),
    "tasks filtered by its tag": GraphQLAttempt(
        LIST, lambda v: {"filter": {"tags": {"ids": [str(v.tag_id)]}}}, "LIST"
    ),
    "setTaskTags": GraphQLAttempt(SET_TASK_TAGS, on_task(tagIds=[])),
    "setTaskTags expectedVersion": GraphQLAttempt(
        SET_TASK_TAGS, on_task(tagIds=[], expectedVersion=0)
    ),
    "setTaskTags to its tag": GraphQLAttempt(
        SET_TASK_TAGS, lambda v: {"id": str(v.id), "tagIds": [str(v.tag_id)]}
    ),
    "setTaskTags of mine to its tag": GraphQLAttempt(
        SET_TASK_TAGS,
        lambda mine, v: {"id": str(mine.id), "tagIds": [str(v.tag_id)]},
        "BAD_TAG",
        mine=True,
    ),
    "updateTask of mine with its tag": GraphQLAttempt(
        UPDATE,
        lambda mine, v: {"id": str(mine.id), "input": {"tagIds": [str(v.tag_id)]}},
        "BAD_TAG",
        mine=True,
    ),
    "createTask with its tag": GraphQLAttempt(
        CREATE, lambda v: {"input": {"title": "mine", "tagIds": [str(v.tag_id)]}}, "BAD_TAG"
    ),
    "tags": GraphQLAttempt(TAGS, lambda _: {}, "TAGS"),
    "createTag with its name": GraphQLAttempt(
        CREATE_TAG, lambda v: {"input": {"name": v.tag["name"]}}, "CREATE_TAG"
    ),
    "updateTag": GraphQLAttempt(
        UPDATE_TAG,
        lambda v: {"id": str(v.tag_id), "input": {"name": "pwned", "color": "#000000"}},
        "TAG_NOT_FOUND",
    ),
    "updateTag, empty": GraphQLAttempt(
        UPDATE_TAG, lambda v: {"id": str(v.tag_id), "input": {}}, "TAG_NOT_FOUND"
    ),
    "deleteTag": GraphQLAttempt(DELETE_TAG, lambda v: {"id": str(v.tag_id)}, "TAG_NOT_FOUND"),
}


def check_graphql_answer(
    body: dict[str, Any],
    attempt: GraphQLAttempt,
    attacker: Victim,
    victim: Victim,
    created: Created,
) -> None:
    if attempt.expect in ("NOT_FOUND", "TAG_NOT_FOUND", "BAD_TAG"):
        (error,) = body["errors"]
        if attempt.expect == "BAD_TAG":
            assert error["extensions"]["code"] == "BAD_USER_INPUT"
            assert error["message"] == f"tagIds: tag {victim.tag_id} not found"
        else:
            missing = victim.id if attempt.expect == "NOT_FOUND" else victim.tag_id
            assert error["extensions"] == {"code": "NOT_FOUND", "id": str(missing)}
        assert not any((body["data"] or {}).values()), body  # {"task": null} or null
    elif attempt.expect == "TAGS":
        (tag,) = body["data"]["tags"]
        assert (int(tag["id"]), tag["name"]) == (attacker.tag_id, attacker.tag["name"])
    elif attempt.expect == "CREATE_TAG":
        tag = body["data"]["createTag"]
        assert int(tag["id"]) not in (victim.tag_id, attacker.tag_id)
        assert (tag["name"], tag["taskCount"]) == (victim.tag["name"], 0)
        created[("tag", int(tag["id"]))] = attacker.user
        return
    elif attempt.expect == "LIST":
        page = body["data"]["tasks"]
        ids = {edge["node"]["id"] for edge in page["edges"]}
        assert ids <= {str(attacker.id)}
        assert page["totalCount"] == len(ids)
    else:
        task = body["data"]["createTask"]
        assert int(task["id"]) not in (victim.id, attacker.id)
        assert (task["version"], task["tags"]) == (1, [])
        created[("task", int(task["id"]))] = attacker.user
        return
    for secret in victim.secrets:
        assert secret not in str(body)


def graphql_attack(
    http: httpx.AsyncClient, victims: dict[str, Victim], attempt: GraphQLAttempt
) -> Attack:
    async def attack(attacker: str, victim: Victim, created: Created) -> None:
        mine = victims[attacker]
        variables = attempt.variables(mine, victim) if attempt.mine else attempt.variables(victim)
        body = await GraphQL(http, attacker).execute(attempt.document, **variables)
        check_graphql_answer(body, attempt, mine, victim, created)

    return attack


GRAPHQL_GROUPS = grouped(
    {name: a.expect in ("CREATE", "CREATE_TAG") for name, a in GRAPHQL_ATTEMPTS.items()}
)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("group", GRAPHQL_GROUPS.keys())
async def test_graphql_operations_never_reach_another_users_task(
    app: FastAPI, client: httpx.AsyncClient, group: str, kind: str
) -> None:
    victims = await plant(client, kind)
    for name in GRAPHQL_GROUPS[group]:
        attempt = GRAPHQL_ATTEMPTS[name]
        attack = graphql_attack(client, victims, attempt)
        creates = attempt.expect in ("CREATE", "CREATE_TAG")
        await every_pair(app, victims, name, attack, creates=creates)
