"""Idempotent create: a retry with the same key answers with the task made the first time."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import dialects, tasks
from db.errors import IdempotencyKeyReused, TaskNotFound
from db.inputs import TaskCreate
from db.models import IdempotencyKey, Task
from db.session import transaction

KEY_LIFETIME = timedelta(hours=24)
# Each keyed create forgets its owner's expired keys; about one in this many also sweeps
# everyone's, so no separate clean-up job is needed.
GLOBAL_SWEEP_ONE_IN = 100


class _KeyTaken(Exception):
    """Another request holds the key: roll this one's task back and replay the other's."""


async def create_task_once(
    session: AsyncSession, owner_id: str, data: TaskCreate, key: str
) -> tuple[Task, bool]:
    """The created task and False, or the task an earlier request with `key` made and True.

    The task and its key are inserted in one transaction; a concurrent request with the same
    key waits on the key's unique index, finds it taken, rolls its own task back and replays.
    """
    request_hash = _fingerprint(data)
    try:
        async with transaction(session):
            task = await _create_with_key(session, owner_id, data, key, request_hash)
    except _KeyTaken:
        return await _replay(session, owner_id, key, request_hash), True
    return task, False


async def _create_with_key(
    session: AsyncSession, owner_id: str, data: TaskCreate, key: str, request_hash: str
) -> Task:
    now = datetime.now(UTC)
    await _forget_expired(session, owner_id, now)
    task = tasks.new_task(owner_id, data)
    session.add(task)
    await session.flush()
    claimed = await session.execute(
        dialects.insert(session, IdempotencyKey)
        .values(
            user_id=owner_id, key=key, request_hash=request_hash, task_id=task.id, created_at=now
        )
        .on_conflict_do_nothing()
        .returning(IdempotencyKey.key)
    )
    if claimed.scalar() is None:
        raise _KeyTaken
    return task


async def _replay(session: AsyncSession, owner_id: str, key: str, request_hash: str) -> Task:
    stored = (
        await session.execute(
            select(IdempotencyKey).where(
                IdempotencyKey.user_id == owner_id, IdempotencyKey.key == key
            )
        )
    ).scalar_one()
    if stored.request_hash != request_hash:
        raise IdempotencyKeyReused("This Idempotency-Key was used with a different request")
    try:
        return await tasks.get_task(session, owner_id, stored.task_id)
    except TaskNotFound:
        raise IdempotencyKeyReused(
            "This Idempotency-Key created a task that has since been deleted"
        ) from None


async def _forget_expired(session: AsyncSession, owner_id: str, now: datetime) -> None:
    expired = IdempotencyKey.created_at < now - KEY_LIFETIME
    statement = delete(IdempotencyKey).where(expired)
    if random.randrange(GLOBAL_SWEEP_ONE_IN) != 0:
        statement = statement.where(IdempotencyKey.user_id == owner_id)
    await session.execute(statement)


def _fingerprint(data: TaskCreate) -> str:
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
