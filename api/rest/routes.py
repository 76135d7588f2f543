"""REST compatibility routes for the existing frontends (`lib/api.ts`): thin calls to db.tasks.

The owner is always the token's user (PathOwner checks the path against it); bodies are
validated by db.inputs; domain errors become HTTP answers in api.errors.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Request, Response, status

from api.deps import PathOwner
from api.rest.conditional import (
    ExpectedVersions,
    IfNoneMatch,
    check_not_modified,
    list_etag,
    task_etag,
)
from api.rest.models import (
    ErrorDetail,
    TaskCompletion,
    TaskDeleted,
    TaskPublic,
    TaskUpdate,
    TaskWritten,
)
from api.rest.params import ListParams
from api.rest.task_json import list_shape, task_answer, tasks_answer
from db import idempotency, listing, tasks
from db.inputs import IDEMPOTENCY_KEY_MAX, IDEMPOTENCY_KEY_PATTERN, TaskCreate

TaskId = Annotated[int, Path(description="The task's id; another user's task is not found.")]
Completion = Annotated[
    TaskCompletion | None,
    Body(description="Optional: no body, an empty body or `{}` flips `completed`."),
]

AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {
        "model": ErrorDetail,
        "description": "The bearer token is missing, expired, malformed or badly signed",
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
    },
    403: {"model": ErrorDetail, "description": "The path's user_id is not the token's user"},
    413: {"model": ErrorDetail, "description": "The request body is larger than MAX_BODY_BYTES"},
    503: {"model": ErrorDetail, "description": "The database or the signing keys are unreachable"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorDetail, "description": "No such task among this user's tasks"}
}
ETAG_HEADER = {
    "ETag": {"description": 'The task\'s version, e.g. `"3"`', "schema": {"type": "string"}}
}
CONDITIONAL_WRITE: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND,
    200: {"headers": ETAG_HEADER},
    412: {"model": TaskPublic, "description": "If-Match did not match: the current task"},
}
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "If-None-Match named the current ETag: no body"}
}
IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=IDEMPOTENCY_KEY_MAX,
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description="Retries with the same key within 24 hours answer with the first task.",
    ),
]


router = APIRouter(
    prefix="/api/{user_id}/tasks",
    tags=["tasks"],
    responses=AUTH_ERRORS,
    # operationId is the route's name: what client generators turn into function names.
    generate_unique_id_function=lambda route: route.name,
)


@router.get(
    "",
    response_model=list[TaskPublic],
    summary="List tasks",
    response_description="A page of tasks, a bare array",
    responses={
        **NOT_MODIFIED,
        200: {
            "headers": {
                "X-Total-Count": {
                    "description": "How many tasks match the filters, on every page",
                    "schema": {"type": "integer"},
                },
                "ETag": {
                    "description": "Changes whenever any of your tasks changes",
                    "schema": {"type": "string"},
                },
            }
        },
    },
)
async def read_tasks(
    request: Request,
    owner: PathOwner,
    params: ListParams,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Your tasks, filtered, sorted and paged; newest first unless asked otherwise."""
    # The revision comes from the same statement as the page: the body matches its ETag.
    found = await listing.list_offset(owner, params.query, params.limit, params.offset)
    shape = list_shape(request)
    etag = list_etag(owner.id, found.revision, params.query, params.limit, params.offset, shape)
    check_not_modified(if_none_match, etag)
    return tasks_answer(found.tasks, total=found.total_count, etag=etag, shape=shape)


@router.post(
    "",
    response_model=TaskPublic,
    summary="Create a task",
    status_code=status.HTTP_201_CREATED,
    response_description="The created task (the first one, when a retry replays a key)",
    responses={
        201: {"headers": ETAG_HEADER},
        409: {"model": ErrorDetail, "description": "The Idempotency-Key came with another body"},
    },
)
async def create_task(
    owner: PathOwner,
    data: TaskCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """A new task, not completed; unknown fields in the body are ignored."""
    if idempotency_key is None:
        task = await tasks.create_task(owner, data)
        return task_answer(task, status_code=status.HTTP_201_CREATED)
    task, replayed = await idempotency.create_task_once(owner, data, idempotency_key)
    replay = {"Idempotent-Replayed": "true"} if replayed else {}
    return task_answer(task, status_code=status.HTTP_201_CREATED, **replay)


@router.get(
    "/{task_id}",
    response_model=TaskPublic,
    summary="Get a task",
    response_description="The task",
    responses={**NOT_FOUND, **NOT_MODIFIED, 200: {"headers": ETAG_HEADER}},
)
async def read_task(
    owner: PathOwner,
    task_id: TaskId,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """One of your tasks."""
    task = await tasks.get_task(owner, task_id)
    check_not_modified(if_none_match, task_etag(task.version))
    return task_answer(task)


@router.put(
    "/{task_id}",
    response_model=TaskWritten,
    name="update_task",
    summary="Update a task: only the fields sent change",
    response_description="The updated task",
    responses=CONDITIONAL_WRITE,
)
@router.patch(
    "/{task_id}",
    response_model=TaskWritten,
    name="patch_task",
    summary="Update a task: only the fields sent change",
    response_description="The updated task",
    responses=CONDITIONAL_WRITE,
)
async def update_task(
    owner: PathOwner,
    task_id: TaskId,
    patch: TaskUpdate,
    expected: ExpectedVersions,
) -> Response:
    """Change only the fields sent (PUT too: clients send only what changed).

    `null` clears `description` or `due_date`, and `recurrence` (the task stops recurring); for
    the other fields it is refused. `"completed": true` on a recurring task creates its next
    occurrence (`next_task_id`).
    """
    return task_answer(await tasks.update_task(owner, task_id, patch, expected))


@router.delete(
    "/{task_id}",
    summary="Delete a task",
    response_description="The deleted task's id (a body, never 204)",
    responses={**CONDITIONAL_WRITE, 200: {}},
)
async def delete_task(owner: PathOwner, task_id: TaskId, expected: ExpectedVersions) -> TaskDeleted:
    """Delete one of your tasks; the answer is JSON, not 204."""
    deleted_id = await tasks.delete_task(owner, task_id, expected)
    return TaskDeleted(message="Task deleted", deleted_id=deleted_id)


@router.patch(
    "/{task_id}/complete",
    response_model=TaskWritten,
    name="complete_task",
    summary="Flip a task's completion, or set it",
    response_description="The task",
    responses=CONDITIONAL_WRITE,
)
@router.patch(
    "/{task_id}/toggle",
    response_model=TaskWritten,
    name="toggle_task",
    summary="Flip a task's completion, or set it",
    response_description="The task",
    responses=CONDITIONAL_WRITE,
)
async def complete_task(
    owner: PathOwner,
    task_id: TaskId,
    expected: ExpectedVersions,
    body: Completion = None,
) -> Response:
    """No body, an empty body or `{}` flips `completed`; `{"completed": bool}` sets it.

    Completing a recurring task creates its next occurrence, named by `next_task_id`.
    """
    completed = body.completed if body is not None else None
    return task_answer(await tasks.toggle_task(owner, task_id, completed, expected))
