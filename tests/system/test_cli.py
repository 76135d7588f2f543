"""`todo-api` as people run it, in a subprocess with its own HOME: a database it cannot reach is a
few lines that name the host and what to check, a token minted in any directory is accepted by
the development server, `serve` runs several workers, and the help lists every option.
"""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from tests.support.cli import Finished, serving, todo_api, user_environment
from tests.support.live_server import free_port
from tests.support.pg_cluster import ROLE, Cluster

pytestmark = pytest.mark.slow  # the real CLI in subprocesses: left out of make test-fast

pytest_plugins = ["tests.support.pg_cluster"]

PASSWORD = "hunter2-not-shown"


def secret_files(directory: Path) -> list[Path]:
    return [path for path in directory.rglob("*") if "secret" in path.name]


def _assert_explained(finished: Finished, *names: str) -> None:
    """Exit 1 with a few lines on stderr that name each of `names`, and no traceback."""
    assert finished.returncode == 1, finished.output
    assert finished.stdout == ""
    assert "Traceback" not in finished.stderr
    assert len(finished.stderr.strip().splitlines()) <= 3, finished.stderr
    for name in names:
        assert name in finished.stderr
    assert PASSWORD not in finished.output


@pytest.mark.parametrize("command", [["migrate"], ["serve", "--port", "0"]])
async def test_a_refused_connection_is_explained(tmp_path: Path, command: list[str]) -> None:
    port = free_port()  # nothing listens there
    url = f"postgresql://alice:{PASSWORD}@127.0.0.1:{port}/todo"
    environment = user_environment(tmp_path, DATABASE_URL=url)
    finished = await todo_api(*command, cwd=tmp_path, environment=environment)
    _assert_explained(finished, f"127.0.0.1:{port}", "refused", "Is PostgreSQL running")


async def test_an_unknown_host_is_explained(tmp_path: Path) -> None:
    # .invalid never resolves (RFC 6761).
    url = f"postgresql://alice:{PASSWORD}@db.example.invalid:5432/todo"
    environment = user_environment(tmp_path, DATABASE_URL=url)
    finished = await todo_api("migrate", cwd=tmp_path, environment=environment)
    _assert_explained(finished, "db.example.invalid", "host name")


async def test_a_sqlite_file_in_a_missing_directory_is_explained(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such"
    environment = user_environment(tmp_path, DATABASE_URL=f"sqlite:///{missing}/todo.db")
    finished = await todo_api("migrate", cwd=tmp_path, environment=environment)
    _assert_explained(finished, str(missing), "does not exist")
    assert not missing.exists()


@pytest.mark.cluster
@pytest.mark.postgres
@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("sslmode=require", ["password", ROLE]),
        ("sslmode=disable", ["TLS", "sslmode=require"]),
    ],
)
async def test_a_refused_login_is_explained(
    pg_cluster: Cluster, tmp_path: Path, query: str, names: list[str]
) -> None:
    # The cluster asks for a password, over TLS only; this one is wrong.
    url = f"postgresql://{ROLE}:{PASSWORD}@127.0.0.1:{pg_cluster.port}/neondb?{query}"
    environment = user_environment(tmp_path, DATABASE_URL=url)
    finished = await todo_api("migrate", cwd=tmp_path, environment=environment)
    _assert_explained(finished, f"127.0.0.1:{pg_cluster.port}", *names)


@pytest.mark.cluster
@pytest.mark.postgres
async def test_a_certificate_that_does_not_verify_is_explained(
    pg_cluster: Cluster, tmp_path: Path
) -> None:
    # The cluster's certificate is self-signed: no system store vouches for it.
    url = pg_cluster.url(query="sslmode=verify-full&sslrootcert=system")
    environment = user_environment(tmp_path, DATABASE_URL=url)
    finished = await todo_api("migrate", cwd=tmp_path, environment=environment)
    _assert_explained(finished, f"127.0.0.1:{pg_cluster.port}", "certificate")


async def test_a_token_minted_in_another_directory_is_accepted(tmp_path: Path) -> None:
    home, project, elsewhere = (tmp_path / name for name in ("home", "project", "elsewhere"))
    for directory in (home, project, elsewhere):
        directory.mkdir()
    environment = user_environment(home, DATABASE_URL=f"sqlite:///{tmp_path / 'todo.db'}")
    async with serving(cwd=project, environment=environment) as served:
        minted = await todo_api("token", "alice", cwd=elsewhere, environment=environment)
        assert minted.returncode == 0, minted.stderr
        async with httpx.AsyncClient(base_url=served.base_url) as http:
            bearer = {"Authorization": f"Bearer {minted.stdout.strip()}"}
            answer = await http.get("/api/alice/tasks", headers=bearer)
        assert answer.status_code == 200, answer.text
    secret = home / ".local" / "state" / "todo-api" / "dev-secret"
    assert str(secret) in served.output  # serve says where it is
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert secret_files(tmp_path) == [secret]


async def test_a_token_without_any_secret_says_how_to_get_one(tmp_path: Path) -> None:
    finished = await todo_api(
        "token", "alice", cwd=tmp_path, environment=user_environment(tmp_path)
    )
    assert finished.returncode == 2
    assert finished.stdout == ""
    assert "todo-api serve" in finished.stderr
    assert "BETTER_AUTH_SECRET" in finished.stderr
    assert secret_files(tmp_path) == []


@pytest.mark.slow
async def test_serve_runs_several_workers(tmp_path: Path) -> None:
    environment = user_environment(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'todo.db'}")
    async with serving("--workers", "2", cwd=tmp_path, environment=environment) as served:
        for _ in range(200):  # a bound, not a measurement: both workers log once they start
            if served.output.count("Started server process") == 2:
                break
            await asyncio.sleep(0.1)
        assert served.output.count("Started server process") == 2, served.output
        minted = await todo_api("token", "bob", cwd=tmp_path, environment=environment)
        bearer = {"Authorization": f"Bearer {minted.stdout.strip()}"}
        async with httpx.AsyncClient(base_url=served.base_url) as http:
            for _ in range(6):  # new connections: each worker accepts some
                answer = await http.get("/api/bob/tasks", headers={**bearer, "Connection": "close"})
                assert answer.status_code == 200, answer.text


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ([], ["serve", "migrate", "token", "export-schema"]),
        (
            ["serve"],
            ["--host", "--port", "--workers", "--no-migrate", "0.0.0.0", "--forwarded-allow-ips"],
        ),
        (["token"], ["--minutes", "user_id"]),
        (["migrate"], ["DATABASE_URL", "exit"]),
    ],
)
def test_the_help_lists_every_option(command: list[str], options: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    for option in options:
        assert option in result.output
