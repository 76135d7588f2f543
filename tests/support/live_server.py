"""The real server under uvicorn on a free port against the test database, for clients in Node.

A test module gets the `server` fixture (it yields the base URL) with
`pytest_plugins = ["tests.support.live_server"]`. PYTEST_DONT_REWRITE: there are no asserts
here, and the test modules import this one before pytest loads it as a plugin.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from tests.support.auth import TEST_SECRET
from tests.support.ci import missing

ORIGIN = "http://localhost:3000"
STARTUP_SECONDS = 20


def require_node() -> str:
    """The path of `node`; a failure under CI=true, a skip otherwise."""
    node = shutil.which("node")
    if node is None:
        message = "node is not installed"
        missing(message)
    return node


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
async def server(database_url: str, repo_root: Path, tmp_path: Path) -> AsyncIterator[str]:
    """The app served by uvicorn in a subprocess against the test database; its base URL."""
    port = free_port()
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"BETTER_AUTH_URL", "JWKS_URL", "JWT_ISSUER", "JWT_AUDIENCE"}
    }
    environment |= {
        "DATABASE_URL": database_url,
        "BETTER_AUTH_SECRET": TEST_SECRET,
        "CORS_ORIGINS": ORIGIN,
        "ENVIRONMENT": "development",
        "PYTHONPATH": str(repo_root),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "uvicorn", "api.app:create_app", "--factory"),
        *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"),
        cwd=tmp_path,  # away from any .env in the checkout
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        await wait_until_healthy(base_url, process)
        yield base_url
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), timeout=10)
            except TimeoutError:
                process.kill()
                await process.wait()


async def wait_until_healthy(
    base_url: str,
    process: asyncio.subprocess.Process,
    output: Callable[[], str] | None = None,
) -> None:
    """Return once `base_url`/health answers 200; fail the test with the output if it never does.

    `output` gives what the server printed when it does not go to the process's stdout pipe.
    """
    async with httpx.AsyncClient(base_url=base_url, timeout=1) as http:
        for _ in range(STARTUP_SECONDS * 10):
            if process.returncode is not None:
                break
            try:
                if (await http.get("/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    if process.returncode is None:
        process.kill()
    printed = (await process.communicate())[0]
    text = output() if output is not None else (printed or b"").decode(errors="replace")
    pytest.fail(f"the server did not become healthy at {base_url}:\n{text}")


NODE_SCRIPT_SECONDS = 60


async def run_node_script(script: Path, environment: dict[str, str], what: str) -> str:
    """Run `script` with Node; its output, once it has exited 0 (else the test fails)."""
    client = await asyncio.create_subprocess_exec(
        require_node(),
        str(script),
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output = (await asyncio.wait_for(client.communicate(), NODE_SCRIPT_SECONDS))[0].decode()
    except TimeoutError:
        client.kill()
        await client.wait()
        pytest.fail(f"{what} did not finish within {NODE_SCRIPT_SECONDS}s")
    assert client.returncode == 0, output
    return output
