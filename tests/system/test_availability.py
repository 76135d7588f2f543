"""Which errors are outages (503 with Retry-After, SERVICE_UNAVAILABLE) and which stay bugs (500).

The outages themselves are produced for real in tests/test_db_faults.py; here, every kind.
"""

from __future__ import annotations

import socket
import ssl

import asyncpg
import pytest
from fastapi import Request
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from api.errors import _database_unavailable
from api.graphql.router import _only_unavailable
from db.availability import is_unavailable


class _DriverError(Exception):
    """What SQLAlchemy's asyncpg adapter wraps: a driver error carrying its SQLSTATE."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"SQLSTATE {sqlstate}")
        self.sqlstate = sqlstate


def _wrapped(sqlstate: str, kind: type[DBAPIError] = DBAPIError) -> DBAPIError:
    return kind("SELECT 1", {}, _DriverError(sqlstate))


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed"),
        socket.gaierror(-2, "Name or service not known"),
        OSError("Multiple exceptions: [Errno 111] ..., [Errno 99] ..."),
        ssl.SSLError("handshake failed"),
        TimeoutError(),
        PoolTimeout("QueuePool limit of size 10 overflow 10 reached"),
        OperationalError("SELECT 1", {}, Exception("server closed the connection")),
        _wrapped("08003"),  # asyncpg: connection was closed in the middle of operation
        _wrapped("08P01"),  # PgBouncer: cannot connect to the server
        _wrapped("57P01"),  # terminating connection due to administrator command
        _wrapped("57P03"),  # the database system is starting up
        _wrapped("53300"),  # too many connections
        _wrapped("57014"),  # canceling statement due to statement timeout
        DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True),
        asyncpg.exceptions.AdminShutdownError("terminating connection"),
    ],
    ids=lambda error: (
        f"{type(error).__name__}{getattr(getattr(error, 'orig', None), 'sqlstate', '')}"
    ),
)
def test_outages(error: BaseException) -> None:
    assert is_unavailable(error)


@pytest.mark.parametrize(
    "error",
    [
        None,
        ValueError("a bug"),
        _wrapped("23505", IntegrityError),  # unique violation
        _wrapped("42501", ProgrammingError),  # row level security refused the row
        _wrapped("22P02"),  # invalid text representation
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_bugs_are_not_outages(error: BaseException | None) -> None:
    assert not is_unavailable(error)


async def test_rest_turns_an_outage_into_503_and_leaves_a_bug_a_500() -> None:
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": []})
    answer = await _database_unavailable(request, _wrapped("57P01"))
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"
    bug = _wrapped("42501", ProgrammingError)
    with pytest.raises(ProgrammingError):
        await _database_unavailable(request, bug)


def _error(code: str) -> dict[str, object]:
    return {"message": "m", "extensions": {"code": code}}


@pytest.mark.parametrize(
    ("errors", "outage"),
    [
        ([_error("SERVICE_UNAVAILABLE")], True),
        ([_error("SERVICE_UNAVAILABLE"), _error("SERVICE_UNAVAILABLE")], True),
        ([_error("SERVICE_UNAVAILABLE"), _error("NOT_FOUND")], False),
        ([_error("NOT_FOUND")], False),
        ([], False),
    ],
)
def test_graphql_answers_503_only_when_every_error_is_an_outage(
    errors: list[object], outage: bool
) -> None:
    assert _only_unavailable({"data": None, "errors": errors}) is outage
