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

from api.settings import Settings
from tests.support.live_server import free_port, wait_until_healthy

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
        await wait_until_healthy(served.base_url, process, lambda: served.output)
        yield served
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), GUARD_SECONDS)
            except TimeoutError:
                process.kill()
                await process.wait()
