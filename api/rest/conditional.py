"""HTTP validators: ETags from versions and list revisions, If-Match, If-None-Match."""

from __future__ import annotations

import hashlib
import re
from typing import Annotated

from fastapi import Depends, Header
from fastapi.exceptions import RequestValidationError

from api.settings import ListShape
from db.inputs import TaskQuery


class NotModified(Exception):
    """The client's copy is current: answer 304 with this ETag and no body."""

    def __init__(self, etag: str) -> None:
        super().__init__(etag)
        self.etag = etag


def task_etag(version: int) -> str:
    """A strong validator for one task: its version."""
    return f'"{version}"'


def list_etag(
    owner_id: str,
    revision: int,
    query: TaskQuery,
    limit: int,
    offset: int,
    shape: ListShape = ListShape.ARRAY,
) -> str:
    """A strong validator for one page of a list: the owner's list revision and the page.

    The owner is part of it: two users with equal revisions must not share a tag. So is the
    envelope shape (REST_LIST_SHAPE): a browser that cached the array must not get a 304 for
    it once the service answers envelopes. The array's tags are those of before that setting.
    """
    page = f"{owner_id}|{query.model_dump_json()}|{limit}|{offset}"
    if shape is not ListShape.ARRAY:
        page += f"|{shape}"
    return f'"{revision}-{hashlib.sha256(page.encode()).hexdigest()[:16]}"'


def tags_etag(owner_id: str, revision: int, shape: ListShape = ListShape.ARRAY) -> str:
    """A strong validator for the owner's tags: the list revision, which every write of a tag
    or of a task (their task counts) bumps."""
    page = f"{owner_id}|tags|{shape}"
    return f'"{revision}-{hashlib.sha256(page.encode()).hexdigest()[:16]}"'


def _tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


# A task has one version; a client that names this many is not reading its ETags.
IF_MATCH_TAGS_MAX = 100

# ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
_VERSION_TAG = re.compile(r'"([0-9]{1,19})"')


async def expected_versions(
    if_match: Annotated[
        str | None,
        Header(
            description='Write only if the task is at one of these versions (`"3"`); '
            "otherwise 412 with the current task. `*` matches any version."
        ),
    ] = None,
) -> frozenset[int] | None:
    """The versions an If-Match header accepts; None when any version will do."""
    if if_match is None or if_match.strip() == "*":
        return None
    tags = _tags(if_match)
    if len(tags) > IF_MATCH_TAGS_MAX:
        raise RequestValidationError(
            [
                {
                    "type": "too_long",
                    "loc": ("header", "if-match"),
                    "msg": f"names more than {IF_MATCH_TAGS_MAX} entity tags",
                    "input": None,
                }
            ]
        )
    # Strong comparison (RFC 9110 13.1.1, 8.8.3.2): weak tags never match, so they add no version.
    return frozenset(version for tag in tags if (version := _version(tag)) is not None)


def _version(tag: str) -> int | None:
    """The version whose ETag is `tag` character for character: `"0001"` is not `"1"`'s tag."""
    if (match := _VERSION_TAG.fullmatch(tag)) is None:
        return None
    version = int(match[1])
    return version if task_etag(version) == tag else None


ExpectedVersions = Annotated[frozenset[int] | None, Depends(expected_versions)]

IfNoneMatch = Annotated[
    str | None,
    Header(description="Answer 304 with no body when this ETag is still current."),
]


def check_not_modified(if_none_match: str | None, etag: str) -> None:
    """Raise NotModified when If-None-Match names `etag` (weak comparison) or is `*`."""
    if if_none_match is None:
        return
    tags = _tags(if_none_match)
    if "*" in tags or etag in (tag.removeprefix("W/") for tag in tags):
        raise NotModified(etag)
