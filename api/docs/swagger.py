"""Swagger UI at GET /docs, served with every asset from this service.

FastAPI's own page loads Swagger UI from a CDN and starts it with an inline script; this one
serves the npm-pinned files (api/assets/, manifest.SWAGGER_UI) and its own swagger-init.js, under
a Content-Security-Policy of the explorer's kind. /openapi.json is FastAPI's, with the list and
error shapes the settings choose (api.rest.openapi).
"""

from __future__ import annotations

import html
from pathlib import Path
from string import Template

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from api.assets.manifest import SWAGGER_UI
from api.assets.store import AssetStore, security_headers

HERE = Path(__file__).parent
OPENAPI_URL = "/openapi.json"
OWN = {"swagger-init.js": HERE / "swagger-init.js"}

CONTENT_SECURITY_POLICY = [
    "script-src 'self'",  # the bundle and swagger-init.js; no inline script, no eval
    "style-src 'self'",
    "img-src 'self' data:",  # swagger-ui.css draws its icons from data: SVGs
    "connect-src 'self'",  # the schema, and "Try it out" calls to this API
]


def docs_router(assets: AssetStore | None = None) -> APIRouter:
    """GET /docs, the page, and GET /docs/assets/{name}, the files it loads."""
    store = assets or AssetStore.load(SWAGGER_UI, OWN)
    page = Template((HERE / "swagger.html").read_text(encoding="utf-8"))
    router = APIRouter(include_in_schema=False)

    @router.get("/docs")
    async def swagger_ui(request: Request) -> HTMLResponse:
        headers = security_headers(*CONTENT_SECURITY_POLICY)
        if store.missing:
            without_them = f"The API itself works without them: {OPENAPI_URL} describes it."
            return store.missing_page("Swagger UI", without_them, headers)
        openapi_url = request.scope.get("root_path", "").rstrip("/") + OPENAPI_URL
        urls = store.urls(request, "docs_asset")
        body = page.substitute(urls, openapi_url=html.escape(openapi_url))
        return HTMLResponse(body, headers=headers)

    @router.get("/docs/assets/{name}", name="docs_asset")
    async def docs_asset(name: str) -> Response:
        return store.response(name)

    return router
