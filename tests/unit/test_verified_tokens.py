"""A verified token is remembered until it expires, and only the exact same token hits.

(A token whose JWKS key was rotated out: tests/test_jwks.py, the rotation test.)
"""

from __future__ import annotations

import asyncio
import time

import jwt
import pytest

from api.auth.verified_tokens import VerifiedTokens
from api.auth.verifier import AuthError, TokenVerifier
from tests.support.auth import TEST_SECRET


def _token(**claims: object) -> str:
    return jwt.encode({"sub": "alice", "exp": time.time() + 60, **claims}, TEST_SECRET, "HS256")


async def test_a_remembered_token_still_expires() -> None:
    verifier = TokenVerifier(secret=TEST_SECRET, jwks=None, leeway_seconds=0)
    token = _token(exp=time.time() + 1)
    assert await verifier.user_id(token) == "alice"
    assert await verifier.user_id(token) == "alice"  # remembered
    await asyncio.sleep(1.1)
    with pytest.raises(AuthError, match="expired"):
        await verifier.user_id(token)


async def test_a_tampered_copy_of_a_remembered_token_is_verified_and_refused() -> None:
    verifier = TokenVerifier(secret=TEST_SECRET, jwks=None)
    token = _token()
    assert await verifier.user_id(token) == "alice"
    header, _, signature = token.split(".")
    forged_payload = jwt.utils.base64url_encode(
        b'{"sub":"mallory","exp":%d}' % int(time.time() + 60)
    ).decode()
    with pytest.raises(AuthError, match="signature"):
        await verifier.user_id(f"{header}.{forged_payload}.{signature}")


def test_the_oldest_entry_makes_room() -> None:
    tokens = VerifiedTokens(max_entries=2)
    far = time.time() + 60
    for name in ("a", "b", "c"):
        tokens.remember(name, name, {"exp": far}, None)
    now = time.time()
    assert tokens.get("a", now, 0) is None
    assert [tokens.get(name, now, 0).subject for name in ("b", "c")] == ["b", "c"]  # type: ignore[union-attr]


def test_not_yet_valid_tokens_are_not_served_early() -> None:
    tokens = VerifiedTokens()
    now = time.time()
    tokens.remember("t", "alice", {"exp": now + 60, "nbf": now + 30}, None)
    assert tokens.get("t", now, 10) is None


async def test_a_remembered_token_is_not_verified_again(monkeypatch: pytest.MonkeyPatch) -> None:
    verifier = TokenVerifier(secret=TEST_SECRET, jwks=None)
    token = _token()
    assert await verifier.user_id(token) == "alice"
    calls: list[str] = []
    original = jwt.decode

    def counting_decode(*args: object, **kwargs: object) -> object:
        calls.append("decode")
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jwt, "decode", counting_decode)
    assert await verifier.user_id(token) == "alice"
    assert calls == []
