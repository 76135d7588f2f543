"""The per-request GraphQL context: the verified user, as the Owner the services take."""

from __future__ import annotations

from strawberry.fastapi import BaseContext

from db.store import Owner, Store
from schema.errors import NotAuthenticated


class Context(BaseContext):
    def __init__(self, store: Store, user_id: str | None) -> None:
        super().__init__()
        self._owner = None if user_id is None else Owner(store, user_id)

    @property
    def authenticated(self) -> bool:
        """Whether the request carried a verified token."""
        return self._owner is not None

    @property
    def owner(self) -> Owner:
        """The verified user's store; UNAUTHENTICATED when the request carried no token.

        Each statement takes a pooled connection of its own, so the root fields graphql-core
        resolves concurrently need no lock.
        """
        if self._owner is None:
            raise NotAuthenticated
        return self._owner
