"""Domain errors raised by the task service; each transport maps them once."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from db.models import Task


class TaskError(Exception):
    """Base of every error a client can cause."""


class TaskNotFound(TaskError):
    """No task with this id belongs to this owner (it may belong to someone else)."""

    def __init__(self, task_id: int) -> None:
        super().__init__(f"Task {task_id} not found")
        self.task_id = task_id


class InvalidInput(TaskError):
    """A value that passed the transport's shape checks but is not acceptable."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class InvalidCursor(InvalidInput):
    """A pagination cursor this service did not make for this list and order.

    The transport names the argument that carried it (GraphQL's `after`).
    """

    def __init__(self, message: str) -> None:
        super().__init__("cursor", message)


class VersionConflict(TaskError):
    """The task is not at the version the client expected; nothing was changed."""

    def __init__(self, current: Task) -> None:
        super().__init__("The task has changed since you read it")
        self.current = current


class IdempotencyKeyReused(TaskError):
    """The same idempotency key came with a different request, or its task is gone."""
