"""Tokens for tests: the test app's HS256 secret, and claims and tokens shaped for attacks."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt

from api.auth.tokens import mint_token
from api.auth.verifier import MAX_TOKEN_BYTES
from tests.support.jwks_server import b64url

TEST_SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
OTHER_SECRET = "another-secret-0123456789-abcdefghijklmnopqrstuvwxyz"


def token_for(user_id: str) -> str:
    return mint_token(TEST_SECRET, user_id)


def auth(user_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(user_id)}"}


def claims(**overrides: Any) -> dict[str, Any]:
    """Valid claims for alice; an override of None removes the claim."""
    now = int(time.time())
    values = {"sub": "alice", "iat": now, "exp": now + 300, **overrides}
    return {name: value for name, value in values.items() if value is not None}


def hs256(payload: dict[str, Any], secret: str = TEST_SECRET) -> str:
    return jwt.encode(payload, secret, algorithm="HS256")


def tampered(token: str) -> str:
    """`token` with its payload swapped for another user's, the signature kept."""
    header, _, signature = token.split(".")
    return f"{header}.{b64url(json.dumps(claims(sub='mallory')).encode())}.{signature}"


def oversized() -> str:
    token = hs256(claims(padding="x" * MAX_TOKEN_BYTES))
    assert len(token) > MAX_TOKEN_BYTES
    return token
