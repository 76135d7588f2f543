"""Domain errors raised by the task service; each transport maps them once."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from db.models import TaskRow


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

    def __init__(self, current: TaskRow) -> None:
        super().__init__("The task has changed since you read it")
        self.current = current


class IdempotencyKeyReused(TaskError):
    """The same idempotency key came with a different request, or its task is gone."""


class DatabaseUnavailable(Exception):
    """The database cannot be reached or is overloaded right now; retrying later can succeed.

    The engine raises it in place of the driver's or pool's error (db.availability decides
    which errors those are); the original is its `__cause__`.
    """

    MESSAGE = "The database is unavailable; retry shortly."  # what a client is told

    def __init__(self, error: BaseException) -> None:
        # Named after the driver's own error (asyncpg's TooManyConnectionsError, not the
        # adapter's Error that wraps it): what an operator can look up.
        while error.__cause__ is not None:
            error = error.__cause__
        super().__init__(f"{type(error).__name__}: {error}")
        self.kind = type(error).__name__
