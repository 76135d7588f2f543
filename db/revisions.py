"""The per-user list revision: bumped in the same transaction as every write."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db import dialects
from db.models import TaskListRevision


async def bump(session: AsyncSession, owner_id: str) -> None:
    """Add one to the owner's list revision (creating it at 1)."""
    statement = (
        dialects.insert(session, TaskListRevision)
        .values(user_id=owner_id, revision=1)
        .on_conflict_do_update(
            index_elements=[TaskListRevision.user_id],
            set_={"revision": TaskListRevision.revision + 1},
        )
    )
    await session.execute(statement)


async def current(session: AsyncSession, owner_id: str) -> int:
    """The owner's list revision; 0 before their first write."""
    statement = select(TaskListRevision.revision).where(TaskListRevision.user_id == owner_id)
    return (await session.execute(statement)).scalar() or 0
