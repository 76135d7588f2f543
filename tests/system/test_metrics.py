"""GET /metrics: requests by route template, GraphQL outcomes, the pool, JWKS refreshes."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.settings import Settings
from schema.metrics import MAX_OPERATION_NAMES, OTHER_NAME, OperationNames
from tests.support.auth import auth
from tests.support.databases import close_services, two_connections_in_use
from tests.support.errors import error_json
from tests.support.jwks_server import (
    SigningKey,
    app_client,
    better_auth_token,
    jwks_server,
    offline_settings,
)
from tests.support.metrics import parse, scrape, value
from tests.support.rest_client import create, tasks_url

TASK_ROUTE = "/api/{user_id}/tasks/{task_id}"


def user() -> str:
    return f"m-{uuid.uuid4().hex[:8]}"


async def test_requests_are_counted_by_route_template_not_by_path(
    make_settings: Callable[..., Settings],
) -> None:
    alice, bob = user(), user()
    async with app_client(make_settings()) as http:
        first, second = await create(http, alice), await create(http, bob)
        for owner, task in ((alice, first), (bob, second)):
            response = await http.get(tasks_url(owner, task["id"]), headers=auth(owner))
            assert response.status_code == 200
        await http.get("/health")
        samples = await scrape(http)
        again = await scrape(http)

    get_task = {"method": "GET", "route": TASK_ROUTE, "status": "200"}
    assert value(samples, "http_requests_total", **get_task) == 2
    assert value(samples, "http_request_duration_seconds_count", **get_task) == 2
    assert value(samples, "http_request_duration_seconds_bucket", **get_task, le="+Inf") == 2
    assert 0 < (value(samples, "http_request_duration_seconds_sum", **get_task) or 0) < 60
    assert value(samples, "http_requests_total", method="GET", route="/health", status="200") == 1
    created = {"method": "POST", "route": "/api/{user_id}/tasks", "status": "201"}
    assert value(samples, "http_requests_total", **created) == 2
    routes = {dict(labels).get("route") for _, labels in samples}
    assert not any(route and (alice in route or bob in route) for route in routes)
    assert "/metrics" not in {dict(labels).get("route") for _, labels in again}


async def test_unmatched_paths_and_unknown_methods_share_one_label_each(
    tmp_path: Path,
) -> None:
    async with app_client(offline_settings(tmp_path)) as http:
        for path in ("/nope", "/wp-admin.php", f"/{uuid.uuid4().hex}"):
            assert (await http.get(path)).status_code == 404
        assert (await http.request("BREW", "/health")).status_code == 405
        samples = await scrape(http)

    assert value(samples, "http_requests_total", method="GET", route="unmatched", status="404") == 3
    assert value(samples, "http_requests_total", method="other", route="/health", status="405") == 1


async def test_graphql_operations_by_name_and_outcome(
    make_settings: Callable[..., Settings],
) -> None:
    owner = user()
    missing = f'query FindTask {{ task(id: "{2**31 - 1}") {{ id }} }}'
    async with app_client(make_settings()) as http:

        async def post(query: str, **extra: object) -> None:
            body = {"query": query, **extra}
            response = await http.post("/graphql", json=body, headers=auth(owner))
            assert response.status_code == 200, response.text

        await post("query Mine { tasks { totalCount } }")
        await post("query Mine { tasks { totalCount } }")
        await post(missing)
        await post("{ tasks { totalCount } }")
        await post('mutation Add { createTask(input: {title: ""}) { id } }')
        await post("query Broken {")
        await post(f"query {'x' * 65} {{ tasks {{ totalCount }} }}")
        anonymous = await http.post(
            "/graphql", json={"query": "query Mine { tasks { totalCount } }"}
        )
        assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        samples = await scrape(http)

    def operations(operation: str, outcome: str) -> float | None:
        return value(samples, "graphql_operations_total", operation=operation, outcome=outcome)

    assert operations("Mine", "ok") == 2
    assert operations("FindTask", "NOT_FOUND") == 1
    assert operations("anonymous", "ok") == 1
    assert operations("Add", "BAD_USER_INPUT") == 1
    assert operations("invalid", "GRAPHQL_PARSE_FAILED") == 1
    assert operations("invalid", "ok") == 1
    assert operations("unauthenticated", "UNAUTHENTICATED") == 1
    assert operations("Mine", "UNAUTHENTICATED") is None
    graphql_requests = value(
        samples, "http_requests_total", method="POST", route="/graphql", status="200"
    )
    assert graphql_requests == 8


async def test_only_authenticated_valid_operations_take_a_name_slot(
    make_settings: Callable[..., Settings],
) -> None:
    owner = user()
    async with app_client(make_settings()) as http:

        async def post(body: dict[str, object], status: int, **headers: str) -> None:
            response = await http.post("/graphql", json=body, headers=headers)
            assert response.status_code == status, response.text

        for number in range(MAX_OPERATION_NAMES + 5):
            await post({"query": f"query Junk{number} {{ tasks {{ totalCount }} }}"}, 200)
        await post({"query": "query Typo { taks { totalCount } }"}, 200, **auth(owner))
        await post({"query": "query Half { tasks {"}, 200, **auth(owner))
        ghost = {"query": "query Mine { tasks { totalCount } }", "operationName": "Ghost"}
        await post(ghost, 400, **auth(owner))
        await post({"query": "query Mine { tasks { totalCount } }"}, 200, **auth(owner))
        samples = await scrape(http)

    def operations(operation: str, outcome: str) -> float | None:
        return value(samples, "graphql_operations_total", operation=operation, outcome=outcome)

    assert operations("Mine", "ok") == 1
    assert operations("unauthenticated", "UNAUTHENTICATED") == MAX_OPERATION_NAMES + 5
    assert operations("invalid", "GRAPHQL_VALIDATION_FAILED") == 1
    assert operations("invalid", "GRAPHQL_PARSE_FAILED") == 1
    assert operations("invalid", "BAD_REQUEST") == 1
    labels = {dict(labels).get("operation") for name, labels in samples if "graphql" in name}
    assert labels == {"Mine", "unauthenticated", "invalid"}


async def test_requests_the_view_refuses_are_bad_requests_not_server_errors(
    make_settings: Callable[..., Settings],
) -> None:
    owner = user()
    async with app_client(make_settings()) as http:
        refused = [
            await http.post("/graphql", json={"query": ""}, headers=auth(owner)),
            await http.get(
                "/graphql",
                params={"query": "mutation M { deleteTask(id: 1) }"},
                headers=auth(owner),
            ),
            await http.post(
                "/graphql",
                json={"query": "query A { tasks { totalCount } }", "operationName": "B"},
                headers=auth(owner),
            ),
        ]
        samples = await scrape(http)

    assert [response.status_code for response in refused] == [400, 400, 400]
    operations = {
        tuple(sorted(labels)): count
        for (name, labels), count in samples.items()
        if name == "graphql_operations_total"
    }
    assert operations == {(("operation", "invalid"), ("outcome", "BAD_REQUEST")): 3}


def test_operation_names_are_capped_in_number_length_and_charset() -> None:
    names = OperationNames(limit=2)

    assert [names.label(name) for name in ("A", "B", "C", "A", None, "")] == [
        "A",
        "B",
        OTHER_NAME,
        "A",
        "anonymous",
        "anonymous",
    ]
    fresh = OperationNames()
    assert fresh.label("x" * 64) == "x" * 64
    assert fresh.label("x" * 65) == "invalid"
    assert fresh.label('evil"} 1\n# HELP') == "invalid"
    assert fresh.label("9lives") == "invalid"


async def test_pool_gauges_follow_the_store(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(database_pool_size=3)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            idle = await scrape(http)
            async with two_connections_in_use(app):
                busy = await scrape(http)
            after = await scrape(http)
    finally:
        await close_services(app)

    size = 3 if settings.database_url.startswith("postgresql") else 5  # SQLite's own default
    assert value(idle, "db_pool_size") == size
    assert value(idle, "db_pool_checked_out") == 0
    assert value(busy, "db_pool_checked_out") == 2
    assert value(after, "db_pool_checked_out") == 0
    assert value(idle, "db_pool_overflow") == 0


async def test_jwks_refreshes_are_counted_by_outcome(
    make_settings: Callable[..., Settings],
) -> None:
    key, rotated = SigningKey.generate(), SigningKey.generate()
    query = {"query": "{ tasks { totalCount } }"}
    with jwks_server(key) as server:
        settings = make_settings(
            better_auth_url=server.base_url, better_auth_secret=None, jwks_min_refresh_seconds=0
        )

        def bearer(signing_key: SigningKey) -> dict[str, str]:
            token = better_auth_token(signing_key, server.base_url, user())
            return {"Authorization": f"Bearer {token}"}

        async with app_client(settings) as http:
            before = await scrape(http)
            for _ in range(2):
                response = await http.post("/graphql", json=query, headers=bearer(key))
                assert response.status_code == 200, response.text
            fetched = await scrape(http)
            server.status = 500  # an unknown kid makes it refetch, and the refetch fails
            refused = await http.post("/graphql", json=query, headers=bearer(rotated))
            failed = await scrape(http)

    assert (value(before, "jwks_refreshes_total", outcome="ok"), server.hits) == (0, 2)
    assert value(fetched, "jwks_refreshes_total", outcome="ok") == 1  # then the cached set
    assert value(fetched, "jwks_refreshes_total", outcome="error") == 0
    assert refused.status_code == 503  # the refetch failed: the rotated key may be in the set
    assert value(failed, "jwks_refreshes_total", outcome="ok") == 1
    assert value(failed, "jwks_refreshes_total", outcome="error") == 1


async def test_no_jwks_counter_without_a_jwks(tmp_path: Path) -> None:
    async with app_client(offline_settings(tmp_path)) as http:
        samples = await scrape(http)
    assert not any(name.startswith("jwks_") for name, _ in samples)


async def test_metrics_off_means_no_endpoint(tmp_path: Path) -> None:
    async with app_client(offline_settings(tmp_path, metrics="off")) as http:
        assert (await http.get("/health")).status_code == 200
        assert (await http.get("/metrics")).status_code == 404


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


METRICS_TOKEN = "metrics-token-0123456789abcdef"


async def test_production_serves_no_metrics_on_the_app_port_by_default(tmp_path: Path) -> None:
    settings = offline_settings(tmp_path, environment="production", better_auth_secret="s" * 32)
    async with app_client(settings) as http:
        assert (await http.get("/health")).status_code == 200
        response = await http.get("/metrics")
    assert response.status_code == 404
    assert "http_requests" not in response.text


@pytest.mark.parametrize("environment", ["development", "production"])
async def test_a_metrics_token_is_required_once_set(tmp_path: Path, environment: str) -> None:
    settings = offline_settings(
        tmp_path,
        environment=environment,
        better_auth_secret="s" * 32,
        metrics_token=METRICS_TOKEN,
    )
    async with app_client(settings) as http:
        await http.get("/health")
        refused = [
            await http.get("/metrics"),
            await http.get("/metrics", headers={"Authorization": "Bearer wrong"}),
            await http.get("/metrics", headers={"Authorization": f"Basic {METRICS_TOKEN}"}),
            await http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}x"}),
        ]
        response = await http.get("/metrics", headers={"Authorization": f"bearer {METRICS_TOKEN}"})

    for answer in refused:
        assert answer.status_code == 401, answer.text
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.json() == error_json("Metrics need Authorization: Bearer <METRICS_TOKEN>")
    assert response.status_code == 200, response.text
    samples = parse(response.text)
    assert value(samples, "http_requests_total", method="GET", route="/health", status="200") == 1


def test_a_short_metrics_token_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="metrics_token"):
        offline_settings(tmp_path, metrics_token="short")


@pytest.mark.parametrize("environment", ["development", "production"])
async def test_metrics_port_serves_them_apart_from_the_app(
    tmp_path: Path, environment: str
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/metrics"
    settings = offline_settings(
        tmp_path, environment=environment, better_auth_secret="s" * 32, metrics_port=port
    )
    async with app_client(settings) as http:
        assert (await http.get("/health")).status_code == 200
        assert (await http.get("/metrics")).status_code == 404
        async with httpx.AsyncClient() as outside:
            response = await outside.get(url)
    assert response.status_code == 200
    samples = parse(response.text)
    assert value(samples, "http_requests_total", method="GET", route="/health", status="200") == 1
    assert value(samples, "http_requests_total", method="GET", route="unmatched", status="404") == 1
    async with httpx.AsyncClient() as outside:
        with pytest.raises(httpx.ConnectError):
            await outside.get(url)  # the lifespan closed it


async def test_each_app_has_its_own_registry(tmp_path: Path) -> None:
    settings = offline_settings(tmp_path)
    async with app_client(settings) as first, app_client(settings) as second:
        await first.get("/health")
        await first.get("/health")
        await second.get("/health")
        one, two = await scrape(first), await scrape(second)
    health = {"method": "GET", "route": "/health", "status": "200"}
    assert value(one, "http_requests_total", **health) == 2
    assert value(two, "http_requests_total", **health) == 1
