"""The application factory."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy.exc import SQLAlchemyError

from api import errors
from api.auth.jwks import JwksCache
from api.auth.mode import log_auth_mode
from api.auth.signing_secret import signing_secret
from api.auth.verifier import ClaimRules, TokenVerifier
from api.deps import Services
from api.docs.swagger import OPENAPI_URL, docs_router
from api.graphql.endpoint import graphql_router
from api.middleware.edge import RequestEdge
from api.middleware.request_id import REQUEST_ID_HEADER
from api.ops import health
from api.ops.metrics import METRICS_PATH, Metrics, metrics_server
from api.rest import routes as rest
from api.rest import tag_routes
from api.rest.openapi import describe_settings
from api.settings import ConfigurationError, Settings
from db.errors import DatabaseUnavailable
from db.roles import missing_grants, subject_to_row_level_security
from db.session import create_engine, create_store
from db.urls import parse_database_url

log = logging.getLogger(__name__)

GC_YOUNG_THRESHOLD = 20_000
ENGINE_POOL_SIZE = 2


def tune_garbage_collector() -> None:
    """Keep the start-up objects out of every collection and collect young objects less often.

    Each request allocates thousands of short-lived objects; with the default threshold the
    collector runs several times per request (measured: about 1 ms of 5 per list request).
    """
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


async def check_database_role(services: Services) -> None:
    """Refuse to start where the tasks policy applies but no transaction would name its user;
    log an error where the role may not use the tables.

    The first role sees no task and may create none: a clear start-up error beats a service
    that answers empty lists. The second starts: a GRANT fixes it live, and /ready answers 503
    until then. A database that cannot be reached yet is not a reason to refuse.
    """
    try:
        async with services.engine.connect() as connection:
            unnamed = not services.settings.database_row_level_security and (
                await subject_to_row_level_security(connection)
            )
            grants = await missing_grants(connection)
    except (DatabaseUnavailable, SQLAlchemyError) as error:
        log.warning("Could not check the database role: %s", error)
        return
    if unnamed:
        raise ConfigurationError(
            "The database role is subject to the tasks table's row level security: set "
            "DATABASE_ROW_LEVEL_SECURITY=true (or connect as a role that bypasses it)."
        )
    if grants is not None:
        log.error("The service cannot use its database: %s", grants)


def build_services(settings: Settings) -> Services:
    """Engine, store and token verifier; nothing connects until first use."""
    target = parse_database_url(settings.database_url, pgbouncer=settings.database_pgbouncer)
    rls = settings.database_row_level_security and not target.is_sqlite
    # On PostgreSQL the engine only checks the role and answers /ready: a small pool will do.
    engine_pool_size = settings.database_pool_size if target.is_sqlite else ENGINE_POOL_SIZE
    engine = create_engine(target, pool_size=engine_pool_size, row_level_security=rls)
    store = create_store(
        target, engine, pool_size=settings.database_pool_size, row_level_security=rls
    )
    jwks = None
    if settings.resolved_jwks_url:
        jwks = JwksCache(
            settings.resolved_jwks_url,
            max_age_seconds=settings.jwks_cache_seconds,
            min_refresh_seconds=settings.jwks_min_refresh_seconds,
        )
    verifier = TokenVerifier(
        secret=signing_secret(settings, create=True),
        jwks=jwks,
        secret_rules=ClaimRules(issuer=settings.jwt_issuer, audience=settings.jwt_audience),
        jwks_rules=ClaimRules(issuer=settings.jwks_issuer, audience=settings.jwks_audience),
        leeway_seconds=settings.jwt_leeway_seconds,
    )
    return Services(
        settings=settings,
        engine=engine,
        store=store,
        verifier=verifier,
        jwks=jwks,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI app: GraphQL at /graphql, REST under /api, health probes, CORS, errors."""
    settings = settings or Settings()
    services = build_services(settings)
    metrics = None
    if settings.metrics_enabled:
        metrics = Metrics(services.store.pool_readings, services.jwks, token=settings.metrics_token)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        log_auth_mode(settings, services.verifier)
        await check_database_role(services)
        tune_garbage_collector()
        async with metrics_server(metrics, settings):
            yield
        if services.jwks is not None:
            await services.jwks.aclose()
        await services.store.close()
        await services.engine.dispose()

    app = FastAPI(
        title="Todo API",
        summary="Per-user tasks: GraphQL at /graphql, REST compatibility routes under /api.",
        version="0.1.0",
        lifespan=lifespan,
        # Swagger UI is ours (api/docs/: local files, strict CSP); ReDoc is not served.
        openapi_url=OPENAPI_URL if settings.api_docs_enabled else None,
        docs_url=None,
        redoc_url=None,
        # No 307 to an absolute URL for a trailing slash: RequestEdge serves it instead.
        redirect_slashes=False,
    )
    app.state.services = services
    cors = partial(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "If-Match",
            "If-None-Match",
            "Idempotency-Key",
            REQUEST_ID_HEADER,
        ],
        # Browsers hide response headers from scripts unless they are exposed.
        expose_headers=["X-Total-Count", "ETag", "Idempotent-Replayed", REQUEST_ID_HEADER],
    )
    # The one middleware: it times, logs and counts every answer, preflights included; CORS
    # runs inside it, so a 413 and a 500 carry the CORS headers too.
    app.add_middleware(
        RequestEdge,
        max_body_bytes=settings.max_body_bytes,
        on_finish=metrics.observe_request if metrics else None,
        cors=cors,
    )
    errors.install(app)
    app.include_router(health.router)
    app.include_router(rest.router)
    app.include_router(tag_routes.router)
    if settings.api_docs_enabled:
        app.include_router(docs_router())
        describe_settings(app, settings)
    app.include_router(
        graphql_router(settings, observe_operation=metrics.observe_operation if metrics else None),
        prefix="/graphql",
        include_in_schema=False,
    )
    if metrics is not None and settings.metrics_port is None:
        app.add_route(METRICS_PATH, metrics.expose, methods=["GET"], include_in_schema=False)
    return app
