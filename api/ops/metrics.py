"""Prometheus metrics in the app's own registry, served at /metrics (behind a bearer token when
METRICS_TOKEN is set) or on a port of their own.

Requests by method, route template and status; GraphQL operations by name and outcome; the
database pool and JWKS refreshes, both read at scrape time. `/metrics` itself is not counted:
scrapes would outnumber real traffic, and Prometheus records each scrape's duration already.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.auth.jwks import JwksCache
from api.middleware.request_log import Finished
from api.settings import Settings

METRICS_PATH = "/metrics"
# Label values a client cannot multiply: unknown methods and unmatched paths share one each.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"
UNMATCHED_ROUTE = "unmatched"

_RequestSeries = tuple[Counter, Histogram]


class Metrics:
    """The metrics of one app; several apps in one process (tests) never share a series."""

    def __init__(
        self, engine: AsyncEngine, jwks: JwksCache | None, token: SecretStr | None = None
    ) -> None:
        self.token = token
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.durations = Histogram(
            "http_request_duration_seconds",
            "Time from the request's arrival to the end of its answer.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.operations = Counter(
            "graphql_operations",
            "GraphQL operations by operation name and outcome (ok, or the first error's code).",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.registry.register(PoolCollector(engine))
        if jwks is not None:
            self.registry.register(JwksCollector(jwks))
        # The labelled children, found once per label set rather than on every request.
        self._series: dict[tuple[str, str, int], _RequestSeries] = {}

    def observe_request(self, finished: Finished) -> None:
        """Count and time one answered request (RequestLog's `on_finish`)."""
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

    def observe_operation(self, operation: str, outcome: str) -> None:
        """Count one GraphQL operation (schema.metrics.OperationMetrics' observer)."""
        self.operations.labels(operation, outcome).inc()

    async def expose(self, request: Request) -> Response:
        """The text exposition (OpenMetrics when the scraper asks for it); 401 without the token."""
        if self.token is not None and not _bearer_is(request, self.token):
            return JSONResponse(
                {"detail": "Metrics need Authorization: Bearer <METRICS_TOKEN>"},
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
    """Serve the metrics on METRICS_PORT while the app runs, when that is configured."""
    if metrics is None or settings.metrics_port is None:
        yield
        return
    async with metrics.served_on(settings.metrics_host, settings.metrics_port):
        yield


class PoolCollector:
    """The engine's connection pool, read when Prometheus scrapes."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def collect(self) -> Iterable[Metric]:
        pool = self.engine.pool
        if not isinstance(pool, QueuePool):  # NullPool and StaticPool keep no counts
            return
        yield GaugeMetricFamily(
            "db_pool_size", "Connections the pool keeps open.", value=pool.size()
        )
        yield GaugeMetricFamily(
            "db_pool_checked_out", "Connections in use right now.", value=pool.checkedout()
        )
        # SQLAlchemy's overflow() is negative while the pool is not full yet.
        yield GaugeMetricFamily(
            "db_pool_overflow",
            "Connections open beyond the pool size.",
            value=max(pool.overflow(), 0),
        )


class JwksCollector:
    """How often the JWKS was fetched, by outcome, read when Prometheus scrapes."""

    def __init__(self, jwks: JwksCache) -> None:
        self.jwks = jwks

    def collect(self) -> Iterable[Metric]:
        family = CounterMetricFamily(
            "jwks_refreshes", "Fetches of the JSON Web Key Set, by outcome.", labels=["outcome"]
        )
        for outcome in ("ok", "error"):
            family.add_metric([outcome], self.jwks.fetch_outcomes[outcome])
        yield family
