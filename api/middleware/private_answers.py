"""Per-user answers must never be served from a shared cache to someone else."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PRIVATE_PREFIXES = ("/api/", "/graphql")
# The explorer's static files are the same for everyone and keep their own long-lived header.
PUBLIC_PREFIXES = ("/graphql/assets/",)


class PrivateAnswers:
    """`Cache-Control: private, no-cache` and `Vary: Authorization` on every per-user answer.

    `no-cache` lets a browser keep a copy but revalidate it (If-None-Match) before each use.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or not path.startswith(PRIVATE_PREFIXES)
            or path.startswith(PUBLIC_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return

        async def send_private(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Cache-Control"] = "private, no-cache"
                headers.add_vary_header("Authorization")
            await send(message)

        await self.app(scope, receive, send_private)
