"""End to end: the real server under uvicorn, driven over HTTP by a JavaScript client in Node."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI

from api.auth.tokens import mint_token
from tests.support.auth import TEST_SECRET, token_for
from tests.support.live_server import ORIGIN, run_node_script

pytestmark = pytest.mark.node

pytest_plugins = ["tests.support.live_server"]  # the `server` fixture

CLIENT_SCRIPT = Path(__file__).resolve().parents[1] / "e2e" / "frontend_client.mjs"


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
    output = await run_node_script(CLIENT_SCRIPT, environment, "the Node client")
    assert output.startswith("OK ") and "checks passed" in output, output
