"""A cached JSON Web Key Set, fetched without blocking the event loop.

When to fetch: when nothing is cached or the set is older than `max_age_seconds`, and when a
token names a `kid` the set lacks (a key rotated in). One fetch runs at a time; every request
that needs it meanwhile waits for that one. After a fetch finishes, an unknown `kid` starts no
other for `min_refresh_seconds` (the cooldown), so made-up `kid`s cost at most one fetch per
cooldown. Within it an unknown `kid` is `RefetchThrottled` (503, retry when the cooldown ends:
the key may be newer than the set), except one the last fetch was made for and did not contain,
which is `UnknownSigningKey` (401).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import math
import time
from collections.abc import Callable

import httpx

from api.auth.keys import JwksKey, verification_keys

log = logging.getLogger(__name__)

RETRY_AFTER_UNAVAILABLE_SECONDS = 5
MAX_KIDS_REMEMBERED = 1024  # unknown kids asked of one fetch; beyond it they count as unasked


class JwksUnavailable(Exception):
    """The signing keys cannot be used right now; the client should retry later."""

    detail = "The signing keys cannot be fetched right now; retry shortly."

    def __init__(self, reason: str, retry_after_seconds: int = RETRY_AFTER_UNAVAILABLE_SECONDS):
        super().__init__(reason)
        self.retry_after_seconds = retry_after_seconds


class RefetchThrottled(JwksUnavailable):
    """The token's `kid` is not in a set fetched within the cooldown; retry after it ends."""

    detail = "The token's signing key is not among the signing keys just fetched; retry shortly."


class UnknownSigningKey(Exception):
    """No key in the set has the token's `kid`, even after a refetch."""


class JwksCache:
    """Keys by `kid`: see the module docstring for when they are fetched."""

    def __init__(
        self,
        url: str,
        *,
        max_age_seconds: float = 3600,
        min_refresh_seconds: float = 1,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.max_age_seconds = max_age_seconds
        self.min_refresh_seconds = min_refresh_seconds
        self.clock = clock
        self.fetch_count = 0
        self.fetch_outcomes: collections.Counter[str] = collections.Counter()  # "ok", "error"
        self.on_fetch: Callable[[str], None] | None = None  # told each outcome (the metrics)
        self._client = client or httpx.AsyncClient(timeout=5.0)
        self._keys: dict[str | None, JwksKey] = {}
        self._fetched_at: float | None = None  # when the last fetch ended, if keys are cached
        self._error: Exception | None = None  # why the last fetch failed, if it did
        self._running: asyncio.Task[None] | None = None
        self._asked: set[str | None] = set()  # kids waiting on the running fetch
        self._missed: set[str | None] = set()  # kids the last fetch was asked for and lacked

    async def key_for(self, kid: str | None) -> JwksKey:
        """The key that signed a token whose header carries `kid`."""
        if self._is_stale():
            await self._fetch_shared(kid)
            if not self._keys:
                raise JwksUnavailable(str(self._error))
        key = self._lookup(kid)
        if key is not None:
            return key
        if self._running is not None or self._cooldown_left() <= 0:
            await self._fetch_shared(kid)
            key = self._lookup(kid)
            if key is not None:
                return key
            if self._error is not None:  # the key set could not be read: the key may be in it
                raise JwksUnavailable(str(self._error))
            raise UnknownSigningKey(kid)
        if kid in self._missed:
            raise UnknownSigningKey(kid)
        raise RefetchThrottled(repr(kid), max(1, math.ceil(self._cooldown_left())))

    def has_key(self, kid: str) -> bool:
        """Whether the key set as last fetched still holds `kid` (no fetch)."""
        return self._lookup(kid or None) is not None

    async def problem(self) -> str | None:
        """None when usable keys are cached (fetched now if none are fresh); else why not."""
        if self._is_stale():
            await self._fetch_shared(None)
        if self._keys:
            return None
        return _reason(self._error) if self._error else "no usable key"

    async def aclose(self) -> None:
        if self._running is not None:
            self._running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._running
        await self._client.aclose()

    def _lookup(self, kid: str | None) -> JwksKey | None:
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(kid)

    def _is_stale(self) -> bool:
        return self._fetched_at is None or self.clock() - self._fetched_at > self.max_age_seconds

    def _cooldown_left(self) -> float:
        if self._fetched_at is None:
            return 0.0
        return self.min_refresh_seconds - (self.clock() - self._fetched_at)

    async def _fetch_shared(self, kid: str | None) -> None:
        """Wait for the running fetch, starting one if none is running."""
        if self._running is None:
            self._asked = set()
            self._running = asyncio.create_task(self._refresh())
        if len(self._asked) < MAX_KIDS_REMEMBERED:
            self._asked.add(kid)
        # Shielded: a waiter that gives up (its client left) does not cancel the others' fetch.
        await asyncio.shield(self._running)

    async def _refresh(self) -> None:
        try:
            self._keys = await self._fetch()
            self._error = None
            self._count("ok")
            self._missed = {kid for kid in self._asked if self._lookup(kid) is None}
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as error:
            self._error = error
            self._count("error")
            self._missed = set()
            log.warning("JWKS fetch from %s failed: %s", self.url, error)
        finally:
            self._running = None
        # Without keys, fetch again on the next request: nothing could be verified until then.
        self._fetched_at = self.clock() if self._keys else None

    def _count(self, outcome: str) -> None:
        self.fetch_outcomes[outcome] += 1
        if self.on_fetch is not None:
            self.on_fetch(outcome)

    async def _fetch(self) -> dict[str | None, JwksKey]:
        self.fetch_count += 1
        response = await self._client.get(self.url, headers={"Accept": "application/json"})
        response.raise_for_status()
        keys = verification_keys(response.json())
        log.info("JWKS fetched from %s: %d usable keys", self.url, len(keys))
        return keys


def _reason(error: Exception) -> str:
    """Why a fetch failed, short and without the URL (it is in the log line)."""
    if isinstance(error, httpx.HTTPStatusError):
        return f"HTTP {error.response.status_code} from the JWKS"
    if isinstance(error, httpx.HTTPError | httpx.InvalidURL):
        return type(error).__name__
    return str(error)
