"""EXPLAIN (ANALYZE, BUFFERS) of the exact statements the service runs to list a user's tasks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from db import listing
from db.inputs import TaskQuery
from db.session import create_engine, create_store
from db.store import Owner
from db.urls import parse_database_url

Statement = tuple[str, Sequence[Any]]


class _Capturing:
    """A store that notes each statement's SQL and arguments before running it."""

    def __init__(self, store: Any, captured: list[Statement]) -> None:
        self._store = store
        self._captured = captured
        self.dialect = store.dialect

    async def fetch_as(self, owner_id: str, statement: Any, params: dict[str, Any]) -> Any:
        self._captured.append((statement.sql, statement.args(params)))
        return await self._store.fetch_as(owner_id, statement, params)


async def service_list_statements(url: str, owner_id: str, limit: int) -> list[Statement]:
    """The first page of the REST list (its revision and count included), as the service
    sends it: one statement."""
    target = parse_database_url(url)
    engine = create_engine(target, pool_size=1)
    store = create_store(target, engine, pool_size=1)
    captured: list[Statement] = []
    try:
        capturing: Any = _Capturing(store, captured)  # fetch_as is all list_offset uses
        owner = Owner(capturing, owner_id)
        await listing.list_offset(owner, TaskQuery(), limit, 0)
    finally:
        await store.close()
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
