"""Key rotation against a real JWKS endpoint, made-up `kid`s, and readiness of the signing keys.

The rule (api/auth/jwks.py): a token whose `kid` the cached key set lacks starts one refetch,
shared by every request that arrives while it runs, unless the last fetch finished less than
JWKS_MIN_REFRESH_SECONDS (the cooldown) ago. Then the answer is 503 with Retry-After, the
seconds left of the cooldown: the key may have been published since, and the retry gets in.
A `kid` that a finished refetch was asked for and did not contain is 401 until the next one.
The clock is the test's, so the cooldown's edges are exact.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from api.auth.verifier import AuthError
from api.deps import Services
from api.settings import Settings
from tests.support.clock import FakeClock
from tests.support.errors import error_json
from tests.support.jwks_server import (
    JWKS_PATH,
    JwksServer,
    SigningKey,
    app_client,
    better_auth_token,
    jwks_server,
    offline_settings,
    unused_port_url,
    verifier_for,
)

WHOAMI = {"query": "{ __typename }"}  # authenticates, reads no table
UNKNOWN = "Token signing key is unknown"
THROTTLED = "The token's signing key is not among the signing keys just fetched; retry shortly."


def settings_for(tmp_path: Path, server: JwksServer | str, **overrides: object) -> Settings:
    base_url = server if isinstance(server, str) else server.base_url
    values = {"better_auth_url": base_url, "better_auth_secret": None, **overrides}
    return offline_settings(tmp_path, **values)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def with_clock(settings: Settings, clock: FakeClock) -> FastAPI:
    app = create_app(settings)
    services: Services = app.state.services
    assert services.jwks is not None
    services.jwks.clock = clock
    return app


async def call(http: httpx.AsyncClient, key: SigningKey, base_url: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {better_auth_token(key, base_url)}"}
    return await http.post("/graphql", json=WHOAMI, headers=headers)


def made_up(count: int, prefix: str) -> list[SigningKey]:
    shared = SigningKey.generate()  # one private key: generating a hundred would be slow
    return [SigningKey("EdDSA", f"{prefix}-{n}", shared.private_key) for n in range(count)]


@pytest.fixture
async def rotating(
    tmp_path: Path, clock: FakeClock
) -> AsyncIterator[tuple[JwksServer, SigningKey, httpx.AsyncClient]]:
    """A JWKS publishing one key, and the app with a 1 s cooldown, keys fetched at the clock's 0."""
    old = SigningKey.generate(kid="old")
    with jwks_server(old) as server:
        app = with_clock(settings_for(tmp_path, server, jwks_min_refresh_seconds=1), clock)
        async with app_client(app) as http:
            assert (await call(http, old, server.base_url)).status_code == 200
            assert server.hits == 1
            yield server, old, http


async def test_a_rotated_key_is_accepted_once_the_cooldown_passes(
    rotating: tuple[JwksServer, SigningKey, httpx.AsyncClient], clock: FakeClock
) -> None:
    server, old, http = rotating
    new = SigningKey.generate("ES256", kid="new")
    server.serve(old, new)  # Better Auth publishes the new key, then signs with it
    clock.advance(0.4)
    first = await call(http, new, server.base_url)
    assert first.status_code == 503, first.text
    assert first.json() == error_json(THROTTLED)
    assert first.headers["retry-after"] == "1"  # 0.6 s of the cooldown left, rounded up
    assert server.hits == 1
    clock.advance(int(first.headers["retry-after"]))  # the client waits as told
    retried = await call(http, new, server.base_url)
    assert retried.status_code == 200, retried.text
    assert server.hits == 2
    assert (await call(http, old, server.base_url)).status_code == 200
    assert server.hits == 2


async def test_a_rotated_key_is_accepted_at_once_when_the_keys_are_older_than_the_cooldown(
    rotating: tuple[JwksServer, SigningKey, httpx.AsyncClient], clock: FakeClock
) -> None:
    server, old, http = rotating
    new = SigningKey.generate(kid="new")
    server.serve(old, new)
    clock.advance(1)
    assert (await call(http, new, server.base_url)).status_code == 200
    assert server.hits == 2


async def test_a_burst_of_made_up_kids_fetches_at_most_once_per_cooldown(
    rotating: tuple[JwksServer, SigningKey, httpx.AsyncClient], clock: FakeClock
) -> None:
    server, old, http = rotating
    server.delay = 0.2  # a burst finds the refetch under way and waits for it
    for round_ in range(4):
        clock.advance(0.5)
        burst = made_up(100, f"round-{round_}")
        answers = await asyncio.gather(*(call(http, key, server.base_url) for key in burst))
        statuses = {(answer.status_code, answer.json()["detail"]) for answer in answers}
        if round_ % 2 == 0:  # 0.5 s after a fetch: all throttled, none fetched
            assert statuses == {(503, THROTTLED)}
            assert {answer.headers["retry-after"] for answer in answers} == {"1"}
        else:  # the cooldown passed: one refetch for the whole burst
            assert statuses <= {(401, UNKNOWN), (503, THROTTLED)}
            assert (401, UNKNOWN) in statuses
        assert server.hits == 1 + (round_ + 1) // 2
        assert (await call(http, old, server.base_url)).status_code == 200  # unaffected
    assert server.hits == 3  # 200 made-up kids over two cooldowns: two fetches


