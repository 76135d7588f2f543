"""A cached JSON Web Key Set, fetched without blocking the event loop."""

from __future__ import annotations

import asyncio
import collections
import logging
import time

import httpx
from jwt import PyJWK, PyJWKSet
from jwt.exceptions import PyJWKSetError

log = logging.getLogger(__name__)


class JwksUnavailable(Exception):
    """The key set could not be fetched and nothing usable is cached."""


class UnknownSigningKey(Exception):
    """No key in the set has the token's `kid`, even after a refetch."""


class JwksCache:
    """Keys by `kid`, refetched when stale or on an unknown `kid` (at most once per interval)."""

    def __init__(
        self,
        url: str,
        *,
        max_age_seconds: float = 3600,
        min_refresh_seconds: float = 30,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.url = url
        self.max_age_seconds = max_age_seconds
        self.min_refresh_seconds = min_refresh_seconds
        self.fetch_count = 0
        self.fetch_outcomes: collections.Counter[str] = collections.Counter()  # "ok", "error"
        self._client = client or httpx.AsyncClient(timeout=5.0)
        self._keys: dict[str | None, PyJWK] = {}
        self._fetched_at: float | None = None
        self._attempts = 0  # finished fetches, failed ones included
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str | None) -> PyJWK:
        """The key that signed a token whose header carries `kid`."""
        if self._is_stale():
            await self._refresh(force=False)
        key = self._lookup(kid)
        if key is None and self._may_refetch():
            await self._refresh(force=True)
            key = self._lookup(kid)
        if key is None:
            raise UnknownSigningKey(kid)
        return key

    def has_key(self, kid: str) -> bool:
        """Whether the key set as last fetched still holds `kid` (no fetch)."""
        return self._lookup(kid or None) is not None

    async def aclose(self) -> None:
        await self._client.aclose()

    def _lookup(self, kid: str | None) -> PyJWK | None:
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(kid)

    def _is_stale(self) -> bool:
        return self._fetched_at is None or (
            time.monotonic() - self._fetched_at > self.max_age_seconds
        )

    def _may_refetch(self) -> bool:
        return self._fetched_at is None or (
            time.monotonic() - self._fetched_at >= self.min_refresh_seconds
        )

    async def _refresh(self, *, force: bool) -> None:
        attempts_before = self._attempts
        async with self._lock:
            if self._attempts != attempts_before:
                # Another request fetched while this one waited: share its outcome. Fetching
                # again would queue every waiter behind one more timeout when the JWKS is down.
                if not self._keys:
                    raise JwksUnavailable("the JWKS fetch that just ran failed")
                return
            if force and not self._may_refetch():
                return
            try:
                self._keys = await self._fetch()
                self.fetch_outcomes["ok"] += 1
            except (httpx.HTTPError, ValueError, PyJWKSetError) as error:
                self.fetch_outcomes["error"] += 1
                log.warning("JWKS fetch from %s failed: %s", self.url, error)
                if not self._keys:
                    raise JwksUnavailable(str(error)) from error
            finally:
                self._attempts += 1
            self._fetched_at = time.monotonic()

    async def _fetch(self) -> dict[str | None, PyJWK]:
        self.fetch_count += 1
        response = await self._client.get(self.url, headers={"Accept": "application/json"})
        response.raise_for_status()
        body = response.json()
        if not isinstance(body, dict):  # PyJWKSet.from_dict would fail with AttributeError
            raise ValueError("the JWKS is not a JSON object")
        key_set = PyJWKSet.from_dict(body)
        log.info("JWKS fetched from %s: %d usable keys", self.url, len(key_set.keys))
        return {key.key_id: key for key in key_set.keys}
