"""Row level security on PostgreSQL, under a role it applies to (not the superuser tests use).

Even a query that forgot its owner filter returns, and may write, only the transaction's user's
tasks; without a user it sees nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, insert, select
from sqlalchemy.exc import DBAPIError

from api.app import create_app
from api.settings import ConfigurationError, Settings
from db.models import Task
from tests.support.auth import auth
from tests.support.databases import app_as_role, close_services
from tests.support.graphql_client import CREATE, LIST, GraphQL
from tests.support.rest_client import create, tasks_url

ROLE = "todo_app_test"
# PostgreSQL only: the database fixture's other backend does not apply here.
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

GRANTS = [
    f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {ROLE}",
    f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {ROLE}",
]


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
    alice, bob = f"alice-{uuid.uuid4().hex[:6]}", f"bob-{uuid.uuid4().hex[:6]}"
    await create(rls_client, alice, title="alice's")
    await create(rls_client, bob, title="bob's")
    sessionmaker = rls_app.state.services.sessionmaker
    unfiltered = select(Task.user_id, Task.title)  # no owner condition at all
    async with sessionmaker(info={"owner_id": alice}) as session:
        rows = (await session.execute(unfiltered)).all()
    assert [tuple(row) for row in rows] == [(alice, "alice's")]
    async with sessionmaker(info={"owner_id": None}) as session:
        assert (await session.execute(select(func.count()).select_from(Task))).scalar() == 0


async def test_a_write_for_another_user_is_refused(rls_app: FastAPI) -> None:
    sessionmaker = rls_app.state.services.sessionmaker
    forged = insert(Task).values(
        user_id="someone-else",
        title="planted",
        completed=False,
        priority="low",
        created_at=func.now(),
        updated_at=func.now(),
        version=1,
    )
    async with sessionmaker(info={"owner_id": "mallory"}) as session:
        with pytest.raises(DBAPIError, match="row-level security"):
            await session.execute(forged)


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
