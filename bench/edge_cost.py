"""`python -m bench.edge_cost`: CPU µs per request of what runs around a route, in process.

Fake ASGI requests (scope, receive, send; no sockets, no server) go through the app's own
middleware (`app.user_middleware` of `api.app.create_app`) around a trivial app that answers
200, and through the whole app on GET /health. Each figure is the median over the rounds of
`time.process_time()` per request, minus the trivial app alone (building the scope included).
`--baseline DIR` measures another checkout (e.g. main) the same way, its rounds in turns with
ours, each round in a fresh process; `--framework` adds Starlette's and FastAPI's own layers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Headers = list[tuple[bytes, bytes]]
BROWSER: Headers = [
    (b"host", b"api.example.com"),
    (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0"),
    (b"accept", b"application/json"),
    (b"accept-language", b"en-US,en;q=0.5"),
    (b"accept-encoding", b"gzip, deflate, br"),
    (b"authorization", b"Bearer " + b"x" * 180),
    (b"connection", b"keep-alive"),
    (b"sec-fetch-mode", b"cors"),
]
ORIGIN = b"http://localhost:3000"  # the development default of CORS_ORIGINS
BODY = json.dumps({"title": "Buy milk", "description": "x" * 150}).encode()
CORS: Headers = [(b"origin", ORIGIN), (b"referer", ORIGIN + b"/")]
# name: (method, path, extra headers, body messages, expected status)
KINDS: dict[str, tuple[str, str, Headers, list[bytes], int]] = {
    "GET /api": ("GET", "/api/alice/tasks", [], [b""], 200),
    "GET /api, Origin + X-Request-ID": (
        "GET",
        "/api/alice/tasks",
        [*CORS, (b"x-request-id", b"f0e1d2c3-trace")],
        [b""],
        200,
    ),
    "POST /api, 200 B": (
        "POST",
        "/api/alice/tasks",
        [*CORS, (b"content-type", b"application/json"), (b"content-length", b"%d" % len(BODY))],
        [BODY],
        200,
    ),
    "POST /api, chunked": (
        "POST",
        "/api/alice/tasks",
        [*CORS, (b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
        [BODY[:100], BODY[100:]],
        200,
    ),
    "OPTIONS preflight": (
        "OPTIONS",
        "/api/alice/tasks",
        [
            *CORS,
            (b"access-control-request-method", b"POST"),
            (b"access-control-request-headers", b"authorization,content-type"),
        ],
        [b""],
        200,
    ),
    "GET /health": ("GET", "/health", [], [b""], 200),
}
ANSWER = b'{"ok":true}'
ANSWER_HEADERS: Headers = [
    (b"content-length", b"%d" % len(ANSWER)),
    (b"content-type", b"application/json"),
]


def scope_for(app: Any, kind: str) -> Callable[[], Scope]:
    method, path, extra, _, _ = KINDS[kind]
    headers = [*BROWSER, *extra]

    def make() -> Scope:
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "app": app,  # FastAPI sets it before the middleware runs; the request log reads it
        }

    return make


def receiver(kind: str) -> Callable[[], Receive]:
    chunks = KINDS[kind][3]
    messages = [
        {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        for index, chunk in enumerate(chunks)
    ]

    def make() -> Receive:
        pending = iter(messages)

        async def receive() -> Message:
            return next(pending, {"type": "http.disconnect"})

        return receive

    return make


def trivial_app(route: Any) -> ASGIApp:
    """What a route does at the least: read the body, note the route and user, answer 200."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        more = True
        while more:
            more = (await receive()).get("more_body", False)
        scope["route"] = route
        scope.setdefault("state", {})["user_id"] = "alice"
        await send({"type": "http.response.start", "status": 200, "headers": list(ANSWER_HEADERS)})
        await send({"type": "http.response.body", "body": ANSWER})

    return app


def with_user_middleware(app: Any, inner: ASGIApp) -> ASGIApp:
    """`inner` wrapped in the app's own middleware, as FastAPI's build_middleware_stack does."""
    for cls, args, kwargs in reversed(app.user_middleware):
        inner = cls(inner, *args, **kwargs)
    return inner


async def drive(stack: ASGIApp, make_scope: Callable[[], Scope], make_receive: Any, n: int) -> int:
    status = 0

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    for _ in range(n):
        await stack(make_scope(), make_receive(), send)
    return status


def time_one(loop: asyncio.AbstractEventLoop, run: Coroutine[Any, Any, int]) -> tuple[float, int]:
    """CPU seconds `run` takes on `loop`, and the last status it saw."""
    start = time.process_time()
    status = loop.run_until_complete(run)
    return time.process_time() - start, status


def configure_log(mode: str) -> None:
    """`off`: the request log below its level; `json`: production's JSON lines, to /dev/null."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    if mode == "off":
        root.setLevel(logging.WARNING)
        return
    from api.ops.logging_config import JsonFormatter, RequestIdFilter

    handler = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115 (for the process)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def build_app(workdir: str) -> Any:
    """The real app on SQLite, with the collector tuned as its lifespan would (which never runs
    here: nothing measured touches the database)."""
    from api.app import create_app, tune_garbage_collector
    from api.settings import Settings

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{workdir}/edge.db",
        better_auth_secret="s" * 40,
        dev_secret_file=f"{workdir}/secret",
    )
    app = create_app(settings)
    tune_garbage_collector()
    return app


def framework_layers(app: Any, inner: ASGIApp) -> dict[str, ASGIApp]:
    """Each of Starlette's and FastAPI's own per-request layers, alone around `inner`."""
    from fastapi.middleware.asyncexitstack import AsyncExitStackMiddleware
    from starlette.middleware.errors import ServerErrorMiddleware
    from starlette.middleware.exceptions import ExceptionMiddleware

    layers: dict[str, ASGIApp] = {
        "ServerErrorMiddleware": ServerErrorMiddleware(inner),
        "ExceptionMiddleware (our handlers)": ExceptionMiddleware(
            inner, handlers={k: v for k, v in app.exception_handlers.items() if k is not Exception}
        ),
        "AsyncExitStackMiddleware": AsyncExitStackMiddleware(inner),
    }
    try:  # FastAPI >= 0.16x: native OpenTelemetry and its own body limit
        from fastapi._body_limit import AppBodyLimitMiddleware
        from fastapi.telemetry._asgi import ExceptionTelemetryMiddleware

        layers["ExceptionTelemetryMiddleware"] = ExceptionTelemetryMiddleware(inner)
        layers["AppBodyLimitMiddleware (no limit)"] = AppBodyLimitMiddleware(inner, None)
        native = app._native_telemetry

        async def telemetry_check(scope: Scope, receive: Receive, send: Send) -> None:
            native.enabled()  # what FastAPI.__call__ asks on every request
            await inner(scope, receive, send)

        layers["FastAPI.__call__ telemetry check"] = telemetry_check
    except ImportError:
        pass
    return layers


Row = tuple[ASGIApp, str, str]  # what is driven, the kind of request, the log mode


def rows_of(app: Any, inner: ASGIApp, framework: bool) -> dict[str, Row]:
    """What is measured: our middleware around `inner` for each kind of request and the whole
    app on GET /health, with the log off and on; with `framework`, each framework layer."""
    rows: dict[str, Row] = {}
    for log_mode in ("off", "json"):
        for kind in KINDS:
            if kind != "GET /health":
                stack = with_user_middleware(app, inner)
                rows[f"middleware, log {log_mode}: {kind}"] = (stack, kind, log_mode)
        rows[f"whole app, log {log_mode}: GET /health"] = (app, "GET /health", log_mode)
    if framework:
        for name, layer in framework_layers(app, inner).items():
            rows[f"framework: {name}"] = (layer, "GET /api", "off")
    return rows


def measure(rounds: int, n: int, framework: bool) -> dict[str, list[float]]:
    """µs per request of each row, one value per round, the trivial app's own cost subtracted."""
    app = build_app(tempfile.mkdtemp(prefix="edge-cost-"))  # its lifespan never runs: no database
    route = next(
        context.original_route
        for context in iter_route_contexts(app.routes)
        if context.path == "/api/{user_id}/tasks"
    )
    inner = trivial_app(route)
    rows = rows_of(app, inner, framework)
    floor_rows: dict[str, Row] = {kind: (inner, kind, "off") for kind in KINDS}
    loop = asyncio.new_event_loop()
    floors: dict[str, list[float]] = {kind: [] for kind in KINDS}
    values: dict[str, list[float]] = {name: [] for name in rows}
    for round_number in range(rounds + 1):  # round 0 warms up, on fewer requests
        count = n if round_number else min(n, 2_000)
        for results, table in ((floors, floor_rows), (values, rows)):
            for name, (stack, kind, log_mode) in table.items():
                configure_log(log_mode)
                run = drive(stack, scope_for(app, kind), receiver(kind), count)
                seconds, status = time_one(loop, run)
                if status != KINDS[kind][4]:
                    raise RuntimeError(f"{name}: answered {status}")
                if round_number:
                    results[name].append(seconds / count * 1e6)
    configure_log("off")
    for name, (_, kind, _) in rows.items():
        values[name] = [value - statistics.median(floors[kind]) for value in values[name]]
    values["(trivial app alone, not subtracted): GET /api"] = floors["GET /api"]
    return values


def in_checkout(tree: Path, rounds: int, n: int, framework: bool) -> dict[str, list[float]]:
    """`measure` in a fresh interpreter that imports `api` from `tree`."""
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, __file__, "--json", "--rounds", str(rounds), "--n", str(n)]
    if framework:
        command.append("--framework")
    output = subprocess.run(
        command, env=environment, cwd=tree, capture_output=True, text=True, check=True
    ).stdout
    result: dict[str, list[float]] = json.loads(output)
    return result


def table(columns: dict[str, dict[str, list[float]]]) -> str:
    names = list(next(iter(columns.values())))
    width = max(len(name) for name in names)
    lines = [f"{'µs per request (median [min-max])':<{width}}  " + "  ".join(columns)]
    for name in names:
        cells = []
        for column in columns.values():
            values = column.get(name)
            cells.append(
                "n/a"
                if not values
                else f"{statistics.median(values):6.2f} [{min(values):.2f}-{max(values):.2f}]"
            )
        lines.append(f"{name:<{width}}  " + "  ".join(f"{cell:<22}" for cell in cells))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.edge_cost", description=__doc__)
    parser.add_argument("--n", type=int, default=20_000, help="requests per row and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="another checkout to measure in turns")
    parser.add_argument("--framework", action="store_true", help="Starlette's, FastAPI's layers")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.json:
        print(json.dumps(measure(options.rounds, options.n, options.framework)))
        return
    if options.baseline is None:
        print(table({"this checkout": measure(options.rounds, options.n, options.framework)}))
        return
    here = Path(__file__).resolve().parent.parent
    columns: dict[str, dict[str, list[float]]] = {"baseline": {}, "this checkout": {}}
    for _ in range(options.rounds):  # one round per process, in turns
        for column, tree in (("baseline", options.baseline), ("this checkout", here)):
            result = in_checkout(tree.resolve(), 1, options.n, options.framework)
            for name, values in result.items():
                columns[column].setdefault(name, []).extend(values)
    print(f"baseline: {options.baseline.resolve()}")
    print(table(columns))


if __name__ == "__main__":
    main()
