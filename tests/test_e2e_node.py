"""End to end: the real server under uvicorn, driven over HTTP by a JavaScript client in Node."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from api.tokens import mint_token
from tests.conftest import IN_CI, TEST_SECRET, token_for

CLIENT_SCRIPT = Path(__file__).parent / "e2e" / "frontend_client.mjs"
ORIGIN = "http://localhost:3000"
STARTUP_SECONDS = 20
CLIENT_SECONDS = 60


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        message = "node is not installed"
        if IN_CI:
            pytest.fail(message + " (CI=true: a missing node is a failure)")
        pytest.skip(message)
    return node


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
async def server(database_url: str, repo_root: Path, tmp_path: Path) -> AsyncIterator[str]:
    """The app served by uvicorn in a subprocess against the test database; its base URL."""
    port = _free_port()
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
        await _wait_until_healthy(base_url, process)
        yield base_url
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), timeout=10)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _wait_until_healthy(base_url: str, process: asyncio.subprocess.Process) -> None:
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
    output = (await process.communicate())[0].decode(errors="replace")
    pytest.fail(f"the server did not become healthy at {base_url}:\n{output}")


async def test_a_javascript_frontend_client(server: str, app: FastAPI) -> None:
    # `app` empties the tasks table afterwards; unique users keep runs apart meanwhile.
    user_a, user_b = f"e2e-a-{uuid.uuid4().hex[:8]}", f"e2e-b-{uuid.uuid4().hex[:8]}"
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "API_BASE_URL": server,
        "ORIGIN": ORIGIN,
        "USER_A": user_a,
        "TOKEN_A": token_for(user_a),
        "USER_B": user_b,
        "TOKEN_B": token_for(user_b),
        "EXPIRED_TOKEN": mint_token(TEST_SECRET, user_a, lifetime=timedelta(minutes=-5)),
    }
    client = await asyncio.create_subprocess_exec(
        _node(),
        str(CLIENT_SCRIPT),
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output = (await asyncio.wait_for(client.communicate(), CLIENT_SECONDS))[0].decode()
    except TimeoutError:
        client.kill()
        await client.wait()
        pytest.fail(f"the Node client did not finish within {CLIENT_SECONDS}s")
    assert client.returncode == 0, output
    assert output.startswith("OK ") and "checks passed" in output, output
