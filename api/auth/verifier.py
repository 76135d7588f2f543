"""Verify a bearer JWT and return its user id (`sub`)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import jwt

from api.auth.jwks import JwksCache, UnknownSigningKey
from api.auth.keys import JWKS_ALGORITHMS
from api.auth.verified_tokens import VerifiedTokens

MAX_TOKEN_BYTES = 8192
MAX_USER_ID_LENGTH = 255
ASYMMETRIC_ALGORITHMS = JWKS_ALGORITHMS


class AuthError(Exception):
    """The request's credentials are refused; the message says why."""


@dataclass(frozen=True)
class ClaimRules:
    """What `iss` and `aud` must be (None: not checked)."""

    issuer: str | None = None
    audience: str | None = None


def user_id_of(subject: object) -> str:
    """The `sub` claim as a user id, or AuthError saying why it cannot be one.

    The id goes into SQL, GraphQL answers and log lines: printable text only (`isprintable`
    also refuses lone surrogates, which UTF-8 cannot encode), 1 to 255 characters.
    """
    problem = "Token 'sub' claim is not a user id: it"
    if not isinstance(subject, str) or not 1 <= len(subject) <= MAX_USER_ID_LENGTH:
        raise AuthError(f"{problem} must be 1 to {MAX_USER_ID_LENGTH} characters")
    if not subject.isprintable():
        raise AuthError(f"{problem} holds a character that is not printable")
    return subject


class TokenVerifier:
    """HS256 with the shared secret, or EdDSA/ES256/ES512/RS256/PS256 with a JWKS key."""

    def __init__(
        self,
        *,
        secret: str | None,
        jwks: JwksCache | None,
        secret_rules: ClaimRules = ClaimRules(),
        jwks_rules: ClaimRules = ClaimRules(),
        leeway_seconds: float = 10,
    ) -> None:
        self.secret = secret
        self.jwks = jwks
        self.secret_rules = secret_rules
        self.jwks_rules = jwks_rules
        self.leeway_seconds = leeway_seconds
        self._verified = VerifiedTokens()

    async def user_id(self, token: str) -> str:
        """The verified `sub` of `token`, or AuthError."""
        if len(token) > MAX_TOKEN_BYTES:
            raise AuthError("Token is too large")
        remembered = self._verified.get(token, time.time(), self.leeway_seconds)
        if remembered is not None:
            if remembered.kid is None or (self.jwks and self.jwks.has_key(remembered.kid)):
                return remembered.subject
            self._verified.forget(token)  # its signing key was rotated out
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:  # DecodeError, and a non-string `kid` or bad `crit`
            raise AuthError("Malformed token") from None
        algorithm = header.get("alg")
        if not isinstance(algorithm, str):
            raise AuthError("Token header has no valid 'alg'")
        if algorithm == "HS256" and self.secret is not None:
            claims = self._decode(token, self.secret, algorithm, self.secret_rules)
        elif algorithm in ASYMMETRIC_ALGORITHMS and self.jwks is not None:
            claims = self._decode(
                token, await self._jwk(header, algorithm), algorithm, self.jwks_rules
            )
        else:
            raise AuthError(f"Token algorithm {algorithm!r} is not accepted")
        subject = user_id_of(claims.get("sub"))
        # JWKS-signed tokens are remembered with their key ("" when the header names none).
        kid = (header.get("kid") or "") if algorithm in ASYMMETRIC_ALGORITHMS else None
        self._verified.remember(token, subject, claims, kid)
        return subject

    async def _jwk(self, header: dict[str, Any], algorithm: str) -> Any:
        assert self.jwks is not None
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise AuthError("Malformed token")
        try:
            key = await self.jwks.key_for(kid)
        except UnknownSigningKey:
            raise AuthError("Token signing key is unknown") from None
        if algorithm not in key.algorithms:
            raise AuthError(f"Token algorithm {algorithm!r} does not match its signing key")
        return key.key

    def _decode(self, token: str, key: Any, algorithm: str, rules: ClaimRules) -> dict[str, Any]:
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                issuer=rules.issuer,
                audience=rules.audience,
                leeway=self.leeway_seconds,
                options={"require": ["exp", "sub"], "verify_aud": rules.audience is not None},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("Token has expired") from None
        except jwt.ImmatureSignatureError:
            raise AuthError("Token is not yet valid") from None
        except jwt.InvalidIssuerError:
            raise AuthError("Token issuer is not accepted") from None
        except jwt.InvalidAudienceError:
            raise AuthError("Token audience is not accepted") from None
        except jwt.MissingRequiredClaimError as error:
            raise AuthError(f"Token is missing the {error.claim!r} claim") from None
        except jwt.InvalidSignatureError:
            raise AuthError("Token signature is invalid") from None
        except jwt.PyJWTError:
            raise AuthError("Malformed token") from None
