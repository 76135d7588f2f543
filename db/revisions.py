"""The per-user list revision (bumped by a trigger on every write to the user's tasks)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import TaskListRevision


async def current(session: AsyncSession, owner_id: str) -> int:
    """The owner's list revision; 0 before their first write."""
    statement = select(TaskListRevision.revision).where(TaskListRevision.user_id == owner_id)
    return (await session.execute(statement)).scalar() or 0
