"""Swagger UI at /docs: a page with a strict CSP whose every file this service serves, on by
default in development and off in production (API_DOCS), with /openapi.json alongside."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.assets import store
from api.assets.manifest import SWAGGER_UI
from api.docs import swagger
from api.rest.models import TaskListParams
from api.settings import Settings
from tests.support.auth import TEST_SECRET, auth
from tests.support.jwks_server import app_client, offline_settings
from tests.support.pages import Page, directives, parse

DOCS_PATHS = ["/docs", "/redoc", "/openapi.json", "/docs/assets/swagger-ui-bundle.js"]


def settings(directory: Path, **overrides: Any) -> Settings:
    return offline_settings(directory, better_auth_secret=TEST_SECRET, **overrides)


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The development app; the docs never touch the database."""
    async with app_client(settings(tmp_path)) as http:
        yield http


async def docs_page(client: httpx.AsyncClient) -> tuple[httpx.Response, Page]:
    response = await client.get("/docs")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return response, parse(response.text)


async def test_the_page_sends_a_strict_csp(client: httpx.AsyncClient) -> None:
    response, page = await docs_page(client)
    header = response.headers["content-security-policy"]
    assert directives(header) == {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
    assert all(script.get("src") for script in page.scripts), "an inline script"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_the_page_loads_only_files_this_service_serves(client: httpx.AsyncClient) -> None:
    response, page = await docs_page(client)
    assert not re.search(r"https?://", response.text), "an absolute URL in the docs page"
    assets = [url for url in page.urls if url != "data:,"]  # data:, is the empty favicon
    assert {url.split("?")[0] for url in assets} == {
        f"/docs/assets/{name}" for name in (*SWAGGER_UI, *swagger.OWN)
    }
    for url in assets:
        served = await client.get(url)
        assert served.status_code == 200, url
        name = url.split("?")[0].rsplit("/", 1)[1]
        installed = (
            store.vendored_path(name, SWAGGER_UI[name]) if name in SWAGGER_UI else swagger.OWN[name]
        )
        assert served.content == installed.read_bytes(), url
        expected = "text/css" if name.endswith(".css") else "text/javascript"
        assert served.headers["content-type"].split(";")[0] == expected, url
        assert served.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_the_page_reads_the_openapi_document_of_this_service(
    client: httpx.AsyncClient,
) -> None:
    _, page = await docs_page(client)
    openapi_url = page.by_id["swagger-ui"]["data-openapi-url"]
    assert openapi_url == "/openapi.json"
    document = (await client.get(openapi_url)).json()
    assert document["info"]["title"] == "Todo API"
    bundle = await client.get(next(url for url in page.urls if "swagger-ui-bundle.js" in url))
    assert "SwaggerUIBundle" in bundle.text


@pytest.mark.parametrize(
    "name",
    [
        "package.json",
        "swagger-initializer.js",  # swagger-ui-dist's own, which points at the petstore
        "index.html",
        "swagger-ui-bundle.js.map",
        "graphiql.min.js",  # the explorer's, not the docs'
        "..%2Fswagger.py",
    ],
)
async def test_only_the_named_files_are_served(client: httpx.AsyncClient, name: str) -> None:
    assert (await client.get(f"/docs/assets/{name}")).status_code == 404


async def test_redoc_is_not_served(client: httpx.AsyncClient) -> None:
    assert (await client.get("/redoc")).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "on"),
    [
        ({}, True),
        ({"environment": "production"}, False),
        ({"environment": "production", "api_docs": True}, True),
        ({"api_docs": False}, False),
    ],
    ids=["development", "production", "production-on", "development-off"],
)
async def test_docs_are_on_in_development_and_off_in_production(
    tmp_path: Path, overrides: dict[str, Any], on: bool
) -> None:
    async with app_client(settings(tmp_path, **overrides)) as http:
        answers = {path: (await http.get(path)).status_code for path in DOCS_PATHS}
    expected = {path: 200 if on else 404 for path in DOCS_PATHS} | {"/redoc": 404}
    assert answers == expected


@pytest.mark.parametrize(("value", "on"), [("true", True), ("false", False)])
def test_api_docs_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, on: bool
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("API_DOCS", value)
    assert Settings(_env_file=None).api_docs_enabled is on  # type: ignore[call-arg]


async def test_missing_files_say_how_to_install_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "VENDOR", tmp_path / "vendor")
    monkeypatch.setattr(store, "NODE_MODULES", tmp_path / "node_modules")
    async with app_client(settings(tmp_path)) as http:
        response = await http.get("/docs")
        bundle = await http.get("/docs/assets/swagger-ui-bundle.js")
        document = await http.get("/openapi.json")
    assert response.status_code == 503
    assert directives(response.headers["content-security-policy"])["default-src"] == ["'none'"]
    page = parse(response.text)
    assert not page.scripts
    assert "make install" in page.words and "cd api/assets && npm ci" in page.words
    assert str(tmp_path / "node_modules" / "swagger-ui-dist" / "swagger-ui-bundle.js") in page.words
    assert bundle.status_code == 404
    assert document.status_code == 200  # the API and its description work without them


async def test_the_list_documents_the_query_parameters_it_parses_itself(
    client: httpx.AsyncClient,
) -> None:
    """api.rest.params parses the list's query model without FastAPI; the document still
    names each parameter, after the path's and before the headers, with its schema."""
    document = (await client.get("/openapi.json")).json()
    parameters = document["paths"]["/api/{user_id}/tasks"]["get"]["parameters"]
    assert [(p["in"], p["name"]) for p in parameters] == [
        ("path", "user_id"),
        *(
            ("query", name)
            for name in TaskListParams.model_fields  # the model the route validates with
        ),
        ("header", "if-none-match"),
    ]
    limit = next(p for p in parameters if p["name"] == "limit")
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 100)
    status = next(p for p in parameters if p["name"] == "status")
    assert status["schema"]["anyOf"][0] == {"$ref": "#/components/schemas/ListStatus"}
    assert "all" in document["components"]["schemas"]["ListStatus"]["enum"]


async def test_a_bad_list_parameter_is_a_422_naming_it_like_fastapi(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(
        "/api/alice/tasks", params={"limit": "0", "sort": "x"}, headers=auth("alice")
    )
    assert response.status_code == 422
    problems = response.json()["detail"]
    assert [problem["loc"] for problem in problems] == [["query", "sort"], ["query", "limit"]]
    assert response.json()["message"].startswith("sort: ")
