"""A real JWKS endpoint on a free local port, tokens shaped like Better Auth's, an app client.

Better Auth's JWT plugin signs with EdDSA (Ed25519) by default, or ES256/ES512/RS256/PS256;
the header carries `alg` and `kid` (no `typ`); `iss` and `aud` are its base URL's origin;
`exp` is 15 minutes after `iat`; the payload is the user object with `sub` = the user id. Its
JWKS lives at `<base URL>/api/auth/jwks` and omits `alg` from each key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from fastapi import FastAPI
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from api.app import build_services, create_app
from api.auth.verifier import TokenVerifier
from api.settings import Settings

JWKS_PATH = "/api/auth/jwks"
BETTER_AUTH_LIFETIME_SECONDS = 15 * 60
_CURVES: dict[str, ec.EllipticCurve] = {
    "ES256": ec.SECP256R1(),
    "ES384": ec.SECP384R1(),
    "ES512": ec.SECP521R1(),
}


@dataclass
class SigningKey:
    """A private key of one of Better Auth's algorithms (or ES384: it has not), with its `kid`."""

    algorithm: str
    kid: str
    private_key: Any

    @classmethod
    def generate(cls, algorithm: str = "EdDSA", kid: str | None = None) -> SigningKey:
        private_key: Any
        if algorithm == "EdDSA":
            private_key = ed25519.Ed25519PrivateKey.generate()
        elif algorithm in _CURVES:
            private_key = ec.generate_private_key(_CURVES[algorithm])
        elif algorithm in ("RS256", "PS256"):
            private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            raise ValueError(algorithm)
        return cls(algorithm, kid or f"{algorithm.lower()}-{time.monotonic_ns()}", private_key)

    def public_jwk(self, *, with_alg: bool = False) -> dict[str, Any]:
        """The public JWK as Better Auth serves it (no `alg` unless asked)."""
        public = self.private_key.public_key()
        if self.algorithm == "EdDSA":
            jwk = OKPAlgorithm.to_jwk(public, as_dict=True)
        elif self.algorithm in _CURVES:
            jwk = ECAlgorithm.to_jwk(public, as_dict=True)
        else:
            jwk = RSAAlgorithm.to_jwk(public, as_dict=True)
        jwk["kid"] = self.kid
        if with_alg:
            jwk["alg"] = self.algorithm
        return jwk

    def public_pem(self) -> bytes:
        return cast(
            bytes,
            self.private_key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            ),
        )

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        """A JWS over `claims` with header {alg, kid}; `header` adds fields (None removes)."""
        fields = {name: value for name, value in {"kid": self.kid, **header}.items() if value}
        return jwt.encode(
            claims, self.private_key, algorithm=self.algorithm, headers={**fields, "typ": None}
        )


def better_auth_claims(
    base_url: str, user_id: str = "user-1", *, issued_at: float | None = None
) -> dict[str, Any]:
    """The claims Better Auth's `/api/auth/token` puts in a JWT for `user_id`."""
    iat = int(time.time() if issued_at is None else issued_at)
    created = datetime.fromtimestamp(iat - 86400, UTC).isoformat().replace("+00:00", "Z")
    return {
        "iat": iat,
        "id": user_id,
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "emailVerified": True,
        "image": None,
        "createdAt": created,
        "updatedAt": created,
        "sub": user_id,
        "exp": iat + BETTER_AUTH_LIFETIME_SECONDS,
        "iss": base_url,
        "aud": base_url,
    }


def better_auth_token(
    key: SigningKey, base_url: str, user_id: str = "user-1", **overrides: Any
) -> str:
    """A token as Better Auth would sign it; `overrides` replace claims (None removes one)."""
    claims = {**better_auth_claims(base_url, user_id), **overrides}
    return key.sign({name: value for name, value in claims.items() if value is not None})


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hmac_forged(header: dict[str, Any], claims: dict[str, Any], key: bytes) -> str:
    """A token HMAC-SHA256-signed by hand: any header, any key (PyJWT refuses some of both)."""
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


@dataclass
class JwksServer:
    """Serves `keys` (mutable) as `{"keys": [...]}` at JWKS_PATH over real HTTP; counts hits.

    `body` replaces the answer with raw bytes and `status` sets its code; `delay` makes
    every answer slow.
    """

    keys: list[dict[str, Any]] = field(default_factory=list)
    body: bytes | None = None
    status: int = 200
    delay: float = 0.0
    hits: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _http: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._http is not None
        host, port = self._http.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def jwks_url(self) -> str:
        return self.base_url + JWKS_PATH

    def serve(self, *keys: SigningKey, with_alg: bool = False) -> None:
        """From now on, publish exactly these keys."""
        self.keys = [key.public_jwk(with_alg=with_alg) for key in keys]

    def _answer(self) -> tuple[int, bytes]:
        with self._lock:
            self.hits += 1
        if self.delay:
            time.sleep(self.delay)
        if self.body is not None:
            return self.status, self.body
        return self.status, json.dumps({"keys": self.keys}).encode()

    @contextmanager
    def running(self) -> Iterator[JwksServer]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = owner._answer() if self.path == JWKS_PATH else (404, b"{}")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the tests count hits instead."""

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        thread.start()
        try:
            yield self
        finally:
            self._http.shutdown()
            self._http.server_close()
            thread.join(timeout=5)


@contextmanager
def jwks_server(*keys: SigningKey, with_alg: bool = False) -> Iterator[JwksServer]:
    """A running JWKS server publishing `keys`."""
    server = JwksServer()
    server.serve(*keys, with_alg=with_alg)
    with server.running():
        yield server


def unused_port_url() -> str:
    """The base URL of a local port nothing listens on (a server that has just stopped)."""
    with jwks_server() as server:
        url = server.base_url
    return url


@asynccontextmanager
async def app_client(settings: Settings | FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app (given, or made from settings) over ASGI, inside its own lifespan (which closes
    the engine and JWKS client)."""
    app = settings if isinstance(settings, FastAPI) else create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as http,
    ):
        yield http


def offline_settings(directory: Path, **overrides: Any) -> Settings:
    """Settings for an app whose requests never reach the database (it is never created)."""
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{directory / 'never-opened.db'}",
        "dev_secret_file": str(directory / "dev-secret"),
        **overrides,
    }
    return Settings(_env_file=None, **values)


@asynccontextmanager
async def verifier_for(settings: Settings) -> AsyncIterator[TokenVerifier]:
    """The token verifier the app would build from `settings`; closed afterwards."""
    services = build_services(settings)
    try:
        yield services.verifier
    finally:
        if services.jwks is not None:
            await services.jwks.aclose()
        await services.store.close()
        await services.engine.dispose()
