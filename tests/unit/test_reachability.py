"""The one line `migrate` and `serve` print for each way a connection attempt fails (the
subprocess runs are in tests/system/test_cli.py; these are the failures that need a server
misbehaving in ways no test server here does)."""

from __future__ import annotations

import socket
import sqlite3
import ssl
from pathlib import Path

import pytest
from asyncpg import exceptions as pg
from sqlalchemy.exc import DBAPIError

from db.errors import DatabaseUnavailable
from db.reachability import DatabaseUnreachable, check_sqlite_file, explain

URL = "postgresql://alice:s3cret@db.example.com/todo"


def wrapped(error: BaseException) -> DBAPIError:
    """`error` as the engine raises it: SQLAlchemy's DBAPIError over the adapter's error."""
    adapter = Exception(str(error))
    adapter.__cause__ = error
    outer = DBAPIError("connect", None, adapter)
    outer.__cause__ = adapter
    return outer


def unavailable(error: BaseException) -> DatabaseUnavailable:
    outer = DatabaseUnavailable(error)
    outer.__cause__ = error
    return outer


@pytest.mark.parametrize(
    ("error", "url", "says"),
    [
        (unavailable(ConnectionRefusedError(111, "refused")), URL, "connection refused"),
        (unavailable(socket.gaierror(-2, "unknown")), URL, "'db.example.com' does not resolve"),
        (unavailable(TimeoutError()), URL, "no answer within 10 seconds"),
        (
            wrapped(pg.InvalidPasswordError('password authentication failed for user "alice"')),
            URL,
            "wrong password for user 'alice'",
        ),
        (
            wrapped(pg.InvalidAuthorizationSpecificationError("connection is insecure")),
            URL,
            "TLS connections only",
        ),
        (
            wrapped(pg.InvalidAuthorizationSpecificationError('role "alice" does not exist')),
            URL,
            "Check the user name",
        ),
        (wrapped(pg.InvalidCatalogNameError('database "todo" does not exist')), URL, "Create it"),
        (wrapped(pg.TooManyConnectionsError("too many clients")), URL, "Retry shortly"),
        (unavailable(ssl.SSLError(1, "handshake failure")), URL, "TLS handshake failed"),
        (
            unavailable(ConnectionError('PostgreSQL server at "h:1" rejected SSL upgrade')),
            URL + "?sslmode=require",
            "does not offer TLS",
        ),
        (
            unavailable(ConnectionError('PostgreSQL server at "h:1" rejected SSL upgrade')),
            URL,
            "not as PostgreSQL does",
        ),
        (
            unavailable(sqlite3.OperationalError("unable to open database file")),
            "sqlite:///./todo.db",
            "Cannot open the SQLite database todo.db",
        ),
    ],
)
def test_each_failure_is_one_line_naming_the_host(error: Exception, url: str, says: str) -> None:
    explained = explain(error, url)
    assert isinstance(explained, DatabaseUnreachable)
    line = str(explained)
    assert says in line
    assert "\n" not in line
    assert "s3cret" not in line
    if url.startswith("postgresql"):
        assert line.startswith(
            "Cannot connect to the database at postgresql://alice:***@db.example"
        )
        assert "db.example.com:5432" in line  # the port it tried, though the URL has none


@pytest.mark.parametrize(
    ("error", "url"),
    [
        (wrapped(pg.PostgresSyntaxError("syntax error at or near")), URL),
        (unavailable(sqlite3.OperationalError("no such table: tasks")), "sqlite:///todo.db"),
        (ValueError("a bug"), URL),
    ],
)
def test_other_errors_are_not_explained_away(error: Exception, url: str) -> None:
    assert explain(error, url) is None


def test_a_sqlite_file_needs_an_existing_directory(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnreachable, match="does not exist"):
        check_sqlite_file(f"sqlite:///{tmp_path}/missing/todo.db")
    for fine in (f"sqlite:///{tmp_path}/todo.db", "sqlite://", "sqlite:///:memory:", URL):
        check_sqlite_file(fine)
