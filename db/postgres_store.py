"""The store on PostgreSQL: the services' statements on an asyncpg pool, nothing in between.

Each statement is one round trip on a pooled connection, in autocommit, with its prepared form
cached per connection. Two modes need real transactions, as one statement's parse and execute
must share one: behind PgBouncer in transaction mode (Neon's `-pooler` endpoint; there no
prepared statement is cached, since the next transaction may get another server connection),
and under row level security, whose policy reads the owner from a transaction-local setting.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from db.availability import is_unavailable
from db.errors import DatabaseUnavailable
from db.statements import Statement
from db.store import Row
from db.urls import DatabaseTarget

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 10
# A statement on a server that stopped answering fails (503) instead of hanging the request.
COMMAND_TIMEOUT_SECONDS = 15
# Waiting for a pooled connection when all are busy (also a 503).
POOL_TIMEOUT_SECONDS = 10
# A connection idle longer than this is pinged before use (a serverless database may have
# closed it); busy connections are not, which saves a round trip per request.
PING_AFTER_IDLE_SECONDS = 10
# Releasing a connection whose statement was cancelled or timed out waits this long for the
# server to cancel it too, then closes the connection (a frozen server answers nothing).
RELEASE_TIMEOUT_SECONDS = 1
# Serverless PostgreSQL closes idle connections; close them before it does.
CLOSE_AFTER_IDLE_SECONDS = 300
# Local to the transaction: safe through PgBouncer in transaction mode.
SET_OWNER = "SELECT set_config('app.user_id', $1, true)"


class PostgresStore:
    """Statements on an asyncpg pool of `pool_size` connections, growing to twice that."""

    dialect = "postgresql"

    def __init__(
        self,
        target: DatabaseTarget,
        *,
        pool_size: int = 10,
        row_level_security: bool = False,
        command_timeout: float | None = COMMAND_TIMEOUT_SECONDS,
    ) -> None:
        self.pool_size = pool_size
        self.row_level_security = row_level_security
        # Explicit transactions for every statement: see the module's docstring.
        self._in_transactions = target.behind_pgbouncer or row_level_security
        url = target.url.set(drivername="postgresql")
        self._connect_kwargs: dict[str, Any] = {
            **target.connect_args,
            "dsn": url.render_as_string(hide_password=False),
            "timeout": CONNECT_TIMEOUT_SECONDS,
            "command_timeout": command_timeout,
            "statement_cache_size": 0 if target.behind_pgbouncer else 100,
        }
        self._pool: Any = None
        self._opening = asyncio.Lock()

    async def fetch_as(
        self, owner_id: str, statement: Statement, params: dict[str, Any]
    ) -> list[Row]:
        args = statement.args(params)
        async with self._connection() as connection:
            with _reporting_outages():
                if not self._in_transactions:
                    rows: list[Row] = await connection.fetch(statement.sql, *args)
                    return rows
                async with connection.transaction():
                    if self.row_level_security:
                        await connection.execute(SET_OWNER, owner_id)
                    rows = await connection.fetch(statement.sql, *args)
                    return rows

    @asynccontextmanager
    async def transaction(self, owner_id: str) -> AsyncIterator[_Transaction]:
        async with self._connection() as connection:
            with _reporting_outages():
                async with connection.transaction(isolation="read_committed"):
                    if self.row_level_security:
                        await connection.execute(SET_OWNER, owner_id)
                    yield _Transaction(connection)

    async def ping(self) -> None:
        async with self._connection() as connection:
            with _reporting_outages():
                await connection.fetchval("SELECT 1")

    def pool_readings(self) -> tuple[int, int, int] | None:
        if self._pool is None:
            return self.pool_size, 0, 0
        open_connections = self._pool.get_size()
        in_use = open_connections - self._pool.get_idle_size()
        return self.pool_size, in_use, max(open_connections - self.pool_size, 0)

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Any]:
        """A pooled connection; DatabaseUnavailable when none can be had.

        A connection whose work failed on an outage is closed rather than handed to the next
        request: its protocol state cannot be trusted. One whose request was cancelled mid-
        statement (a client that went away) goes back through asyncpg's release, which cancels
        the statement on the server, and closes the connection only if that does not finish.
        """
        pool = self._pool or await self._open()
        with _reporting_outages():
            connection = await _acquire_alive(pool)
        pooled: _PooledConnection = connection.unproxied()
        discard = False
        try:
            yield connection
        except DatabaseUnavailable as error:
            # A statement past the command timeout leaves a working connection, whose release
            # cancels the statement on the server; any other outage, a broken one.
            discard = not isinstance(error.__cause__, TimeoutError)
            raise
        except Exception as error:
            discard = _is_outage(error)
            raise
        finally:
            pooled.mark_released()
            if discard:  # the connection itself: a lost one's proxy is already detached
                pooled.terminate()
            await _release(pool, connection)

    async def _open(self) -> Any:
        async with self._opening:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    min_size=0,
                    max_size=2 * self.pool_size,
                    max_inactive_connection_lifetime=CLOSE_AFTER_IDLE_SECONDS,
                    reset=_keep_session,
                    connection_class=_PooledConnection,
                    **self._connect_kwargs,
                )
        return self._pool


async def _keep_session(_connection: Any) -> None:
    """Nothing to reset: the services set nothing that outlives a transaction.

    asyncpg's default runs a reset query (RESET ALL, UNLISTEN *...) on every release: a round
    trip per request. An open transaction is still rolled back by the pool itself.
    """


class _PooledConnection(asyncpg.Connection):  # type: ignore[misc]
    """An asyncpg connection that knows since when it has been idle in the pool."""

    released_at: float | None = None

    def unproxied(self) -> _PooledConnection:
        """The connection itself, not the pool's proxy (which a lost connection detaches)."""
        return self

    def mark_released(self) -> None:
        self.released_at = time.monotonic()


