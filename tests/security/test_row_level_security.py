"""Row level security on PostgreSQL, under a role it applies to (not the superuser tests use).

Even a query that forgot its owner filter returns, and may write, only the transaction's user's
tasks; without a user it sees nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, func, insert, select, update

from api.app import create_app
from api.settings import ConfigurationError, Settings
from db.models import Tag, Task, TaskTag
from db.statements import Statement
from db.store import Owner, Row
from tests.support.auth import auth
from tests.support.databases import app_as_role, close_services, services_of
from tests.support.graphql_client import CREATE, LIST, GraphQL
from tests.support.rest_client import create, create_tag, tags_url, tasks_url

ROLE = "todo_app_test"
# PostgreSQL only: the database fixture's other backend does not apply here.
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

GRANTS = [
    f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {ROLE}",
    f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {ROLE}",
]

# Statements with no owner condition at all: only the policy scopes them.
UNFILTERED = Statement(select(Task.user_id, Task.title).order_by(Task.id))
RENAME_ALL = Statement(update(Task).values(title="mallory's").returning(Task.id))
DELETE_ALL = Statement(delete(Task).returning(Task.id))
FORGED = Statement(
    insert(Task).values(
        user_id="someone-else",
        title="planted",
        completed=False,
        priority="low",
        created_at=func.now(),
        updated_at=func.now(),
        version=1,
    )
)


UNFILTERED_TAGS = Statement(select(Tag.user_id, Tag.name).order_by(Tag.id))
UNFILTERED_LINKS = Statement(select(TaskTag.user_id, TaskTag.task_id).order_by(TaskTag.task_id))
RENAME_ALL_TAGS = Statement(update(Tag).values(name="mallory's").returning(Tag.id))
UNLINK_ALL = Statement(delete(TaskTag).returning(TaskTag.tag_id))


def _user(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:6]}"


async def _rows(fetched: Awaitable[list[Row]]) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in await fetched]


@pytest.fixture
async def rls_app(
    database_url: str, make_settings: Callable[..., Settings]
) -> AsyncIterator[FastAPI]:
    """The app connected as a role that row level security applies to."""
    async with app_as_role(ROLE, database_url, make_settings, *GRANTS) as app:
        yield app


@pytest.fixture
async def rls_client(rls_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=rls_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def test_the_api_works_under_row_level_security(rls_client: httpx.AsyncClient) -> None:
    alice, bob = f"alice-{uuid.uuid4().hex[:6]}", f"bob-{uuid.uuid4().hex[:6]}"
    task = await create(rls_client, alice, title="mine")
    toggled = await rls_client.patch(tasks_url(alice, task["id"], "toggle"), headers=auth(alice))
    assert toggled.status_code == 200
    assert toggled.json()["completed"] is True
    listed = await GraphQL(rls_client, alice).data(LIST)
    assert [edge["node"]["title"] for edge in listed["tasks"]["edges"]] == ["mine"]
    await GraphQL(rls_client, bob).data(CREATE, input={"title": "theirs"})
    assert (await GraphQL(rls_client, bob).data(LIST))["tasks"]["totalCount"] == 1


async def test_a_query_that_forgot_its_owner_filter_leaks_nothing(
    rls_app: FastAPI, rls_client: httpx.AsyncClient
) -> None:
    alice, bob = _user("alice"), _user("bob")
    await create(rls_client, alice, title="alice's")
    await create(rls_client, bob, title="bob's")
    store = services_of(rls_app).store
    assert await _rows(Owner(store, alice).fetch(UNFILTERED)) == [(alice, "alice's")]
    async with Owner(store, bob).transaction() as transaction:
        assert await _rows(transaction.fetch(UNFILTERED)) == [(bob, "bob's")]
    # A connection that names no user (the engine's, not the store's) sees nothing.
    async with services_of(rls_app).engine.connect() as connection:
        assert (await connection.execute(select(func.count()).select_from(Task))).scalar() == 0


async def test_a_write_that_forgot_its_owner_filter_reaches_only_the_owners_tasks(
    rls_app: FastAPI, rls_client: httpx.AsyncClient
) -> None:
    alice, mallory = _user("alice"), _user("mallory")
    await create(rls_client, alice, title="alice's")
    mallorys = await create(rls_client, mallory, title="mallory's own")
    store = services_of(rls_app).store
    assert await _rows(Owner(store, mallory).fetch(RENAME_ALL)) == [(mallorys["id"],)]
    async with Owner(store, mallory).transaction() as transaction:
        assert await _rows(transaction.fetch(DELETE_ALL)) == [(mallorys["id"],)]
    assert await _rows(Owner(store, alice).fetch(UNFILTERED)) == [(alice, "alice's")]
    assert await Owner(store, mallory).fetch(UNFILTERED) == []


async def test_a_write_for_another_user_is_refused(rls_app: FastAPI, app: FastAPI) -> None:
    mallory = Owner(services_of(rls_app).store, _user("mallory"))
    with pytest.raises(asyncpg.PostgresError, match="row-level security"):
        await mallory.fetch(FORGED)
    with pytest.raises(asyncpg.PostgresError, match="row-level security"):
        async with mallory.transaction() as transaction:
            await transaction.fetch(FORGED)
    # The superuser's app bypasses the policy: it would see a planted row.
    async with services_of(app).engine.connect() as connection:
        planted = select(func.count()).select_from(Task).where(Task.title == "planted")
        assert (await connection.execute(planted)).scalar() == 0


async def test_a_role_under_the_policy_without_the_setting_refuses_to_start(
    rls_app: FastAPI, database_url: str, make_settings: Callable[..., Settings]
) -> None:
    url = database_url.replace("postgres@", f"{ROLE}@", 1)
    app = create_app(make_settings(database_url=url, database_row_level_security=False))
    try:
        with pytest.raises(ConfigurationError, match="DATABASE_ROW_LEVEL_SECURITY=true"):
            async with app.router.lifespan_context(app):
                pass
    finally:
        await close_services(app)


async def test_a_superuser_starts_without_the_setting(app: FastAPI) -> None:
    async with app.router.lifespan_context(app):
        pass


async def test_tags_work_under_row_level_security(rls_client: httpx.AsyncClient) -> None:
    """Tag writes, and their triggers bumping the tasks' versions, under the policy."""
    alice = _user("alice")
    work = await create_tag(rls_client, alice, name="Work")
    task = await create(rls_client, alice, tag_ids=[work["id"]])
    assert task["tags"][0]["name"] == "Work"
    renamed = await rls_client.patch(
        tags_url(alice, work["id"]), json={"name": "Job"}, headers=auth(alice)
    )
    assert renamed.json()["task_count"] == 1
    read = await rls_client.get(tasks_url(alice, task["id"]), headers=auth(alice))
    assert (read.json()["tags"][0]["name"], read.json()["version"]) == ("Job", 2)
    await rls_client.delete(tags_url(alice, work["id"]), headers=auth(alice))
    read = await rls_client.get(tasks_url(alice, task["id"]), headers=auth(alice))
    assert (read.json()["tags"], read.json()["version"]) == ([], 3)


