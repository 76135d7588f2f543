"""A database role that may not use the tables (no GRANT after `todo-api migrate`), on PostgreSQL.

Every request then fails with "permission denied for table tasks" (SQLSTATE 42501): the service
answers the documented JSON (a 500: granting is an operator's fix, retrying will not help), shows
no SQL, says so in /ready, and logs it at start-up.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI

from api.settings import Settings
from tests.support.auth import auth
from tests.support.databases import app_as_role
from tests.support.errors import error_json
from tests.support.graphql_client import LIST
from tests.support.rest_client import tasks_url

ROLE = "todo_no_grants_test"
# PostgreSQL only: SQLite has no roles.
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
async def ungranted_app(
    database_url: str, make_settings: Callable[..., Settings]
) -> AsyncIterator[FastAPI]:
    """The app connected as a role that may log in but was granted nothing on the tables."""
    async with app_as_role(
        ROLE, database_url, make_settings, f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {ROLE}"
    ) as app:
        yield app


@pytest.fixture
async def ungranted(ungranted_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=ungranted_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def test_rest_answers_the_documented_json_500(ungranted: httpx.AsyncClient) -> None:
    response = await ungranted.get(tasks_url("ada"), headers=auth("ada"))
    assert response.status_code == 500, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == error_json("Internal server error")


async def test_graphql_shows_no_sql(ungranted: httpx.AsyncClient) -> None:
    response = await ungranted.post("/graphql", json={"query": LIST}, headers=auth("ada"))
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "permission denied for table" in error["message"]  # development shows the cause
    for sql in ("SELECT", "[SQL", "tasks.user_id", "ada"):
        assert sql not in error["message"]


async def test_ready_is_503_and_names_what_to_grant(ungranted: httpx.AsyncClient) -> None:
    response = await ungranted.get("/ready")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    body = response.json()
    assert body["status"] == "unavailable"
    assert f"role {ROLE}" in body["detail"]
    for table in ("tasks", "task_list_revisions", "idempotency_keys"):
        assert table in body["detail"]
    assert "SELECT, INSERT, UPDATE, DELETE" in body["detail"]


async def test_start_up_logs_an_error_that_names_the_grant(
    ungranted_app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with ungranted_app.router.lifespan_context(ungranted_app):
        pass
    [logged] = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert f"role {ROLE}" in logged.getMessage()
    assert "GRANT" in logged.getMessage()


async def test_a_granted_role_is_ready(app: FastAPI, client: httpx.AsyncClient) -> None:
    response = await client.get("/ready")
    assert response.json() == {"status": "ready"}
