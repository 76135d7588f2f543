"""Tasks (and tags) as the REST routes answer them, encoded once with orjson.

The routes return these bytes directly (FastAPI then neither validates nor re-encodes them);
api.rest.models.TaskPublic documents the same shape in the OpenAPI document. A TaskRow is a
dataclass with the table's columns in order, which orjson encodes natively: the object's
fields are exactly what REST shows (tests/unit/test_task_fields.py holds them together).
api.rest.openapi documents the list's envelope when REST_LIST_SHAPE=envelope.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import orjson
from fastapi import Request, Response

from api.rest.conditional import task_etag
from api.settings import ListShape
from db.models import TagRow, TaskRow

# Timestamps are timezone-aware UTC; OPT_UTC_Z writes them with a trailing Z.
_OPTIONS = orjson.OPT_UTC_Z


def task_fields(task: TaskRow) -> dict[str, Any]:
    """A task as the JSON object REST answers (what orjson makes of the dataclass)."""
    return {field.name: getattr(task, field.name) for field in dataclasses.fields(task)}


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
        task, status_code=status_code, headers={"ETag": task_etag(task.version), **headers}
    )


def list_shape(request: Request) -> ListShape:
    """REST_LIST_SHAPE: how this app answers lists (read from the app, not a dependency)."""
    shape: ListShape = request.app.state.services.settings.rest_list_shape
    return shape


def list_answer(
    key: str, items: Sequence[Any], *, total: int, etag: str, shape: ListShape
) -> Response:
    """A page of a list: a bare array, or `{key: [...], "count": total}` in the envelope shape.

    `X-Total-Count` says the total in either shape.
    """
    content = items if shape is ListShape.ARRAY else {key: items, "count": total}
    return json_answer(content, headers={"ETag": etag, "X-Total-Count": str(total)})


def tasks_answer(tasks: Sequence[TaskRow], *, total: int, etag: str, shape: ListShape) -> Response:
    """A page of tasks (`{"tasks": [...], "count": n}` in the envelope shape)."""
    return list_answer("tasks", tasks, total=total, etag=etag, shape=shape)


def tags_answer(tags: Sequence[TagRow], *, etag: str, shape: ListShape) -> Response:
    """The owner's tags (`{"tags": [...], "count": n}` in the envelope shape)."""
    return list_answer("tags", tags, total=len(tags), etag=etag, shape=shape)