async def test_tags_and_links_without_an_owner_filter_reach_only_the_owners(
    rls_app: FastAPI, rls_client: httpx.AsyncClient
) -> None:
    alice, mallory = _user("alice"), _user("mallory")
    alices = await create_tag(rls_client, alice, name="alice's")
    task = await create(rls_client, alice, tag_ids=[alices["id"]])
    mallorys = await create_tag(rls_client, mallory, name="mallory's own")
    store = services_of(rls_app).store
    assert await _rows(Owner(store, mallory).fetch(UNFILTERED_TAGS)) == [(mallory, "mallory's own")]
    assert await Owner(store, mallory).fetch(UNFILTERED_LINKS) == []
    assert await _rows(Owner(store, mallory).fetch(RENAME_ALL_TAGS)) == [(mallorys["id"],)]
    async with Owner(store, mallory).transaction() as transaction:
        assert await transaction.fetch(UNLINK_ALL) == []
    assert await _rows(Owner(store, alice).fetch(UNFILTERED_TAGS)) == [(alice, "alice's")]
    assert await _rows(Owner(store, alice).fetch(UNFILTERED_LINKS)) == [(alice, task["id"])]
    async with services_of(rls_app).engine.connect() as connection:
        for table in (Tag, TaskTag):
            count = select(func.count()).select_from(table)
            assert (await connection.execute(count)).scalar() == 0
