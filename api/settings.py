"""Configuration from the environment and a `.env` file."""

from __future__ import annotations

import enum
import ipaddress
import json
import os
from functools import cached_property
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./todo.db"
BETTER_AUTH_PATH = "/api/auth"  # where Better Auth mounts its routes, the JWKS among them
_DEFAULT_PORTS = {"http": 80, "https": 443}


class ConfigurationError(Exception):
    """The service cannot start with these settings; the message says what to set."""


def better_auth_endpoints(url: str) -> tuple[str, str]:
    """The origin and the JWKS URL of a BETTER_AUTH_URL, given with or without `/api/auth`.

    Better Auth signs `iss` and `aud` with its base URL's origin (`new URL(baseURL).origin`):
    lower-case scheme and host, the scheme's default port left out, no path.
    """
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), parts.hostname
    try:
        port = parts.port
    except ValueError:
        host = None
    if scheme not in _DEFAULT_PORTS or not host:
        raise ValueError("BETTER_AUTH_URL must be an http(s) URL such as https://app.example.com")
    host = f"[{host}]" if ":" in host else host
    origin = f"{scheme}://{host}" + ("" if port in (None, _DEFAULT_PORTS[scheme]) else f":{port}")
    base_path = parts.path.rstrip("/").removesuffix(BETTER_AUTH_PATH)
    return origin, f"{origin}{base_path}{BETTER_AUTH_PATH}/jwks"


def default_dev_secret_file() -> str:
    """$XDG_STATE_HOME/todo-api/dev-secret, else ~/.local/state/todo-api/dev-secret: one per
    user, whatever the working directory, so `todo-api token` signs with the server's secret."""
    state = Path(os.environ.get("XDG_STATE_HOME", ""))
    base = state if state.is_absolute() else Path.home() / ".local" / "state"
    return str(base / "todo-api" / "dev-secret")


class Environment(enum.StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class LogFormat(enum.StrEnum):
    JSON = "json"
    TEXT = "text"


class ListShape(enum.StrEnum):
    """How REST lists are answered: a bare array, or `{"tasks": [...], "count": n}`."""

    ARRAY = "array"
    ENVELOPE = "envelope"


class ErrorDetailStyle(enum.StrEnum):
    """What a 422's `detail` is: FastAPI's list of problems, or the `message` sentence."""

    LIST = "list"
    TEXT = "text"


def forwarded_allow_ip(value: str) -> str:
    """`value` if uvicorn can match a peer against it: `*`, an IP address or a network."""
    if value != "*":
        try:
            ipaddress.ip_network(value)  # an address is a network of one
        except ValueError:
            raise ValueError(
                f"FORWARDED_ALLOW_IPS: {value!r} is not an IP address, a network such as "
                "10.0.0.0/8, or * (host names are not resolved)"
            ) from None
    return value


class Settings(BaseSettings):
    """Every setting, with its default; the README lists them too."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    database_url: str = DEFAULT_DATABASE_URL
    database_pool_size: int = Field(default=20, ge=1, le=100)
    database_pgbouncer: bool | None = None
    database_row_level_security: bool = False

    better_auth_secret: SecretStr | None = None
    better_auth_url: str | None = None
    jwks_url: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_leeway_seconds: int = Field(default=10, ge=0, le=300)
    jwks_cache_seconds: int = Field(default=3600, ge=1)
    # The cooldown after a fetch before an unknown `kid` may refetch (api/auth/jwks.py).
    jwks_min_refresh_seconds: float = Field(default=1.0, ge=0, le=60)
    dev_secret_file: str = Field(default_factory=default_dev_secret_file)

    cors_origins: Annotated[list[str], NoDecode] = ["http://localhost:3000"]
    graphiql: bool | None = None
    graphql_introspection: bool | None = None
    # Automatic persisted queries: how many documents each process keeps (0: off).
    graphql_persisted_queries: int = Field(default=1000, ge=0, le=100_000)
    api_docs: bool | None = None
    max_body_bytes: int = Field(default=1_048_576, ge=1)

    # Compatibility with frontends written against other backends (README, "Settings").
    rest_list_shape: ListShape = ListShape.ARRAY
    rest_error_detail: ErrorDetailStyle = ErrorDetailStyle.LIST

    # The HTTP server (api.server): what one client may hold of it, and for how long.
    max_header_bytes: int = Field(default=16_384, ge=1_024, le=1_048_576)
    max_header_count: int = Field(default=100, ge=10, le=10_000)
    header_timeout_seconds: float = Field(default=10, gt=0, le=600)
    body_timeout_seconds: float = Field(default=30, gt=0, le=3_600)
    max_connections: int = Field(default=1_000, ge=1, le=100_000)
    # The proxies whose X-Forwarded-Proto/-For uvicorn believes (uvicorn's own default).
    forwarded_allow_ips: Annotated[list[str], NoDecode] = ["127.0.0.1", "::1"]

    log_format: LogFormat | None = None
    metrics: bool = True
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_host: str = "127.0.0.1"
    metrics_token: SecretStr | None = Field(default=None, min_length=16)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().startswith("["):
            return json.loads(value)
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("forwarded_allow_ips", mode="before")
    @classmethod
    def _split_ips(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _ips(cls, value: list[str]) -> list[str]:
        if "*" in value and len(value) > 1:  # uvicorn would take that `*` for a literal
            raise ValueError("FORWARDED_ALLOW_IPS: `*` trusts every peer; list nothing with it")
        return [forwarded_allow_ip(item) for item in value]

    @field_validator(
        "better_auth_secret",
        "better_auth_url",
        "jwks_url",
        "jwt_issuer",
        "jwt_audience",
        "log_format",
        "metrics_port",
        "metrics_token",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("better_auth_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None:
            better_auth_endpoints(value)  # a ValueError naming the setting
        return value

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    @cached_property
    def resolved_jwks_url(self) -> str | None:
        """JWKS_URL, else Better Auth's JWT plugin endpoint under BETTER_AUTH_URL."""
        if self.jwks_url:
            return self.jwks_url
        if self.better_auth_url:
            return better_auth_endpoints(self.better_auth_url)[1]
        return None

    @property
    def jwks_issuer(self) -> str | None:
        """The `iss` that JWKS-signed tokens must carry (Better Auth sets its origin)."""
        return self.jwt_issuer or self.better_auth_origin

    @property
    def jwks_audience(self) -> str | None:
        return self.jwt_audience or self.better_auth_origin

    @property
    def better_auth_origin(self) -> str | None:
        return better_auth_endpoints(self.better_auth_url)[0] if self.better_auth_url else None

    @property
    def graphiql_enabled(self) -> bool:
        return self.graphiql if self.graphiql is not None else not self.is_production

    @property
    def api_docs_enabled(self) -> bool:
        """Swagger UI at /docs and /openapi.json: on in development, off in production."""
        return self.api_docs if self.api_docs is not None else not self.is_production

    @property
    def graphql_introspection_enabled(self) -> bool:
        if self.graphql_introspection is not None:
            return self.graphql_introspection
        return not self.is_production

    @property
    def metrics_enabled(self) -> bool:
        """METRICS, but in production only where they are not public: behind METRICS_TOKEN
        or on METRICS_PORT (the public port would show traffic and operation names to all)."""
        if not self.metrics:
            return False
        return not self.is_production or bool(self.metrics_token or self.metrics_port)

    @property
    def resolved_log_format(self) -> LogFormat:
        """LOG_FORMAT, else JSON lines in production and readable text in development."""
        if self.log_format is not None:
            return self.log_format
        return LogFormat.JSON if self.is_production else LogFormat.TEXT
