"""The one layer around every request (api/middleware/edge.py): what each answer carries, whoever
gave it (a route, CORS's preflight, the 413, the 500), and what it leaves alone."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Callable
from functools import partial
from pathlib import Path

import httpx
import pytest
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.middleware.edge import RequestEdge
from api.middleware.request_log import Finished
from api.settings import Settings
from tests.support.auth import auth
from tests.support.errors import error_json
from tests.support.jwks_server import app_client, offline_settings
from tests.support.metrics import scrape, value
from tests.support.rest_client import tasks_url

ORIGIN = "http://localhost:3000"  # the development default of CORS_ORIGINS
LIMIT = 64
LOGGER = "api.middleware.request_log"


@pytest.fixture
def access_log(caplog: pytest.LogCaptureFixture) -> Callable[[], list[logging.LogRecord]]:
    caplog.set_level(logging.INFO, logger=LOGGER)
    return lambda: [r for r in caplog.records if r.name == LOGGER]


def assert_edge_headers(response: httpx.Response, request_id: str) -> None:
    """What every answer on a per-user path carries, for a page at the allowed origin."""
    assert response.headers["x-request-id"] == request_id
    assert response.headers["cache-control"] == "private, no-cache"
    assert "Authorization" in response.headers["vary"]
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"


# --- Through the whole app ---------------------------------------------------------------------


async def test_a_preflight_is_logged_counted_and_carries_the_id_and_cache_headers(
    make_settings: Callable[..., Settings], access_log: Callable[[], list[logging.LogRecord]]
) -> None:
    headers = {
        "Origin": ORIGIN,
        "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "authorization,content-type",
        "X-Request-ID": "preflight-1",
    }
    async with app_client(make_settings()) as http:
        response = await http.options(tasks_url("alice", 1), headers=headers)
        samples = await scrape(http)

    assert response.status_code == 200, response.text
    assert_edge_headers(response, "preflight-1")
    [line] = [line for line in access_log() if line.method == "OPTIONS"]
    assert (line.status, line.request_id) == (200, "preflight-1")
    # CORS answers before any route matches: all preflights share one label.
    counted = value(
        samples, "http_requests_total", method="OPTIONS", route="unmatched", status="200"
    )
    assert counted == 1


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
async def test_a_413_carries_cors_the_id_and_cache_headers_and_is_logged_and_counted(
    make_settings: Callable[..., Settings],
    access_log: Callable[[], list[logging.LogRecord]],
    framing: str,
) -> None:
    body = b'{"title": "t"}' + b" " * LIMIT

    async def chunks() -> AsyncIterator[bytes]:
        yield body[:10]
        yield body[10:]

    content: bytes | AsyncIterator[bytes] = body if framing == "content-length" else chunks()
    headers = {**auth("alice"), "Origin": ORIGIN, "X-Request-ID": f"big-{framing}"}
    async with app_client(make_settings(max_body_bytes=LIMIT)) as http:
        response = await http.post(tasks_url("alice"), content=content, headers=headers)
        samples = await scrape(http)

    assert response.status_code == 413
    assert response.json() == error_json(f"Request body is larger than {LIMIT} bytes")
    assert_edge_headers(response, f"big-{framing}")
    [line] = [line for line in access_log() if line.method == "POST"]
    assert (line.status, line.request_id, line.user_id) == (413, f"big-{framing}", None)
    counted = value(samples, "http_requests_total", method="POST", route="unmatched", status="413")
    assert counted == 1


async def test_metrics_count_requests_with_the_log_off(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    async with app_client(offline_settings(tmp_path)) as http:
        for _ in range(3):
            assert (await http.get("/health")).status_code == 200
        samples = await scrape(http)

    assert value(samples, "http_requests_total", method="GET", route="/health", status="200") == 3
    assert not [r for r in caplog.records if r.name == LOGGER]


async def test_a_public_path_gets_the_id_but_no_private_cache_headers(tmp_path: Path) -> None:
    async with app_client(offline_settings(tmp_path)) as http:
        response = await http.get("/health", headers={"Origin": ORIGIN})

    assert response.status_code == 200
    assert len(response.headers["x-request-id"]) == 32
    assert "cache-control" not in response.headers
    assert response.headers["vary"] == "Origin"
    assert response.headers["access-control-allow-origin"] == ORIGIN


# --- The layer alone, around apps that misbehave ------------------------------------------------


def edge(app: ASGIApp, finished: list[Finished]) -> RequestEdge:
    cors = partial(CORSMiddleware, allow_origins=[ORIGIN], allow_credentials=True)
    return RequestEdge(app, max_body_bytes=LIMIT, on_finish=finished.append, cors=cors)


def client_of(app: ASGIApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def test_a_crash_before_the_answer_is_a_json_500_with_every_header_and_one_log_line(
    access_log: Callable[[], list[logging.LogRecord]], caplog: pytest.LogCaptureFixture
) -> None:
    crash = RuntimeError("boom")

    async def crashing(scope: Scope, receive: Receive, send: Send) -> None:
        raise crash

    finished: list[Finished] = []
    async with client_of(edge(crashing, finished)) as http:
        response = await http.get(
            "/api/x?secret=1", headers={"Origin": ORIGIN, "X-Request-ID": "crash-1"}
        )

    assert (response.status_code, response.json()) == (500, error_json("Internal server error"))
    assert response.headers["content-type"] == "application/json"
    assert_edge_headers(response, "crash-1")
    [error] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert error.exc_info is not None and error.exc_info[1] is crash
    [line] = access_log()
    assert (line.route, line.status, line.request_id) == ("/api/x", 500, "crash-1")
    assert [(f.route, f.path, f.status) for f in finished] == [(None, "/api/x", 500)]


async def test_a_crash_after_the_answer_started_is_raised_and_logged_with_the_status_sent(
    access_log: Callable[[], list[logging.LogRecord]],
) -> None:
    async def crashing_midway(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise RuntimeError("midway")

    finished: list[Finished] = []
    async with client_of(edge(crashing_midway, finished)) as http:
        with pytest.raises(RuntimeError, match="midway"):
            await http.get("/anything", headers={"X-Request-ID": "midway-1"})

    [line] = access_log()
    assert (line.status, line.request_id) == (200, "midway-1")
    assert [f.status for f in finished] == [200]


async def test_an_app_that_answers_nothing_is_logged_as_500(
    access_log: Callable[[], list[logging.LogRecord]],
) -> None:
    async def silent(scope: Scope, receive: Receive, send: Send) -> None:
        return

    finished: list[Finished] = []
    scope: Scope = {"type": "http", "method": "GET", "path": "/x", "headers": []}
    await edge(silent, finished)(scope, _receiving([b""]), _ignore)

    assert [f.status for f in finished] == [500]
    assert [line.status for line in access_log()] == [500]


@pytest.mark.parametrize("kind", ["websocket", "lifespan"])
async def test_other_scopes_pass_through_untouched(kind: str) -> None:
    seen: list[tuple[Scope, Receive, Send]] = []

    async def recording(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append((scope, receive, send))

    finished: list[Finished] = []
    scope: Scope = {"type": kind, "path": "/graphql", "headers": [(b"content-length", b"999")]}
    before = dict(scope)
    receive = _receiving([])
    await edge(recording, finished)(scope, receive, _ignore)

    [(passed_scope, passed_receive, passed_send)] = seen
    assert (passed_scope, passed_receive, passed_send) == (scope, receive, _ignore)
    assert passed_scope is scope and scope == before
    assert finished == []


# Content-Length values that declare nothing: the body is counted as it streams instead.
@pytest.mark.parametrize(
    "lengths",
    [[b"10", b"20"], [b"+5"], [b"-1"], [b"1e3"], [b" "], [b"9" * 21]],
    ids=["conflicting", "plus", "negative", "exponent", "blank", "too-many-digits"],
)
@pytest.mark.parametrize("size", [LIMIT, LIMIT + 1])
async def test_a_length_that_declares_nothing_is_counted(lengths: list[bytes], size: int) -> None:
    bodies: list[bytes] = []

    async def reading(scope: Scope, receive: Receive, send: Send) -> None:
        bodies.append((await receive())["body"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    headers = [(b"content-length", length) for length in lengths]
    scope: Scope = {"type": "http", "method": "POST", "path": "/api/x", "headers": headers}
    chunks = [b"x" * (size // 2), b"x" * (size - size // 2)]
    await edge(reading, [])(scope, _receiving(chunks), send)

    assert sent[0]["status"] == (204 if size <= LIMIT else 413)
    assert bodies == ([b"x" * size] if size <= LIMIT else [])


async def test_identical_repeated_lengths_declare_their_value() -> None:
    called: list[Scope] = []

    async def never(scope: Scope, receive: Receive, send: Send) -> None:
        called.append(scope)

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    headers = [(b"content-length", b"%d" % (LIMIT + 1))] * 2
    scope: Scope = {"type": "http", "method": "POST", "path": "/api/x", "headers": headers}
    received: list[int] = []

    async def receive() -> Message:  # a declared length is refused without reading the body
        received.append(1)
        return {"type": "http.request", "body": b"", "more_body": False}

    await edge(never, [])(scope, receive, send)

    assert (sent[0]["status"], called, received) == (413, [], [])


async def _answering_with_vary(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["path"].endswith("/crash"):
        raise RuntimeError("crash")
    headers = [(b"vary", b"Accept-Encoding"), (b"content-length", b"0")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


def _comparable(response: httpx.Response) -> tuple[int, list[tuple[str, str]], set[str]]:
    """Status, headers but Vary and the (random) request id, and Vary's names as a set."""
    headers = sorted((k, v) for k, v in response.headers.multi_items() if k != "vary")
    varies = {
        name.strip() for value in response.headers.get_list("vary") for name in value.split(",")
    }
    return response.status_code, headers, varies


