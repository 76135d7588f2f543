"""Run wrk with load.lua and read its figures."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA_SCRIPT = Path(__file__).with_name("load.lua")
RESULT_PREFIX = "BENCH_RESULT "
INSTALL_HINT = "wrk is not installed: `apt-get install wrk` (Debian/Ubuntu) or `brew install wrk`"


class LoadError(RuntimeError):
    """wrk is missing, failed, or printed no figures."""


@dataclass(frozen=True)
class LoadResult:
    """One wrk run: throughput, latency percentiles and what went wrong."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    bad: int
    """Answers that were not 2xx, or GraphQL answers with errors."""
    socket_errors: int
    server_cpu_seconds: float = 0.0
    """CPU time the server process used during the run (filled in by bench.rounds)."""

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.server_cpu_seconds / self.requests if self.requests else 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def clean(self) -> bool:
        return self.bad == 0 and self.socket_errors == 0


@dataclass(frozen=True)
class Load:
    """How hard to push: the same for every run of one benchmark."""

    duration: float
    connections: int
    threads: int


def require_wrk() -> str:
    """The wrk executable, or LoadError saying how to install it."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise LoadError(INSTALL_HINT)
    return wrk


def run_wrk(base_url: str, kind: str, data_file: Path, load: Load) -> LoadResult:
    """`kind` requests (a key in load.lua, or "mixed") against `base_url` for `load.duration`."""
    command = [
        require_wrk(),
        f"--threads={min(load.threads, load.connections)}",
        f"--connections={load.connections}",
        f"--duration={max(1, round(load.duration))}s",
        "--timeout=10s",
        f"--script={LUA_SCRIPT}",
        base_url,
        "--",
        kind,
        str(data_file),
    ]
    try:
        # subprocess.run kills wrk on a timeout or an interrupt.
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=load.duration + 60, check=False
        )
    except subprocess.TimeoutExpired:
        raise LoadError(f"wrk did not end a {load.duration:g} s run within a minute more") from None
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            figures = json.loads(line.removeprefix(RESULT_PREFIX))
            return LoadResult(
                requests=figures["requests"],
                seconds=figures["duration_us"] / 1e6,
                p50_ms=figures["p50_us"] / 1e3,
                p99_ms=figures["p99_us"] / 1e3,
                bad=figures["bad"],
                socket_errors=figures["socket_errors"],
            )
    raise LoadError(
        f"wrk printed no result (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
    )