async def test_an_unknown_kid_is_401_after_a_refetch_that_did_not_contain_it(
    rotating: tuple[JwksServer, SigningKey, httpx.AsyncClient], clock: FakeClock
) -> None:
    server, _, http = rotating
    stranger, other = made_up(2, "stranger")
    clock.advance(1)
    for _ in range(3):  # the first refetches; the others know it is not there
        answer = await call(http, stranger, server.base_url)
        assert (answer.status_code, answer.json()) == (401, error_json(UNKNOWN))
        assert answer.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
        clock.advance(0.25)
    assert server.hits == 2
    # Another kid the refetch was not asked for: it may be newer, so "retry shortly".
    assert (await call(http, other, server.base_url)).status_code == 503
    clock.advance(0.25)
    assert (await call(http, other, server.base_url)).status_code == 401
    assert server.hits == 3


async def test_a_refetch_that_fails_is_503_not_401(
    rotating: tuple[JwksServer, SigningKey, httpx.AsyncClient], clock: FakeClock
) -> None:
    server, old, http = rotating
    server.status, server.body = 500, b"{}"
    clock.advance(1)
    [stranger] = made_up(1, "new")
    answer = await call(http, stranger, server.base_url)
    assert answer.status_code == 503  # the key set could not be read: the key may be in it
    assert answer.headers["retry-after"] == "5"
    assert "signing keys" in answer.json()["detail"]
    assert (await call(http, old, server.base_url)).status_code == 200  # cached keys still serve
    assert server.hits == 2


@pytest.mark.parametrize("path", ["/api/auth", "/api/auth/"])
async def test_better_auth_url_with_its_api_auth_path_fetches_the_jwks_once(
    tmp_path: Path, path: str
) -> None:
    key = SigningKey.generate()
    with jwks_server(key) as server:
        settings = settings_for(tmp_path, server.base_url + path)
        assert settings.resolved_jwks_url == server.base_url + JWKS_PATH
        async with verifier_for(settings) as verifier:
            assert await verifier.user_id(better_auth_token(key, server.base_url)) == "user-1"
            with pytest.raises(AuthError, match="issuer is not accepted"):
                await verifier.user_id(better_auth_token(key, server.base_url + path))
        assert server.hits == 1


async def test_iss_must_match_the_origin_exactly(tmp_path: Path) -> None:
    key = SigningKey.generate()
    with jwks_server(key) as server:
        localhost = server.base_url.replace("127.0.0.1", "localhost")
        async with verifier_for(settings_for(tmp_path, server)) as verifier:
            with pytest.raises(AuthError, match="issuer is not accepted"):
                await verifier.user_id(better_auth_token(key, localhost, aud=server.base_url))


@pytest.mark.parametrize(
    ("token_alg", "key_alg", "declared", "reason"),
    [
        ("PS256", "RS256", True, "'PS256' does not match its signing key"),
        ("RS256", "PS256", True, "'RS256' does not match its signing key"),
        ("ES384", "ES384", False, "'ES384' is not accepted"),
    ],
)
async def test_an_algorithm_the_key_does_not_allow_is_refused(
    tmp_path: Path, token_alg: str, key_alg: str, declared: bool, reason: str
) -> None:
    published = SigningKey.generate(key_alg, kid="k")
    signer = SigningKey(token_alg, "k", published.private_key)
    with jwks_server(published, with_alg=declared) as server:
        async with verifier_for(settings_for(tmp_path, server)) as verifier:
            with pytest.raises(AuthError, match=reason):
                await verifier.user_id(better_auth_token(signer, server.base_url))


async def test_ready_says_when_the_signing_keys_cannot_be_fetched(tmp_path: Path) -> None:
    async with app_client(settings_for(tmp_path, unused_port_url())) as http:
        answer = await http.get("/ready")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"
    assert answer.json() == {"status": "unavailable", **error_json("signing keys: ConnectError")}


async def test_ready_names_a_broken_key_set_without_its_url(tmp_path: Path) -> None:
    with jwks_server() as server:
        server.status, server.body = 404, b"{}"
        async with app_client(settings_for(tmp_path, server)) as http:
            answer = await http.get("/ready")
    assert answer.status_code == 503
    assert answer.json()["detail"] == "signing keys: HTTP 404 from the JWKS"


async def test_ready_with_the_keys_fetched_and_cached(tmp_path: Path, clock: FakeClock) -> None:
    key = SigningKey.generate()
    with jwks_server(key) as server:
        async with app_client(with_clock(settings_for(tmp_path, server), clock)) as http:
            assert (await http.get("/ready")).json() == {"status": "ready"}
            assert server.hits == 1
            server.status, server.body = 503, b"down"
            clock.advance(7200)  # stale: refetched, failed, the cached keys still verify
            answer = await http.get("/ready")
            assert (answer.status_code, answer.json()) == (200, {"status": "ready"})
            assert server.hits == 2
