"""Development tokens signed with the configured HS256 secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt


def mint_token(secret: str, user_id: str, *, lifetime: timedelta = timedelta(hours=1)) -> str:
    """An HS256 JWT for `user_id`, shaped like Better Auth's (`sub`, `iat`, `exp`)."""
    now = datetime.now(UTC)
    claims = {"sub": user_id, "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, secret, algorithm="HS256")
