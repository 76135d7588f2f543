"""The one layer around every HTTP request: the app's only middleware (api/app.py).

It gives each request its id (the client's valid X-Request-ID or a new one, echoed on every
answer), refuses a body over the limit (413), answers an exception no handler took with a JSON
500, marks per-user answers private, and times, logs and counts the request. CORS (Starlette's
CORSMiddleware, passed in as `cors`) runs inside it around each of the three answers: the
route's, the 413 and the 500 all carry its headers, and a preflight it answers is still timed,
logged, counted and given the id and cache headers. WebSocket and lifespan scopes pass through.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from time import perf_counter
from typing import Any, NamedTuple

from starlette.types import ASGIApp, Receive, Scope, Send

from api.error_bodies import error_body
from api.middleware.answer import Answer, is_private
from api.middleware.body_limit import declared_length, read_within_limit, replaying
from api.middleware.request_id import request_id, request_id_from
from api.middleware.request_log import Finished, is_logging, log_request
from api.middleware.route_templates import RouteTemplates

log = logging.getLogger(__name__)

INTERNAL_ERROR = error_body("Internal server error")


class JsonAnswer:
    """A fixed JSON answer as a tiny ASGI app, so that CORS can wrap it like a route."""

    def __init__(self, status: int, content: dict[str, Any]) -> None:
        self.status = status
        self.body = json.dumps(content, separators=(",", ":")).encode()
        self._length = str(len(self.body)).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", self._length)]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": self.body})


class _Answers(NamedTuple):
    """The three ways a request is answered: by the route, with the 413, with the 500."""

    route: ASGIApp
    too_large: ASGIApp
    internal_error: ASGIApp


class RequestEdge:
    """Pure ASGI: request id, body limit, JSON 500, private cache headers, log line, metrics.

    One `send` wrapper and one pass over the request headers per request; the log line and
    `on_finish` are built only when the log is on or a hook is set. A request without Origin
    is no CORS request: CORS would only add `Vary: Origin`, which the wrapper adds itself.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        on_finish: Callable[[Finished], None] | None = None,
        cors: Callable[[ASGIApp], ASGIApp] | None = None,
    ) -> None:
        self.app = app
        too_large = JsonAnswer(
            413, error_body(f"Request body is larger than {max_body_bytes} bytes")
        )
        internal_error = JsonAnswer(500, INTERNAL_ERROR)
        self._plain = _Answers(app, too_large, internal_error)
        self._cors = self._plain if cors is None else _Answers(*map(cors, self._plain))
        self.max_body_bytes = max_body_bytes
        self.on_finish = on_finish
        self.routes = RouteTemplates()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(_without_trailing_slash(scope), receive, send)
            return
        start = perf_counter()
        scope = _without_trailing_slash(scope)
        given_id, length, origin = _read(scope["headers"])
        rid = request_id_from(given_id)
        path: str = scope["path"]
        answers = self._cors if origin else self._plain
        vary_origin = not origin and self._cors is not self._plain
        answer = Answer(send, rid.encode(), private=is_private(path), vary_origin=vary_origin)
        outer_id = request_id.set(rid)
        state = scope.setdefault("state", {})
        try:
            await self._answer(scope, receive, answer.send, length, answers)
        except Exception:
            if answer.status is not None:
                raise  # an answer under way cannot become a 500
            # The request's log line, below, carries the same request id.
            log.exception("Unhandled error; answered 500")
            await answers.internal_error(scope, receive, answer.send)
        finally:
            request_id.reset(outer_id)
            if self.on_finish is not None or is_logging():
                self._finished(scope, answer, start, rid, state.get("user_id"))

    def _finished(
        self, scope: Scope, answer: Answer, start: float, rid: str, user_id: str | None
    ) -> None:
        """The request's log line and the metrics hook."""
        finished = Finished(
            method=scope["method"],
            route=self.routes.of(scope),
            path=scope["path"],
            status=answer.status or 500,  # unless the app started an answer
            duration_seconds=(answer.end or perf_counter()) - start,
            request_id=rid,
            user_id=user_id,
            client=client[0] if (client := scope.get("client")) else None,
            scheme=scope.get("scheme", "http"),
        )
        log_request(finished)
        if self.on_finish is not None:
            self.on_finish(finished)

    async def _answer(
        self, scope: Scope, receive: Receive, send: Send, length: bytes | None, answers: _Answers
    ) -> None:
        """The route's answer, or the 413: at once on the Content-Length, else once the body
        streams past the limit (it is read before the app runs, which never sees part of one)."""
        declared = None if length is None else declared_length(length)
        if declared is None:
            first = await read_within_limit(receive, self.max_body_bytes)
            if first is None:
                await answers.too_large(scope, receive, send)
            else:
                await answers.route(scope, replaying(first, receive), send)
        elif declared > self.max_body_bytes:
            await answers.too_large(scope, receive, send)
        else:  # the server delivers no more than the Content-Length it framed the body by
            await answers.route(scope, receive, send)


def _read(headers: Iterable[tuple[bytes, bytes]]) -> tuple[bytes | None, bytes | None, bool]:
    """The first X-Request-ID, the Content-Length (None when absent or when values differ: then
    it declares nothing and the body is counted), and whether an Origin came."""
    given_id: bytes | None = None
    length: bytes | None = None
    conflicting = origin = False
    for name, value in headers:  # ASGI header names are lowercase
        if name == b"content-length":
            conflicting = conflicting or (length is not None and value != length)
            length = value
        elif name == b"x-request-id":
            given_id = value if given_id is None else given_id
        elif name == b"origin":
            origin = True
    return given_id, None if conflicting else length, origin


def _without_trailing_slash(scope: Scope) -> Scope:
    """`/api/alice/tasks/` routed as `/api/alice/tasks`, for HTTP and WebSocket alike.

    Starlette's own answer to such a path is a 307 to an absolute URL it builds from the
    request (`http://...` behind a TLS proxy it does not trust: a mixed-content error in the
    browser), and a redirected POST loses its body in some clients. The app runs with
    `redirect_slashes=False`, so no redirect is ever sent; this makes both spellings one route.
    """
    path: str = scope.get("path", "")
    if len(path) <= 1 or not path.endswith("/"):
        return scope
    scope = {**scope, "path": path.rstrip("/") or "/"}
    raw_path: bytes | None = scope.get("raw_path")
    if raw_path is not None:
        scope["raw_path"] = raw_path.rstrip(b"/") or b"/"
    return scope
