"""Better Auth JWT-plugin tokens verified with keys fetched from a real local JWKS endpoint."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from api.auth.jwks import JwksCache, JwksUnavailable, RefetchThrottled, UnknownSigningKey
from api.auth.verifier import AuthError, TokenVerifier
from api.settings import Settings
from tests.support.auth import TEST_SECRET
from tests.support.clock import FakeClock
from tests.support.errors import error_json
from tests.support.jwks_server import (
    JWKS_PATH,
    JwksServer,
    SigningKey,
    app_client,
    better_auth_claims,
    better_auth_token,
    hmac_forged,
    jwks_server,
    offline_settings,
    unused_port_url,
    verifier_for,
)

CREATE = 'mutation { createTask(input: {title: "From Better Auth"}) { id title } }'
LIST = "{ tasks { totalCount edges { node { id } } } }"


def jwks_settings(tmp_path: Path, server: JwksServer, **overrides: object) -> Settings:
    """BETTER_AUTH_URL alone (no secret), as a deployment using the JWT plugin sets it."""
    values = {"better_auth_url": server.base_url, "better_auth_secret": None, **overrides}
    return offline_settings(tmp_path, **values)


@pytest.mark.parametrize(
    ("algorithm", "with_alg", "trailing_slash"),
    [
        ("EdDSA", False, False),
        ("EdDSA", True, True),
        ("RS256", False, False),
        ("ES256", False, True),
        ("ES512", False, False),
        ("PS256", False, False),
        ("PS256", True, False),
    ],
)
async def test_better_auth_url_alone_accepts_better_auth_tokens(
    make_settings: Callable[..., Settings], algorithm: str, with_alg: bool, trailing_slash: bool
) -> None:
    key = SigningKey.generate(algorithm)
    user_id = f"ba-{uuid.uuid4().hex}"
    with jwks_server(key, with_alg=with_alg) as server:
        url = server.base_url + ("/" if trailing_slash else "")
        settings = make_settings(better_auth_url=url, better_auth_secret=None)
        assert settings.resolved_jwks_url == server.base_url + JWKS_PATH
        headers = {"Authorization": f"Bearer {better_auth_token(key, server.base_url, user_id)}"}
        async with app_client(settings) as http:
            created = await http.post("/graphql", json={"query": CREATE}, headers=headers)
            assert created.status_code == 200, created.text
            assert "errors" not in created.json(), created.json()
            task = created.json()["data"]["createTask"]
            assert task["title"] == "From Better Auth"
            listed = await http.post("/graphql", json={"query": LIST}, headers=headers)
            assert listed.json()["data"]["tasks"]["edges"] == [{"node": {"id": task["id"]}}]
            other = {"Authorization": f"Bearer {better_auth_token(key, server.base_url)}"}
            theirs = await http.post("/graphql", json={"query": LIST}, headers=other)
            assert theirs.json()["data"]["tasks"]["totalCount"] == 0
            delete = f'mutation {{ deleteTask(id: "{task["id"]}") }}'
            await http.post("/graphql", json={"query": delete}, headers=headers)
        assert server.hits == 1  # one fetch, then the cached key set


@pytest.mark.parametrize(
    ("claim", "value", "reason"),
    [
        ("aud", "https://other.example.com", "audience is not accepted"),
        ("iss", "https://other.example.com", "issuer is not accepted"),
        ("aud", None, "missing the 'aud' claim"),
        ("iss", None, "missing the 'iss' claim"),
        ("exp", None, "missing the 'exp' claim"),
        ("exp", int(time.time()) - 60, "expired"),
    ],
    # Named by the reason: a timestamp in the id would differ between xdist workers.
    ids=lambda value: value if isinstance(value, str) and " " in value else "",
)
async def test_a_better_auth_token_with_a_wrong_claim_is_refused(
    tmp_path: Path, claim: str, value: object, reason: str
) -> None:
    key = SigningKey.generate()
    with jwks_server(key) as server:
        claims = {**better_auth_claims(server.base_url), claim: value}
        token = key.sign({name: given for name, given in claims.items() if given is not None})
        async with verifier_for(jwks_settings(tmp_path, server)) as verifier:
            with pytest.raises(AuthError, match=reason):
                await verifier.user_id(token)


async def test_the_fifteen_minute_lifetime_and_the_leeway(tmp_path: Path) -> None:
    key = SigningKey.generate()
    with jwks_server(key) as server:
        async with verifier_for(jwks_settings(tmp_path, server)) as verifier:
            almost = better_auth_claims(server.base_url, "ada", issued_at=time.time() - 14 * 60)
            assert await verifier.user_id(key.sign(almost)) == "ada"
            late = better_auth_claims(server.base_url, "ada", issued_at=time.time() - 15 * 60 - 5)
            assert await verifier.user_id(key.sign(late)) == "ada"  # within the 10 s leeway
            gone = better_auth_claims(server.base_url, "ada", issued_at=time.time() - 16 * 60)
            with pytest.raises(AuthError, match="expired"):
                await verifier.user_id(key.sign(gone))


async def test_jwt_issuer_and_audience_override_the_base_url(tmp_path: Path) -> None:
    key = SigningKey.generate()
    with jwks_server(key) as server:
        settings = jwks_settings(
            tmp_path, server, jwt_issuer="https://issuer.example", jwt_audience="todo-api"
        )
        async with verifier_for(settings) as verifier:
            custom = better_auth_token(
                key, server.base_url, iss="https://issuer.example", aud="todo-api"
            )
            assert await verifier.user_id(custom) == "user-1"
            with pytest.raises(AuthError, match="issuer is not accepted"):
                await verifier.user_id(better_auth_token(key, server.base_url))


async def test_a_rotated_key_is_fetched_once_on_its_first_token(tmp_path: Path) -> None:
    old, new = SigningKey.generate(kid="old"), SigningKey.generate("ES256", kid="new")
    with jwks_server(old) as server:
        settings = jwks_settings(tmp_path, server, jwks_min_refresh_seconds=0)
        async with verifier_for(settings) as verifier:
            assert await verifier.user_id(better_auth_token(old, server.base_url)) == "user-1"
            assert server.hits == 1
            server.serve(new)
            for _ in range(3):
                assert await verifier.user_id(better_auth_token(new, server.base_url)) == "user-1"
            assert server.hits == 2  # the unknown kid refetched once; then it was known
            with pytest.raises(AuthError, match="signing key is unknown"):
                await verifier.user_id(better_auth_token(old, server.base_url))


async def test_an_unknown_kid_refetches_at_most_once_per_interval(tmp_path: Path) -> None:
    known = SigningKey.generate(kid="known")
    stranger = SigningKey.generate(kid="stranger")
    with jwks_server(known) as server:
        settings = jwks_settings(tmp_path, server, jwks_min_refresh_seconds=30)
        async with verifier_for(settings) as verifier:
            await verifier.user_id(better_auth_token(known, server.base_url))
            for _ in range(5):
                # Within the interval: "retry shortly" (503), as the key may be newer than the set.
                with pytest.raises(RefetchThrottled) as refused:
                    await verifier.user_id(better_auth_token(stranger, server.base_url))
                assert 0 < refused.value.retry_after_seconds <= 30
            assert server.hits == 1


async def test_unknown_kids_refetch_once_per_elapsed_interval() -> None:
    known = SigningKey.generate(kid="known")
    clock = FakeClock()
    with jwks_server(known) as server:
        cache = JwksCache(server.jwks_url, min_refresh_seconds=0.2, clock=clock)
        try:
            await cache.key_for("known")
            clock.advance(0.1)
            results = await asyncio.gather(
                *(cache.key_for("stranger") for _ in range(10)), return_exceptions=True
            )
            assert all(isinstance(result, RefetchThrottled) for result in results)
            assert server.hits == 1
            clock.advance(0.1)
            server.delay = 0.1  # the ten calls below all find the refetch under way
            results = await asyncio.gather(
                *(cache.key_for("stranger") for _ in range(10)), return_exceptions=True
            )
            assert all(isinstance(result, UnknownSigningKey) for result in results)
            assert server.hits == 2  # ten concurrent requests, one refetch
            assert cache.fetch_count == server.hits
        finally:
            await cache.aclose()


@pytest.mark.parametrize("with_secret", [False, True])
@pytest.mark.parametrize("key_material", ["pem", "jwk"])
async def test_hs256_forged_with_the_public_key_is_refused(
    tmp_path: Path, with_secret: bool, key_material: str
) -> None:
    key = SigningKey.generate("RS256", kid="rsa")
    with jwks_server(key) as server:
        public = key.public_pem() if key_material == "pem" else json.dumps(server.keys[0]).encode()
        claims = better_auth_claims(server.base_url)
        token = hmac_forged({"alg": "HS256", "kid": "rsa"}, claims, public)
        secret = TEST_SECRET if with_secret else None
        async with verifier_for(jwks_settings(tmp_path, server, better_auth_secret=secret)) as v:
            reason = "signature is invalid" if with_secret else "'HS256' is not accepted"
            with pytest.raises(AuthError, match=reason):
                await v.user_id(token)
            assert await v.user_id(key.sign(claims)) == "user-1"  # the real one passes


async def test_a_token_whose_alg_differs_from_its_key_is_refused(tmp_path: Path) -> None:
    eddsa = SigningKey.generate("EdDSA", kid="shared")
    impostor = SigningKey.generate("ES256", kid="shared")
    with jwks_server(eddsa) as server:
        async with verifier_for(jwks_settings(tmp_path, server)) as verifier:
            with pytest.raises(AuthError, match="does not match its signing key"):
                await verifier.user_id(better_auth_token(impostor, server.base_url))


async def test_a_token_signed_by_another_key_with_a_known_kid_is_refused(tmp_path: Path) -> None:
    real = SigningKey.generate(kid="k1")
    thief = SigningKey.generate(kid="k1")
    with jwks_server(real) as server:
        async with verifier_for(jwks_settings(tmp_path, server)) as verifier:
            with pytest.raises(AuthError, match="signature is invalid"):
                await verifier.user_id(better_auth_token(thief, server.base_url))


async def test_an_unreachable_jwks_is_503_not_500(tmp_path: Path) -> None:
    key = SigningKey.generate()
    base_url = unused_port_url()
    settings = offline_settings(tmp_path, better_auth_url=base_url, better_auth_secret=None)
    async with app_client(settings) as http:
        headers = {"Authorization": f"Bearer {better_auth_token(key, base_url)}"}
        response = await http.post("/graphql", json={"query": LIST}, headers=headers)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "signing keys" in response.json()["detail"]


@pytest.mark.parametrize(
    ("status", "body"),
    [(500, b"{}"), (200, b"<html>not json</html>"), (200, b"[]"), (200, b'{"keys": []}')],
)
async def test_a_broken_jwks_is_503_not_500(tmp_path: Path, status: int, body: bytes) -> None:
    key = SigningKey.generate()
    with jwks_server(key) as server:
        server.status, server.body = status, body
        async with app_client(jwks_settings(tmp_path, server)) as http:
            headers = {"Authorization": f"Bearer {better_auth_token(key, server.base_url)}"}
            response = await http.post("/graphql", json={"query": LIST}, headers=headers)
        assert response.status_code == 503, response.text
        assert server.hits == 1


async def test_requests_waiting_on_a_failed_fetch_share_its_failure() -> None:
    with jwks_server() as server:
        server.status, server.body, server.delay = 500, b"{}", 0.2
        cache = JwksCache(server.jwks_url)
        try:
            started = time.monotonic()
            results = await asyncio.gather(
                *(cache.key_for("k") for _ in range(5)), return_exceptions=True
            )
            assert all(isinstance(result, JwksUnavailable) for result in results)
            assert server.hits == 1  # not five fetches queued one behind the other
            assert time.monotonic() - started < 0.6
            with pytest.raises(JwksUnavailable):  # a later request tries again
                await cache.key_for("k")
            assert server.hits == 2
        finally:
            await cache.aclose()


async def test_cached_keys_outlive_a_failed_refresh() -> None:
    key = SigningKey.generate(kid="k")
    with jwks_server(key) as server:
        cache = JwksCache(server.jwks_url, max_age_seconds=0.05)
        verifier = TokenVerifier(secret=None, jwks=cache)
        try:
            assert await verifier.user_id(better_auth_token(key, server.base_url)) == "user-1"
            server.status, server.body = 503, b"down"
            await asyncio.sleep(0.1)
            # Another token: the first one is remembered as verified and needs no key at all.
            token = better_auth_token(key, server.base_url, user_id="user-2")
            assert await verifier.user_id(token) == "user-2"
            assert server.hits == 2  # the stale set was refetched, and the failure tolerated
        finally:
            await cache.aclose()


async def test_nothing_cached_and_no_server_raises_unavailable() -> None:
    cache = JwksCache(unused_port_url() + JWKS_PATH)
    try:
        with pytest.raises(JwksUnavailable):
            await cache.key_for("k")
    finally:
        await cache.aclose()


async def test_the_fetch_does_not_block_the_event_loop() -> None:
    key = SigningKey.generate(kid="k")
    with jwks_server(key) as server:
        server.delay = 0.3
        cache = JwksCache(server.jwks_url)
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(tick())
        try:
            started = time.monotonic()
            assert (await cache.key_for("k")).key_id == "k"
            assert time.monotonic() - started >= 0.3
            assert ticks >= 10  # the loop kept running while the keys were on their way
        finally:
            ticker.cancel()
            await cache.aclose()


async def test_a_token_without_kid_uses_the_only_key(tmp_path: Path) -> None:
    key = SigningKey.generate()
    with jwks_server(key) as server:
        async with verifier_for(jwks_settings(tmp_path, server)) as verifier:
            token = key.sign(better_auth_claims(server.base_url, "solo"), kid=None)
            assert await verifier.user_id(token) == "solo"


async def test_an_invalid_better_auth_token_is_401_through_graphql(tmp_path: Path) -> None:
    key = SigningKey.generate()
    with jwks_server(key) as server:
        async with app_client(jwks_settings(tmp_path, server)) as http:
            token = better_auth_token(key, server.base_url, aud="https://elsewhere.example")
            response = await http.post(
                "/graphql", json={"query": LIST}, headers={"Authorization": f"Bearer {token}"}
            )
    assert response.status_code == 401
    assert response.json() == error_json("Token audience is not accepted")
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
