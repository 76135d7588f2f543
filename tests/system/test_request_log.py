"""One structured log line per request, request ids, and no token in any log output."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import socket
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.ops.logging_config import TEXT_FORMAT, JsonFormatter, RequestIdFilter, logging_config
from api.settings import LogFormat, Settings
from tests.support.auth import TEST_SECRET, auth, token_for
from tests.support.jwks_server import (
    SigningKey,
    app_client,
    better_auth_token,
    jwks_server,
)
from tests.support.rest_client import create, tasks_url

GENERATED_ID = re.compile(r"[0-9a-f]{32}")
FIELDS = {"method", "route", "status", "duration_ms", "request_id", "user_id"}


@pytest.fixture
def access_log(caplog: pytest.LogCaptureFixture) -> Callable[[], list[logging.LogRecord]]:
    """The request lines logged so far in this test."""
    caplog.set_level(logging.INFO, logger="api.middleware.request_log")
    return lambda: [r for r in caplog.records if r.name == "api.middleware.request_log"]


async def test_one_line_per_request_with_every_field(
    client: httpx.AsyncClient, access_log: Callable[[], list[logging.LogRecord]]
) -> None:
    user = f"log-{uuid.uuid4().hex[:8]}"
    task = await create(client, user)
    before = len(access_log())

    response = await client.get(tasks_url(user, task["id"]), headers=auth(user))

    assert response.status_code == 200
    [line] = access_log()[before:]
    fields = {name: getattr(line, name) for name in FIELDS}
    assert fields == {
        "method": "GET",
        "route": "/api/{user_id}/tasks/{task_id}",
        "status": 200,
        "duration_ms": fields["duration_ms"],
        "request_id": response.headers["X-Request-ID"],
        "user_id": user,
    }
    assert isinstance(fields["duration_ms"], float) and 0 < fields["duration_ms"] < 10_000
    assert line.getMessage().startswith("GET /api/{user_id}/tasks/{task_id} 200 ")

    entry = json.loads(JsonFormatter().format(line))
    assert {name: entry[name] for name in FIELDS} == fields
    assert (entry["level"], entry["logger"]) == ("INFO", "api.middleware.request_log")


@pytest.mark.parametrize(
    ("method", "path", "route", "status"),
    [
        ("POST", "/graphql", "/graphql", 200),
        ("GET", "/health", "/health", 200),
        ("GET", "/docs", "/docs", 200),
        ("GET", "/no/such/path", "/no/such/path", 404),
        ("DELETE", "/health", "/health", 405),
    ],
)
async def test_the_route_is_the_template_or_the_raw_path_when_nothing_matched(
    client: httpx.AsyncClient,
    access_log: Callable[[], list[logging.LogRecord]],
    method: str,
    path: str,
    route: str,
    status: int,
) -> None:
    body = {"query": "{ __typename }"} if method == "POST" else None
    response = await client.request(method, path + "?secret=s3cr3t", json=body)

    assert response.status_code == status
    [line] = access_log()
    assert (line.method, line.route, line.status, line.user_id) == (method, route, status, None)
    assert "s3cr3t" not in JsonFormatter().format(line)


async def test_a_slashed_path_is_logged_under_its_route(
    client: httpx.AsyncClient, access_log: Callable[[], list[logging.LogRecord]]
) -> None:
    response = await client.get("/health/")

    assert response.status_code == 200
    [line] = access_log()
    assert (line.route, line.status) == ("/health", 200)
    entry = json.loads(JsonFormatter().format(line))
    # The peer as uvicorn (here httpx's ASGI transport) reports it; see test_forwarded_headers.
    assert (entry["client"], entry["scheme"]) == ("127.0.0.1", "http")


async def test_an_unmatched_path_cannot_forge_log_lines(
    client: httpx.AsyncClient, access_log: Callable[[], list[logging.LogRecord]]
) -> None:
    await client.get("/nope%0A2030-01-01%20INFO%20forged")

    [line] = access_log()
    text = logging.Formatter(TEXT_FORMAT).format(line)
    assert "\n" not in text
    assert line.route == "/nope\\n2030-01-01 INFO forged"


async def test_the_token_never_reaches_the_logs(
    client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, SQL included
    user = f"secret-{uuid.uuid4().hex[:8]}"
    token = token_for(user)
    bearer = {"Authorization": f"Bearer {token}"}
    tampered = {"Authorization": f"Bearer {token[:-4]}AAAA"}
    task = await create(client, user)
    await client.get(tasks_url(user, task["id"]) + f"?access_token={token}", headers=bearer)
    await client.get(tasks_url(user), headers=tampered)
    await client.post("/graphql", json={"query": "{ tasks { totalCount } }"}, headers=bearer)
    await client.post("/graphql", json={"query": "{ tasks { totalCount } }"}, headers=tampered)
    await client.get(f"/health?token={token}", headers={"Authorization": token})

    # The test's own client logs the URLs it asks for; the service never calls testserver.
    service = [r for r in caplog.records if "http://testserver/" not in r.getMessage()]
    assert len([r for r in service if r.name == "api.middleware.request_log"]) == 6
    json_lines, text_lines = JsonFormatter(), logging.Formatter(TEXT_FORMAT)
    for record in service:
        RequestIdFilter().filter(record)
        for output in (json_lines.format(record), text_lines.format(record), repr(vars(record))):
            assert token not in output
            assert token[-20:] not in output  # nor the signature alone
    captured = capsys.readouterr()
    assert token not in captured.out + captured.err


async def test_a_given_request_id_is_kept_and_echoed(
    client: httpx.AsyncClient, access_log: Callable[[], list[logging.LogRecord]]
) -> None:
    given = "req-" + "x" * 124  # 128 visible ASCII characters
    response = await client.get("/health", headers={"X-Request-ID": given})

    assert response.headers["X-Request-ID"] == given
    assert access_log()[-1].request_id == given


async def test_a_missing_request_id_is_made_anew_for_each_request(
    client: httpx.AsyncClient, access_log: Callable[[], list[logging.LogRecord]]
) -> None:
    first = (await client.get("/health")).headers["X-Request-ID"]
    second = (await client.get("/health")).headers["X-Request-ID"]

    assert GENERATED_ID.fullmatch(first) and GENERATED_ID.fullmatch(second)
    assert first != second
    assert [line.request_id for line in access_log()] == [first, second]


@pytest.mark.parametrize(
    "hostile",
    [
        b"x" * 129,
        b"abc\x01def",
        b"abc\tdef",
        b"two words",
        "caf\u00e9".encode("latin-1"),
        b"",
    ],
    ids=["too-long", "control", "tab", "space", "non-ascii", "empty"],
)
async def test_a_hostile_request_id_is_replaced(
    client: httpx.AsyncClient,
    access_log: Callable[[], list[logging.LogRecord]],
    hostile: bytes,
) -> None:
    response = await client.get("/health", headers=[(b"X-Request-ID", hostile)])

    echoed = response.headers["X-Request-ID"]
    assert GENERATED_ID.fullmatch(echoed), echoed
    assert access_log()[-1].request_id == echoed


async def test_other_lines_of_a_request_carry_its_id(
    make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestIdFilter())
    key = SigningKey.generate()
    with jwks_server(key) as server:
        settings = make_settings(better_auth_url=server.base_url, better_auth_secret=None)
        token = better_auth_token(key, server.base_url, f"ba-{uuid.uuid4().hex[:8]}")
        async with app_client(settings) as http:
            response = await http.post(
                "/graphql",
                json={"query": "{ tasks { totalCount } }"},
                headers={"Authorization": f"Bearer {token}", "X-Request-ID": "trace-42"},
            )
    assert response.status_code == 200
    [fetched] = [r for r in caplog.records if r.getMessage().startswith("JWKS fetched")]
    assert fetched.request_id == "trace-42"
    assert json.loads(JsonFormatter().format(fetched))["request_id"] == "trace-42"
    outside = logging.LogRecord("x", logging.INFO, "", 0, "after", None, None)
    RequestIdFilter().filter(outside)
    assert outside.request_id == "-"


def test_logging_config_is_a_dictconfig_with_one_handler() -> None:
    for log_format in LogFormat:
        config = logging_config(log_format)
        assert config["handlers"]["default"]["formatter"] == log_format.value
        assert config["root"]["handlers"] == ["default"]
        assert config["loggers"]["uvicorn.access"] == {"handlers": [], "propagate": False}
        assert config["disable_existing_loggers"] is False


def test_log_format_defaults_by_environment(tmp_path: Path) -> None:
    def settings(**values: Any) -> Settings:
        return Settings(_env_file=None, dev_secret_file=str(tmp_path / "s"), **values)  # type: ignore[call-arg]

    assert settings().resolved_log_format is LogFormat.TEXT
    assert settings(environment="production").resolved_log_format is LogFormat.JSON
    assert settings(environment="production", log_format="text").resolved_log_format is (
        LogFormat.TEXT
    )
    assert settings(log_format="").resolved_log_format is LogFormat.TEXT


# `todo-api serve` for real: its logging, uvicorn's access log off, one line per request.


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def serve_command() -> Iterator[list[str]]:
    script = Path(sys.executable).with_name("todo-api")
    if not script.exists():
        pytest.skip("the todo-api script is not installed next to this Python")
    yield [str(script), "serve"]


def _read(path: Path) -> str:
    return path.read_text() if path.exists() else ""


async def _wait_for(path: Path, text: str, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 30
    while text not in (output := await asyncio.to_thread(_read, path)):
        if process.returncode is not None or time.monotonic() > deadline:
            pytest.fail(f"the server did not start:\n{output}")
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("log_format", ["json", "text"])
async def test_serve_writes_one_line_per_request_in_the_configured_format(
    serve_command: list[str], tmp_path: Path, log_format: str
) -> None:
    port = _free_port()
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"BETTER_AUTH_URL", "JWKS_URL", "ENVIRONMENT", "METRICS_PORT"}
    }
    environment |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "BETTER_AUTH_SECRET": TEST_SECRET,
        "LOG_FORMAT": log_format,
    }
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            *serve_command,
            *("--port", str(port)),
            cwd=tmp_path,
            env=environment,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            await _wait_for(stderr_path, "Uvicorn running on", process)
            token = token_for("serve-user")
            base = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(base_url=base) as http:
                listed = await http.get(
                    f"/api/serve-user/tasks?token={token}",
                    headers={"Authorization": f"Bearer {token}", "X-Request-ID": "serve-1"},
                )
                health = await http.get("/health")
        finally:
            process.terminate()
            await asyncio.wait_for(process.wait(), timeout=10)
    assert (listed.status_code, health.status_code) == (200, 200)
    output = stderr_path.read_text()
    assert token not in output
    request_lines = [line for line in output.splitlines() if "api.middleware.request_log" in line]
    assert len(request_lines) == 2, output
    assert "uvicorn.access" not in output and '" 200' not in output  # uvicorn's own access line
    # The order may differ: the log line follows dependency teardown, after the answer.
    [first] = [line for line in request_lines if "serve-1" in line]
    if log_format == "json":
        entry = json.loads(first)
        assert {name: entry[name] for name in FIELDS - {"duration_ms"}} == {
            "method": "GET",
            "route": "/api/{user_id}/tasks",
            "status": 200,
            "request_id": "serve-1",
            "user_id": "serve-user",
        }
        assert all(json.loads(line) for line in output.splitlines())
    else:
        assert re.search(
            r" INFO api\.middleware\.request_log \[serve-1\] "
            r"GET /api/\{user_id\}/tasks 200 [\d.]+ms user=serve-user$",
            first,
        ), first
