"""Count the SQL statements an app sends to its database while a block runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import event

from tests.support.databases import services_of


@contextmanager
def sql_statements(app: FastAPI) -> Iterator[list[str]]:
    """Every statement the app's engine executes inside the block, in order.

    A refusal that must come before the database asserts this list stays empty.
    """
    engine = services_of(app).engine.sync_engine
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
