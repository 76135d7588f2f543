"""Prometheus metrics in the app's own registry, served at /metrics (behind a bearer token when
METRICS_TOKEN is set) or on a port of their own; summed across workers (api/ops/metrics_workers).

Requests by method, route template and status; GraphQL operations by name and outcome; the
database pool and JWKS refreshes. `/metrics` itself is not counted: scrapes would outnumber real
traffic, and Prometheus records each scrape's duration already.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.exposition import choose_encoder
from pydantic import SecretStr
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.auth.jwks import JwksCache
from api.error_bodies import error_body
from api.middleware.request_log import Finished
from api.ops.metrics_workers import WorkersCollector, multiprocess_dir, worker_lifetime
from api.ops.pool_metrics import PoolCollector, PoolGauges, PoolReadings
from api.settings import Settings

METRICS_PATH = "/metrics"
# Label values a client cannot multiply: unknown methods and unmatched paths share one each.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"
UNMATCHED_ROUTE = "unmatched"
JWKS_OUTCOMES = ("ok", "error")

_RequestSeries = tuple[Counter, Histogram]


class Metrics:
    """The metrics of one app; several apps in one process (tests) never share a series."""

    def __init__(
        self, pool: PoolReadings, jwks: JwksCache | None, token: SecretStr | None = None
    ) -> None:
        self.token = token
        self.registry = CollectorRegistry()  # what /metrics and METRICS_PORT answer
        self.directory = multiprocess_dir()
        # With several workers the values live in files, and every worker's are read from there.
        own = self.registry if self.directory is None else None
        self.requests = Counter(
            "http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=own,
        )
        self.durations = Histogram(
            "http_request_duration_seconds",
            "Time from the request's arrival to the end of its answer.",
            ["method", "route", "status"],
            registry=own,
        )
        self.operations = Counter(
            "graphql_operations",
            "GraphQL operations by operation name and outcome (ok, or the first error's code).",
            ["operation", "outcome"],
            registry=own,
        )
        self.pool_gauges = None
        if self.directory is None:
            self.registry.register(PoolCollector(pool))
        else:
            self.registry.register(WorkersCollector(self.directory))
            self.pool_gauges = PoolGauges(pool)
        if jwks is not None:
            self._count_refreshes(jwks, own)
        # The labelled children, found once per label set rather than on every request.
        self._series: dict[tuple[str, str, int], _RequestSeries] = {}

    def _count_refreshes(self, jwks: JwksCache, registry: CollectorRegistry | None) -> None:
        refreshes = Counter(
            "jwks_refreshes",
            "Fetches of the JSON Web Key Set, by outcome.",
            ["outcome"],
            registry=registry,
        )
        for outcome in JWKS_OUTCOMES:  # both series from the start, at zero
            refreshes.labels(outcome)
        jwks.on_fetch = lambda outcome: refreshes.labels(outcome).inc()

    def observe_request(self, finished: Finished) -> None:
        """Count and time one answered request (RequestEdge's `on_finish`)."""
        if finished.route == METRICS_PATH:
            return
        method = finished.method if finished.method in KNOWN_METHODS else OTHER_METHOD
        key = (method, finished.route or UNMATCHED_ROUTE, finished.status)
        series = self._series.get(key)
        if series is None:
            labels = (method, key[1], str(key[2]))
            series = self._series[key] = (
                self.requests.labels(*labels),
                self.durations.labels(*labels),
            )
        series[0].inc()
        series[1].observe(finished.duration_seconds)
        if self.pool_gauges is not None:
            self.pool_gauges.refresh()

    def observe_operation(self, operation: str, outcome: str) -> None:
        """Count one GraphQL operation (schema.metrics.OperationMetrics' observer)."""
        self.operations.labels(operation, outcome).inc()

    async def expose(self, request: Request) -> Response:
        """The text exposition (OpenMetrics when the scraper asks for it); 401 without the token."""
        if self.token is not None and not _bearer_is(request, self.token):
            return JSONResponse(
                error_body("Metrics need Authorization: Bearer <METRICS_TOKEN>"),
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        encoder, content_type = choose_encoder(request.headers.get("accept", ""))
        return Response(encoder(self.registry), media_type=content_type)

    @asynccontextmanager
    async def served_on(self, host: str, port: int) -> AsyncIterator[None]:
        """A small HTTP server of these metrics alone, for as long as the context lasts."""
        server, thread = start_http_server(port, addr=host, registry=self.registry)
        try:
            yield
        finally:
            await asyncio.to_thread(server.shutdown)
            server.server_close()
            thread.join(timeout=5)


def _bearer_is(request: Request, token: SecretStr) -> bool:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    expected = token.get_secret_value().encode()
    # Constant time: the answer must not tell how much of a guess was right.
    return scheme.lower() == "bearer" and hmac.compare_digest(credentials.encode(), expected)


@asynccontextmanager
async def metrics_server(metrics: Metrics | None, settings: Settings) -> AsyncIterator[None]:
    """Serve the metrics on METRICS_PORT while the app runs, when that is configured (with
    several workers their parent serves it)."""
    if metrics is not None and metrics.directory is not None:
        async with worker_lifetime(metrics.directory):
            yield
        return
    if metrics is None or settings.metrics_port is None:
        yield
        return
    async with metrics.served_on(settings.metrics_host, settings.metrics_port):
        yield
