"""The README's curl and GraphQL examples, run as a newcomer runs them, give the output it shows.

A fresh `todo-api serve` on the embedded SQLite default in an empty directory (as `make run`
after a clean clone), the README's commands run by bash with curl, each answer compared line by
line with what the README shows (timestamps, cursors and list ETag digests by their shape).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.ci import require
from tests.support.live_server import free_port, wait_until_healthy
from tests.support.readme import BASE_URL, Example, examples, unmatched

BIN = Path(sys.executable).parent
MARKER = "@@readme-example@@"
# Settings a developer's shell or CI might carry that a newcomer's would not.
NOT_A_NEWCOMERS = {
    "DATABASE_URL",
    "BETTER_AUTH_SECRET",
    "BETTER_AUTH_URL",
    "JWKS_URL",
    "ENVIRONMENT",
}


@pytest.fixture
async def fresh_service(tmp_path: Path) -> AsyncIterator[tuple[str, dict[str, str]]]:
    """`todo-api serve` on a new SQLite file in an empty directory; its URL and environment."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k not in NOT_A_NEWCOMERS}
    environment["HOME"] = str(tmp_path)  # nothing from the developer's own files
    environment.pop("XDG_STATE_HOME", None)  # the development secret under that HOME
    process = await asyncio.create_subprocess_exec(
        str(BIN / "todo-api"),
        *("serve", "--port", str(port)),
        cwd=tmp_path,
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        await wait_until_healthy(base_url, process)
        yield base_url, environment
    finally:
        process.terminate()
        await process.wait()


def _run(
    commands: list[Example], base_url: str, cwd: Path, environment: dict[str, str]
) -> list[str]:
    """Each command's output, run in order by one bash, as the README's reader pastes them."""
    script = "\n".join(
        f"echo {MARKER}\n"
        + example.command.replace(BASE_URL, base_url).replace(".venv/bin/", f"{BIN}/")
        + "\necho"
        for example in commands
    )
    finished = subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=environment, capture_output=True, text=True, timeout=60
    )
    assert finished.returncode == 0, finished.stderr
    return finished.stdout.split(MARKER + "\n")[1:]


async def test_the_readme_examples_answer_as_shown(
    fresh_service: tuple[str, dict[str, str]], repo_root: Path, tmp_path: Path
) -> None:
    require(shutil.which("curl") is not None, "curl is not installed")
    commands = examples(repo_root / "README.md")
    assert sum(1 for example in commands if example.shown) >= 9, "the README lost its examples"
    base_url, environment = fresh_service
    outputs = _run(commands, base_url, tmp_path, environment)
    assert len(outputs) == len(commands)
    for example, output in zip(commands, outputs, strict=True):
        lines = [line.rstrip("\r") for line in output.splitlines()]
        assert not unmatched(example.shown, lines), (
            f"README example:\n{example.command}\nshows:\n"
            + "\n".join(example.shown)
            + "\nbut answered:\n"
            + "\n".join(lines)
        )