async def _acquire_alive(pool: Any) -> Any:
    """A connection from the pool; one idle for a while is pinged first, and replaced when the
    server has closed it meanwhile (a serverless database does)."""
    connection = await pool.acquire(timeout=POOL_TIMEOUT_SECONDS)
    try:
        alive = await _alive(connection)
    except BaseException:  # cancelled mid-ping
        connection.terminate()
        await _release(pool, connection)
        raise
    if alive:
        return connection
    await _release(pool, connection)
    # The others idle as long may be gone too: each is pinged in turn, until one answers or
    # the pool opens a new one (which needs no ping).
    return await _acquire_alive(pool)


async def _alive(connection: Any) -> bool:
    """False (and the connection closed) when a connection idle for a while fails a ping."""
    released_at = connection.released_at
    if released_at is None or time.monotonic() - released_at < PING_AFTER_IDLE_SECONDS:
        return True
    try:
        await connection.execute("SELECT 1")
    except Exception:
        # Whatever failed (the server's goodbye can also leave asyncpg's protocol in a state
        # that refuses the next operation), this connection is done.
        connection.terminate()
        return False
    return True


async def _release(pool: Any, connection: Any) -> None:
    """Back to the pool. A connection that cannot be reset there is closed by asyncpg itself:
    not an error of the request, which has its answer (or its own error) already."""
    try:
        await pool.release(connection, timeout=RELEASE_TIMEOUT_SECONDS)
    except Exception as error:
        log.info("A database connection could not be released, and was closed: %r", error)


class _Transaction:
    """Statements on one connection inside one transaction."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    async def fetch(self, statement: Statement, params: dict[str, Any]) -> list[Row]:
        rows: list[Row] = await self._connection.fetch(statement.sql, *statement.args(params))
        return rows


@contextmanager
def _reporting_outages() -> Iterator[None]:
    """DatabaseUnavailable in place of an outage error; any other error as it is."""
    try:
        yield
    except DatabaseUnavailable:
        raise
    except Exception as error:
        if _is_outage(error):
            raise DatabaseUnavailable(error) from error
        raise


def _is_outage(error: BaseException) -> bool:
    # asyncpg's InterfaceError: the connection is closed or was lost mid-statement; its
    # InternalClientError ("cannot switch to state...") is a connection the server dropped
    # while asyncpg was between messages. Neither is a bug of the statement; these are.
    if isinstance(error, _CLIENT_BUGS):
        return False
    return is_unavailable(error) or isinstance(
        error, (asyncpg.InterfaceError, asyncpg.exceptions.InternalClientError)
    )


_CLIENT_BUGS = (
    asyncpg.exceptions.ClientConfigurationError,
    asyncpg.exceptions.UnsupportedClientFeatureError,
    asyncpg.exceptions.ProtocolError,
)
