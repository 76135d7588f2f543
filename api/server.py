"""uvicorn fit for the internet: bounded request heads, timed-out reads, a connection cap.

uvicorn's httptools protocol keeps every header byte a client sends and times out nothing that
is still arriving (its keep-alive timeout covers only the wait between two requests). The
protocol here adds both, for a few microseconds per request (bench/README.md, "Server limits:
what they cost"); uvicorn's own `limit_concurrency` caps the connections.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from typing import Any, cast

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from api.settings import Settings


@dataclass(frozen=True)
class ServerLimits:
    max_header_bytes: int
    max_header_count: int
    header_timeout: float
    body_timeout: float


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The `uvicorn.run` arguments that apply the settings' server limits and trusted proxies."""
    limits = ServerLimits(
        max_header_bytes=settings.max_header_bytes,
        max_header_count=settings.max_header_count,
        header_timeout=settings.header_timeout_seconds,
        body_timeout=settings.body_timeout_seconds,
    )
    # uvicorn calls `http` like a protocol class; a partial keeps the limits picklable for workers.
    protocol = functools.partial(GuardedProtocol, limits=limits)
    return {
        "http": cast("type[asyncio.Protocol]", protocol),
        # Over it, uvicorn answers 503 and closes.
        "limit_concurrency": settings.max_connections,
        # From these peers X-Forwarded-Proto sets the scheme and X-Forwarded-For the client.
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
    }


class _Refused(Exception):
    """Raised in a parser callback to stop the parser; uvicorn then calls send_400_response."""


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a bounded request head and read timeouts.

    A head longer than `max_header_bytes` or with more than `max_header_count` fields gets 431.
    A head not complete `header_timeout` seconds after it began (or after the connection opened)
    gets 408; a body not complete `body_timeout` seconds after its head, a close.
    """

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        limits: ServerLimits,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits = limits
        # Bytes of the request head received so far; None while its body is on the way.
        self._head_bytes: int | None = 0
        self._timer: asyncio.TimerHandle | None = None
        self._timer_seconds = 0.0
        self._refusal: tuple[int, str] | None = None
        self._upgraded = False

    def connection_made(  # type: ignore[override]
        self, transport: asyncio.Transport
    ) -> None:
        super().connection_made(transport)
        self._arm(self.limits.header_timeout)  # a connection that never sends a byte

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        # The parser gets pieces no longer than the room the head has left, so it never holds
        # more than the limit of one (twice that if a pipelined head begins inside a piece);
        # a body goes in pieces of the limit too, since the next request's head may follow it.
        while data:
            room = self.limits.max_header_bytes - (self._head_bytes or 0)
            if room <= 0:
                self._answer(431, f"Request head over {self.limits.max_header_bytes} bytes")
                return
            piece, data = data[:room], data[room:]
            if self._head_bytes is not None:
                self._head_bytes += len(piece)
            super().data_received(piece)
            if self.transport.is_closing() or self._upgraded:
                return
        self._watch()

    def on_headers_complete(self) -> None:
        self._disarm()
        if len(self.headers) > self.limits.max_header_count:
            self._refusal = (431, f"More than {self.limits.max_header_count} header fields")
            raise _Refused
        self._head_bytes = None
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        self._head_bytes = 0
        super().on_message_complete()

    def handle_websocket_upgrade(self) -> None:
        self._disarm()
        self._upgraded = True
        super().handle_websocket_upgrade()

    def send_400_response(self, msg: str) -> None:
        if self._refusal is None:
            super().send_400_response(msg)
        else:
            self._answer(*self._refusal)

    def _watch(self) -> None:
        """Start the clock on a head or body left incomplete by the data just read."""
        if self._timer is not None:
            return
        if self._head_bytes is None:
            self._arm(self.limits.body_timeout)
        elif self._head_bytes > 0:
            self._arm(self.limits.header_timeout)

    def _arm(self, seconds: float) -> None:
        self._timer_seconds = seconds
        self._timer = self.loop.call_later(seconds, self._expire)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expire(self) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        if self.flow.read_paused:  # the wait is the app's (it has not taken what was read)
            self._arm(self._timer_seconds)
        elif self._head_bytes:
            self._answer(408, f"Request head not received within {self._timer_seconds:g} s")
        else:
            if self._head_bytes is None:
                self.logger.warning("Request body not received within %g s.", self._timer_seconds)
            self.transport.close()

    def _answer(self, status: int, reason: str) -> None:
        """Answer `status` with `reason` as text and close, the way uvicorn sends its 400."""
        self.logger.warning("%s: %d.", reason, status)
        body = reason.encode()
        content = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            content += [name, b": ", value, b"\r\n"]
        content += [
            b"content-type: text/plain; charset=utf-8\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n\r\n",
            body,
        ]
        self.transport.write(b"".join(content))
        self.transport.close()
