"""REST routes of tags: the user's tags under /api/{user_id}/tags, a task's under its path.

Thin calls to db.tags and db.tasks, like api.rest.routes: the owner is the token's user, bodies
are validated by db.inputs, domain errors become HTTP answers in api.errors.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response, status

from api.deps import PathOwner
from api.rest.conditional import ExpectedVersions, IfNoneMatch, check_not_modified, tags_etag
from api.rest.models import (
    ErrorDetail,
    TagDeleted,
    TagPublic,
    TagUpdate,
    TaskPublic,
)
from api.rest.routes import AUTH_ERRORS, CONDITIONAL_WRITE, NOT_MODIFIED, TaskId
from api.rest.task_json import json_answer, list_shape, tags_answer, task_answer
from db import tags, tasks
from db.inputs import TagCreate, TaskTags

TagId = Annotated[int, Path(description="The tag's id; another user's tag is not found.")]
TAG_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorDetail, "description": "No such tag among this user's tags"}
}
NAME_TAKEN: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorDetail, "description": "You have a tag of this name (ignoring case)"}
}

router = APIRouter(
    prefix="/api/{user_id}",
    tags=["tags"],
    responses=AUTH_ERRORS,
    generate_unique_id_function=lambda route: route.name,
)


@router.get(
    "/tags",
    response_model=list[TagPublic],
    summary="List tags",
    response_description="Every tag of yours, by name ignoring case; a bare array",
    responses={
        **NOT_MODIFIED,
        200: {
            "headers": {
                "X-Total-Count": {
                    "description": "How many tags you have",
                    "schema": {"type": "integer"},
                },
                "ETag": {
                    "description": "Changes whenever any of your tags or tasks changes",
                    "schema": {"type": "string"},
                },
            }
        },
    },
)
async def read_tags(
    request: Request, owner: PathOwner, if_none_match: IfNoneMatch = None
) -> Response:
    """Your tags, each with how many of your tasks carry it."""
    found = await tags.list_tags(owner)
    shape = list_shape(request)
    etag = tags_etag(owner.id, found.revision, shape)
    check_not_modified(if_none_match, etag)
    return tags_answer(found.tags, etag=etag, shape=shape)


@router.post(
    "/tags",
    response_model=TagPublic,
    summary="Create a tag",
    status_code=status.HTTP_201_CREATED,
    response_description="The created tag",
    responses=NAME_TAKEN,
)
async def create_tag(owner: PathOwner, data: TagCreate) -> Response:
    """A new tag; `color` defaults to `#6b7280`."""
    tag = await tags.create_tag(owner, data)
    return json_answer(tag, status_code=status.HTTP_201_CREATED)


@router.put(
    "/tags/{tag_id}",
    response_model=TagPublic,
    name="update_tag",
    summary="Rename or recolor a tag: only the fields sent change",
    response_description="The updated tag",
    responses={**TAG_NOT_FOUND, **NAME_TAKEN},
)
@router.patch(
    "/tags/{tag_id}",
    response_model=TagPublic,
    name="patch_tag",
    summary="Rename or recolor a tag: only the fields sent change",
    response_description="The updated tag",
    responses={**TAG_NOT_FOUND, **NAME_TAKEN},
)
async def update_tag(owner: PathOwner, tag_id: TagId, patch: TagUpdate) -> Response:
    """Change only the fields sent (PUT too). The tasks carrying it get a new version."""
    return json_answer(await tags.update_tag(owner, tag_id, patch))


@router.delete(
    "/tags/{tag_id}",
    summary="Delete a tag",
    response_description="The deleted tag's id (a body, never 204)",
    responses=TAG_NOT_FOUND,
)
async def delete_tag(owner: PathOwner, tag_id: TagId) -> TagDeleted:
    """Delete one of your tags: your tasks lose it (and get a new version); none is deleted."""
    deleted_id = await tags.delete_tag(owner, tag_id)
    return TagDeleted(message="Tag deleted", deleted_id=deleted_id)


@router.put(
    "/tasks/{task_id}/tags",
    response_model=TaskPublic,
    summary="Set a task's tags",
    response_description="The task with its new tags",
    responses=CONDITIONAL_WRITE,
)
async def set_task_tags(
    owner: PathOwner, task_id: TaskId, body: TaskTags, expected: ExpectedVersions
) -> Response:
    """Replace the task's tags with `tag_ids`; `If-Match` as for any write of the task.

    Ids that are none of your tags answer 422 naming them, and nothing changes.
    """
    return task_answer(await tasks.set_task_tags(owner, task_id, body.tag_ids, expected))
