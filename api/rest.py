"""REST compatibility routes for the existing frontends (`lib/api.ts`): thin calls to db.tasks.

The owner is always the token's user (PathUserId checks the path against it); bodies are
validated by db.inputs; domain errors become HTTP answers in api.errors.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response, status

from api.deps import PathUserId, SessionDep
from api.rest_models import ErrorDetail, TaskCompletion, TaskDeleted, TaskListParams, TaskPublic
from db import listing, tasks
from db.inputs import TaskCreate, TaskUpdate

TaskId = Annotated[int, Path(description="The task's id; another user's task is not found.")]
ListParams = Annotated[TaskListParams, Query()]
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
    503: {"model": ErrorDetail, "description": "The database or the signing keys are unreachable"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorDetail, "description": "No such task among this user's tasks"}
}

router = APIRouter(
    prefix="/api/{user_id}/tasks",
    tags=["tasks"],
    responses=AUTH_ERRORS,
    # operationId is the route's name: what client generators turn into function names.
    generate_unique_id_function=lambda route: route.name,
)


@router.get(
    "",
    summary="List tasks",
    response_description="A page of tasks, a bare array",
    responses={
        200: {
            "headers": {
                "X-Total-Count": {
                    "description": "How many tasks match the filters, on every page",
                    "schema": {"type": "integer"},
                }
            }
        }
    },
)
async def read_tasks(
    session: SessionDep, owner_id: PathUserId, params: ListParams, response: Response
) -> list[TaskPublic]:
    """Your tasks, filtered, sorted and paged; newest first unless asked otherwise."""
    total = await listing.count_tasks(session, owner_id, params.query)
    response.headers["X-Total-Count"] = str(total)
    found = await listing.list_offset(session, owner_id, params.query, params.limit, params.offset)
    return [TaskPublic.model_validate(task) for task in found]


@router.post(
    "",
    summary="Create a task",
    status_code=status.HTTP_201_CREATED,
    response_description="The created task",
)
async def create_task(session: SessionDep, owner_id: PathUserId, data: TaskCreate) -> TaskPublic:
    """A new task, not completed; unknown fields in the body are ignored."""
    return TaskPublic.model_validate(await tasks.create_task(session, owner_id, data))


@router.get(
    "/{task_id}", summary="Get a task", response_description="The task", responses=NOT_FOUND
)
async def read_task(session: SessionDep, owner_id: PathUserId, task_id: TaskId) -> TaskPublic:
    """One of your tasks."""
    return TaskPublic.model_validate(await tasks.get_task(session, owner_id, task_id))


@router.put(
    "/{task_id}",
    name="update_task",
    summary="Update a task: only the fields sent change",
    response_description="The updated task",
    responses=NOT_FOUND,
)
@router.patch(
    "/{task_id}",
    name="patch_task",
    summary="Update a task: only the fields sent change",
    response_description="The updated task",
    responses=NOT_FOUND,
)
async def update_task(
    session: SessionDep, owner_id: PathUserId, task_id: TaskId, patch: TaskUpdate
) -> TaskPublic:
    """Change only the fields sent (PUT too: clients send only what changed).

    `null` clears `description` or `due_date`; for the other fields it is refused.
    """
    return TaskPublic.model_validate(await tasks.update_task(session, owner_id, task_id, patch))


@router.delete(
    "/{task_id}",
    summary="Delete a task",
    response_description="The deleted task's id (a body, never 204)",
    responses=NOT_FOUND,
)
async def delete_task(session: SessionDep, owner_id: PathUserId, task_id: TaskId) -> TaskDeleted:
    """Delete one of your tasks; the answer is JSON, not 204."""
    deleted_id = await tasks.delete_task(session, owner_id, task_id)
    return TaskDeleted(message="Task deleted", deleted_id=deleted_id)


@router.patch(
    "/{task_id}/complete",
    name="complete_task",
    summary="Flip a task's completion, or set it",
    response_description="The task",
    responses=NOT_FOUND,
)
@router.patch(
    "/{task_id}/toggle",
    name="toggle_task",
    summary="Flip a task's completion, or set it",
    response_description="The task",
    responses=NOT_FOUND,
)
async def complete_task(
    session: SessionDep, owner_id: PathUserId, task_id: TaskId, body: Completion = None
) -> TaskPublic:
    """No body, an empty body or `{}` flips `completed`; `{"completed": bool}` sets it."""
    completed = body.completed if body is not None else None
    return TaskPublic.model_validate(await tasks.toggle_task(session, owner_id, task_id, completed))
