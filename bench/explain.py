"""EXPLAIN (ANALYZE, BUFFERS) of the exact statements the service runs to list a user's tasks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from db import listing
from db.inputs import TaskQuery
from db.session import create_engine
from db.urls import parse_database_url

Statement = tuple[str, Sequence[Any]]


async def service_list_statements(url: str, owner_id: str, limit: int) -> list[Statement]:
    """The count and the first page of the REST list, as the service's code sends them."""
    engine = create_engine(parse_database_url(url), pool_size=1)
    captured: list[Statement] = []

    def capture(*arguments: Any) -> None:
        # before_cursor_execute(connection, cursor, statement, parameters, context, executemany)
        captured.append((arguments[2], arguments[3]))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        async with AsyncSession(engine) as session:
            await listing.count_tasks(session, owner_id, TaskQuery())
            await listing.list_offset(session, owner_id, TaskQuery(), limit, 0)
    finally:
        await engine.dispose()
    return captured


async def explain_list(url: str, owner_id: str, limit: int = 50) -> str:
    """The plans, with timings and buffers, of the list's statements for `owner_id`."""
    statements = await service_list_statements(url, owner_id, limit)
    connection = await asyncpg.connect(url, timeout=10)
    try:
        sections = []
        for statement, parameters in statements:
            rows = await connection.fetch("EXPLAIN (ANALYZE, BUFFERS) " + statement, *parameters)
            plan = "\n".join("    " + row[0] for row in rows)
            sections.append(f"  {' '.join(statement.split())}\n  -- {list(parameters)}\n{plan}")
        return "\n\n".join(sections)
    finally:
        await connection.close()
