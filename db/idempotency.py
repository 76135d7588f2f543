"""Idempotent create: a retry with the same key answers with the task made the first time."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects import postgresql

from db import tasks
from db.errors import IdempotencyKeyReused, TaskNotFound
from db.inputs import TaskCreate
from db.models import IdempotencyKey, TaskRow
from db.statements import Statement
from db.store import Owner, OwnerTransaction

KEY_LIFETIME = timedelta(hours=24)
# Each keyed create forgets its owner's expired keys; about one in this many also sweeps
# everyone's, so no separate clean-up job is needed.
GLOBAL_SWEEP_ONE_IN = 100

# PostgreSQL's INSERT ... ON CONFLICT is also SQLite's (3.24+) spelling.
_CLAIM = Statement(
    postgresql.insert(IdempotencyKey)
    .values(
        user_id=bindparam("owner_id"),
        key=bindparam("new_key"),
        request_hash=bindparam("new_request_hash"),
        task_id=bindparam("new_task_id"),
        created_at=bindparam("now", type_=IdempotencyKey.created_at.type),
    )
    .on_conflict_do_nothing()
    .returning(IdempotencyKey.key)
)
_STORED = Statement(
    select(IdempotencyKey.request_hash, IdempotencyKey.task_id).where(
        IdempotencyKey.user_id == bindparam("owner_id"), IdempotencyKey.key == bindparam("key")
    )
)
_EXPIRED = IdempotencyKey.created_at < bindparam("cutoff", type_=IdempotencyKey.created_at.type)
_FORGET_OWN = Statement(
    delete(IdempotencyKey).where(_EXPIRED, IdempotencyKey.user_id == bindparam("owner_id"))
)
_FORGET_EVERYONES = Statement(delete(IdempotencyKey).where(_EXPIRED))


class _KeyTaken(Exception):
    """Another request holds the key: roll this one's task back and replay the other's."""


async def create_task_once(owner: Owner, data: TaskCreate, key: str) -> tuple[TaskRow, bool]:
    """The created task and False, or the task an earlier request with `key` made and True.

    The task and its key are inserted in one transaction; a concurrent request with the same
    key waits on the key's unique index, finds it taken, rolls its own task back and replays.
    """
    request_hash = _fingerprint(data)
    try:
        async with owner.transaction() as transaction:
            task = await _create_with_key(transaction, data, key, request_hash)
    except _KeyTaken:
        return await _replay(owner, key, request_hash), True
    return task, False


async def _create_with_key(
    transaction: OwnerTransaction, data: TaskCreate, key: str, request_hash: str
) -> TaskRow:
    now = datetime.now(UTC)
    forget = _FORGET_OWN if random.randrange(GLOBAL_SWEEP_ONE_IN) != 0 else _FORGET_EVERYONES
    await transaction.fetch(forget, cutoff=now - KEY_LIFETIME)
    task = await tasks.create_task(transaction, data)
    claimed = await transaction.fetch_one(
        _CLAIM, new_key=key, new_request_hash=request_hash, new_task_id=task.id, now=now
    )
    if claimed is None:
        raise _KeyTaken
    return task


async def _replay(owner: Owner, key: str, request_hash: str) -> TaskRow:
    stored = await owner.fetch_one(_STORED, key=key)
    assert stored is not None  # a key is taken by a committed row, and expires only a day later
    if stored[0] != request_hash:
        raise IdempotencyKeyReused("This Idempotency-Key was used with a different request")
    try:
        return await tasks.get_task(owner, stored[1])
    except TaskNotFound:
        raise IdempotencyKeyReused(
            "This Idempotency-Key created a task that has since been deleted"
        ) from None


def _fingerprint(data: TaskCreate) -> str:
    fields = data.model_dump(mode="json")
    if not fields["tag_ids"]:
        # No tags: the fingerprint of before tags existed (a retry across an upgrade replays).
        del fields["tag_ids"]
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
