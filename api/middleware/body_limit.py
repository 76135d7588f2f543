"""The request body size limit's rules: what a Content-Length declares, and reading a body that
declares none (chunked) up to the limit before the app sees any of it."""

from __future__ import annotations

from starlette.types import Message, Receive


def declared_length(value: bytes) -> int | None:
    """The size a Content-Length value declares; None when it is not one valid number."""
    value = value.strip()
    return int(value) if value.isdigit() and len(value) <= 20 else None


async def read_within_limit(receive: Receive, max_bytes: int) -> Message | None:
    """The whole body as one message (or the disconnect); None once it passes `max_bytes`."""
    message = await receive()
    if message["type"] != "http.request":
        return message
    size = len(message.get("body", b""))
    if size > max_bytes:
        return None
    if not message.get("more_body", False):
        return message  # the usual case: the whole body (or none) in one message
    chunks: list[bytes] = [message.get("body", b"")]
    while message.get("more_body", False):
        message = await receive()
        if message["type"] != "http.request":
            return message
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            return None
        chunks.append(chunk)
    return {"type": "http.request", "body": b"".join(chunks), "more_body": False}


def replaying(first: Message, receive: Receive) -> Receive:
    """`receive` that gives `first` once, then asks the server again."""
    pending = [first]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay
