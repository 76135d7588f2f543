"""`python -m bench.graphql_cost`: the CPU the GraphQL layer costs per list request, in process.

No database and no wrk: both sides' data layers are replaced, here only, by a fixed page of 50
tasks (ours: `db.listing.list_page`; the floor's: `Backend.page`), so what is measured is the
rest: Strawberry, our extensions, types and context, and for `http` also FastAPI, the router,
the dependencies and the middleware, each request a raw ASGI call. Ours runs with production
settings (metrics on, introspection off, persisted queries on), the floor as bench/floor.py.
Rounds alternate ours and the floor; each figure is the median of the rounds, in microseconds
of process CPU time per request.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import jwt
import orjson
from starlette.types import ASGIApp, Message

from db.models import TaskRow

LIST = (
    "query Tasks { tasks(first: 50) { totalCount pageInfo { hasNextPage endCursor } "
    "edges { cursor node { id title description completed priority dueDate createdAt "
    "updatedAt version } } } }"
)
TASKS = 50
OWNER = "bench-user"
SECRET = "bench-secret-0123456789abcdef0123456789abcdef"

Run = Callable[[], Awaitable[object]]


def rows() -> list[dict[str, Any]]:
    """The page's tasks as the floor's data layer hands them over (mappings, like asyncpg's
    records), with the columns both sides answer."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    return [
        dict(
            id=TASKS - n,
            user_id=OWNER,
            title=f"Task number {n}",
            description=None if n % 3 else f"Something to do, {n}",
            completed=n % 2 == 0,
            priority=("low", "medium", "high")[n % 3],
            due_date=None if n % 2 else start + timedelta(days=n),
            created_at=start - timedelta(minutes=n),
            updated_at=start - timedelta(minutes=n),
            version=1 + n % 4,
        )
        for n in range(TASKS)
    ]


@contextmanager
def fixed_data() -> Iterator[None]:
    """Both data layers answer the fixed page while the block runs."""
    from bench.reference_base import Backend
    from db import listing, pagination
    from db.inputs import SortDirection, SortField

    page_rows = rows()
    cursors = [
        pagination.encode_cursor(
            SortField.CREATED_AT, SortDirection.DESC, [r["created_at"], r["id"]]
        )
        for r in page_rows
    ]

    # Tasks that do not recur: the columns the floor's rows leave out.
    once = {
        "recurrence": None,
        "time_zone": "UTC",
        "recurrence_start": None,
        "occurrence": None,
        "recurs_from": None,
    }
    records = [TaskRow(**row, **once) for row in page_rows]

    async def list_page(*arguments: Any) -> listing.TaskPage:
        first = arguments[2]  # list_page(owner, query, first, after)
        tasks: list[TaskRow] = records[:first]
        return listing.TaskPage(tasks, cursors[:first], first < TASKS, TASKS)

    async def backend_page(_: object, owner: str, limit: int, offset: int) -> tuple[Any, int]:
        return page_rows[offset : offset + limit], TASKS

    with (
        mock.patch.object(listing, "list_page", list_page),
        mock.patch.object(Backend, "page", backend_page),
    ):
        yield


def production_settings(directory: Path) -> Any:
    from api.settings import Settings

    return Settings(
        _env_file=None,
        environment="production",
        database_url=f"sqlite:///{directory / 'never-opened.db'}",
        better_auth_secret=SECRET,
        metrics_token="bench-metrics-token-0123456789",
    )


class _UnusedStore:
    """What the GraphQL context reads of a store when the list service is replaced."""

    dialect = "postgresql"


_UNUSED_STORE: Any = _UnusedStore()


def schema_runs(directory: Path) -> dict[str, Run]:
    """Schema.execute of the list document: ours (as the app builds it) and the floor's."""
    from api.graphql.endpoint import graphql_router
    from api.ops.metrics import Metrics
    from bench import floor_graphql
    from bench.reference_base import Backend
    from schema.context import Context

    settings = production_settings(directory)
    metrics = Metrics(lambda: None, None)
    ours = graphql_router(settings, observe_operation=metrics.observe_operation).schema
    backend = Backend("postgresql://unused", SECRET, 1)

    async def run_ours() -> object:
        # The store is never used: the list service is replaced (fixed_data).
        context = Context(_UNUSED_STORE, OWNER)
        return await ours.execute(LIST, context_value=context, operation_name="Tasks")

    async def run_floor() -> object:
        context = floor_graphql.Context(backend, OWNER)
        return await floor_graphql.SCHEMA.execute(
            LIST, context_value=context, operation_name="Tasks"
        )

    return {"ours": run_ours, "floor": run_floor}


def http_runs(directory: Path) -> dict[str, Run]:
    """POST /graphql through each whole app (middleware, router, dependencies), raw ASGI."""
    import os

    from api.app import create_app
    from bench import floor

    token = jwt.encode(
        {"sub": OWNER, "exp": datetime.now(UTC) + timedelta(hours=12)}, SECRET, "HS256"
    )
    body = orjson.dumps({"query": LIST})
    ours = create_app(production_settings(directory))
    # The floor reads its configuration from the environment; its pool is never opened.
    floor_environment = {"DATABASE_URL": "postgresql://unused", "BETTER_AUTH_SECRET": SECRET}
    with mock.patch.dict(os.environ, floor_environment):
        floor_app = floor.create_app()
    return {"ours": _poster(ours, body, token), "floor": _poster(floor_app, body, token)}


def _poster(app: ASGIApp, body: bytes, token: str) -> Run:
    headers = [
        (b"host", b"127.0.0.1"),
        (b"authorization", f"Bearer {token}".encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }

    async def post() -> object:
        sent: list[Message] = []

        async def receive() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        await app(dict(scope), receive, send)
        if sent[0]["status"] != 200:
            raise RuntimeError(f"{sent[0]['status']}: {sent[1].get('body')!r}")
        return sent

    return post


async def measure(runs: dict[str, Run], rounds: int, per_round: int) -> dict[str, list[float]]:
    """Microseconds of process CPU per call, one figure per round, the sides in turns."""
    for run in runs.values():  # warm-up: caches, lazy imports
        for _ in range(per_round // 5 + 1):
            await run()
    gc.collect()
    gc.freeze()
    figures: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            start = time.process_time()
            for _ in range(per_round):
                await run()
            figures[name].append((time.process_time() - start) / per_round * 1e6)
    return figures


def answer(value: Any) -> dict[str, Any]:
    """The GraphQL answer of a run: an ExecutionResult, or the messages an ASGI app sent."""
    if isinstance(value, list):
        body: dict[str, Any] = orjson.loads(b"".join(m.get("body", b"") for m in value[1:]))
        return body
    return {"data": value.data, "errors": value.errors}


def check_same_data(answers: dict[str, dict[str, Any]]) -> None:
    """Every side answered the whole page, the same tasks (each side makes its own cursors)."""
    pages = []
    for name, body in answers.items():
        if body.get("errors") or not body.get("data"):
            raise RuntimeError(f"{name} answered {body}")
        pages.append([edge["node"] for edge in body["data"]["tasks"]["edges"]])
    if len(pages[0]) != TASKS or any(page != pages[0] for page in pages):
        raise RuntimeError(f"the sides answered different pages: {answers}")


async def main_async(arguments: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="todo-graphql-cost-") as directory, fixed_data():
        kinds = {"schema": schema_runs, "http": http_runs}
        for kind in arguments.kinds:
            runs = kinds[kind](Path(directory))
            check_same_data({name: answer(await run()) for name, run in runs.items()})
            figures = await measure(runs, arguments.rounds, arguments.per_round)
            report(kind, figures)


def report(kind: str, figures: dict[str, list[float]]) -> None:
    medians = {name: statistics.median(values) for name, values in figures.items()}
    for name, values in figures.items():
        low, high = min(values), max(values)
        print(f"{kind:<6} {name:<5} {medians[name]:7.0f} us  [{low:.0f}-{high:.0f}]", flush=True)
    if "floor" in medians and "ours" in medians:
        print(f"{kind:<6} ours/floor CPU {medians['ours'] / medians['floor']:.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.graphql_cost", description=__doc__)
    parser.add_argument("kinds", nargs="*", help="schema, http (default: both)")
    parser.add_argument("--rounds", type=int, default=9, help="rounds per side (default 9)")
    parser.add_argument("--per-round", type=int, default=200, help="requests per round")
    arguments = parser.parse_args()
    arguments.kinds = arguments.kinds or ["schema", "http"]
    if not set(arguments.kinds) <= {"schema", "http"}:
        parser.error("kinds are schema and http")
    asyncio.run(main_async(arguments))


if __name__ == "__main__":
    main()
