"""`todo-api serve` in a subprocess, and HTTP/1.1 spoken over raw sockets, byte by byte if need be.

For tests of what the server does with requests no HTTP client library would send: oversized or
endless heads, stalled bodies, silent connections.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.auth import TEST_SECRET
from tests.support.live_server import free_port

STARTUP_SECONDS = 30
# Generous: a server that never closes a stalled connection fails on this, not a slow machine.
CLOSE_WAIT_SECONDS = 30


@dataclass(frozen=True)
class Served:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def connect(self) -> socket.socket:
        connection = socket.create_connection(("127.0.0.1", self.port), timeout=CLOSE_WAIT_SECONDS)
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    def memory_kb(self, field: str) -> int:
        """`VmRSS` or `VmHWM` (the peak) of the server process, from /proc/<pid>/status."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name == field:
                return int(value.split()[0])
        raise LookupError(field)


@contextmanager
def serving(repo_root: Path, workdir: Path, *options: str, **env: str) -> Iterator[Served]:
    """`todo-api serve` with `options` on a free port, on a fresh SQLite file; stopped on exit."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k not in {"BETTER_AUTH_URL", "JWKS_URL"}}
    environment |= {
        "DATABASE_URL": f"sqlite:///{workdir / 'limits.db'}",
        "BETTER_AUTH_SECRET": TEST_SECRET,
        "ENVIRONMENT": "development",
        "PYTHONPATH": str(repo_root),
        **env,
    }
    log = workdir / "server.log"
    command = [sys.executable, "-c", "from api.cli import app; app()", "serve"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "--port", str(port), *options],
            cwd=workdir,  # away from any .env in the checkout
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    served = Served(port, process, log)
    try:
        _wait_until_healthy(served)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_healthy(served: Served) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and served.process.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{served.port}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not become healthy:\n{served.log.read_text()}")


def request_head(
    target: str = "/health", method: str = "GET", headers: dict[str, str] | None = None
) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


# Bytes read past the end of a response (pipelined answers arrive together), per connection.
_unread: weakref.WeakKeyDictionary[socket.socket, bytes] = weakref.WeakKeyDictionary()


def read_response(connection: socket.socket) -> Response | None:
    """The next response on `connection` (Content-Length framed); None if it closes first."""
    buffer = _unread.pop(connection, b"")
    while b"\r\n\r\n" not in buffer:
        chunk = receive(connection)
        if not chunk:
            return None
        buffer += chunk
    head, _, body = buffer.partition(b"\r\n\r\n")
    status_line, *fields = head.decode("latin-1").split("\r\n")
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (field.partition(":") for field in fields)
    }
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = receive(connection)
        if not chunk:
            return None
        body += chunk
    if len(body) > length:
        _unread[connection] = body[length:]
    return Response(int(status_line.split()[1]), headers, body[:length])


def receive(connection: socket.socket) -> bytes:
    """Up to 64 KiB; b"" once the server has closed (or reset) the connection."""
    try:
        return connection.recv(65536)
    except ConnectionResetError:
        return b""


def closed_by_server(connection: socket.socket) -> bool:
    """Whether the server closes `connection` (after any answer) within CLOSE_WAIT_SECONDS."""
    connection.settimeout(CLOSE_WAIT_SECONDS)
    try:
        while receive(connection):
            pass
    except TimeoutError:
        return False
    return True


def send_all(connection: socket.socket, data: bytes) -> bool:
    """Send `data`; False when the server has closed or reset the connection meanwhile."""
    try:
        connection.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        return False
    return True
