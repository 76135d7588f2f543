"""Dependencies every route shares: the app's services, the session, the verified user."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Path, status
from fastapi.security import HTTPBearer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from api.auth.jwks import JwksCache
from api.auth.verifier import AuthError, TokenVerifier
from api.settings import Settings


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
    sessionmaker: async_sessionmaker[AsyncSession]
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


async def optional_user_id(
    request: HTTPConnection, services: ServicesDep, _bearer: Annotated[None, Depends(bearer_scheme)]
) -> str | None:
    """The verified user, None without an Authorization header, 401 for a bad one.

    JwksUnavailable (the keys cannot be fetched) goes on to api.errors: a 503.
    """
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("Authorization header must be 'Bearer <token>'")
    try:
        user_id = await services.verifier.user_id(token.strip())
    except AuthError as error:
        raise unauthorized(str(error)) from None
    request.state.user_id = user_id  # for the request log (api/request_log.py): never the token
    return user_id


async def current_user_id(user_id: Annotated[str | None, Depends(optional_user_id)]) -> str:
    """The verified user; 401 when the request carried no token."""
    if user_id is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Missing bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user_id


OptionalUserId = Annotated[str | None, Depends(optional_user_id)]
CurrentUserId = Annotated[str, Depends(current_user_id)]


async def path_user_id(
    user_id: Annotated[
        str, Path(description="The user whose tasks these are: the token's `sub`, verbatim.")
    ],
    token_user_id: CurrentUserId,
) -> str:
    """The token's user, when it is the user the path names: the one place this rule lives."""
    if user_id != token_user_id:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="The user_id in the path is not the user this token belongs to",
        )
    return token_user_id


PathUserId = Annotated[str, Depends(path_user_id)]


async def get_session(
    services: ServicesDep, user_id: Annotated[str | None, Depends(optional_user_id)]
) -> AsyncIterator[AsyncSession]:
    """A session for this request; with row level security, scoped to its verified user."""
    async with services.sessionmaker(info={"owner_id": user_id}) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
