"""Tokens already verified, remembered until they expire.

A browser sends the same token on every call for its whole lifetime (15 minutes for Better
Auth's JWT plugin); checking its signature once is enough. The cache is keyed by the whole token,
signature included, so only the exact same bytes hit it, and expiry is checked on every hit.
A token signed by a JWKS key is remembered with its `kid`; the caller drops the hit when that
key has left the key set.
"""

from __future__ import annotations

from typing import Any, NamedTuple

MAX_ENTRIES = 4096


class Verified(NamedTuple):
    subject: str
    kid: str | None
    expires_at: float
    not_before: float


class VerifiedTokens:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: dict[str, Verified] = {}  # in insertion order

    def get(self, token: str, now: float, leeway: float) -> Verified | None:
        """What was verified of `token`, if it is still within its validity at `now`."""
        entry = self._entries.get(token)
        if entry is None:
            return None
        if now >= entry.expires_at + leeway or now < entry.not_before - leeway:
            self.forget(token)
            return None
        return entry

    def forget(self, token: str) -> None:
        self._entries.pop(token, None)

    def remember(self, token: str, subject: str, claims: dict[str, Any], kid: str | None) -> None:
        if len(self._entries) >= self.max_entries:
            self.forget(next(iter(self._entries)))  # the oldest
        not_before = claims.get("nbf")
        self._entries[token] = Verified(
            subject=subject,
            kid=kid,
            expires_at=float(claims["exp"]),
            not_before=float(not_before) if isinstance(not_before, (int, float)) else -1e300,
        )
