"""The /graphql router: the context comes from FastAPI dependencies."""

from __future__ import annotations

from strawberry.fastapi import GraphQLRouter

from api.deps import OptionalUserId, SessionDep
from api.settings import Settings
from schema.app import build_schema
from schema.context import Context


async def graphql_context(session: SessionDep, user_id: OptionalUserId) -> Context:
    return Context(session=session, user_id=user_id)


def graphql_router(settings: Settings) -> GraphQLRouter[Context, None]:
    schema = build_schema(
        mask_unexpected_errors=settings.is_production,
        introspection=settings.graphql_introspection_enabled,
    )
    return GraphQLRouter(
        schema,
        context_getter=graphql_context,
        graphql_ide="graphiql" if settings.graphiql_enabled else None,
    )
