"""Run the installed `todo-api` command as a user's shell would, away from the developer's own
settings and files. PYTEST_DONT_REWRITE: no asserts here.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from api.settings import Settings
from tests.support.live_server import STARTUP_SECONDS, free_port

TODO_API = str(Path(sys.executable).parent / "todo-api")
GUARD_SECONDS = 60  # against a hung command; not a measurement


def user_environment(home: Path, **settings: str) -> dict[str, str]:
    """This process's environment without any of the service's settings or XDG_STATE_HOME,
    with HOME=`home` (nothing lands in the real ~) and the given settings added."""
    unset = {name.upper() for name in Settings.model_fields} | {"XDG_STATE_HOME"}
    environment = {key: value for key, value in os.environ.items() if key not in unset}
    return environment | {"HOME": str(home)} | settings


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


async def todo_api(*args: str, cwd: Path, environment: dict[str, str]) -> Finished:
    """Run `todo-api args...` in `cwd` to its end."""
    process = await asyncio.create_subprocess_exec(
        TODO_API,
        *args,
        cwd=cwd,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), GUARD_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    return Finished(await process.wait(), stdout.decode(), stderr.decode())


@dataclass
class Served:
    base_url: str
    log: Path

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")


@asynccontextmanager
async def serving(*args: str, cwd: Path, environment: dict[str, str]) -> AsyncIterator[Served]:
    """`todo-api serve args...` in `cwd` on a free port, healthy; stopped afterwards."""
    port = free_port()
    log = cwd / f"serve-{port}.log"
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            TODO_API,
            *("serve", "--port", str(port), *args),
            cwd=cwd,
            env=environment,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
        )
    served = Served(f"http://127.0.0.1:{port}", log)
    try:
        await _wait_until_healthy(served, process)
        yield served
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), GUARD_SECONDS)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _wait_until_healthy(served: Served, process: asyncio.subprocess.Process) -> None:
    async with httpx.AsyncClient(base_url=served.base_url, timeout=1) as http:
        for _ in range(STARTUP_SECONDS * 10):
            if process.returncode is not None:
                break
            try:
                if (await http.get("/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    pytest.fail(f"todo-api serve did not become healthy:\n{served.output}")
