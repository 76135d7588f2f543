"""The GraphiQL explorer at GET /graphql, served with every asset from this service.

No CDN: the page works offline, behind a firewall and under the strict Content-Security-Policy
it sends. GraphiQL's files are npm-pinned in api/assets/ (manifest.GRAPHIQL names the only ones
served); ours, the page's bootstrap and layout, sit in graphiql/.
"""

from __future__ import annotations

import html
import json
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from string import Template

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from strawberry.schema import BaseSchema

from api.assets.manifest import GRAPHIQL
from api.assets.store import AssetStore, security_headers
from api.graphql.persisted import PersistedDocuments
from api.graphql.router import TaskGraphQLRouter
from schema.context import Context

HERE = Path(__file__).parent / "graphiql"
# Ours: the page's bootstrap (no inline script) and its layout.
OWN = {name: HERE / name for name in ("explorer.js", "explorer.css")}

HEADERS_PLACEHOLDER = {"Authorization": "Bearer <token from: todo-api token <user>>"}


def content_security_policy(style_nonce: str) -> list[str]:
    """Only what GraphiQL needs, all from this origin; no inline script, no eval."""
    return [
        "script-src 'self'",  # the served UMD files and explorer.js
        # Our two stylesheets, and the one <style> element GraphiQL's dialogs insert (Radix's
        # scroll lock): it carries this response's nonce, which explorer.js hands over as
        # __webpack_nonce__, the global the bundled get-nonce reads.
        f"style-src 'self' 'nonce-{style_nonce}'",
        "font-src data:",  # graphiql.min.css embeds Roboto and Fira Code as data: URLs
        "img-src 'self' data:",  # graphiql.min.css draws a few icons from data: PNGs
        "connect-src 'self'",  # the fetcher posts queries (introspection too) to /graphql
    ]


class ExplorerRouter(TaskGraphQLRouter):
    """Strawberry's GraphQL router whose IDE page is ours: local assets under a strict CSP."""

    def __init__(
        self,
        schema: BaseSchema,
        *,
        context_getter: Callable[..., Awaitable[Context]],
        documents: PersistedDocuments,
        assets: AssetStore | None = None,
    ) -> None:
        super().__init__(
            schema, context_getter=context_getter, graphql_ide="graphiql", documents=documents
        )
        self.assets = assets or AssetStore.load(GRAPHIQL, OWN)
        self.add_api_route(
            "/assets/{name}",
            self.serve_asset,
            methods=["GET"],
            name="graphiql_asset",
            include_in_schema=False,
        )

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        """The explorer page, or how to install its assets when npm has not run."""
        style_nonce = secrets.token_urlsafe(18)
        headers = security_headers(*content_security_policy(style_nonce))
        if self.assets.missing:
            return self.assets.missing_page(
                "GraphiQL", "The API itself works without them: POST GraphQL queries here.", headers
            )
        template = Template((HERE / "explorer.html").read_text(encoding="utf-8"))
        body = template.substitute(
            self.assets.urls(request, "graphiql_asset"),
            endpoint=html.escape(request.url.path),
            headers_placeholder=html.escape(json.dumps(HEADERS_PLACEHOLDER)),
            style_nonce=style_nonce,
        )
        return HTMLResponse(body, headers=headers)

    async def serve_asset(self, name: str) -> Response:
        """One of the page's files, by its served name."""
        return self.assets.response(name)
