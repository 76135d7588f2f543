"""Tasks as the REST routes answer them, encoded once with orjson.

The routes return these bytes directly (FastAPI then neither validates nor re-encodes them);
api.rest.models.TaskPublic documents the same shape in the OpenAPI document, and
api.rest.openapi the list's envelope when REST_LIST_SHAPE=envelope.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

import orjson
from fastapi import Depends, Response

from api.deps import ServicesDep
from api.rest.conditional import task_etag
from api.settings import ListShape
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


async def list_shape(services: ServicesDep) -> ListShape:
    """REST_LIST_SHAPE: how this app answers lists."""
    return services.settings.rest_list_shape


ListShapeDep = Annotated[ListShape, Depends(list_shape)]


def list_answer(
    key: str, items: list[dict[str, Any]], *, total: int, etag: str, shape: ListShape
) -> Response:
    """A page of a list: a bare array, or `{key: [...], "count": total}` in the envelope shape.

    `X-Total-Count` says the total in either shape.
    """
    content = items if shape is ListShape.ARRAY else {key: items, "count": total}
    return json_answer(content, headers={"ETag": etag, "X-Total-Count": str(total)})


def tasks_answer(tasks: Iterable[TaskRow], *, total: int, etag: str, shape: ListShape) -> Response:
    """A page of tasks (`{"tasks": [...], "count": n}` in the envelope shape)."""
    items = [task_fields(task) for task in tasks]
    return list_answer("tasks", items, total=total, etag=etag, shape=shape)
