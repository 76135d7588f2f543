"""Fixtures only (helpers live in tests/support/): a real database per backend per run (a SQLite
file and a PostgreSQL database, migrated with Alembic), the app, and an ASGI client.

Every table is emptied after each test that used the app. Tests on the PostgreSQL backend are
marked `postgres`, so `make test-fast` can leave them out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete

from api.app import create_app
from api.settings import Settings
from db.migrate import upgrade_async
from db.models import Base
from tests.support.auth import TEST_SECRET
from tests.support.databases import (
    app_database_url,
    close_services,
    create_postgres_database,
    drop_postgres_database,
    services_of,
)

BACKENDS = ["sqlite", "postgresql"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that runs on the PostgreSQL backend `postgres`."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("database_url") == "postgresql":
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session", autouse=True)
def _state_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """XDG_STATE_HOME in a temporary directory for the run (and the subprocesses it starts):
    no test creates a development secret in the developer's own ~/.local/state."""
    state = tmp_path_factory.mktemp("state-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_STATE_HOME", str(state))
        yield state


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
    url = await create_postgres_database()
    await upgrade_async(url)
    yield app_database_url(url)
    await drop_postgres_database(url)


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
    await close_services(application)


@pytest.fixture(autouse=True)
async def _empty_tables(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Every table back to empty after a test that used the app: tasks, revisions, keys."""
    yield
    if "app" in request.fixturenames:
        application: FastAPI = request.getfixturevalue("app")
        async with services_of(application).engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(delete(table))


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def backend(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


@pytest.fixture(scope="session")
def repo_root() -> Iterator[Path]:
    yield Path(__file__).resolve().parent.parent
