"""What the start of every answer gets on its way out, in the one `send` wrapper of
api.middleware.edge: the request id, `Vary`, and on per-user answers `Cache-Control`."""

from __future__ import annotations

from collections.abc import Iterable
from time import perf_counter

from starlette.types import Message, Send

# Per-user answers must never be served from a shared cache to someone else.
PRIVATE_PREFIXES = ("/api/", "/graphql")
# The explorer's static files are the same for everyone and keep their own long-lived header.
PUBLIC_PREFIXES = ("/graphql/assets/",)

Headers = list[tuple[bytes, bytes]]


def is_private(path: str) -> bool:
    """Whether the answer at `path` is per user."""
    return path.startswith(PRIVATE_PREFIXES) and not path.startswith(PUBLIC_PREFIXES)


# What `Vary` gains, by (the edge stands in for CORS on a request without Origin, private).
_VARY: dict[tuple[bool, bool], tuple[bytes, ...]] = {
    (False, False): (),
    (True, False): (b"Origin",),
    (False, True): (b"Authorization",),
    (True, True): (b"Origin", b"Authorization"),
}


class Answer:
    """The one `send` wrapper: notes the status and when the last byte went out, and gives the
    start of the answer its request id, its `Vary` and, when private, its `Cache-Control`."""

    __slots__ = ("_send", "end", "private", "request_id", "status", "vary")

    def __init__(self, send: Send, request_id: bytes, *, private: bool, vary_origin: bool) -> None:
        self._send = send
        self.request_id = request_id
        self.private = private
        self.vary = _VARY[vary_origin, private]
        self.status: int | None = None
        self.end: float | None = None

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            self.status = message["status"]
            message["headers"] = _headers(
                message.get("headers", ()), self.request_id, self.private, self.vary
            )
        elif kind == "http.response.body" and not message.get("more_body", False):
            await self._send(message)
            # The client has its answer: dependency teardown after this is not its wait.
            self.end = perf_counter()
            return
        await self._send(message)


def _headers(
    headers: Iterable[tuple[bytes, bytes]], rid: bytes, private: bool, vary: tuple[bytes, ...]
) -> Headers:
    """`headers` with X-Request-ID set, `vary` added to Vary and, when `private`, Cache-Control
    set (`no-cache`: a browser may keep a copy but revalidates it before each use)."""
    kept: Headers = []
    varies: list[bytes] = []
    for name, value in headers:
        if name == b"x-request-id" or (private and name == b"cache-control"):
            continue
        if vary and name == b"vary":
            varies.append(value)
        else:
            kept.append((name, value))
    kept.append((b"x-request-id", rid))
    if private:
        kept.append((b"cache-control", b"private, no-cache"))
    if vary:
        kept.append((b"vary", b", ".join([*varies, *vary])))
    return kept
