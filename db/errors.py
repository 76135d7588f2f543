"""Domain errors raised by the task and tag services; each transport maps them once."""

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


class TagNotFound(TaskError):
    """No tag with this id belongs to this owner (it may belong to someone else)."""

    def __init__(self, tag_id: int) -> None:
        super().__init__(f"Tag {tag_id} not found")
        self.tag_id = tag_id


class TagNameTaken(TaskError):
    """The owner has a tag of this name already (ignoring case)."""

    def __init__(self, name: str) -> None:
        super().__init__(f'A tag named "{name}" already exists')
        self.name = name


class InvalidInput(TaskError):
    """A value that passed the transport's shape checks but is not acceptable."""

    location = "query"  # where REST says the field was: the query string or the body

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


class TagsNotFound(InvalidInput):
    """Tag ids in a body that are none of the owner's tags; nothing was changed."""

    location = "body"

    def __init__(self, tag_ids: list[int]) -> None:
        named = ", ".join(str(tag_id) for tag_id in tag_ids)
        super().__init__("tag_ids", f"{'tags' if len(tag_ids) > 1 else 'tag'} {named} not found")
        self.tag_ids = tag_ids


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
