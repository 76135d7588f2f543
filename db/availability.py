"""Which errors mean "the database cannot be reached right now": decided once, for both transports.

REST answers them with 503 and Retry-After, GraphQL with SERVICE_UNAVAILABLE (and an HTTP 503
when that is every error); any other database error is a bug and stays a 500.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# SQLSTATEs of an outage rather than a bad statement: connection exceptions (class 08, also
# what PgBouncer sends when it cannot reach the server), the server shutting down, crashing or
# starting up (57P01-57P03), too many connections (53300) and a statement cancelled by a
# timeout (57014).
_OUTAGE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300", "57014")


def is_unavailable(error: BaseException | None) -> bool:
    """Whether retrying later can succeed: the database is down, unreachable or overloaded."""
    # Refused, reset, unresolvable or timed-out connections, and TLS handshakes that fail,
    # before the driver wraps anything; SQLAlchemy's pool giving up waiting for a connection.
    if isinstance(error, (OSError, TimeoutError, PoolTimeout)):
        return True
    if isinstance(error, DBAPIError):
        if error.connection_invalidated or isinstance(error, (OperationalError, InterfaceError)):
            return True
        error = error.orig
    sqlstate = getattr(error, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate.startswith(_OUTAGE_SQLSTATES)
