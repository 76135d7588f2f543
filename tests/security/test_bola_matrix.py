"""Broken object level authorization: every user tries every REST route (with its conditional and
idempotency headers) and every GraphQL operation on every other user's task.

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
from db.models import IdempotencyKey, Task, TaskListRevision
from tests.support.auth import auth
from tests.support.databases import services_of
from tests.support.errors import error_json
from tests.support.graphql_client import CREATE, DELETE, GET, LIST, TOGGLE, UPDATE, GraphQL
from tests.support.rest_client import as_read, tasks_url

USERS = ["alice", "bob", "Alice", "alice ", "alice%"]
# alice against each other user and each of them against alice: every sloppy comparison of an
# id with "alice" shows in one direction or the other (bob is the plainly different user).
PAIRS = [pair for user in USERS[1:] for pair in (("alice", user), (user, "alice"))]
FORBIDDEN = error_json("The user_id in the path is not the user this token belongs to")
REPLAYED = "Idempotent-Replayed"


@dataclass(frozen=True)
class Victim:
    """A user's task at version 2, as its owner last read it, and how it was made."""

    user: str
    task: dict[str, Any]
    body: dict[str, str]
    key: str
    list_etag: str

    @property
    def id(self) -> int:
        task_id: int = self.task["id"]
        return task_id

    @property
    def secrets(self) -> tuple[str, str]:
        return self.body["title"], self.body["description"]

    def etag(self, version_offset: int = 0) -> str:
        return f'"{self.task["version"] + version_offset}"'


# The victims' tasks recur, or not: completing another user's recurring task must create
# nothing either (the state comparison sees any new task).
RECURRING = {"due_date": "2030-01-07T09:00:00Z", "recurrence": "FREQ=WEEKLY;BYDAY=MO"}
KINDS = {"once": {}, "recurring": RECURRING}


async def plant(http: httpx.AsyncClient, kind: str) -> dict[str, Victim]:
    """One task per user, made with an Idempotency-Key and then edited once (made recurring,
    for the `recurring` kind)."""
    victims = {}
    for user in USERS:
        body = {"title": f"secret {uuid4()}", "description": f"diary {uuid4()}"}
        key = f"key-{uuid4()}"
        headers = {**auth(user), "Idempotency-Key": key}
        created = await http.post(tasks_url(user), json=body, headers=headers)
        assert created.status_code == 201, created.text
        url = tasks_url(user, created.json()["id"])
        edit = {"priority": "high", **KINDS[kind]}
        edited = await http.patch(url, json=edit, headers=auth(user))
        assert edited.json()["version"] == 2, edited.text
        listed = await http.get(tasks_url(user), headers=auth(user))
        assert listed.json() == [as_read(edited.json())]
        victims[user] = Victim(user, as_read(edited.json()), body, key, listed.headers["ETag"])
    return victims


@dataclass(frozen=True)
class State:
    """Every task row, every live idempotency key, every list revision."""

    tasks: dict[int, dict[str, Any]]
    keys: frozenset[tuple[Any, ...]]
    revisions: dict[str, int]


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
        return State(tasks, keys, {user: revision for user, revision in revisions})


def assert_only_creators_gained(before: State, after: State, created: dict[int, str]) -> None:
    """Nothing changed but the tasks (with keys and revisions) attackers made for themselves."""
    kept = {task_id: row for task_id, row in after.tasks.items() if task_id not in created}
    assert kept == before.tasks
    assert all(after.tasks[task_id]["user_id"] == user for task_id, user in created.items())
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


Attack = Callable[[str, Victim, dict[int, str]], Awaitable[None]]


async def every_pair(
    app: FastAPI, victims: dict[str, Victim], name: str, attack: Attack, *, creates: bool
) -> None:
    """`attack` by every attacker on every victim; then the database must hold nothing new but
    the attackers' own tasks (when the attempt `creates`), and nothing changed."""
    before = await state(app)
    created: dict[int, str] = {}
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
    """A request on the victim's task (`{id}` in `suffix`) or list, made as the attacker."""

    method: str
    suffix: str
    body: Callable[[Victim], Any] = lambda _: None
    headers: Callable[[Victim], dict[str, str]] = no_headers
    # Under the attacker's own path: 404 for the victim's task; the list and creates work.
    own_status: int = 404


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
}


