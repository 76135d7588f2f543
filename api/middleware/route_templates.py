"""The route template a request matched, for the request log and the metrics' labels."""

from __future__ import annotations

from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.types import Scope


class RouteTemplates:
    """The full template (`/api/{user_id}/tasks/{task_id}`) of the route a request matched.

    FastAPI keeps included routers whole: `scope["route"]` is the router's own route, whose
    `path` lacks the prefix it was included with (`""` for /graphql). The public
    `iter_route_contexts` knows the full path; it is read once, on the first request.
    """

    def __init__(self) -> None:
        self._by_id: dict[int, str] | None = None

    def of(self, scope: Scope) -> str | None:
        """The matched route's template; None when no route matched."""
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
