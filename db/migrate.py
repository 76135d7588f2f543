"""Apply the Alembic migrations: the only way the schema is made."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from db.errors import DatabaseUnavailable
from db.reachability import check_sqlite_file, explain
from db.session import create_engine
from db.urls import parse_database_url

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(database_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option(
        "file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(slug)s"
    )
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    """Bring the database at `database_url` to the newest revision (runs its own event loop).

    Raises db.reachability.DatabaseUnreachable, saying what to check, when it cannot connect.
    """
    check_sqlite_file(database_url)
    try:
        command.upgrade(alembic_config(database_url), "head")
    except (DatabaseUnavailable, DBAPIError) as error:
        explained = explain(error, database_url)
        if explained is None:
            raise
        raise explained from error


def upgrade_connection(connection: Connection) -> None:
    """Bring the database behind an open (sync-facing) connection to the newest revision."""
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def upgrade_async(database_url: str) -> None:
    """`upgrade` for callers already inside an event loop."""
    # Migrations may legitimately run long: no statement timeout.
    engine = create_engine(parse_database_url(database_url), pool_size=1, command_timeout=None)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(upgrade_connection)
    finally:
        await engine.dispose()
