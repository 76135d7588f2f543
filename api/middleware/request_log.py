"""One log line per request, a request id for every line it causes, and a hook for metrics.

Logged: method, route template, status, duration, request id, the verified user, and (in JSON)
the client's address and the scheme, as uvicorn reports them: behind a proxy listed in
FORWARDED_ALLOW_IPS, those of its X-Forwarded-For and X-Forwarded-Proto. Never the headers (the
token lives there) nor the query string (it may carry secrets too).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
# Visible ASCII only, bounded: anything else is replaced, never logged or echoed.
_VALID_REQUEST_ID = re.compile(rb"[\x21-\x7e]{1,128}")
_MAX_LOGGED_PATH = 200

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


@dataclass(frozen=True, slots=True)
class Finished:
    """What one request did; `route` is None when no route matched.

    The duration runs until the last byte of the answer went out (or the app returned without
    one): dependency teardown after the answer is not time the client waited.
    """

    method: str
    route: str | None
    path: str
    status: int
    duration_seconds: float
    request_id: str
    user_id: str | None
    client: str | None = None
    scheme: str = "http"


def incoming_request_id(scope: Scope) -> str:
    """The client's X-Request-ID when it is safe to keep, else a new one."""
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    for name, value in headers:
        if name == b"x-request-id":
            if _VALID_REQUEST_ID.fullmatch(value):
                return value.decode("ascii")
            break
    return uuid.uuid4().hex


class RouteTemplates:
    """The full template (`/api/{user_id}/tasks/{task_id}`) of the route a request matched.

    FastAPI keeps included routers whole: `scope["route"]` is the router's own route, whose
    `path` lacks the prefix it was included with (`""` for /graphql). The public
    `iter_route_contexts` knows the full path; it is read once, on the first request.
    """

    def __init__(self) -> None:
        self._by_id: dict[int, str] | None = None

    def of(self, scope: Scope) -> str | None:
        if self._by_id is None:
            self._by_id = self._index(getattr(scope.get("app"), "routes", ()))
        route = scope.get("route")
        if route is not None:
            return self._by_id.get(id(route)) or getattr(route, "path", None)
        # Plain Starlette routes (the docs, /metrics) leave only their endpoint in the scope.
        endpoint = scope.get("endpoint")
        return None if endpoint is None else self._by_id.get(id(endpoint))

    @staticmethod
    def _index(routes: Any) -> dict[int, str]:
        paths: dict[int, str | None] = {}
        for context in iter_route_contexts(routes):
            path = context.path
            if path is None:
                continue
            for item in (context.original_route, context.endpoint):
                if item is not None:
                    # A route included twice, or an endpoint serving two paths, names neither.
                    paths[id(item)] = path if paths.get(id(item), path) == path else None
        return {key: path for key, path in paths.items() if path is not None}


class RequestLog:
    """Pure ASGI: times each HTTP request, logs it once, echoes X-Request-ID, calls `on_finish`."""

    def __init__(
        self, app: ASGIApp, *, on_finish: Callable[[Finished], None] | None = None
    ) -> None:
        self.app = app
        self.on_finish = on_finish
        self.routes = RouteTemplates()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        rid = incoming_request_id(scope)
        outer_id = request_id.set(rid)
        state = scope.setdefault("state", {})
        status = 500  # unless the app starts an answer
        end: float | None = None

        async def send_with_id(message: Message) -> None:
            nonlocal status, end
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = rid
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                # The client has its answer: dependency teardown after this is not its wait.
                end = time.perf_counter()

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            finished = Finished(
                method=scope["method"],
                route=self.routes.of(scope),
                path=scope["path"],
                status=status,
                duration_seconds=(end or time.perf_counter()) - start,
                request_id=rid,
                user_id=state.get("user_id"),
                client=_client(scope),
                scheme=scope.get("scheme", "http"),
            )
            _log(finished)
            request_id.reset(outer_id)
            if self.on_finish is not None:
                self.on_finish(finished)


def _log(finished: Finished) -> None:
    if not log.isEnabledFor(logging.INFO):
        return
    route = finished.route or _printable(finished.path)
    duration_ms = round(finished.duration_seconds * 1000, 2)
    user = f" user={finished.user_id}" if finished.user_id else ""
    log.info(
        "%s %s %d %.2fms%s",
        finished.method,
        route,
        finished.status,
        duration_ms,
        user,
        extra={
            "method": finished.method,
            "route": route,
            "status": finished.status,
            "duration_ms": duration_ms,
            "request_id": finished.request_id,
            "user_id": finished.user_id,
            "client": finished.client,
            "scheme": finished.scheme,
        },
    )


def _client(scope: Scope) -> str | None:
    client: tuple[str, int] | None = scope.get("client")
    return client[0] if client else None


def _printable(path: str) -> str:
    # An unmatched path is the client's own text: no line breaks or escapes in a text log.
    path = path[:_MAX_LOGGED_PATH]
    return path if path.isprintable() else path.encode("unicode_escape").decode("ascii")
