"""What a failure looks like from outside: an outage is a 503, anything else a JSON 500.

A service function is replaced by one that raises, so every layer a real request passes through
(middleware, exception handlers, Strawberry's error extension) answers it.
"""

from __future__ import annotations

import logging
import uuid

import httpx
import pytest

from api.ops.logging_config import RequestIdFilter
from db import tasks
from db.errors import DatabaseUnavailable
from tests.support.auth import auth
from tests.support.errors import error_json
from tests.support.rest_client import tasks_url

ORIGIN = "http://localhost:3000"  # the development default of CORS_ORIGINS
TASK = '{ task(id: "1") { id } }'


def _fail_with(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    async def failing(*_: object, **__: object) -> None:
        raise error

    monkeypatch.setattr(tasks, "get_task", failing)


def _errors_logged(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestIdFilter())
    return caplog


@pytest.mark.parametrize(
    "error",
    [FileNotFoundError(2, "No such file or directory", "/etc/missing"), TimeoutError()],
    ids=lambda error: type(error).__name__,
)
async def test_an_unrelated_error_in_a_route_is_a_json_500_like_every_answer(
    client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    logs: pytest.LogCaptureFixture,
    error: BaseException,
) -> None:
    _fail_with(monkeypatch, error)
    user = f"err-{uuid.uuid4().hex[:8]}"
    headers = {**auth(user), "Origin": ORIGIN, "X-Request-ID": f"crash-{user}"}

    response = await client.get(tasks_url(user, 1), headers=headers)

    assert response.status_code == 500, response.text
    assert response.json() == error_json("Internal server error")
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"] == f"crash-{user}"
    assert response.headers["cache-control"] == "private, no-cache"
    assert "Authorization" in response.headers["vary"]
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "retry-after" not in response.headers
    [logged] = _errors_logged(logs)
    assert logged.exc_info is not None and logged.exc_info[1] is error
    assert logged.request_id == f"crash-{user}"  # type: ignore[attr-defined]
    [line] = [r for r in logs.records if r.name == "api.middleware.request_log"]
    assert (line.status, line.request_id) == (500, f"crash-{user}")  # type: ignore[attr-defined]


async def test_an_unrelated_error_in_a_resolver_stays_internal_server_error(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, logs: pytest.LogCaptureFixture
) -> None:
    _fail_with(monkeypatch, FileNotFoundError(2, "No such file or directory"))

    response = await client.post("/graphql", json={"query": TASK}, headers=auth("ada"))

    assert response.status_code == 200, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "retry-after" not in response.headers
    assert len(_errors_logged(logs)) == 1


async def test_a_database_outage_is_the_same_503_in_both_transports(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, logs: pytest.LogCaptureFixture
) -> None:
    _fail_with(monkeypatch, DatabaseUnavailable(ConnectionRefusedError(111, "refused")))
    headers = {**auth("ada"), "X-Request-ID": "outage-1"}

    rest = await client.get(tasks_url("ada", 1), headers=headers)
    graphql = await client.post("/graphql", json={"query": TASK}, headers=headers)

    assert rest.status_code == graphql.status_code == 503
    assert rest.json() == error_json("The database is unavailable; retry shortly.")
    [error] = graphql.json()["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert error["message"] == "The database is unavailable; retry shortly."
    for answer in (rest, graphql):
        assert answer.headers["retry-after"] == "5"
        assert answer.headers["x-request-id"] == "outage-1"
        assert answer.headers["cache-control"] == "private, no-cache"
    assert not _errors_logged(logs)  # an outage is a warning, not a bug
