"""Which errors mean "the database cannot be reached right now": decided once, and raised as one.

The engine raises every such error as db.errors.DatabaseUnavailable, wherever it meets it:
opening a connection or waiting for one (the pool below), or running a statement (the
`handle_error` hook). REST answers it with 503 and Retry-After, GraphQL with SERVICE_UNAVAILABLE
(and an HTTP 503 when that is every error); any other database error is a bug and stays a 500.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, ExceptionContext
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import AsyncAdaptedQueuePool, Pool, PoolProxiedConnection

from db.errors import DatabaseUnavailable

# SQLSTATEs of an outage rather than a bad statement: connection exceptions (class 08, also
# what PgBouncer sends when it cannot reach the server), the server shutting down, crashing or
# starting up (57P01-57P03), too many connections (53300) and a statement cancelled by a
# timeout (57014).
_OUTAGE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300", "57014")


def is_unavailable(error: BaseException | None) -> bool:
    """Whether retrying later can succeed: the database is down, unreachable or overloaded.

    Asked only of what the engine raised: a bare OSError or TimeoutError means something else
    anywhere else.
    """
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


class OutageReportingPool(AsyncAdaptedQueuePool):
    """SQLAlchemy's asyncio queue pool: DatabaseUnavailable when no connection can be had.

    Every connection is opened here (new, recycled or replacing an invalidated one), and the
    wait for a free one times out here: asyncpg's bare OSError or TimeoutError, and the pool's
    own timeout, never reach the `handle_error` hook.
    """

    # SQLAlchemy names a pool's logger after its class's module: under `sqlalchemy` (quiet
    # below WARNING) as its own pools are, not `db.availability`, which logs at INFO.
    _sqla_logger_namespace = "sqlalchemy.pool.impl.OutageReportingPool"

    def connect(self) -> PoolProxiedConnection:
        try:
            return super().connect()
        except Exception as error:
            if is_unavailable(error):
                raise DatabaseUnavailable(error) from error
            raise


def pool_class(url: URL) -> type[Pool]:
    """The pool SQLAlchemy would pick for `url`, reporting outages when it is the queue pool.

    An in-memory SQLite database keeps SQLAlchemy's single-connection pool: it has no server
    to lose.
    """
    dialect: Any = url.get_dialect()
    chosen: type[Pool] = dialect.get_pool_class(url)
    return OutageReportingPool if chosen is AsyncAdaptedQueuePool else chosen


def report_outages(engine: AsyncEngine) -> None:
    """Make `engine` raise DatabaseUnavailable in place of a statement's outage error."""
    event.listen(engine.sync_engine, "handle_error", _replace_outage)


def _replace_outage(context: ExceptionContext) -> BaseException | None:
    # A failed pre-ping only makes the pool open a new connection (which OutageReportingPool
    # watches): it must stay the error SQLAlchemy expects.
    if context.is_pre_ping:
        return None
    if not is_unavailable(context.sqlalchemy_exception or context.original_exception):
        return None
    # The driver's own error: SQLAlchemy's wrapper would carry the statement and its parameters.
    return DatabaseUnavailable(context.original_exception)
