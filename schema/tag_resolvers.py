"""Tags in GraphQL: the `tags` query and the tag mutations, each calling db.tags or db.tasks.

schema.build merges them into Query and Mutation.
"""

from __future__ import annotations

import strawberry
from strawberry import Info

from db import tags, tasks
from db.inputs import TagCreate, TagUpdate, TaskTags
from schema.context import Context
from schema.inputs import CreateTagInput, UpdateTagInput, given_fields
from schema.resolvers import ExpectedVersion, parse_id
from schema.types import Tag, Task

SET_TASK_TAGS = "Replaces a task's tags; ids of no tag of yours: BAD_USER_INPUT, no change."


@strawberry.type
class TagQuery:
    @strawberry.field(description="Your tags, by name ignoring case, then id.")
    async def tags(self, info: Info[Context, None]) -> list[Tag]:
        found = await tags.list_tags(info.context.owner)
        return [Tag.from_model(tag) for tag in found.tags]


@strawberry.type
class TagMutation:
    @strawberry.mutation(description="A new tag; CONFLICT if you have one of that name.")
    async def create_tag(self, info: Info[Context, None], input: CreateTagInput) -> Tag:
        data = TagCreate.model_validate(given_fields(input))
        return Tag.from_model(await tags.create_tag(info.context.owner, data))

    @strawberry.mutation(description="Renames or recolors a tag; its tasks get a new version.")
    async def update_tag(
        self, info: Info[Context, None], id: strawberry.ID, input: UpdateTagInput
    ) -> Tag:
        patch = TagUpdate.model_validate(given_fields(input))
        tag = await tags.update_tag(info.context.owner, parse_id(id, "tag"), patch)
        return Tag.from_model(tag)

    @strawberry.mutation(description="Deletes a tag (never its tasks); returns its id.")
    async def delete_tag(self, info: Info[Context, None], id: strawberry.ID) -> strawberry.ID:
        deleted = await tags.delete_tag(info.context.owner, parse_id(id, "tag"))
        return strawberry.ID(str(deleted))

    @strawberry.mutation(description=SET_TASK_TAGS)
    async def set_task_tags(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        tag_ids: list[strawberry.ID],
        expected_version: ExpectedVersion = None,
    ) -> Task:
        wanted = TaskTags.model_validate({"tag_ids": tag_ids})
        versions = None if expected_version is None else [expected_version]
        task = await tasks.set_task_tags(info.context.owner, parse_id(id), wanted.tag_ids, versions)
        return Task.from_model(task)
