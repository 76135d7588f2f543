"""The GraphQL request envelope: what a JSON body or a query string must hold to be run."""

from __future__ import annotations

import re

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
_SHA256_HEX = re.compile(r"[0-9A-Fa-f]{64}")
_PERSISTED = "extensions.persistedQuery"


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


def persisted_query_hash(extensions: dict[str, object] | None) -> str | None:
    """The lower-case document hash of Apollo's `persistedQuery` extension; None without one.

    A 400 names what is wrong: only version 1 exists (a SHA-256 of the document, in hex).
    """
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict):
        raise HTTPException(400, f"{_PERSISTED} must be an object")
    version = persisted.get("version")
    if type(version) is not int or version != 1:
        raise HTTPException(
            400,
            f"{_PERSISTED}.version must be 1: the only version of automatic persisted queries, "
            "a SHA-256 of the document",
        )
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not _SHA256_HEX.fullmatch(digest):
        raise HTTPException(
            400, f"{_PERSISTED}.sha256Hash must be 64 hexadecimal characters (a SHA-256)"
        )
    return digest.lower()
