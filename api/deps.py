"""Dependencies every route shares: the app's services and the verified user, as an Owner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Path, status
from fastapi.security import HTTPBearer
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import HTTPConnection

from api.auth.jwks import JwksCache
from api.auth.verifier import AuthError, TokenVerifier
from api.settings import Settings
from db.store import Owner, Store


# Declared for the OpenAPI document; the header is parsed below to tell missing from malformed.
class _DocumentedBearer(HTTPBearer):
    """HTTPBearer for the OpenAPI document only; unlike FastAPI's, it also runs on a WebSocket."""

    async def __call__(self, connection: HTTPConnection) -> None:
        return None  # optional_user_id reads the header itself


bearer_scheme = _DocumentedBearer(
    scheme_name="HTTPBearer",
    auto_error=False,
    description="A Better Auth JWT; `sub` is the user id.",
)


@dataclass
class Services:
    """What the app builds once at start and every request uses."""

    settings: Settings
    engine: AsyncEngine
    store: Store
    verifier: TokenVerifier
    jwks: JwksCache | None


# HTTPConnection, not Request: the same dependencies serve /graphql's WebSocket route.
async def get_services(connection: HTTPConnection) -> Services:
    services: Services = connection.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def unauthorized(reason: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail=reason,
        headers={
            "WWW-Authenticate": (
                f'Bearer error="invalid_token", error_description="{_header_safe(reason)}"'
            )
        },
    )


def _header_safe(text: str) -> str:
    # Reasons can quote a token's own header (its `alg`): keep the characters RFC 6750 allows
    # in error_description, or a non-Latin-1 one would fail to encode and answer 500.
    return "".join(c if " " <= c <= "~" and c not in '"\\' else "?" for c in text[:200])


async def _verified_user(connection: HTTPConnection, services: Services) -> str | None:
    """The verified user, None without an Authorization header, 401 for a bad one.

    JwksUnavailable (the keys cannot be fetched) goes on to api.errors: a 503.
    """
    header = connection.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("Authorization header must be 'Bearer <token>'")
    try:
        user_id = await services.verifier.user_id(token.strip())
    except AuthError as error:
        raise unauthorized(str(error)) from None
    connection.state.user_id = user_id  # for the request log: never the token
    return user_id


async def optional_user_id(
    connection: HTTPConnection, _bearer: Annotated[None, Depends(bearer_scheme)]
) -> str | None:
    """The verified user, None without an Authorization header, 401 for a bad one."""
    return await _verified_user(connection, connection.app.state.services)


OptionalUserId = Annotated[str | None, Depends(optional_user_id)]


async def path_owner(
    connection: HTTPConnection,
    user_id: Annotated[
        str, Path(description="The user whose tasks these are: the token's `sub`, verbatim.")
    ],
    _bearer: Annotated[None, Depends(bearer_scheme)],
) -> Owner:
    """The token's user, when it is the user the path names: the one place this rule lives.

    One dependency from the header to the Owner the services take: 401 without a valid token,
    403 when the path names someone else.
    """
    services: Services = connection.app.state.services
    token_user_id = await _verified_user(connection, services)
    if token_user_id is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Missing bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if user_id != token_user_id:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="The user_id in the path is not the user this token belongs to",
        )
    return Owner(services.store, token_user_id)


PathOwner = Annotated[Owner, Depends(path_owner)]
