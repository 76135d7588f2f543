"""A real database per backend per run (SQLite file and PostgreSQL), migrated with Alembic.

Each test gets a clean tasks table; tests talk to the real app over ASGI (or real HTTP).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete
from sqlalchemy.engine import make_url

from api.app import create_app
from api.deps import Services
from api.settings import Settings
from api.tokens import mint_token
from db.migrate import upgrade_async
from db.models import Task

TEST_SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# Set by the PgBouncer run (python -m tests.pgbouncer): the app under test reaches PostgreSQL
# through PgBouncer, while databases are created and migrated on the direct URL.
PGBOUNCER_URL = os.environ.get("TEST_PGBOUNCER_URL")

BACKENDS = ["sqlite", "postgresql"]


async def _create_postgres_database() -> str:
    name = f"todo_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        message = f"PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable: {error!r}"
        if IN_CI:
            pytest.fail(message + " (CI=true: a missing PostgreSQL is a failure)")
        pytest.skip(message + " (set CI=true to make this a failure)")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def app_database_url(direct_url: str) -> str:
    """The URL the app under test uses for a database: through PgBouncer in the PgBouncer run."""
    if PGBOUNCER_URL is None:
        return direct_url
    name = make_url(direct_url).database
    return make_url(PGBOUNCER_URL).set(database=name).render_as_string(hide_password=False)


async def _drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(scope="session", params=BACKENDS)
async def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A migrated, empty database of each backend, for the whole run."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'todo.db'}"
        await upgrade_async(url)
        yield url
        return
    url = await _create_postgres_database()
    await upgrade_async(url)
    yield app_database_url(url)
    await _drop_postgres_database(url)


@pytest.fixture(scope="session")
def make_settings(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., Settings]:
    """Settings for a test app; keyword arguments override the test defaults."""
    dev_secret = tmp_path_factory.mktemp("secret") / "dev-secret"

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": database_url,
            "better_auth_secret": TEST_SECRET,
            "dev_secret_file": str(dev_secret),
            **overrides,
        }
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return make


@pytest.fixture(scope="session")
async def app(make_settings: Callable[..., Settings]) -> AsyncIterator[FastAPI]:
    application = create_app(make_settings())
    yield application
    await services_of(application).engine.dispose()


def services_of(application: FastAPI) -> Services:
    services: Services = application.state.services
    return services


@pytest.fixture(autouse=True)
async def _empty_tasks_table(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    yield
    if "app" in request.fixturenames:
        application: FastAPI = request.getfixturevalue("app")
        async with services_of(application).sessionmaker() as session:
            await session.execute(delete(Task))
            await session.commit()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def token_for(user_id: str) -> str:
    return mint_token(TEST_SECRET, user_id)


def auth(user_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(user_id)}"}


@pytest.fixture
def backend(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


@pytest.fixture(scope="session")
def repo_root() -> Iterator[Path]:
    yield Path(__file__).resolve().parent.parent
