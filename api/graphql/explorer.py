"""The GraphiQL explorer at GET /graphql, served with every asset from this service.

No CDN: the page works offline, behind a firewall and under the strict Content-Security-Policy
it sends. The third-party files come from npm at install time (`make install` runs `npm ci` in
api/graphql/graphiql/ with the committed lock); only the files named in VENDORED are ever served.
"""

from __future__ import annotations

import hashlib
import html
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from string import Template

from fastapi import HTTPException, Request, Response, status
from fastapi.responses import HTMLResponse
from strawberry.schema import BaseSchema

from api.graphql.router import TaskGraphQLRouter
from schema.context import Context

HERE = Path(__file__).parent / "graphiql"
NODE_MODULES = HERE / "node_modules"
JS, CSS = "text/javascript; charset=utf-8", "text/css; charset=utf-8"

# Served name -> (path under node_modules, media type): the UMD builds GraphiQL's docs name.
VENDORED = {
    "react.production.min.js": ("react/umd/react.production.min.js", JS),
    "react-dom.production.min.js": ("react-dom/umd/react-dom.production.min.js", JS),
    "graphiql.min.js": ("graphiql/graphiql.min.js", JS),
    "graphiql.min.css": ("graphiql/graphiql.min.css", CSS),
}
# Ours, next to package.json: the page's bootstrap (no inline script) and its layout.
OWN = {"explorer.js": ("explorer.js", JS), "explorer.css": ("explorer.css", CSS)}

HEADERS_PLACEHOLDER = {"Authorization": "Bearer <token from: todo-api token <user>>"}


def content_security_policy(style_nonce: str) -> str:
    """Only what GraphiQL needs, all from this origin; no inline script, no eval."""
    return "; ".join(
        [
            "default-src 'none'",  # anything not named below is refused
            "script-src 'self'",  # the served UMD files and explorer.js
            # Our two stylesheets, and the one <style> element GraphiQL's dialogs insert (Radix's
            # scroll lock): it carries this response's nonce, which explorer.js hands over as
            # __webpack_nonce__, the global the bundled get-nonce reads.
            f"style-src 'self' 'nonce-{style_nonce}'",
            "font-src data:",  # graphiql.min.css embeds Roboto and Fira Code as data: URLs
            "img-src 'self' data:",  # graphiql.min.css draws a few icons from data: PNGs
            "connect-src 'self'",  # the fetcher posts queries (introspection too) to /graphql
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",  # no clickjacking of a page that holds a token
        ]
    )


def security_headers(style_nonce: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(style_nonce),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


# Asset URLs carry a digest of their content (?v=...): a new version is a new URL.
ASSET_CACHE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    digest: str

    @classmethod
    def read(cls, path: Path, media_type: str) -> Asset:
        body = path.read_bytes()
        return cls(body, media_type, hashlib.sha256(body).hexdigest()[:16])


@dataclass(frozen=True)
class ExplorerAssets:
    """The files the page needs, read once; `missing` names those npm has not installed."""

    files: dict[str, Asset]
    missing: list[str]

    @classmethod
    def load(cls, node_modules: Path | None = None) -> ExplorerAssets:
        files: dict[str, Asset] = {}
        missing: list[str] = []
        sources = [(node_modules or NODE_MODULES, VENDORED), (HERE, OWN)]
        for directory, names in sources:
            for name, (relative, media_type) in names.items():
                path = directory / relative
                if path.is_file():
                    files[name] = Asset.read(path, media_type)
                else:
                    missing.append(str(path))
        return cls(files, missing)


def _page(name: str) -> Template:
    return Template((HERE / name).read_text(encoding="utf-8"))


class ExplorerRouter(TaskGraphQLRouter):
    """Strawberry's GraphQL router whose IDE page is ours: local assets under a strict CSP."""

    def __init__(
        self,
        schema: BaseSchema,
        *,
        context_getter: Callable[..., Awaitable[Context]],
        assets: ExplorerAssets | None = None,
    ) -> None:
        super().__init__(schema, context_getter=context_getter, graphql_ide="graphiql")
        self.assets = assets or ExplorerAssets.load()
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
        headers = security_headers(style_nonce)
        if self.assets.missing:
            body = _page("missing.html").substitute(
                missing="\n".join(html.escape(path) for path in self.assets.missing)
            )
            return HTMLResponse(body, status.HTTP_503_SERVICE_UNAVAILABLE, headers)
        urls = {
            name.replace(".", "_").replace("-", "_"): self._asset_url(request, name)
            for name in self.assets.files
        }
        body = _page("explorer.html").substitute(
            urls,
            endpoint=html.escape(request.url.path),
            headers_placeholder=html.escape(json.dumps(HEADERS_PLACEHOLDER)),
            style_nonce=style_nonce,
        )
        return HTMLResponse(body, headers=headers)

    def _asset_url(self, request: Request, name: str) -> str:
        path = request.url_for("graphiql_asset", name=name).path
        return html.escape(f"{path}?v={self.assets.files[name].digest}")

    async def serve_asset(self, name: str) -> Response:
        """One of the page's files, cacheable for a year (its URL changes with its content)."""
        asset = self.assets.files.get(name)
        if asset is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "No such explorer asset")
        headers = {"Cache-Control": ASSET_CACHE, "X-Content-Type-Options": "nosniff"}
        return Response(asset.body, media_type=asset.media_type, headers=headers)
