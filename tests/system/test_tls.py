"""Connection strings that require TLS, against a PostgreSQL that serves it (as Neon does).

The cluster is a throwaway one (tests/pg_cluster.py) that refuses TCP without TLS and asks for
a SCRAM password, so a connection that works here really was encrypted.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from api.app import create_app
from api.settings import Settings
from db.errors import DatabaseUnavailable
from db.migrate import upgrade_async
from db.session import create_engine
from db.urls import DatabaseUrlError, parse_database_url
from tests.support.auth import TEST_SECRET, auth
from tests.support.databases import close_services
from tests.support.pg_cluster import ROLE, Cluster

pytestmark = [pytest.mark.cluster, pytest.mark.postgres]

pytest_plugins = ["tests.support.pg_cluster"]

NEON_QUERY = "sslmode=require&channel_binding=require"


async def _encryption_of(url: str) -> tuple[bool, str, str]:
    engine = create_engine(parse_database_url(url), pool_size=1)
    try:
        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    text(
                        "SELECT ssl, version, current_user FROM pg_stat_ssl"
                        " WHERE pid = pg_backend_pid()"
                    )
                )
            ).one()
            return bool(row[0]), str(row[1]), str(row[2])
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    "query",
    [
        NEON_QUERY,
        "sslmode=require",
        "sslmode=verify-ca&sslrootcert={certificate}",
        "sslmode=verify-full&sslrootcert={certificate}",
        "sslmode=require&sslrootcert={certificate}",
    ],
)
async def test_tls_connection_strings_connect_encrypted(pg_cluster: Cluster, query: str) -> None:
    url = pg_cluster.url(query=query.format(certificate=pg_cluster.certificate))
    encrypted, version, user = await _encryption_of(url)
    assert encrypted
    assert version.startswith("TLSv1.")
    assert user == ROLE


async def test_verification_against_another_ca_fails(pg_cluster: Cluster) -> None:
    # The self-signed certificate is in no system store: verifying against it must fail, and the
    # engine reports it as the database being unavailable (a 503), naming the driver's error.
    with pytest.raises(DatabaseUnavailable) as raised:
        await _encryption_of(pg_cluster.url(query="sslmode=verify-full&sslrootcert=system"))
    assert raised.value.kind == ssl.SSLCertVerificationError.__name__


def test_unreadable_tls_files_are_a_configuration_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.crt"
    with pytest.raises(DatabaseUrlError, match="TLS files"):
        parse_database_url(f"postgresql://u@h/d?sslmode=verify-full&sslrootcert={missing}")


async def test_the_cluster_refuses_unencrypted_connections(pg_cluster: Cluster) -> None:
    # What makes the test above meaningful: without TLS this server answers no one.
    with pytest.raises(DBAPIError, match=r"no encryption|reject"):
        await _encryption_of(pg_cluster.url(query="sslmode=disable"))


async def test_the_app_migrates_and_serves_over_tls(pg_cluster: Cluster) -> None:
    url = pg_cluster.url(database="tls_app", query=NEON_QUERY)
    admin = await pg_cluster.admin()
    try:
        await admin.execute(f"CREATE DATABASE tls_app OWNER {ROLE}")
    finally:
        await admin.close()
    try:
        await upgrade_async(url)
        settings = Settings(_env_file=None, database_url=url, better_auth_secret=TEST_SECRET)  # type: ignore[call-arg]
        app = create_app(settings)
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                assert (await http.get("/ready")).status_code == 200
                created = await http.post(
                    "/api/ada/tasks", json={"title": "Over TLS"}, headers=auth("ada")
                )
                assert created.status_code == 201, created.text
                listed = await http.get("/api/ada/tasks", headers=auth("ada"))
                assert listed.status_code == 200
                assert [task["title"] for task in listed.json()] == ["Over TLS"]
                async with app.state.services.engine.connect() as connection:
                    encrypted = await connection.scalar(
                        text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                    )
                assert encrypted is True
        finally:
            await close_services(app)
    finally:
        admin = await pg_cluster.admin()
        try:
            await admin.execute("DROP DATABASE IF EXISTS tls_app WITH (FORCE)")
        finally:
            await admin.close()
