"""Automatic Persisted Queries, as Apollo Client and urql send them: documents by their SHA-256.

A client first sends only `extensions.persistedQuery.sha256Hash`. A known hash runs the stored
document; an unknown one answers PersistedQueryNotFound (HTTP 200, as Apollo's link expects),
and the client sends the query with its hash, which is then checked, stored and run. The store
holds document text only, never a result: every run is the caller's own, scoped by its token.
"""

from __future__ import annotations

import hashlib
import sys
from collections import OrderedDict
from collections.abc import Iterator

import orjson
from cross_web import HTTPException
from strawberry.extensions import SchemaExtension
from strawberry.http import GraphQLRequestData

from schema.context import Context

# The memory the stored text may take, whatever the count: documents may be padded with
# comments up to MAX_DOCUMENT_CHARS, which at 1,000 documents would be 64 MB.
MAX_STORE_BYTES = 8 * 1024 * 1024


class PersistedQueryError(Exception):
    """The hashed request cannot run; the client should send the query (Apollo's protocol)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        # HTTP 200 with one GraphQL error: Apollo's link retries on this message or code.
        self.body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})


NOT_FOUND = ("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
NOT_SUPPORTED = ("PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED")


def sha256_hex(document: str) -> str:
    """The hash Apollo's link sends: SHA-256 of the document's UTF-8 text, lower-case hex."""
    return hashlib.sha256(document.encode()).hexdigest()


class PersistedDocuments:
    """A per-process LRU of document text by SHA-256; `max_documents=0` turns APQ off.

    Bounded by `max_documents` entries and by `max_bytes` of text, oldest use evicted first.
    Only documents that parsed and validated for an authenticated request are stored (see
    `extension`), each at most MAX_DOCUMENT_CHARS long (longer ones are refused before).
    """

    def __init__(self, max_documents: int, max_bytes: int = MAX_STORE_BYTES) -> None:
        self.max_documents = max_documents
        self.max_bytes = max_bytes
        self._documents: OrderedDict[str, str] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._documents)

    def get(self, digest: str) -> str | None:
        """The stored document with this hash, now the most recently used; None if unknown."""
        document = self._documents.get(digest)
        if document is not None:
            self._documents.move_to_end(digest)
        return document

    def remember(self, document: str, named: str | None = None) -> None:
        """Store a document under its own hash (never one a client claimed), evicting the LRU.

        `named`, the hash the request named, spares hashing a document that this store handed
        out itself (the very same object), as it does for every request by hash alone.
        """
        if self.max_documents == 0:
            return
        if named is not None and self._documents.get(named) is document:
            return
        digest = sha256_hex(document)
        if digest in self._documents:
            self._documents.move_to_end(digest)
            return
        self._documents[digest] = document
        self._bytes += sys.getsizeof(document)
        while len(self._documents) > self.max_documents or self._bytes > self.max_bytes:
            _, evicted = self._documents.popitem(last=False)
            self._bytes -= sys.getsizeof(evicted)

    def resolve(self, operation: GraphQLRequestData, digest: str) -> GraphQLRequestData:
        """The request with its document: looked up by hash, or checked against the hash.

        Raises PersistedQueryError for an unknown hash (or with APQ off), and a 400 when the
        query sent is not the one the hash names.
        """
        if operation.query is None:
            if self.max_documents == 0:
                raise PersistedQueryError(*NOT_SUPPORTED)
            operation.query = self.get(digest)
            if operation.query is None:
                raise PersistedQueryError(*NOT_FOUND)
        elif sha256_hex(operation.query) != digest:
            raise HTTPException(
                400,
                "provided sha does not match query: extensions.persistedQuery.sha256Hash "
                "must be the SHA-256 of the query's UTF-8 text, in hexadecimal",
            )
        return operation

    def extension(self) -> SchemaExtension:
        """A schema extension (pass the method as the factory) that stores valid documents."""
        return _RememberValidDocuments(self)


class _RememberValidDocuments(SchemaExtension):
    """Stores the document of a persisted-query request once it has parsed and validated.

    After validation, so a client cannot fill the store with text that never runs; only for an
    authenticated request, as for operation-name metric labels (schema/metrics.py).
    """

    def __init__(self, documents: PersistedDocuments) -> None:
        super().__init__()
        self.documents = documents

    def on_validate(self) -> Iterator[None]:
        yield
        context = self.execution_context
        persisted = (context.operation_extensions or {}).get("persistedQuery")
        if (
            context.query
            and isinstance(persisted, dict)
            and not context.pre_execution_errors
            and isinstance(context.context, Context)
            and context.context.authenticated
        ):
            named = persisted.get("sha256Hash")
            self.documents.remember(
                context.query, named.lower() if isinstance(named, str) else None
            )
