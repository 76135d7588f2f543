"""The connection strings people paste, Neon's included."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from db.session import create_engine
from db.urls import DatabaseUrlError, parse_database_url
from tests.support.databases import POSTGRES_ADMIN_URL

NEON_DIRECT = (
    "postgresql://neondb_owner:p%40ss@ep-cool-name-123456.us-east-2.aws.neon.tech/neondb"
    "?sslmode=require&channel_binding=require"
)
NEON_POOLED = NEON_DIRECT.replace("ep-cool-name-123456", "ep-cool-name-123456-pooler")


@pytest.mark.parametrize(
    "raw",
    [
        "postgres://u:p@h:5432/d",
        "postgresql://u:p@h:5432/d",
        "postgresql+asyncpg://u:p@h:5432/d",
        "postgresql+psycopg2://u:p@h:5432/d",
    ],
)
def test_postgres_schemes_use_asyncpg(raw: str) -> None:
    target = parse_database_url(raw)
    assert target.url.drivername == "postgresql+asyncpg"
    assert (target.url.host, target.url.port, target.url.database) == ("h", 5432, "d")
    assert target.connect_args == {}
    assert not target.behind_pgbouncer


def test_neon_url_translates_sslmode_and_drops_libpq_only_keywords() -> None:
    target = parse_database_url(NEON_DIRECT)
    assert dict(target.url.query) == {}
    assert target.connect_args == {"ssl": "require"}
    assert target.url.password == "p@ss"
    assert not target.behind_pgbouncer


def test_neon_pooler_host_turns_on_pgbouncer_mode() -> None:
    assert parse_database_url(NEON_POOLED).behind_pgbouncer
    assert not parse_database_url(NEON_POOLED, pgbouncer=False).behind_pgbouncer
    assert parse_database_url("postgresql://u@h/d", pgbouncer=True).behind_pgbouncer


def test_pgbouncer_mode_gives_unique_statement_names_and_no_statement_cache() -> None:
    engine = create_engine(parse_database_url(NEON_POOLED))
    try:
        assert engine.url.query["prepared_statement_cache_size"] == "0"
        assert engine.dialect.name == "postgresql"
    finally:
        engine.sync_engine.dispose()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("mysql://u@h/d", "postgresql:// or sqlite:///"),
        ("postgresql://u@h/d?sslmode=sometimes", "sslmode"),
        ("not a url", "not a database URL"),
    ],
)
def test_unusable_urls_say_why(raw: str, reason: str) -> None:
    with pytest.raises(DatabaseUrlError, match=reason):
        parse_database_url(raw)


def test_sqlite_urls_use_aiosqlite() -> None:
    assert parse_database_url("sqlite:///./todo.db").url.drivername == "sqlite+aiosqlite"
    assert parse_database_url("sqlite+aiosqlite:///x.db").is_sqlite


@pytest.mark.postgres
@pytest.mark.parametrize(
    "variant",
    [
        lambda url: url.replace("postgresql://", "postgres://"),
        lambda url: url,
        lambda url: url.replace("postgresql://", "postgresql+asyncpg://"),
        lambda url: url + "?sslmode=disable&channel_binding=disable",
        lambda url: url + "?sslmode=prefer",
    ],
)
async def test_pasted_forms_really_connect(variant: object) -> None:
    assert callable(variant)
    engine = create_engine(parse_database_url(variant(POSTGRES_ADMIN_URL)), pool_size=1)
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_pgbouncer_mode_still_runs_queries_directly() -> None:
    target = parse_database_url(POSTGRES_ADMIN_URL, pgbouncer=True)
    engine = create_engine(target, pool_size=1)
    try:
        async with engine.connect() as connection:
            for number in range(3):
                result = await connection.execute(text("SELECT CAST(:n AS integer)"), {"n": number})
                assert result.scalar() == number
    finally:
        await engine.dispose()
