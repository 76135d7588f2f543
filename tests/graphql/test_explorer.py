"""The GraphiQL explorer: a page with a strict CSP whose every asset this service serves."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from api.assets import store
from api.assets.manifest import GRAPHIQL
from api.graphql import explorer
from api.settings import Settings
from tests.support.auth import auth
from tests.support.jwks_server import app_client
from tests.support.pages import Page, directives, parse

HTML = {"Accept": "text/html"}


async def explorer_page(client: httpx.AsyncClient) -> tuple[httpx.Response, Page]:
    response = await client.get("/graphql", headers=HTML)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return response, parse(response.text)


async def test_the_page_sends_a_strict_csp(client: httpx.AsyncClient) -> None:
    response, page = await explorer_page(client)
    policy = directives(response.headers["content-security-policy"])
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    style_sources = policy["style-src"]
    assert style_sources[0] == "'self'" and len(style_sources) == 2
    nonce = re.fullmatch(r"'nonce-([A-Za-z0-9_-]{20,})'", style_sources[1])
    assert nonce, style_sources
    # No inline script at all: every script is a file, and explorer.js carries the style nonce.
    assert all(script.get("src") for script in page.scripts), page.scripts
    assert [s["nonce"] for s in page.scripts if s.get("nonce")] == [nonce.group(1)]
    assert "unsafe" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_each_page_has_its_own_style_nonce(client: httpx.AsyncClient) -> None:
    first, _ = await explorer_page(client)
    second, _ = await explorer_page(client)
    first_csp = first.headers["content-security-policy"]
    assert first_csp != second.headers["content-security-policy"]


async def test_the_page_loads_nothing_from_another_host(client: httpx.AsyncClient) -> None:
    response, page = await explorer_page(client)
    assert not re.search(r"https?://", response.text), "an absolute URL in the explorer page"
    assets = [url for url in page.urls if url != "data:,"]  # data:, is the empty favicon
    assert {url.split("?")[0] for url in assets} == {
        f"/graphql/assets/{name}" for name in (*GRAPHIQL, *explorer.OWN)
    }


def installed_file(name: str) -> Path:
    if name in GRAPHIQL:
        return store.vendored_path(name, GRAPHIQL[name])
    return explorer.OWN[name]


async def test_every_asset_is_the_installed_file_with_its_type_and_a_long_cache(
    client: httpx.AsyncClient,
) -> None:
    _, page = await explorer_page(client)
    for url in (url for url in page.urls if url.startswith("/graphql/assets/")):
        response = await client.get(url)
        assert response.status_code == 200, url
        name = url.split("?")[0].rsplit("/", 1)[1]
        assert response.content == installed_file(name).read_bytes(), url
        expected = "text/css" if name.endswith(".css") else "text/javascript"
        assert response.headers["content-type"].split(";")[0] == expected, url
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable", url
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_the_vendored_files_are_the_umd_builds(client: httpx.AsyncClient) -> None:
    graphiql = await client.get("/graphql/assets/graphiql.min.js")
    # The UMD wrapper that reads the React and ReactDOM globals the page loads first.
    assert graphiql.text.startswith("!function(e,t){")
    assert "t(e.React,e.ReactDOM)" in graphiql.text[:600]
    react = await client.get("/graphql/assets/react.production.min.js")
    assert "react.production.min.js" in react.text[:200]


@pytest.mark.parametrize(
    "name", ["package.json", "..%2Fpackage.json", "graphiql.min.js.map", "index.js"]
)
async def test_only_the_named_files_are_served(client: httpx.AsyncClient, name: str) -> None:
    response = await client.get(f"/graphql/assets/{name}")
    assert response.status_code == 404


async def test_post_queries_work_beside_the_explorer(client: httpx.AsyncClient) -> None:
    created = await client.post(
        "/graphql",
        json={"query": 'mutation { createTask(input: {title: "Beside"}) { title } }'},
        headers=auth("explorer-post"),
    )
    assert created.json() == {"data": {"createTask": {"title": "Beside"}}}
    listed = await client.post(
        "/graphql",
        json={"query": "{ tasks { totalCount edges { node { title } } } }"},
        headers=auth("explorer-post"),
    )
    tasks = listed.json()["data"]["tasks"]
    assert tasks == {"totalCount": 1, "edges": [{"node": {"title": "Beside"}}]}


async def test_json_get_without_a_query_is_not_the_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "application/json"})
    assert "text/html" not in response.headers.get("content-type", "")


@pytest.mark.parametrize(
    "overrides", [{"environment": "production"}, {"graphiql": False}], ids=["production", "off"]
)
async def test_no_explorer_when_it_is_off(
    make_settings: Callable[..., Settings], overrides: dict[str, object]
) -> None:
    async with app_client(make_settings(**overrides)) as http:
        page = await http.get("/graphql", headers=HTML)
        asset = await http.get("/graphql/assets/graphiql.min.js")
        query = await http.post("/graphql", json={"query": "{ __typename }"})
    assert page.status_code == 404
    assert "GraphiQL" not in page.text
    assert asset.status_code == 404
    assert query.json() == {"data": {"__typename": "Query"}}


async def test_missing_assets_say_how_to_install_them(
    make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(store, "VENDOR", tmp_path / "vendor")
    monkeypatch.setattr(store, "NODE_MODULES", tmp_path / "node_modules")
    async with app_client(make_settings()) as http:
        response = await http.get("/graphql", headers=HTML)
        asset = await http.get("/graphql/assets/graphiql.min.js")
    assert response.status_code == 503
    assert "content-security-policy" in response.headers
    text = parse(response.text).words
    assert "make install" in text
    assert "cd api/assets && npm ci" in text
    assert str(tmp_path / "node_modules" / "graphiql" / "graphiql.min.js") in text
    assert not parse(response.text).scripts
    assert asset.status_code == 404
