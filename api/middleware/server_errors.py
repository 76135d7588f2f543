"""An exception no handler answered becomes a JSON 500, answered like every other response."""

from __future__ import annotations

import logging

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.error_bodies import error_body

log = logging.getLogger(__name__)

INTERNAL_ERROR = error_body("Internal server error")


class ServerErrors:
    """Pure ASGI: log an unhandled exception once, with its traceback, and answer a JSON 500.

    It sits inside the request log, the private cache headers and CORS, so the 500 carries the
    request id, `Cache-Control`/`Vary` and the CORS headers a browser needs to read it.
    Starlette's own last resort, outside every middleware, answers plain text without them.
    An exception after the answer started cannot change it: that one propagates.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_noting_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_noting_start)
        except Exception:
            if started:
                raise
            # The request log's line for this request carries the same request id.
            log.exception("Unhandled error; answered 500")
            await JSONResponse(INTERNAL_ERROR, status_code=500)(scope, receive, send)
