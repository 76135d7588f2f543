"""A path with a trailing slash is served as the path without it: never a redirect."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class TrailingSlash:
    """Pure ASGI: `/api/alice/tasks/` is routed as `/api/alice/tasks`, for HTTP and WebSocket.

    Starlette's own answer to such a path is a 307 to an absolute URL it builds from the
    request (`http://...` behind a TLS proxy that it does not trust: a mixed-content error in
    the browser), and a redirected POST loses its body in some clients. The app runs with
    `redirect_slashes=False`, so no redirect is ever sent; this makes both spellings one route.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] in ("http", "websocket") and len(path) > 1 and path.endswith("/"):
            scope = {**scope, "path": path.rstrip("/") or "/"}
            raw_path: bytes | None = scope.get("raw_path")
            if raw_path is not None:
                scope["raw_path"] = raw_path.rstrip(b"/") or b"/"
        await self.app(scope, receive, send)
