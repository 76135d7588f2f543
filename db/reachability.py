"""Why the database could not be reached or refused the login, said in one line: where it is,
what went wrong and what to check (for `todo-api migrate` and `serve`, instead of a traceback).
"""

from __future__ import annotations

import os
import socket
import ssl
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from db.postgres_store import CONNECT_TIMEOUT_SECONDS

_SOURCE = "DATABASE_URL"
# What PostgreSQL (or Neon's proxy) says when only encrypted connections may log in.
_NEEDS_TLS = ("no encryption", "SSL off", "sslmode", "insecure")
# What SQLite says about its file (any other error is not about reaching it).
_SQLITE_FILE = ("unable to open", "readonly", "locked", "disk I/O")


class DatabaseUnreachable(Exception):
    """The database could not be reached or refused the login; the message says what to check."""


def check_sqlite_file(raw_url: str) -> None:
    """Raise DatabaseUnreachable where a SQLite file cannot be created: its directory is missing
    or read-only (before aiosqlite fails in its own thread, which prints a traceback)."""
    url = make_url(raw_url.strip())
    name = url.database
    if url.get_backend_name() != "sqlite" or not name or name == ":memory:" or url.query:
        return
    path = Path(name)
    directory = path.parent.resolve()
    if not directory.is_dir():
        problem = f"the directory {directory} does not exist. Create it, or set {_SOURCE} to a "
        raise DatabaseUnreachable(_sqlite(path, problem + "file in an existing directory."))
    if not path.exists() and not os.access(directory, os.W_OK | os.X_OK):
        problem = f"the directory {directory} is not writable, so the file cannot be created."
        raise DatabaseUnreachable(_sqlite(path, problem))


def explain(error: BaseException, raw_url: str) -> DatabaseUnreachable | None:
    """The DatabaseUnreachable for a failed connection attempt to `raw_url`, or None when
    `error` is not about reaching the database or logging in."""
    url = make_url(raw_url.strip())
    cause = _driver_error(error)
    if url.get_backend_name() == "sqlite":
        if not any(words in str(cause) for words in _SQLITE_FILE):
            return None
        problem = f"{cause}. Check the path and its permissions."
        return DatabaseUnreachable(_sqlite(Path(url.database or ""), problem))
    reason = _network_reason(cause, url) or _login_reason(cause, url)
    if reason is None:
        return None
    return DatabaseUnreachable(f"Cannot connect to the database at {_shown(url)}: {reason}")


def _network_reason(cause: BaseException, url: URL) -> str | None:
    if isinstance(cause, ssl.SSLError) or "rejected SSL upgrade" in str(cause):
        return _tls_reason(cause, url)
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused. Is PostgreSQL running, and are the host and port right?"
    if isinstance(cause, socket.gaierror):
        return (
            f"the host name {url.host!r} does not resolve. Is it spelled right in {_SOURCE}, "
            "and is this machine online (DNS, VPN)?"
        )
    if isinstance(cause, TimeoutError):
        return (
            f"no answer within {CONNECT_TIMEOUT_SECONDS} seconds. Can this machine reach the "
            "host (firewall, VPN, the database's allowed IP addresses), and is the port right?"
        )
    if isinstance(cause, OSError):
        return f"{cause}. Can this machine reach the host, and are the host and port right?"
    return None


def _tls_reason(cause: BaseException, url: URL) -> str:
    if isinstance(cause, ssl.SSLCertVerificationError):
        return (
            f"its TLS certificate does not verify ({cause.verify_message}). Set sslrootcert in "
            f"{_SOURCE} to the CA that signed it, or use sslmode=require to encrypt unverified."
        )
    if isinstance(cause, ssl.SSLError):
        reason = getattr(cause, "reason", None) or cause
        return f"the TLS handshake failed ({reason}). Check sslmode and the certificates."
    if not _requires_tls(url):  # asyncpg asks for TLS first, as libpq does
        return "something answers there, but not as PostgreSQL does. Is the port right?"
    return (
        f"the server does not offer TLS, which sslmode in {_SOURCE} requires. Enable TLS there, "
        "or leave sslmode out for a server on this machine."
    )


def _login_reason(cause: BaseException, url: URL) -> str | None:
    sqlstate = getattr(cause, "sqlstate", None)
    if not isinstance(sqlstate, str):
        return None
    if sqlstate == "28P01":
        return (
            f"wrong password for user {url.username!r} ({cause}). Check the user and password "
            f"in {_SOURCE} (percent-encode characters such as @ : / ? # in the password)."
        )
    if sqlstate.startswith("28") and any(words in str(cause) for words in _NEEDS_TLS):
        return f"the server takes TLS connections only ({cause}). Add sslmode=require to {_SOURCE}."
    if sqlstate.startswith("28"):
        return f"the login was refused ({cause}). Check the user name in {_SOURCE}."
    if sqlstate == "3D000":
        return f"{cause}. Create it, or correct the database name in {_SOURCE}."
    if sqlstate.startswith(("08", "53", "57P")):
        return f"{cause} (SQLSTATE {sqlstate}). Retry shortly; if it persists, check the server."
    return None


def _requires_tls(url: URL) -> bool:
    mode = url.query.get("sslmode") or url.query.get("ssl")
    return mode in {"require", "verify-ca", "verify-full"}


def _driver_error(error: BaseException) -> BaseException:
    """The driver's or the operating system's own error under SQLAlchemy's and ours."""
    while True:
        inner = error.__cause__ or getattr(error, "orig", None)
        if not isinstance(inner, BaseException):
            return error
        error = inner


def _shown(url: URL) -> str:
    """The URL as given, password hidden, with PostgreSQL's default port when it has none."""
    if url.port is None and url.host:
        url = url.set(port=5432)
    return url.render_as_string(hide_password=True)


def _sqlite(path: Path, problem: str) -> str:
    return f"Cannot open the SQLite database {path}: {problem}"
