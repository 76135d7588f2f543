"""Forged, stale and malformed JWTs against the app: each one a 401 naming why, on REST and on
/graphql, and refused before a single SQL statement runs.

The app verifies both ways at once (the shared HS256 secret and a JWKS of asymmetric keys):
the configuration in which algorithm confusion would bite.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from fastapi import FastAPI

from api.app import create_app
from api.auth.verifier import AuthError
from api.settings import Settings
from tests.support.auth import (
    OTHER_SECRET,
    TEST_SECRET,
    claims,
    hs256,
    oversized,
    tampered,
    token_for,
)
from tests.support.errors import error_json
from tests.support.jwks_server import (
    JwksServer,
    SigningKey,
    app_client,
    b64url,
    better_auth_token,
    hmac_forged,
    jwks_server,
    offline_settings,
    verifier_for,
)
from tests.support.sql_counter import sql_statements

USER = "alice"
EDDSA_KID, RSA_KID = "ed-1", "rsa-1"
EVIL = "https://evil.example"
CREATE = 'mutation { createTask(input: {title: "planted"}) { id } }'


@dataclass(frozen=True)
class Issuer:
    """The keys the app's JWKS publishes, and its base URL (the `iss` and `aud` it expects)."""

    base_url: str
    eddsa: SigningKey
    rsa: SigningKey

    def token(self, key: SigningKey | None = None, **overrides: Any) -> str:
        """A token as Better Auth signs it for USER; `overrides` replace claims (None drops)."""
        return better_auth_token(key or self.eddsa, self.base_url, USER, **overrides)

    def claims(self) -> dict[str, Any]:
        return jwt.decode(self.token(), options={"verify_signature": False})

    def ed25519_public_bytes(self) -> bytes:
        public = self.eddsa.private_key.public_key()
        raw: bytes = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return raw


def unsigned(header: dict[str, Any], payload: dict[str, Any]) -> str:
    """A JWS with an empty signature, as `alg: none` tokens come."""
    return f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}."


def with_header(raw_header: bytes) -> str:
    """A token whose header segment encodes `raw_header` verbatim, over a valid payload."""
    _, payload, signature = hs256(claims()).split(".")
    return f"{b64url(raw_header)}.{payload}.{signature}"


def stranger(kid: str, algorithm: str = "EdDSA") -> SigningKey:
    return SigningKey.generate(algorithm, kid=kid)


def now() -> int:
    return int(time.time())


SIGNATURE = "Token signature is invalid"
MALFORMED = "Malformed token"
NOT_A_USER_ID = "Token 'sub' claim is not a user id: it must be 1 to 255 characters"
THROTTLED = "The token's signing key is not among the signing keys just fetched; retry shortly."
UNPRINTABLE_SUB = "Token 'sub' claim is not a user id: it holds a character that is not printable"