@pytest.mark.parametrize("path", ["/api/x", "/health", "/api/crash"])
@pytest.mark.parametrize("size", [0, LIMIT + 1], ids=["small", "too-large"])
async def test_without_origin_the_answer_is_the_one_cors_would_give(path: str, size: int) -> None:
    # The edge skips Starlette's CORSMiddleware for a request without Origin and adds the one
    # thing it would have added, `Vary: Origin`: held here against CORS around everything.
    cors = partial(CORSMiddleware, allow_origins=[ORIGIN], allow_credentials=True)
    ours = RequestEdge(_answering_with_vary, max_body_bytes=LIMIT, cors=cors)
    through_cors = cors(RequestEdge(_answering_with_vary, max_body_bytes=LIMIT))
    answers = []
    for app in (ours, through_cors):
        async with client_of(app) as http:
            response = await http.post(path, content=b"x" * size, headers={"X-Request-ID": "r"})
        answers.append(_comparable(response))

    assert answers[0] == answers[1]
    assert answers[0][0] == (413 if size else 500 if "crash" in path else 200)
    assert "Origin" in answers[0][2]


async def test_a_generated_request_id_is_new_per_request() -> None:
    ids = set()
    async with client_of(edge(_ok, [])) as http:
        for _ in range(50):
            ids.add((await http.get("/api/x")).headers["x-request-id"])
    assert len(ids) == 50
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert uuid.UUID(next(iter(ids)))  # the shape of uuid4().hex


async def test_the_app_own_id_and_cache_headers_are_replaced_and_vary_kept() -> None:
    async def answering(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [
            (b"x-request-id", b"from-the-app"),
            (b"cache-control", b"public, max-age=60"),
            (b"vary", b"Accept-Encoding"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async with client_of(edge(answering, [])) as http:
        response = await http.get("/graphql", headers={"X-Request-ID": "given"})

    assert response.headers.get_list("x-request-id") == ["given"]
    assert response.headers.get_list("cache-control") == ["private, no-cache"]
    assert response.headers.get_list("vary") == ["Accept-Encoding, Origin, Authorization"]


async def _ok(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


async def _ignore(message: Message) -> None:
    return


def _receiving(chunks: list[bytes]) -> Receive:
    messages = [
        {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        for index, chunk in enumerate(chunks)
    ]

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    return receive
