"""The GraphQL request envelope: what a JSON body or a query string must hold to be run."""

from __future__ import annotations

from cross_web import HTTPException
from strawberry.http import GraphQLRequestData

_STRING = (str, type(None))
_OBJECT = (dict, type(None))
# Each member, the types it may have, and how a refusal describes them.
_MEMBERS: tuple[tuple[str, tuple[type, ...], str], ...] = (
    ("query", _STRING, "a string or null"),
    ("operationName", _STRING, "a string or null"),
    ("variables", _OBJECT, "an object or null"),
    ("extensions", _OBJECT, "an object or null"),
)


def request_data(data: object) -> GraphQLRequestData:
    """The request in a decoded body or query string, or a 400 that names what is wrong.

    Checked here, once: graphql-core and the extensions take the members' types on trust
    (an operationName list was a 200 with Python's own error text).
    """
    if isinstance(data, list):
        raise HTTPException(400, "Batching is not enabled")
    if not isinstance(data, dict):
        raise HTTPException(400, "The GraphQL request must be a JSON object")
    for member, types, kind in _MEMBERS:
        if not isinstance(data.get(member), types):
            raise HTTPException(400, f"{member} must be {kind}")
    return GraphQLRequestData(
        query=data.get("query"),
        variables=data.get("variables"),
        operation_name=data.get("operationName"),
        extensions=data.get("extensions"),
        protocol="http",
    )