# attack: (the token, made from the app's issuer; the exact `detail` of the 401)
ATTACKS: dict[str, tuple[Callable[[Issuer], str], str]] = {
    "alg none": (
        lambda _: unsigned({"alg": "none"}, claims()),
        "Token algorithm 'none' is not accepted",
    ),
    "alg none naming a JWKS key": (
        lambda issuer: unsigned({"alg": "none", "kid": EDDSA_KID}, issuer.claims()),
        "Token algorithm 'none' is not accepted",
    ),
    "alg NONE": (
        lambda _: unsigned({"alg": "NONE"}, claims()),
        "Token algorithm 'NONE' is not accepted",
    ),
    "HS256 signed with the JWKS RSA key as PEM": (
        lambda issuer: hmac_forged(
            {"alg": "HS256", "kid": RSA_KID}, issuer.claims(), issuer.rsa.public_pem()
        ),
        SIGNATURE,
    ),
    "HS256 signed with the JWKS RSA key as JWK JSON": (
        lambda issuer: hmac_forged(
            {"alg": "HS256", "kid": RSA_KID},
            issuer.claims(),
            json.dumps(issuer.rsa.public_jwk()).encode(),
        ),
        SIGNATURE,
    ),
    "HS256 signed with the JWKS Ed25519 key bytes": (
        lambda issuer: hmac_forged(
            {"alg": "HS256", "kid": EDDSA_KID}, issuer.claims(), issuer.ed25519_public_bytes()
        ),
        SIGNATURE,
    ),
    "another issuer": (lambda issuer: issuer.token(iss=EVIL), "Token issuer is not accepted"),
    "another audience": (lambda issuer: issuer.token(aud=EVIL), "Token audience is not accepted"),
    "expired HS256": (lambda _: hs256(claims(exp=now() - 60)), "Token has expired"),
    "expired JWKS": (lambda issuer: issuer.token(exp=now() - 60), "Token has expired"),
    "nbf in the future": (lambda _: hs256(claims(nbf=now() + 3600)), "Token is not yet valid"),
    "no exp HS256": (lambda _: hs256(claims(exp=None)), "Token is missing the 'exp' claim"),
    "no exp JWKS": (lambda issuer: issuer.token(exp=None), "Token is missing the 'exp' claim"),
    "no sub HS256": (lambda _: hs256(claims(sub=None)), "Token is missing the 'sub' claim"),
    "no sub JWKS": (lambda issuer: issuer.token(sub=None), "Token is missing the 'sub' claim"),
    "tampered payload HS256": (lambda _: tampered(hs256(claims())), SIGNATURE),
    "tampered payload JWKS": (lambda issuer: tampered(issuer.token()), SIGNATURE),
    "wrong secret": (lambda _: hs256(claims(), OTHER_SECRET), SIGNATURE),
    "a stranger's key under a known kid": (
        lambda issuer: issuer.token(stranger(EDDSA_KID)),
        SIGNATURE,
    ),
    "unknown kid": (
        lambda issuer: issuer.token(stranger("stranger")),
        "Token signing key is unknown",
    ),
    "embedded jwk and jku": (
        lambda issuer: stranger("mine").sign(
            issuer.claims(), jwk=stranger("mine").public_jwk(), jku="http://127.0.0.1:9/jwks"
        ),
        "Token signing key is unknown",
    ),
    "kid path traversal": (
        lambda issuer: issuer.token(stranger("../../../../dev/null")),
        "Token signing key is unknown",
    ),
    "alg of one key, kid of another": (
        lambda issuer: issuer.token(stranger(RSA_KID)),
        "Token algorithm 'EdDSA' does not match its signing key",
    ),
    "sub with NUL HS256": (lambda _: hs256(claims(sub="ali\x00ce")), UNPRINTABLE_SUB),
    "sub with NUL JWKS": (lambda issuer: issuer.token(sub="ali\x00ce"), UNPRINTABLE_SUB),
    "sub a lone surrogate HS256": (lambda _: hs256(claims(sub="\ud800")), UNPRINTABLE_SUB),
    "sub a lone surrogate JWKS": (
        lambda issuer: issuer.token(sub="alice\udfff"),
        UNPRINTABLE_SUB,
    ),
    "sub forging a log line": (
        lambda _: hs256(claims(sub="alice\n2026-01-01 INFO api [-] admin logged in")),
        UNPRINTABLE_SUB,
    ),
    "sub with an ANSI escape": (lambda _: hs256(claims(sub="\x1b[31malice")), UNPRINTABLE_SUB),
    "sub with a right-to-left override": (
        lambda issuer: issuer.token(sub="alice\u202egpj.exe"),
        UNPRINTABLE_SUB,
    ),
    "sub of 256 characters": (lambda _: hs256(claims(sub="a" * 256)), NOT_A_USER_ID),
    "sub empty": (lambda issuer: issuer.token(sub=""), NOT_A_USER_ID),
    "oversized": (lambda _: oversized(), "Token is too large"),
    "garbage in the header": (lambda _: "e30x!!.e30.c2ln", MALFORMED),
    "header not JSON": (lambda _: with_header(b"\xff\xfe{not json"), MALFORMED),
    "header a JSON array": (lambda _: with_header(b'["HS256"]'), MALFORMED),
    "kid not a string": (lambda _: with_header(b'{"alg": "EdDSA", "kid": {"$ne": 1}}'), MALFORMED),
}


@dataclass
class Target:
    app: FastAPI
    http: httpx.AsyncClient
    issuer: Issuer


@pytest.fixture(scope="module")
def issuer_server() -> Iterator[tuple[Issuer, JwksServer]]:
    eddsa, rsa = SigningKey.generate("EdDSA", EDDSA_KID), SigningKey.generate("RS256", RSA_KID)
    with jwks_server(eddsa, rsa) as server:
        yield Issuer(server.base_url, eddsa, rsa), server


