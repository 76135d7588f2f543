"""What the server limits cost uvicorn itself: `python -m bench.protocol_cost`.

The app answers two bytes, so the HTTP protocol is most of the work: uvicorn's httptools protocol
with the limits of api/server.py, without them, and uvicorn's h11 protocol with its head bound.
Each is loaded by wrk in turns (32 connections); the figure is the server's CPU per request.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.types import Receive, Scope, Send

from api.server import uvicorn_options
from api.settings import Settings
from bench.load import require_wrk
from bench.servers import free_port, process_cpu_seconds

POST_SCRIPT = 'wrk.method = "POST"\nwrk.body = string.rep("b", 2048)\n'


def variants() -> dict[str, dict[str, Any]]:
    """uvicorn.run's protocol options of each contender."""
    return {
        "limits": uvicorn_options(Settings(_env_file=None)),
        "plain": {"http": "httptools"},
        "h11": {"http": "h11", "h11_max_incomplete_event_size": 16_384},
    }


async def two_bytes(scope: Scope, receive: Receive, send: Send) -> None:
    """Read the request body, answer `ok`."""
    more = scope["type"] == "http"
    while more:
        more = (await receive()).get("more_body", False)
    headers = [(b"content-type", b"text/plain"), (b"content-length", b"2")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"ok"})


def serve(variant: str, port: int) -> None:
    options = variants()[variant]
    uvicorn.run(two_bytes, port=port, log_level="warning", access_log=False, **options)


def cpu_us_per_request(url: str, pid: int, duration: float, script: list[str]) -> float:
    """One wrk run; the server's CPU time per request in microseconds."""
    before = process_cpu_seconds(pid)
    command = ["wrk", "-t1", "-c32", f"-d{duration:g}s", *script, url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"bad answers from {url}:\n{output}")
    requests = int(output.split(" requests in ")[0].split()[-1])
    return (process_cpu_seconds(pid) - before) / requests * 1e6


def measure(rounds: int, duration: float, workdir: Path) -> dict[tuple[str, str], list[float]]:
    """Every variant, in turns, `rounds` times per request kind."""
    (workdir / "post.lua").write_text(POST_SCRIPT)
    kinds = {"GET": [], "POST 2 KB": ["-s", str(workdir / "post.lua")]}
    servers = {name: _start(name) for name in variants()}
    try:
        figures: dict[tuple[str, str], list[float]] = {}
        for kind, script in kinds.items():
            for round_number in range(-1, rounds):  # -1: the warm-up
                for name, (process, url) in servers.items():
                    cost = cpu_us_per_request(url, process.pid, duration, script)
                    if round_number >= 0:
                        figures.setdefault((kind, name), []).append(cost)
                        print(f"{kind} {name} {round_number + 1}: {cost:.1f} us/req", flush=True)
        return figures
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait()


def _start(variant: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-m", "bench.protocol_cost", "serve", variant, str(port)]
    process = subprocess.Popen(command)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(200):
        try:
            httpx.get(url)
            return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{variant} did not start")


def main() -> None:
    if sys.argv[1:2] == ["serve"]:
        serve(sys.argv[2], int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(prog="python -m bench.protocol_cost", description=__doc__)
    parser.add_argument("--rounds", type=int, default=7, help="runs of each (default 7)")
    parser.add_argument("--duration", type=float, default=4, help="seconds per run (default 4)")
    arguments = parser.parse_args()
    require_wrk()
    with tempfile.TemporaryDirectory(prefix="todo-protocol-cost-") as workdir:
        figures = measure(arguments.rounds, arguments.duration, Path(workdir))
    print("\nCPU us per request: median [lowest-highest]")
    for (kind, name), costs in figures.items():
        low, high = min(costs), max(costs)
        print(f"  {kind:<9} {name:<6} {statistics.median(costs):6.1f} [{low:.1f}-{high:.1f}]")


if __name__ == "__main__":
    main()
