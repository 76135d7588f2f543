"""Test databases: a PostgreSQL database per run (created, migrated, dropped), PgBouncer's URL."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from api.app import create_app
from api.deps import Services
from api.settings import Settings
from db.store import Owner
from tests.support.ci import require

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
# Set by the PgBouncer run (python -m tests.support.pgbouncer): the app under test reaches
# PostgreSQL through PgBouncer, while databases are created and migrated on the direct URL.
PGBOUNCER_URL = os.environ.get("TEST_PGBOUNCER_URL")


async def postgres_reachable() -> bool:
    try:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


async def create_postgres_database() -> str:
    """A new, empty database on the test PostgreSQL; its direct URL."""
    name = f"todo_test_{uuid.uuid4().hex[:12]}"
    require(await postgres_reachable(), f"PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable")
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def app_database_url(direct_url: str) -> str:
    """The URL the app under test uses for a database: through PgBouncer in the PgBouncer run."""
    if PGBOUNCER_URL is None:
        return direct_url
    name = make_url(direct_url).database
    return make_url(PGBOUNCER_URL).set(database=name).render_as_string(hide_password=False)


def services_of(application: FastAPI) -> Services:
    services: Services = application.state.services
    return services


async def close_services(application: FastAPI) -> None:
    """Close what an app opened without its lifespan: the store's pool and the engine's."""
    services = services_of(application)
    await services.store.close()
    await services.engine.dispose()


@asynccontextmanager
async def app_as_role(
    role: str, database_url: str, make_settings: Callable[..., Settings], *statements: str
) -> AsyncIterator[FastAPI]:
    """The app with row level security on, connected to the test database as `role`.

    The role is a NOSUPERUSER NOBYPASSRLS login (made once); `statements` (its GRANTs or
    REVOKEs) run first, as the database's owner.
    """
    database = database_url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{database}")
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
            await admin.execute(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS")
        for statement in statements:
            await admin.execute(statement)
    finally:
        await admin.close()
    url = database_url.replace("postgres@", f"{role}@", 1)
    app = create_app(make_settings(database_url=url, database_row_level_security=True))
    try:
        yield app
    finally:
        await close_services(app)


@asynccontextmanager
async def two_connections_in_use(application: FastAPI) -> AsyncIterator[None]:
    """Two of the store's pooled connections checked out for the block.

    SQLite's store runs on the engine's pool; two of its transactions would wait for each
    other's write lock, so plain connections are held there.
    """
    services = services_of(application)
    if services.store.dialect == "sqlite":
        async with services.engine.connect(), services.engine.connect():
            yield
        return
    owner = Owner(services.store, "pool-gauges")
    async with owner.transaction(), owner.transaction():
        yield