@pytest.fixture(scope="module")
async def target(
    make_settings: Callable[..., Settings], issuer_server: tuple[Issuer, JwksServer]
) -> AsyncIterator[Target]:
    """The app with the shared secret and the JWKS, on the test database of each backend."""
    issuer, _ = issuer_server
    # Without a cooldown each unknown kid refetches the key set: its answer is final (401),
    # never "retry shortly" (503) because the set was fetched a moment before (test_jwks_rotation).
    app = create_app(make_settings(better_auth_url=issuer.base_url, jwks_min_refresh_seconds=0))
    async with app_client(app) as http:
        yield Target(app, http, issuer)


async def attempts(http: httpx.AsyncClient, token: str) -> list[httpx.Response]:
    """A REST read, a REST write and a GraphQL mutation, each carrying `token`."""
    headers = {"Authorization": f"Bearer {token}"}
    return [
        await http.get(f"/api/{USER}/tasks", headers=headers),
        await http.post(f"/api/{USER}/tasks", json={"title": "planted"}, headers=headers),
        await http.post("/graphql", json={"query": CREATE}, headers=headers),
    ]


@pytest.mark.parametrize("attack", ATTACKS.keys())
async def test_each_attack_is_401_with_its_reason_before_any_sql(
    target: Target, attack: str
) -> None:
    make_token, reason = ATTACKS[attack]
    token = make_token(target.issuer)
    with sql_statements(target.app) as statements:
        answers = await attempts(target.http, token)
    for answer in answers:
        assert answer.status_code == 401, (answer.request.url, answer.text)
        assert answer.json() == error_json(reason), answer.request.url
        assert answer.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    assert statements == []


@pytest.mark.parametrize("kind", ["HS256", "EdDSA", "RS256"])
async def test_the_same_requests_with_a_valid_token_do_reach_the_database(
    target: Target, app: FastAPI, kind: str
) -> None:
    # The control: the counter sees statements, and the app accepts each honest way to sign.
    # (`app` shares the database: it empties the tasks table afterwards.)
    token = {
        "HS256": lambda: token_for(USER),
        "EdDSA": lambda: target.issuer.token(),
        "RS256": lambda: target.issuer.token(target.issuer.rsa),
    }[kind]()
    with sql_statements(target.app) as statements:
        listed, created, mutated = await attempts(target.http, token)
    assert listed.status_code == 200, listed.text
    assert created.status_code == 201, created.text
    assert created.json()["user_id"] == USER
    assert mutated.status_code == 200
    assert "errors" not in mutated.json(), mutated.json()
    assert statements


async def test_unknown_kids_fetch_the_jwks_once_not_per_request(
    make_settings: Callable[..., Settings],
) -> None:
    key = SigningKey.generate("EdDSA", EDDSA_KID)
    with jwks_server(key) as server:
        issuer = Issuer(server.base_url, key, key)
        settings = make_settings(better_auth_url=server.base_url, jwks_min_refresh_seconds=30)
        app = create_app(settings)
        async with app_client(app) as http:
            tokens = [issuer.token(stranger(f"stranger-{n}")) for n in range(20)]
            with sql_statements(app) as statements:
                answers = [
                    answer
                    for batch in await asyncio.gather(*(attempts(http, t) for t in tokens))
                    for answer in batch
                ]
                for token in tokens[:5]:  # and one after another
                    answers += await attempts(http, token)
            assert len(answers) == 75
            # A kid the fetch was made for is unknown (401). One that arrived only after it, within
            # the cooldown, may be a key published since: retry later (503), never a new fetch.
            assert {(a.status_code, a.json()["detail"]) for a in answers} <= {
                (401, "Token signing key is unknown"),
                (503, THROTTLED),
            }
            assert any(answer.status_code == 401 for answer in answers)
            assert statements == []
            assert server.hits == 1
            listed = await http.get(
                f"/api/{USER}/tasks", headers={"Authorization": f"Bearer {issuer.token()}"}
            )
            assert listed.status_code == 200
            assert server.hits == 1  # the key set fetched for the strangers had the real key


async def test_a_token_verified_once_is_refused_when_it_expires(tmp_path: Path) -> None:
    # Verified tokens are remembered: the memory must not outlive the token.
    settings = offline_settings(tmp_path, better_auth_secret=TEST_SECRET, jwt_leeway_seconds=0)
    expires = now() + 1
    token = hs256(claims(exp=expires))
    async with verifier_for(settings) as verifier:
        assert await verifier.user_id(token) == USER
        assert await verifier.user_id(token) == USER
        await asyncio.sleep(max(0.0, expires - time.time()) + 0.05)
        with pytest.raises(AuthError, match="Token has expired"):
            await verifier.user_id(token)
