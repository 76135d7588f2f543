"""The keys of a JWKS document: which are usable, and which algorithms each may verify."""

from __future__ import annotations

from typing import Any, NamedTuple

from jwt import PyJWK, PyJWTError

# What a JWKS key may verify: Better Auth's algorithms (Ed448 aside, which PyJWK cannot infer).
JWKS_ALGORITHMS = frozenset({"EdDSA", "ES256", "ES512", "RS256", "PS256"})


class JwksKey(NamedTuple):
    """A verification key, its `kid` and the algorithms it may verify."""

    key_id: str | None
    key: Any
    algorithms: frozenset[str]


def verification_keys(body: object) -> dict[str | None, JwksKey]:
    """The usable keys of a JWKS document by `kid`; ValueError when there are none."""
    jwks = body.get("keys") if isinstance(body, dict) else None
    if not isinstance(jwks, list):
        raise ValueError("the JWKS is not a JSON object with a list of keys")
    keys: dict[str | None, JwksKey] = {}
    for jwk in jwks:
        # Skipped: what is not a JWK, keys for other algorithms (HMAC, "none"), and those with a
        # key type or curve PyJWT cannot use.
        if not isinstance(jwk, dict) or jwk.get("alg", "EdDSA") not in JWKS_ALGORITHMS:
            continue
        try:
            key = PyJWK(jwk)
        except PyJWTError:
            continue
        if key.algorithm_name in JWKS_ALGORITHMS:
            algorithms = _algorithms(key, declared="alg" in jwk)
            keys[key.key_id] = JwksKey(key.key_id, key.key, algorithms)
    if not keys:
        raise ValueError("the JWKS holds no usable key")
    return keys


def _algorithms(key: PyJWK, *, declared: bool) -> frozenset[str]:
    # A JWK need not name its `alg`: an RSA key that does not may sign RS256 or PS256.
    if key.key_type == "RSA" and not declared:
        return frozenset({"RS256", "PS256"})
    return frozenset({key.algorithm_name})
