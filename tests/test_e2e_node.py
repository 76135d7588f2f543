"""End to end: the real server under uvicorn, driven over HTTP by a JavaScript client in Node."""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI

from api.tokens import mint_token
from tests.conftest import TEST_SECRET, token_for
from tests.live_server import ORIGIN, require_node

pytest_plugins = ["tests.live_server"]  # the `server` fixture

CLIENT_SCRIPT = Path(__file__).parent / "e2e" / "frontend_client.mjs"
CLIENT_SECONDS = 60


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
        require_node(),
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
