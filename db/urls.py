"""Turn the connection strings people paste into what SQLAlchemy and asyncpg accept."""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

# libpq keywords that asyncpg does not take as keywords; sslmode is translated below.
_LIBPQ_ONLY = ("sslmode", "channel_binding", "sslrootcert", "sslcert", "sslkey", "gssencmode")
_SSL_MODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}


class DatabaseUrlError(ValueError):
    """A DATABASE_URL that cannot be used; the message says why."""


@dataclass(frozen=True)
class DatabaseTarget:
    """A SQLAlchemy URL plus the driver arguments it implies."""

    url: URL
    connect_args: dict[str, Any] = field(default_factory=dict)
    behind_pgbouncer: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"


def parse_database_url(raw: str, *, pgbouncer: bool | None = None) -> DatabaseTarget:
    """Accept postgres://, postgresql://, postgresql+asyncpg:// (Neon's too) and sqlite URLs.

    `pgbouncer` forces transaction-pooling mode on or off; by default a Neon `-pooler` host
    turns it on.
    """
    try:
        url = make_url(raw.strip())
    except Exception as error:
        raise DatabaseUrlError(f"DATABASE_URL is not a database URL: {error}") from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        return DatabaseTarget(url=url.set(drivername="sqlite+aiosqlite"))
    if backend not in {"postgres", "postgresql"}:
        raise DatabaseUrlError(
            f"DATABASE_URL uses {backend!r}; use a postgresql:// or sqlite:/// URL"
        )
    url = url.set(drivername="postgresql+asyncpg")
    query = dict(url.query)
    connect_args: dict[str, Any] = {}
    sslmode = query.get("sslmode") or query.get("ssl")
    if isinstance(sslmode, str):
        if sslmode not in _SSL_MODES:
            raise DatabaseUrlError(f"sslmode={sslmode!r} is not one of {sorted(_SSL_MODES)}")
        connect_args["ssl"] = _ssl_argument(sslmode, query)
    url = url.difference_update_query([*_LIBPQ_ONLY, "ssl"])
    behind = pgbouncer if pgbouncer is not None else "-pooler" in (url.host or "")
    return DatabaseTarget(url=url, connect_args=connect_args, behind_pgbouncer=behind)


def _ssl_argument(mode: str, query: Mapping[str, str | tuple[str, ...]]) -> str | ssl.SSLContext:
    """asyncpg's `ssl`: the mode, or a context when the URL names certificate files.

    asyncpg reads sslrootcert, sslcert and sslkey only from a DSN, not from the keywords
    SQLAlchemy passes, so they are applied here with libpq's meaning: a root certificate
    makes require verify the chain, verify-full checks the host name too, `system` is the
    system's CA store.
    """
    rootcert, cert, key = (_one(query.get(name)) for name in ("sslrootcert", "sslcert", "sslkey"))
    if mode not in {"require", "verify-ca", "verify-full"} or not (rootcert or cert):
        return mode
    if rootcert is None and mode != "require":
        rootcert = os.environ.get("PGSSLROOTCERT") or str(Path.home() / ".postgresql/root.crt")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = mode == "verify-full"
    try:
        if rootcert == "system":
            context.load_default_certs()
        elif rootcert:
            context.load_verify_locations(cafile=rootcert)
        else:
            context.verify_mode = ssl.CERT_NONE  # require with a client certificate only
        if cert:
            context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as error:
        raise DatabaseUrlError(f"DATABASE_URL's TLS files cannot be used: {error}") from None
    return context


def _one(value: str | tuple[str, ...] | None) -> str | None:
    return value[-1] if isinstance(value, tuple) else value
