"""The request id: the client's X-Request-ID when it is safe to keep, else a new one; echoed on
every answer and carried by every log line the request causes (api.ops.logging_config)."""

from __future__ import annotations

import os
import re
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
# Visible ASCII only, bounded: anything else is replaced, never logged or echoed.
_VALID_REQUEST_ID = re.compile(rb"[\x21-\x7e]{1,128}")

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def request_id_from(given: bytes | None) -> str:
    """`given` (the X-Request-ID header's value) when it is safe to keep, else a new id."""
    if given is not None and _VALID_REQUEST_ID.fullmatch(given):
        return given.decode("ascii")
    # 128 random bits as 32 hex digits: uuid4().hex's shape at a fifth of its cost.
    return os.urandom(16).hex()
