"""Strawberry's FastAPI router as this service runs it."""

from __future__ import annotations

from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter
from cross_web import HTTPException as StrawberryHTTPError
from fastapi import HTTPException, Response, status
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET

from api.errors import as_unavailable, error_answer
from api.graphql.envelope import persisted_query_hash, request_data
from api.graphql.persisted import PersistedDocuments, PersistedQueryError
from schema.build import MAX_DOCUMENT_CHARS
from schema.context import Context


class TaskGraphQLRouter(GraphQLRouter[Context, None]):
    """orjson answers; an answer whose every error is SERVICE_UNAVAILABLE is an HTTP 503.

    With the 503 and Retry-After, like REST's, proxies, load balancers and clients that look
    only at the status see an outage, not a success. `documents` holds the automatic persisted
    queries (persisted.py); the schema must store into it (PersistedDocuments.extension).
    """

    def __init__(
        self, schema: BaseSchema, *, documents: PersistedDocuments, **options: Any
    ) -> None:
        # graphql-transport-ws only: the legacy graphql-ws subprotocol let a client skip
        # connection_init (CVE-2026-35523, before Strawberry 0.312.3); it is refused.
        super().__init__(schema, subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,), **options)
        self.documents = documents

    def encode_json(self, data: object) -> bytes:
        # orjson: several times faster than json.dumps on a page of 50 tasks.
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        # orjson refuses nesting past 1024 levels with an error Strawberry answers 400;
        # json.loads would raise RecursionError (a 500) first.
        return orjson.loads(data)

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        """Strawberry's rule (a GET without `query` that accepts HTML), but never for a GET that
        sends a persisted query by its hash: it has `extensions` and no `query`."""
        return "extensions" not in request.query_params and super().should_render_graphql_ide(
            request
        )

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        """The request from a query string or a JSON body, its envelope checked (envelope.py).

        Refused with 413 when its document is longer than MAX_DOCUMENT_CHARS: whitespace and
        comments cost no tokens, so the token limit alone would let a padded document through,
        and into the parse and validation caches. Nothing else is accepted: uploads, batches
        and the HTTP streaming transports are off, so every request is plain "http". A request
        with a persisted-query hash gets its document from, or has it checked against, the hash.
        """
        content_type, _ = parse_content_type(request.content_type or "")
        if request.method == "GET":
            data: object = self.parse_query_params(request.query_params)
        elif "application/json" in content_type:
            data = self.parse_json(await request.get_body())
        else:
            raise StrawberryHTTPError(400, "Unsupported content type")
        operation = request_data(data)
        if operation.query is not None and len(operation.query) > MAX_DOCUMENT_CHARS:
            raise HTTPException(
                status.HTTP_413_CONTENT_TOO_LARGE,
                f"The GraphQL document is longer than {MAX_DOCUMENT_CHARS} characters",
            )
        digest = persisted_query_hash(operation.extensions)
        return operation if digest is None else self.documents.resolve(operation, digest)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """Strawberry's run, with its HTTP errors as `{"detail", "message"}` like every route's,
        and an unknown persisted query as the GraphQL error Apollo's link retries on."""
        try:
            return await super().run(request, context=context, root_value=root_value)
        except StrawberryHTTPError as error:
            return error_answer(error.status_code, error.reason)
        except PersistedQueryError as error:
            return Response(error.body, media_type="application/json")

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        if isinstance(response_data, dict) and _only_unavailable(response_data):
            as_unavailable(sub_response)
        return super().create_response(response_data, sub_response)


def _only_unavailable(response: GraphQLHTTPResponse) -> bool:
    errors = response.get("errors") or []
    return bool(errors) and all(
        isinstance(error, dict)
        and (error.get("extensions") or {}).get("code") == "SERVICE_UNAVAILABLE"
        for error in errors
    )
