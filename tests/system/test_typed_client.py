"""The TypeScript client generated from schema.graphql (tests/typed-client/).

Its generated code must match the schema, it must type-check, and, compiled, it must run the
whole task flow against the real server. Next to it, src/lib-api.ts (the REST wrapper
docs/frontend.md shows) runs against the real server too, and Apollo Client's persisted-query
link runs its operations by hash (src/apq.ts).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI

from api.auth.tokens import mint_token
from tests.support.auth import TEST_SECRET, token_for
from tests.support.ci import missing
from tests.support.live_server import require_node, run_node_script

pytestmark = pytest.mark.node

pytest_plugins = ["tests.support.live_server"]  # the `server` fixture

TYPED_CLIENT = Path(__file__).resolve().parents[1] / "typed-client"
TOOL_SECONDS = 120
REGENERATE = "run `make typed-client` and commit tests/typed-client/src/gql/"


def _tool(name: str) -> str:
    """An npm-installed executable of the typed client; a failure under CI=true, else a skip."""
    require_node()
    path = TYPED_CLIENT / "node_modules" / ".bin" / name
    if not path.exists():
        message = f"{path} is missing: run `make install` (npm ci in tests/typed-client)"
        missing(message)
    return str(path)


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    """Runs a command in tests/typed-client; output and errors together."""
    return subprocess.run(
        command,
        cwd=TYPED_CLIENT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=os.environ | {"FORCE_COLOR": "0"},
        timeout=TOOL_SECONDS,
        check=False,
    )


def test_the_generated_code_matches_the_schema_and_operations() -> None:
    result = _run(_tool("graphql-codegen"), "--config", "codegen.ts", "--check")
    assert result.returncode == 0, (
        "GraphQL Code Generator disagrees with tests/typed-client/src/gql/: either it is stale "
        f"against schema.graphql or the operations in tests/typed-client/src/ ({REGENERATE}), "
        f"or an operation is invalid against the schema (see below).\n{result.stdout}"
    )


def test_the_client_type_checks() -> None:
    result = _run(_tool("tsc"), "--noEmit", "-p", ".")
    assert result.returncode == 0, f"tsc found type errors:\n{result.stdout}"


@pytest.fixture(scope="module")
def compiled_client(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The client compiled by tsc into a temporary directory; the path of its entry point."""
    out = tmp_path_factory.mktemp("typed-client")
    result = _run(_tool("tsc"), "-p", ".", "--outDir", str(out))
    assert result.returncode == 0, f"tsc could not compile the client:\n{result.stdout}"
    (out / "package.json").write_text(json.dumps({"type": "module"}))
    # apq.js imports @apollo/client and graphql: Node looks for them beside the compiled files.
    (out / "node_modules").symlink_to(TYPED_CLIENT / "node_modules")
    return out / "main.js"


async def test_the_typed_client_runs_the_task_flow(
    compiled_client: Path, server: str, app: FastAPI
) -> None:
    # `app` empties the tasks table afterwards; a unique user keeps runs apart meanwhile.
    user = f"typed-{uuid.uuid4().hex[:8]}"
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "API_BASE_URL": server,
        "API_TOKEN": token_for(user),
    }
    output = await run_node_script(compiled_client, environment, "the typed client")
    last_line = output.strip().splitlines()[-1]
    match = re.fullmatch(r"typed client: (\d+) checks passed", last_line)
    assert match is not None, output
    assert int(match[1]) >= 20, output


async def test_the_frontend_rest_wrapper_against_the_server(
    compiled_client: Path, server: str, app: FastAPI
) -> None:
    user = f"lib-api-{uuid.uuid4().hex[:8]}"
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "API_BASE_URL": server,
        "API_USER": user,
        "API_TOKEN": token_for(user),
        "API_EXPIRED_TOKEN": mint_token(TEST_SECRET, user, lifetime=timedelta(minutes=-5)),
    }
    script = compiled_client.with_name("lib-api-check.js")
    output = await run_node_script(script, environment, "the lib-api wrapper")
    last_line = output.strip().splitlines()[-1]
    match = re.fullmatch(r"lib-api: (\d+) checks passed", last_line)
    assert match is not None, output
    assert int(match[1]) >= 14, output


async def test_apollo_clients_persisted_query_link_runs_operations_by_hash(
    compiled_client: Path, server: str, app: FastAPI
) -> None:
    # src/apq.ts: @apollo/client's PersistedQueryLink over POST and useGETForHashedQueries.
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "API_BASE_URL": server,
        "API_TOKEN": token_for(f"apq-{uuid.uuid4().hex[:8]}"),
    }
    script = compiled_client.with_name("apq.js")
    output = await run_node_script(script, environment, "the Apollo persisted-query client")
    last_line = output.strip().splitlines()[-1]
    match = re.fullmatch(r"apq client: (\d+) checks passed", last_line)
    assert match is not None, output
    assert int(match[1]) >= 13, output
