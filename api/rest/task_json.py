"""Tasks as the REST routes answer them, encoded once with orjson.

The routes return these bytes directly (FastAPI then neither validates nor re-encodes them);
api.rest.models.TaskPublic documents the same shape in the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from fastapi import Response

from api.rest.conditional import task_etag
from db.models import Task, TaskRow

# Timestamps are timezone-aware UTC; OPT_UTC_Z writes them with a trailing Z.
_OPTIONS = orjson.OPT_UTC_Z


# Every column of the tasks table, in its order: REST shows a task's fields as they are stored.
FIELDS = tuple(column.key for column in Task.__table__.columns)


def task_fields(task: TaskRow) -> dict[str, Any]:
    """A task as a JSON object (orjson encodes its timestamps)."""
    return {name: getattr(task, name) for name in FIELDS}


def json_answer(
    content: Any, *, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(content, option=_OPTIONS),
        status_code=status_code,
        headers=headers,
        media_type="application/json",
    )


def task_answer(task: TaskRow, *, status_code: int = 200, **headers: str) -> Response:
    """One task, with its version as the ETag."""
    return json_answer(
        task_fields(task),
        status_code=status_code,
        headers={"ETag": task_etag(task.version), **headers},
    )


def tasks_answer(tasks: Iterable[TaskRow], headers: dict[str, str]) -> Response:
    return json_answer([task_fields(task) for task in tasks], headers=headers)
