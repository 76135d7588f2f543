"""Health probes, the CLI's migrate and export-schema, and the checked-in SDL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from api.settings import Settings
from schema.build import build_schema
from tests.support.databases import close_services


async def test_health_and_ready(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


async def test_ready_is_503_when_the_database_is_unreachable(
    make_settings: Callable[..., Settings],
) -> None:
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    app: FastAPI = create_app(make_settings(database_url="postgresql://postgres@127.0.0.1:9/x"))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            answer = await http.get("/ready")
            assert answer.status_code == 503
            assert answer.headers["retry-after"] == "5"
            assert answer.json()["status"] == "unavailable"
            assert (await http.get("/health")).status_code == 200
    finally:
        await close_services(app)


def test_checked_in_schema_matches_the_code(repo_root: Path) -> None:
    checked_in = (repo_root / "schema.graphql").read_text()
    assert checked_in == build_schema().as_str() + "\n", (
        "schema.graphql drifted: run `todo-api export-schema --output schema.graphql`"
    )


def test_export_schema_prints_the_sdl() -> None:
    result = CliRunner().invoke(cli, ["export-schema"])
    assert result.exit_code == 0
    assert "type Query" in result.output
    assert "createTask(input: CreateTaskInput!): Task!" in result.output


def test_migrate_creates_the_schema_on_a_new_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "fresh.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("BETTER_AUTH_SECRET", "x" * 40)
    result = CliRunner().invoke(cli, ["migrate"])
    assert result.exit_code == 0, result.output
    with closing(sqlite3.connect(database)) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"tasks", "alembic_version"} <= tables
    again = CliRunner().invoke(cli, ["migrate"])
    assert again.exit_code == 0


def test_a_bad_database_url_is_a_clear_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://u@h/d")
    monkeypatch.setenv("BETTER_AUTH_SECRET", "x" * 40)
    result = CliRunner().invoke(cli, ["migrate"])
    assert result.exit_code == 2
    assert "postgresql://" in result.output
