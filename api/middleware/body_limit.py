"""Refuse request bodies over a size limit before the app reads them (413)."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.error_bodies import error_body


class BodyLimit:
    """413 for a body over `max_bytes`: at once on its Content-Length, else once it streams past.

    A body without Content-Length (chunked) is read, up to the limit, before the app runs, so the
    app never sees part of one that turns out too large; it then reads it as usual.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        refusal = error_body(f"Request body is larger than {max_bytes} bytes")
        self._refusal = json.dumps(refusal).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None:
            if declared > self.max_bytes:
                await self._refuse(send)
            else:  # the server delivers no more than the Content-Length it framed the body by
                await self.app(scope, receive, send)
            return
        first = await self._read_within_limit(receive)
        if first is None:
            await self._refuse(send)
            return
        pending: list[Message] = [first]

        async def replay() -> Message:
            return pending.pop() if pending else await receive()

        await self.app(scope, replay, send)

    async def _read_within_limit(self, receive: Receive) -> Message | None:
        """The whole body as one message (or the disconnect); None once it passes the limit."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return message
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

    async def _refuse(self, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(self._refusal)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": self._refusal})


def _content_length(scope: Scope) -> int | None:
    """The declared body size; None when absent or not one valid number (then it is counted)."""
    values = {value for name, value in scope["headers"] if name.lower() == b"content-length"}
    if len(values) != 1:
        return None
    value = values.pop().strip()
    return int(value) if value.isdigit() and len(value) <= 20 else None
