"""Start and stop ours and the references, one uvicorn worker each; read their memory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.scenarios import Reference

REPO_ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 30
STOP_SECONDS = 10
# Settings of the caller's shell that would change how either implementation authenticates.
DROPPED_VARIABLES = {
    "BETTER_AUTH_URL",
    "JWKS_URL",
    "JWT_ISSUER",
    "JWT_AUDIENCE",
    "GRAPHIQL",
    "GRAPHQL_INTROSPECTION",
}


@dataclass(frozen=True)
class Memory:
    peak_mb: float
    """VmHWM: the most resident memory the process has had."""
    rss_mb: float
    """VmRSS: resident memory now."""


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def memory(self) -> Memory:
        """Peak and current resident memory, from /proc/<pid>/status."""
        fields: dict[str, float] = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in {"VmHWM", "VmRSS"}:
                fields[name] = int(value.split()[0]) / 1024  # kB
        return Memory(peak_mb=fields["VmHWM"], rss_mb=fields["VmRSS"])

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU time of the process (all its threads), from /proc/<pid>/stat."""
    # The fields after the command name (which may hold spaces) in parentheses.
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def environment(database_url: str, secret: str) -> dict[str, str]:
    """Production settings for every implementation: the same for all."""
    inherited = {k: v for k, v in os.environ.items() if k not in DROPPED_VARIABLES}
    return inherited | {
        "ENVIRONMENT": "production",
        "BETTER_AUTH_SECRET": secret,
        # Metrics on, as deployed (production counts nothing without a token or a port).
        "METRICS_TOKEN": "bench-metrics-token-0123456789",
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(REPO_ROOT),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def ours_command(port: int) -> list[str]:
    """The service as it is deployed: `todo-api serve` (its logging included), migrated already."""
    return [
        *(sys.executable, "-c", "from api.cli import app; app()"),
        *("serve", "--no-migrate", "--host", "127.0.0.1", "--port", str(port)),
    ]


def reference_command(app: str) -> Callable[[int], list[str]]:
    """A reference (its app factory, `module:function`) under ours' uvicorn; no request log."""

    def command(port: int) -> list[str]:
        return [
            *(sys.executable, "-m", "uvicorn", app, "--factory"),
            *("--host", "127.0.0.1", "--port", str(port)),
            *("--loop", "uvloop", "--http", "httptools"),
            *("--log-level", "warning", "--no-access-log"),
        ]

    return command


def command_of(reference: Reference) -> Callable[[int], list[str]]:
    """How a reference starts: its own command, or its app factory under ours' uvicorn."""
    return reference.command or reference_command(reference.app)


@contextmanager
def running(
    name: str, command: Callable[[int], list[str]], env: dict[str, str], workdir: Path
) -> Iterator[Server]:
    """One server process on a free port; stopped on leaving, also on errors."""
    port = free_port()
    log = workdir / f"{name}.log"
    with log.open("wb") as output:
        # The working directory is away from the checkout, so no .env there applies.
        process = subprocess.Popen(
            command(port), cwd=workdir, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    server = Server(name=name, url=f"http://127.0.0.1:{port}", process=process, log=log)
    try:
        _wait_until_healthy(server)
        yield server
    finally:
        server.stop()


def _wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    with httpx.Client(base_url=server.url, timeout=1) as http:
        while time.monotonic() < deadline and server.process.poll() is None:
            try:
                if http.get("/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    raise RuntimeError(
        f"{server.name} did not become healthy at {server.url}:\n{server.log.read_text()}"
    )
