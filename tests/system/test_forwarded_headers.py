"""Behind a proxy: FORWARDED_ALLOW_IPS says whose X-Forwarded-Proto and X-Forwarded-For to believe.

A real `todo-api serve` trusts 127.0.0.2 only, through the setting or its option. The same
request, sent from 127.0.0.2 (the proxy) and from 127.0.0.1 (anyone else), is logged with the
forwarded scheme and client in the first case only. No answer carries an absolute URL: a
trailing slash is served, and the explorer's endpoint is a path.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.auth import TEST_SECRET, auth
from tests.support.cli import Served, serving, user_environment

pytestmark = pytest.mark.slow  # real servers: left out of make test-fast

PROXY = "127.0.0.2"  # loopback too: Linux routes all of 127.0.0.0/8 to this machine
FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
LOG_WAIT_SECONDS = 10


def _settings(database_url: str, **more: str) -> dict[str, str]:
    """The server's settings: the test database (behind PgBouncer in that run) and `more`."""
    settings = {"DATABASE_URL": database_url, "BETTER_AUTH_SECRET": TEST_SECRET, **more}
    pgbouncer = os.environ.get("DATABASE_PGBOUNCER")  # set by python -m tests.support.pgbouncer
    return settings if pgbouncer is None else {**settings, "DATABASE_PGBOUNCER": pgbouncer}


async def _logged(served: Served, request_id: str) -> dict[str, Any]:
    """The request log's JSON entry for `request_id` (written just after the answer)."""
    for _ in range(LOG_WAIT_SECONDS * 20):
        for line in served.output.splitlines():
            if request_id in line and "api.middleware.request_log" in line:
                entry: dict[str, Any] = json.loads(line)
                return entry
        await asyncio.sleep(0.05)
    pytest.fail(f"no request log line for {request_id}:\n{served.output}")


async def _through(served: Served, source: str, request_id: str) -> httpx.Response:
    """GET the user's task list, with a trailing slash and the proxy's headers, from `source`."""
    transport = httpx.AsyncHTTPTransport(local_address=source)
    async with httpx.AsyncClient(transport=transport, base_url=served.base_url) as http:
        return await http.get(
            "/api/proxied/tasks/",
            headers={**auth("proxied"), **FORWARDED, "X-Request-ID": request_id},
        )


@pytest.mark.parametrize("given", ["setting", "option"])
async def test_only_the_trusted_proxy_sets_the_scheme_and_the_client(
    database_url: str, tmp_path: Path, given: str
) -> None:
    settings = _settings(database_url, LOG_FORMAT="json")
    if given == "setting":
        settings["FORWARDED_ALLOW_IPS"] = PROXY
    options = ["--no-migrate"] + (["--forwarded-allow-ips", PROXY] if given == "option" else [])
    environment = user_environment(tmp_path, **settings)

    async with serving(*options, cwd=tmp_path, environment=environment) as served:
        trusted = await _through(served, PROXY, f"trusted-{given}")
        untrusted = await _through(served, "127.0.0.1", f"untrusted-{given}")
        believed = await _logged(served, f"trusted-{given}")
        ignored = await _logged(served, f"untrusted-{given}")

    for answer in (trusted, untrusted):
        assert answer.status_code == 200, answer.text
        assert "location" not in answer.headers
        assert answer.json() == []
    assert (believed["scheme"], believed["client"]) == ("https", "203.0.113.7")
    assert (ignored["scheme"], ignored["client"]) == ("http", "127.0.0.1")
    assert believed["route"] == ignored["route"] == "/api/{user_id}/tasks"


async def test_the_explorer_behind_the_proxy_posts_to_a_path(
    database_url: str, tmp_path: Path
) -> None:
    environment = user_environment(tmp_path, **_settings(database_url, FORWARDED_ALLOW_IPS=PROXY))
    async with serving("--no-migrate", cwd=tmp_path, environment=environment) as served:
        transport = httpx.AsyncHTTPTransport(local_address=PROXY)
        async with httpx.AsyncClient(transport=transport, base_url=served.base_url) as http:
            page = await http.get("/graphql/", headers={**FORWARDED, "Accept": "text/html"})
    assert page.status_code == 200
    assert 'data-endpoint="/graphql"' in page.text
    assert "http://" not in page.text  # nothing absolute for a mixed-content error
