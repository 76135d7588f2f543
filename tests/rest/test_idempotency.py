"""Idempotent create: Idempotency-Key (REST) and idempotencyKey (GraphQL), retries and expiry."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import insert, select, update

from db import idempotency
from db.models import IdempotencyKey
from tests.support.auth import auth
from tests.support.databases import services_of
from tests.support.graphql_client import CREATE, GraphQL
from tests.support.rest_client import create, error_locations, listed, tasks_url

REPLAYED = "Idempotent-Replayed"


def new_key() -> str:
    return f"key-{uuid4()}"


async def post(
    http: httpx.AsyncClient, user_id: str, key: str | bytes, **fields: Any
) -> httpx.Response:
    """POST a task as `user_id` with an Idempotency-Key (title "Task" unless given)."""
    return await http.post(
        tasks_url(user_id),
        json={"title": "Task", **fields},
        headers=[
            *((name.encode(), value.encode()) for name, value in auth(user_id).items()),
            (b"Idempotency-Key", key if isinstance(key, bytes) else key.encode()),
        ],
    )


async def count(http: httpx.AsyncClient, user_id: str) -> int:
    return (await listed(http, user_id))[1]


async def list_etag(http: httpx.AsyncClient, user_id: str) -> str:
    response = await http.get(tasks_url(user_id), headers=auth(user_id))
    return response.headers["ETag"]


# --- REST ---------------------------------------------------------------------------------


async def test_a_retry_answers_with_the_first_task_and_creates_nothing(
    client: httpx.AsyncClient,
) -> None:
    key = new_key()
    first = await post(client, "alice", key, description="d", priority="high")
    assert first.status_code == 201, first.text
    assert REPLAYED not in first.headers
    after_first = await list_etag(client, "alice")

    retry = await post(client, "alice", key, description="d", priority="high")
    assert (retry.status_code, retry.json()) == (201, first.json())
    assert (retry.headers[REPLAYED], retry.headers["ETag"]) == ("true", '"1"')
    assert await count(client, "alice") == 1
    assert await list_etag(client, "alice") == after_first  # a replay writes nothing

    # The same request after normalisation (the title is stripped) is the same request.
    padded = await post(client, "alice", key, title="  Task ", description="d", priority="high")
    assert (padded.status_code, padded.json()["id"]) == (201, first.json()["id"])
    assert padded.headers[REPLAYED] == "true"


async def test_a_key_with_another_body_is_409_and_creates_nothing(
    client: httpx.AsyncClient,
) -> None:
    key = new_key()
    first = await post(client, "alice", key)
    for fields in ({"title": "Other"}, {"priority": "low"}, {"description": "more"}):
        reused = await post(client, "alice", key, **fields)
        assert reused.status_code == 409, reused.text
        assert "Idempotency-Key" in reused.json()["detail"]
        assert REPLAYED not in reused.headers
    assert (await listed(client, "alice"))[0] == [first.json()]


async def test_the_same_key_of_different_users_never_collides(
    client: httpx.AsyncClient,
) -> None:
    key = new_key()
    alices = await post(client, "alice", key, title="Alice's")
    bobs = await post(client, "bob", key, title="Bob's")
    assert (alices.status_code, bobs.status_code) == (201, 201)
    assert REPLAYED not in bobs.headers
    assert bobs.json()["id"] != alices.json()["id"]
    assert (bobs.json()["user_id"], bobs.json()["title"]) == ("bob", "Bob's")
    again = await post(client, "alice", key, title="Alice's")
    assert (again.json(), again.headers[REPLAYED]) == (alices.json(), "true")
    assert (await count(client, "alice"), await count(client, "bob")) == (1, 1)


async def test_a_key_whose_task_was_deleted_is_409(client: httpx.AsyncClient) -> None:
    key = new_key()
    first = await post(client, "alice", key)
    url = tasks_url("alice", first.json()["id"])
    assert (await client.delete(url, headers=auth("alice"))).status_code == 200
    retry = await post(client, "alice", key)
    assert retry.status_code == 409, retry.text
    assert await count(client, "alice") == 0


async def test_twenty_concurrent_posts_with_one_key_create_one_task(
    client: httpx.AsyncClient,
) -> None:
    key = new_key()
    answers = await asyncio.gather(*(post(client, "alice", key) for _ in range(20)))
    assert [answer.status_code for answer in answers] == [201] * 20, [a.text for a in answers]
    (task,) = (await listed(client, "alice"))[0]
    assert {answer.json()["id"] for answer in answers} == {task["id"]}
    replays = [answer.headers.get(REPLAYED) for answer in answers]
    assert (replays.count("true"), replays.count(None)) == (19, 1)


@pytest.mark.parametrize(
    "key",
    ["", " ", "k" * 256, "has space", b"caf\xe9", "tab\there", "del\x7f"],
    ids=["empty", "blank", "too-long", "space", "latin-1", "tab", "del"],
)
async def test_an_invalid_key_is_422_naming_the_header(
    client: httpx.AsyncClient, key: str | bytes
) -> None:
    response = await post(client, "alice", key)
    assert error_locations(response) == [["header", "idempotency-key"]]
    assert await count(client, "alice") == 0


async def test_any_visible_ascii_key_up_to_255_characters_is_accepted(
    client: httpx.AsyncClient,
) -> None:
    visible = "".join(chr(code) for code in range(0x21, 0x7F))
    for key in ("k" * 255, visible, "x"):
        unique = key[:-36] + str(uuid4()) if len(key) > 36 else key + str(uuid4())
        first = await post(client, "alice", unique)
        retry = await post(client, "alice", unique)
        assert (first.status_code, retry.status_code) == (201, 201), first.text
        assert (retry.json()["id"], retry.headers[REPLAYED]) == (first.json()["id"], "true")
    assert await count(client, "alice") == 3


# --- GraphQL ------------------------------------------------------------------------------


async def test_graphql_retries_answer_with_the_first_task(client: httpx.AsyncClient) -> None:
    gql = GraphQL(client, "alice")
    key = new_key()
    first = (await gql.data(CREATE, input={"title": "T", "idempotencyKey": key}))["createTask"]
    again = (await gql.data(CREATE, input={"title": "T", "idempotencyKey": key}))["createTask"]
    assert again == first
    # One key table for both transports: a REST retry of a GraphQL create replays it.
    rest = await post(client, "alice", key, title="T")
    assert (rest.json()["id"], rest.headers[REPLAYED]) == (int(first["id"]), "true")
    assert await count(client, "alice") == 1


async def test_graphql_key_with_another_input_is_conflict(client: httpx.AsyncClient) -> None:
    gql = GraphQL(client, "alice")
    key = new_key()
    await gql.data(CREATE, input={"title": "T", "idempotencyKey": key})
    body = await gql.execute(
        CREATE, input={"title": "T", "priority": "HIGH", "idempotencyKey": key}
    )
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "CONFLICT", "field": "idempotencyKey"}
    assert body["data"] is None
    bobs = await GraphQL(client, "bob").data(CREATE, input={"title": "B", "idempotencyKey": key})
    assert bobs["createTask"]["title"] == "B"  # another user's key never collides
    assert (await count(client, "alice"), await count(client, "bob")) == (1, 1)


async def test_twenty_concurrent_graphql_creates_with_one_key_create_one_task(
    client: httpx.AsyncClient,
) -> None:
    gql = GraphQL(client, "alice")
    variables = {"input": {"title": "T", "idempotencyKey": new_key()}}
    answers = await asyncio.gather(*(gql.data(CREATE, **variables) for _ in range(20)))
    (task,) = (await listed(client, "alice"))[0]
    assert {answer["createTask"]["id"] for answer in answers} == {str(task["id"])}


@pytest.mark.parametrize(
    "key", ["", " ", "k" * 256, "has space", "café", "line\n", "\x00"], ids=repr
)
async def test_graphql_invalid_key_is_bad_user_input(client: httpx.AsyncClient, key: str) -> None:
    body = await GraphQL(client, "alice").execute(
        CREATE, input={"title": "T", "idempotencyKey": key}
    )
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "idempotencyKey"}
    assert await count(client, "alice") == 0


# --- expiry -------------------------------------------------------------------------------


async def add_key(app: FastAPI, user_id: str, key: str, age: timedelta, task_id: int) -> None:
    """An idempotency key row made `age` ago, inserted directly."""
    async with services_of(app).engine.begin() as connection:
        await connection.execute(
            insert(IdempotencyKey).values(
                user_id=user_id,
                key=key,
                request_hash="0" * 64,
                task_id=task_id,
                created_at=datetime.now(UTC) - age,
            )
        )


async def stored_keys(app: FastAPI, *keys: str) -> set[str]:
    """Which of `keys` are still stored, for any user."""
    async with services_of(app).engine.connect() as connection:
        found = await connection.execute(
            select(IdempotencyKey.key).where(IdempotencyKey.key.in_(keys))
        )
        return set(found.scalars())


async def age_key(app: FastAPI, user_id: str, key: str, age: timedelta) -> None:
    async with services_of(app).engine.begin() as connection:
        aged = await connection.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
            .values(created_at=datetime.now(UTC) - age)
        )
        assert aged.rowcount == 1


EXPIRED = idempotency.KEY_LIFETIME + timedelta(hours=1)
FRESH = idempotency.KEY_LIFETIME - timedelta(hours=1)


async def test_a_keyed_create_forgets_its_owners_expired_keys_only(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idempotency, "GLOBAL_SWEEP_ONE_IN", 2**62)  # never the global sweep
    old, kept, bobs_old, bobs_fresh = (new_key() for _ in range(4))
    await add_key(app, "alice", old, EXPIRED, task_id=1)
    await add_key(app, "alice", kept, FRESH, task_id=1)
    await add_key(app, "bob", bobs_old, EXPIRED, task_id=1)
    await add_key(app, "bob", bobs_fresh, FRESH, task_id=1)
    made = new_key()
    assert (await post(client, "alice", made)).status_code == 201
    assert await stored_keys(app, old, kept, bobs_old, bobs_fresh, made) == {
        kept,
        bobs_old,
        bobs_fresh,
        made,
    }


async def test_the_global_sweep_forgets_everyones_expired_keys(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idempotency, "GLOBAL_SWEEP_ONE_IN", 1)
    bobs_old, bobs_fresh, carols_old = new_key(), new_key(), new_key()
    await add_key(app, "bob", bobs_old, EXPIRED, task_id=1)
    await add_key(app, "bob", bobs_fresh, FRESH, task_id=1)
    await add_key(app, "carol", carols_old, EXPIRED, task_id=1)
    made = new_key()
    assert (await post(client, "alice", made)).status_code == 201
    assert await stored_keys(app, bobs_old, bobs_fresh, carols_old, made) == {bobs_fresh, made}


async def test_a_key_replays_for_a_day_and_can_then_be_reused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    key = new_key()
    first = await post(client, "alice", key, title="First")
    await age_key(app, "alice", key, FRESH)
    assert (await post(client, "alice", key, title="First")).headers[REPLAYED] == "true"
    assert (await post(client, "alice", key, title="Second")).status_code == 409

    await age_key(app, "alice", key, EXPIRED)
    second = await post(client, "alice", key, title="Second")
    assert second.status_code == 201, second.text
    assert REPLAYED not in second.headers
    assert second.json()["id"] != first.json()["id"]
    retry = await post(client, "alice", key, title="Second")
    assert (retry.json()["id"], retry.headers[REPLAYED]) == (second.json()["id"], "true")
    assert await count(client, "alice") == 2


async def test_an_expired_key_from_graphql_can_be_reused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    gql = GraphQL(client, "alice")
    key = new_key()
    first = (await gql.data(CREATE, input={"title": "A", "idempotencyKey": key}))["createTask"]
    await age_key(app, "alice", key, EXPIRED)
    second = (await gql.data(CREATE, input={"title": "B", "idempotencyKey": key}))["createTask"]
    assert second["id"] != first["id"]
    assert [task["title"] for task in (await listed(client, "alice"))[0]] == ["B", "A"]


async def test_a_task_without_a_key_is_created_every_time(client: httpx.AsyncClient) -> None:
    for _ in range(2):
        await create(client, "alice")
    assert await count(client, "alice") == 2
