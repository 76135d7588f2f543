"""What the connected PostgreSQL role is subject to."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

_SUBJECT_TO_ROW_LEVEL_SECURITY = text(
    """
    SELECT NOT (r.rolsuper OR r.rolbypassrls) AND c.relrowsecurity
    FROM pg_roles r, pg_class c
    WHERE r.rolname = current_user AND c.oid = to_regclass('tasks')
    """
)


async def subject_to_row_level_security(engine: AsyncEngine) -> bool:
    """Whether the tasks table's policy applies to this engine's role (PostgreSQL only)."""
    if engine.dialect.name != "postgresql":
        return False
    async with engine.connect() as connection:
        return bool((await connection.execute(_SUBJECT_TO_ROW_LEVEL_SECURITY)).scalar())
