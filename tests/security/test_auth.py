"""Bearer JWT verification (HS256 with the shared secret) and how /graphql answers for it."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import jwt
import pytest

from api.auth.verifier import AuthError, ClaimRules, TokenVerifier
from tests.support.auth import (
    OTHER_SECRET,
    TEST_SECRET,
    auth,
    claims,
    hs256,
    oversized,
    tampered,
)
from tests.support.jwks_server import (
    SigningKey,
    app_client,
    hmac_forged,
    offline_settings,
    verifier_for,
)

TASKS = "{ tasks { totalCount } }"


def unsigned() -> str:
    return jwt.encode(claims(), "", algorithm="none")


def eddsa() -> str:
    return SigningKey.generate("EdDSA").sign(claims())


# (token, the reason the refusal must name)
REFUSED: dict[str, tuple[Callable[[], str], str]] = {
    "no sub": (lambda: hs256(claims(sub=None)), "missing the 'sub' claim"),
    "empty sub": (lambda: hs256(claims(sub="")), "'sub' claim is not a user id"),
    "overlong sub": (lambda: hs256(claims(sub="u" * 256)), "'sub' claim is not a user id"),
    "no exp": (lambda: hs256(claims(exp=None)), "missing the 'exp' claim"),
    "expired": (lambda: hs256(claims(exp=int(time.time()) - 30)), "expired"),
    "nbf in the future": (lambda: hs256(claims(nbf=int(time.time()) + 60)), "not yet valid"),
    "tampered payload": (lambda: tampered(hs256(claims())), "signature is invalid"),
    "wrong secret": (lambda: hs256(claims(), OTHER_SECRET), "signature is invalid"),
    "garbage": (lambda: "not-a-jwt", "Malformed token"),
    "garbage header": (lambda: "e30x!!.e30.c2ln", "Malformed token"),
    "three dots": (lambda: "...", "Malformed token"),
    "oversized": (oversized, "too large"),
    "alg none": (unsigned, "'none' is not accepted"),
    "alg HS512": (
        lambda: jwt.encode(claims(), TEST_SECRET + TEST_SECRET, algorithm="HS512"),
        "'HS512' is not accepted",
    ),
    "EdDSA without a JWKS": (eddsa, "'EdDSA' is not accepted"),
    "no alg": (lambda: hmac_forged({"typ": "JWT"}, claims(), TEST_SECRET.encode()), "'alg'"),
    "alg not a string": (
        lambda: hmac_forged({"alg": ["HS256"]}, claims(), TEST_SECRET.encode()),
        "'alg'",
    ),
    "kid not a string": (
        lambda: hmac_forged({"alg": "HS256", "kid": 7}, claims(), TEST_SECRET.encode()),
        "Malformed token",
    ),
}


@pytest.fixture
def verifier() -> TokenVerifier:
    return TokenVerifier(secret=TEST_SECRET, jwks=None)


async def test_a_valid_token_gives_its_sub(verifier: TokenVerifier) -> None:
    assert await verifier.user_id(hs256(claims(sub="user_123"))) == "user_123"


@pytest.mark.parametrize(
    "sub", ["x", "a" * 255, "Zoë Ölçer 東京", "with space", "4fOzmXkEPGr8rLvN0yKj3hTd2QwAaBcD"]
)
async def test_any_printable_sub_of_sane_length_is_a_user_id(
    verifier: TokenVerifier, sub: str
) -> None:
    assert await verifier.user_id(hs256(claims(sub=sub))) == sub


@pytest.mark.parametrize("case", REFUSED.keys())
async def test_a_bad_token_is_refused_with_its_reason(verifier: TokenVerifier, case: str) -> None:
    make_token, reason = REFUSED[case]
    with pytest.raises(AuthError, match=reason):
        await verifier.user_id(make_token())


async def test_leeway_is_ten_seconds_by_default(verifier: TokenVerifier) -> None:
    now = int(time.time())
    assert await verifier.user_id(hs256(claims(exp=now - 5))) == "alice"
    assert await verifier.user_id(hs256(claims(nbf=now + 5))) == "alice"
    strict = TokenVerifier(secret=TEST_SECRET, jwks=None, leeway_seconds=0)
    with pytest.raises(AuthError, match="expired"):
        await strict.user_id(hs256(claims(exp=now - 5)))


async def test_issuer_and_audience_are_checked_when_configured() -> None:
    rules = ClaimRules(issuer="https://auth.example.com", audience="todo-api")
    verifier = TokenVerifier(secret=TEST_SECRET, jwks=None, secret_rules=rules)
    good = claims(iss="https://auth.example.com", aud="todo-api")
    assert await verifier.user_id(hs256(good)) == "alice"
    with pytest.raises(AuthError, match="issuer is not accepted"):
        await verifier.user_id(hs256({**good, "iss": "https://evil.example.com"}))
    with pytest.raises(AuthError, match="missing the 'iss' claim"):
        await verifier.user_id(hs256(claims(aud="todo-api")))
    with pytest.raises(AuthError, match="audience is not accepted"):
        await verifier.user_id(hs256({**good, "aud": "another-api"}))


async def test_jwt_issuer_setting_applies_to_hs256_tokens(tmp_path: Path) -> None:
    settings = offline_settings(
        tmp_path, better_auth_secret=TEST_SECRET, jwt_issuer="https://auth.example.com"
    )
    async with verifier_for(settings) as verifier:
        good = hs256(claims(iss="https://auth.example.com"))
        assert await verifier.user_id(good) == "alice"
        with pytest.raises(AuthError, match="issuer is not accepted"):
            await verifier.user_id(hs256(claims(iss="https://evil.example.com")))


async def test_without_a_secret_hs256_is_not_accepted() -> None:
    verifier = TokenVerifier(secret=None, jwks=None)
    with pytest.raises(AuthError, match="'HS256' is not accepted"):
        await verifier.user_id(hs256(claims()))


# Through /graphql. The app never reaches a database: every answer here comes before one.


@pytest.fixture(scope="module")
async def http(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.AsyncClient]:
    settings = offline_settings(tmp_path_factory.mktemp("auth"), better_auth_secret=TEST_SECRET)
    async with app_client(settings) as client:
        yield client


async def test_no_token_is_unauthenticated_on_task_fields(http: httpx.AsyncClient) -> None:
    for query in (TASKS, 'mutation { createTask(input: {title: "x"}) { id } }'):
        response = await http.post("/graphql", json={"query": query})
        assert response.status_code == 200
        body = response.json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "Bearer" in body["errors"][0]["message"]


async def test_introspection_needs_no_token_in_development(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": "{ __schema { queryType { name } } }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


def bearer(make_token: Callable[[], str]) -> Callable[[], str]:
    return lambda: f"Bearer {make_token()}"


# (Authorization header, the reason the 401 must name)
BAD_HEADERS: dict[str, tuple[Callable[[], str], str]] = {
    **{case: (bearer(make), reason) for case, (make, reason) in REFUSED.items()},
    "basic scheme": (lambda: "Basic YWxpY2U6c2VjcmV0", "must be 'Bearer <token>'"),
    "empty bearer": (lambda: "Bearer ", "must be 'Bearer <token>'"),
    "bearer of spaces": (lambda: "Bearer     ", "must be 'Bearer <token>'"),
    "token without scheme": (lambda: hs256(claims()), "must be 'Bearer <token>'"),
    "alg outside Latin-1": (
        lambda: "Bearer " + hmac_forged({"alg": "\u2603"}, claims(), b"k"),
        "is not accepted",
    ),
    "alg with a quote": (
        lambda: "Bearer " + hmac_forged({"alg": 'x"y\\'}, claims(), b"k"),
        "is not accepted",
    ),
}


@pytest.mark.parametrize("case", BAD_HEADERS.keys())
async def test_a_bad_credential_is_401_with_reason_and_challenge(
    http: httpx.AsyncClient, case: str
) -> None:
    make_header, reason = BAD_HEADERS[case]
    response = await http.post(
        "/graphql", json={"query": TASKS}, headers={"Authorization": make_header()}
    )
    assert response.status_code == 401, response.text
    detail = response.json()["detail"]
    assert reason in detail
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer error="invalid_token", error_description="')
    # RFC 6750: the description is a quoted string of printable ASCII without `"` or `\`.
    description = challenge.removeprefix('Bearer error="invalid_token", error_description="')
    assert description.endswith('"')
    assert all(" " <= c <= "~" and c not in '"\\' for c in description[:-1])


async def test_a_valid_token_reaches_the_resolvers(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": TASKS}, headers=auth("alice"))
    assert response.status_code == 200
    assert response.json() == {"data": {"tasks": {"totalCount": 0}}}
    lower = {"Authorization": auth("alice")["Authorization"].replace("Bearer", "bearer")}
    assert (await client.post("/graphql", json={"query": TASKS}, headers=lower)).status_code == 200