async def send(
    http: httpx.AsyncClient, attempt: RestAttempt, path_user: str, attacker: str, victim: Victim
) -> httpx.Response:
    url = tasks_url(path_user) + attempt.suffix.format(id=victim.id)
    return await http.request(
        attempt.method,
        url,
        json=attempt.body(victim),
        headers={**auth(attacker), **attempt.headers(victim)},
    )


def check_own_path_answer(
    response: httpx.Response,
    attempt: RestAttempt,
    attacker: Victim,
    victim: Victim,
    created: dict[int, str],
) -> None:
    """What the attacker gets under its own path: its own things only."""
    assert response.status_code == attempt.own_status, response.text
    if attempt.own_status == 404:
        assert response.json() == error_json(f"Task {victim.id} not found")
    elif attempt.own_status == 200:
        assert response.json() == [attacker.task]
        assert response.headers["X-Total-Count"] == "1"
    else:
        task = response.json()
        assert (task["user_id"], task["version"]) == (attacker.user, 1)
        assert task["id"] not in (victim.id, attacker.id)
        assert REPLAYED not in response.headers
        created[task["id"]] = attacker.user
        return
    assert_unreadable(response, victim)


def rest_attack(
    http: httpx.AsyncClient, victims: dict[str, Victim], attempt: RestAttempt
) -> Attack:
    async def attack(attacker: str, victim: Victim, created: dict[int, str]) -> None:
        theirs = await send(http, attempt, victim.user, attacker, victim)
        assert (theirs.status_code, theirs.json()) == (403, FORBIDDEN)
        mine = await send(http, attempt, attacker, attacker, victim)
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
    """An operation on the victim's task (or looking for it), made with the attacker's token."""

    document: str
    variables: Callable[[Victim], dict[str, Any]]
    expect: str = "NOT_FOUND"  # or "LIST" (only the attacker's own), "CREATE" (a new task)


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
    "task nextOccurrence": GraphQLAttempt(NEXT_OF_TASK, on_task()),
    "tasks nextOccurrence": GraphQLAttempt(NEXT_OF_TASKS, lambda _: {"first": 100}, "LIST"),
}


def check_graphql_answer(
    body: dict[str, Any],
    attempt: GraphQLAttempt,
    attacker: Victim,
    victim: Victim,
    created: dict[int, str],
) -> None:
    if attempt.expect == "NOT_FOUND":
        (error,) = body["errors"]
        assert error["extensions"] == {"code": "NOT_FOUND", "id": str(victim.id)}
        assert not any((body["data"] or {}).values()), body  # {"task": null} or null
    elif attempt.expect == "LIST":
        page = body["data"]["tasks"]
        ids = {edge["node"]["id"] for edge in page["edges"]}
        assert ids <= {str(attacker.id)}
        assert page["totalCount"] == len(ids)
    else:
        task = body["data"]["createTask"]
        assert int(task["id"]) not in (victim.id, attacker.id)
        assert task["version"] == 1
        created[int(task["id"])] = attacker.user
        return
    for secret in victim.secrets:
        assert secret not in str(body)


def graphql_attack(
    http: httpx.AsyncClient, victims: dict[str, Victim], attempt: GraphQLAttempt
) -> Attack:
    async def attack(attacker: str, victim: Victim, created: dict[int, str]) -> None:
        body = await GraphQL(http, attacker).execute(attempt.document, **attempt.variables(victim))
        check_graphql_answer(body, attempt, victims[attacker], victim, created)

    return attack


GRAPHQL_GROUPS = grouped({name: a.expect == "CREATE" for name, a in GRAPHQL_ATTEMPTS.items()})


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("group", GRAPHQL_GROUPS.keys())
async def test_graphql_operations_never_reach_another_users_task(
    app: FastAPI, client: httpx.AsyncClient, group: str, kind: str
) -> None:
    victims = await plant(client, kind)
    for name in GRAPHQL_GROUPS[group]:
        attempt = GRAPHQL_ATTEMPTS[name]
        attack = graphql_attack(client, victims, attempt)
        await every_pair(app, victims, name, attack, creates=attempt.expect == "CREATE")
