"""The /graphql router: the context comes from FastAPI dependencies."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from api.deps import OptionalUserId
from api.graphql.explorer import ExplorerRouter
from api.graphql.persisted import PersistedDocuments
from api.graphql.router import TaskGraphQLRouter
from api.settings import Settings
from schema.build import build_schema
from schema.context import Context
from schema.metrics import OperationObserver


async def graphql_context(connection: HTTPConnection, user_id: OptionalUserId) -> Context:
    return Context(connection.app.state.services.store, user_id)


def graphql_router(
    settings: Settings, *, observe_operation: OperationObserver | None = None
) -> TaskGraphQLRouter:
    documents = PersistedDocuments(settings.graphql_persisted_queries)
    schema = build_schema(
        mask_unexpected_errors=settings.is_production,
        introspection=settings.graphql_introspection_enabled,
        observe_operation=observe_operation,
        more_extensions=[documents.extension],
    )
    if settings.graphiql_enabled:
        # GraphiQL with its assets served from here (api/explorer.py), not from a CDN.
        return ExplorerRouter(schema, context_getter=graphql_context, documents=documents)
    return TaskGraphQLRouter(
        schema, context_getter=graphql_context, graphql_ide=None, documents=documents
    )
