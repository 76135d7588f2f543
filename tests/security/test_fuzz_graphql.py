"""Schemathesis over schema.graphql: every query and mutation, good and bad tokens, both backends.

With a token the service accepts (or none) every answer is HTTP 200 with a GraphQL body whose
errors each carry a known `extensions.code`, never INTERNAL_SERVER_ERROR; a token it refuses is
an HTTP 401. No answer may be a 5xx, and callers other than the owner never see the owner's tasks.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from graphql import (
    ArgumentNode,
    FieldNode,
    GraphQLError,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectFieldNode,
    StringValueNode,
    VariableNode,
    Visitor,
    parse,
    print_ast,
    visit,
)
from hypothesis import settings
from schemathesis import Case, CheckContext, CheckFunction, Response
from schemathesis.checks import response_schema_conformance
from schemathesis.errors import FailureGroup

from api.app import create_app
from api.settings import Settings
from tests.support.fuzz import (
    FUZZ_HEALTH_CHECKS_OFF,
    REFUSED_TOKENS,
    Caller,
    Tallies,
    Tally,
    authorization,
    caller_for,
    fuzz_config,
    pick,
)

pytestmark = pytest.mark.slow

pytest_plugins = ["tests.support.fuzz"]

ENDPOINT = "http://testserver/graphql"
SEEDED_TASKS = 4
SEEDED_TAGS = 3
# The fields whose `id`s are tags' (Task.tags, the tags query, the tag mutations); others: tasks'.
TAG_FIELDS = frozenset({"tags", "createTag", "updateTag", "deleteTag"})
MISSING_ID = "987654321"  # no task's, no tag's
# Operations with a tag's `id` argument.
ON_A_TAG = frozenset({"updateTag", "deleteTag"})
# README: every error carries one of these; INTERNAL_SERVER_ERROR is a bug, whatever the input.
EXPECTED_CODES = frozenset(
    {
        "UNAUTHENTICATED",
        "NOT_FOUND",
        "BAD_USER_INPUT",
        "CONFLICT",
        "GRAPHQL_PARSE_FAILED",
        "GRAPHQL_VALIDATION_FAILED",
    }
)
# Without a token: refused, or the document or its input rejected before any task is read.
ANONYMOUS_CODES = EXPECTED_CODES - {"NOT_FOUND", "CONFLICT"}
SIGNED_IN_CODES = EXPECTED_CODES - {"UNAUTHENTICATED"}

# More examples than REST's: a GraphQL operation's arguments are one generated document, and a
# write needs all of them valid at once (tags added inputs that are rarely valid when generated).
MAX_EXAMPLES = 120
schema = schemathesis.graphql.from_path(
    Path(__file__).resolve().parents[2] / "schema.graphql", config=fuzz_config(MAX_EXAMPLES)
)


@dataclass
class Run:
    """One operation's fuzz run: its app, the owner's task and tag ids (existing now, and
    ever)."""

    app: FastAPI
    tally: Tally
    live_ids: list[str] = field(default_factory=list)
    owner_ids: set[str] = field(default_factory=set)
    live_tag_ids: list[str] = field(default_factory=list)
    owner_tag_ids: set[str] = field(default_factory=set)


def _errors(body: Any) -> list[Any]:
    errors = body.get("errors") if isinstance(body, dict) else None
    return errors if isinstance(errors, list) else []


def _code(error: Any) -> Any:
    extensions = error.get("extensions") if isinstance(error, dict) else None
    return extensions.get("code") if isinstance(extensions, dict) else None


def _ids(value: Any, tags: bool = False) -> Iterator[tuple[str, str]]:
    """Every task or tag id in a `data` value, as ("task" or "tag", id): `id` fields, and the
    bare IDs of deleteTask and deleteTag."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in {"id", "deleteTask", "deleteTag"} and isinstance(item, str):
                yield ("tag" if tags or key == "deleteTag" else "task"), item
            else:
                yield from _ids(item, tags or key in TAG_FIELDS)
    elif isinstance(value, list):
        for item in value:
            yield from _ids(item, tags)


def expected_answer(caller: Caller, run: Run) -> CheckFunction:
    """A check of the HTTP status and the GraphQL errors this caller may get."""

    def graphql_answer(_: CheckContext, response: Response, case: Case[Any]) -> None:
        if caller in REFUSED_TOKENS:
            assert response.status_code == 401, f"{caller.value}: HTTP {response.status_code}"
            assert "www-authenticate" in response.headers, "401 without WWW-Authenticate"
            return
        assert response.status_code == 200, f"{caller.value}: HTTP {response.status_code}"
        body = json.loads(response.content)
        codes = [_code(error) for error in _errors(body)]
        allowed = ANONYMOUS_CODES if caller is Caller.MISSING else SIGNED_IN_CODES
        assert set(codes) <= allowed, f"{caller.value}: error codes {codes}, allowed {allowed}"
        data = body.get("data")
        if caller is Caller.MISSING:
            assert not any((data or {}).values()), f"no token, yet data: {data}"
        if caller is Caller.STRANGER:
            owners = {("task", id_) for id_ in run.owner_ids}
            owners |= {("tag", id_) for id_ in run.owner_tag_ids}
            leaked = set(_ids(data)) & owners
            assert not leaked, f"another user's token saw the owner's {sorted(leaked)}"

    return graphql_answer


@pytest.fixture
def fuzz_run(
    make_settings: Callable[..., Settings], backend: str, fuzz_tallies: Tallies, app: FastAPI
) -> Run:
    """An app of its own, with a few of the owner's tasks: schemathesis serves it on its own
    event loop thread. The session's `app` is requested so the tasks table is emptied after."""
    run = Run(app=create_app(make_settings()), tally=fuzz_tallies[f"GraphQL [{backend}]"])
    create = schema["Mutation"]["createTask"]
    for number in range(SEEDED_TASKS):
        seed = create.Case(
            body=f'mutation {{ createTask(input: {{title: "Seeded {number}"}}) {{ id }} }}',
            headers={"Authorization": authorization(Caller.OWNER)},
        )
        response = seed.call(app=run.app, base_url=ENDPOINT)
        if response.status_code != 200 or _errors(response.json()):
            pytest.fail(f"seeding answered {response.status_code}: {response.text}")
        task_id = response.json()["data"]["createTask"]["id"]
        run.live_ids.append(task_id)
        run.owner_ids.add(task_id)
    for number in range(SEEDED_TAGS):
        seed = schema["Mutation"]["createTag"].Case(
            body=f'mutation {{ createTag(input: {{name: "Seeded {number}"}}) {{ id }} }}',
            headers={"Authorization": authorization(Caller.OWNER)},
        )
        response = seed.call(app=run.app, base_url=ENDPOINT)
        if response.status_code != 200 or _errors(response.json()):
            pytest.fail(f"seeding answered {response.status_code}: {response.text}")
        tag_id = response.json()["data"]["createTag"]["id"]
        run.live_tag_ids.append(tag_id)
        run.owner_tag_ids.add(tag_id)
    return run


class _TargetLiveTasks(Visitor):
    """Aim literal arguments where answers can be had: one in two `id`s at one of the owner's
    existing tasks (tags, for a tag's operation) and one in six at none; one in two tag id
    lists at some of the owner's tags, and colors at a valid one; one in two `first`, `after`
    and `expectedVersion` at a page or a write that can go through."""

    def __init__(self, live_ids: list[str], live_tag_ids: list[str]) -> None:
        super().__init__()
        self.live_ids = live_ids
        self.live_tag_ids = live_tag_ids
        self.field = ""

    def enter_field(self, node: FieldNode, *_: object) -> None:
        self.field = node.name.value  # a field's arguments are visited before its selections

    def _some_tags(self, seen: str) -> ListValueNode | None:
        """One time in two, some of the owner's tags (maybe none) in place of generated ids."""
        if not self.live_tag_ids or not pick((seen, "tags"), 2):
            return None
        chosen = self.live_tag_ids[: pick(seen, len(self.live_tag_ids) + 1)]
        return ListValueNode(values=tuple(StringValueNode(value=tag_id) for tag_id in chosen))

    def enter_object_field(self, node: ObjectFieldNode, *_: object) -> ObjectFieldNode | None:
        if isinstance(node.value, VariableNode):
            return None
        seen = print_ast(node.value)
        # A tag's color: a generated string is almost never `#RRGGBB`.
        if node.name.value == "color" and not pick((seen, "color"), 2):
            return ObjectFieldNode(name=node.name, value=StringValueNode(value="#12ab9f"))
        # TaskFilter.tags.ids and the task inputs' tagIds: generated IDs are rarely numbers.
        if node.name.value not in ("ids", "tagIds"):
            return None
        tags = self._some_tags(seen)
        return None if tags is None else ObjectFieldNode(name=node.name, value=tags)

    def enter_argument(self, node: ArgumentNode, *_: object) -> ArgumentNode | None:
        if isinstance(node.value, VariableNode):
            return None
        seen = print_ast(node.value)
        if node.name.value == "tagIds":
            tags = self._some_tags(seen)
            return None if tags is None else ArgumentNode(name=node.name, value=tags)
        # A page the service can answer, a write at any version, one time in two: generated
        # `first`s are rarely 0 to 100, cursors never valid, versions rarely the task's.
        if node.name.value == "first" and not pick((seen, "first"), 2):
            return ArgumentNode(name=node.name, value=IntValueNode(value="5"))
        if node.name.value in ("after", "expectedVersion") and not pick((seen, "null"), 2):
            return ArgumentNode(name=node.name, value=NullValueNode())
        live = self.live_tag_ids if self.field in ON_A_TAG else self.live_ids
        if node.name.value != "id" or not live:
            return None
        # One in two an existing one, one in six a well-formed id of nothing, else generated.
        aim = pick((seen, "live"), 6)
        if aim < 2:
            return None
        chosen_id = MISSING_ID if aim == 2 else live[pick(seen, len(live))]
        return ArgumentNode(name=node.name, value=StringValueNode(value=chosen_id))


def _aim(case: Case[Any], run: Run) -> Caller:
    """Send the case as a caller chosen from its own query, mostly at the owner's tasks."""
    query = case.body
    caller = caller_for((case.operation.label, query))
    # A negative case that does not even parse is sent as generated.
    with contextlib.suppress(GraphQLError):
        if isinstance(query, str):
            target = _TargetLiveTasks(run.live_ids, run.live_tag_ids)
            case.body = print_ast(visit(parse(query), target))
    header = authorization(caller)
    if header is None:
        case.headers.pop("Authorization", None)
    else:
        case.headers["Authorization"] = header
    return caller


def _track(run: Run, caller: Caller, data: Any) -> None:
    """Remember the owner's new tasks and tags, and forget deleted ones."""
    if not isinstance(data, dict):
        return
    for create, delete, live, ever in (
        ("createTask", "deleteTask", run.live_ids, run.owner_ids),
        ("createTag", "deleteTag", run.live_tag_ids, run.owner_tag_ids),
    ):
        created = data.get(create)
        if caller is Caller.OWNER and isinstance(created, dict) and "id" in created:
            live.append(created["id"])
            ever.add(created["id"])
        if data.get(delete) in live:
            live.remove(data[delete])


@schema.parametrize()
@settings(suppress_health_check=FUZZ_HEALTH_CHECKS_OFF)
def test_graphql_answers_conform(case: Case[Any], fuzz_run: Run) -> None:
    caller = _aim(case, fuzz_run)
    label = case.operation.label
    try:
        response = case.call(app=fuzz_run.app, base_url=ENDPOINT)
    except Exception:
        fuzz_run.tally.record_crash(label, caller)
        raise
    fuzz_run.tally.record(label, caller, response.status_code)
    codes: list[str] = []
    if response.status_code == 200:
        body = response.json()
        codes = [str(_code(error)) for error in _errors(body)]
        fuzz_run.tally.record_outcome(label, caller, codes or ["OK"])
        _track(fuzz_run, caller, body.get("data") if isinstance(body, dict) else None)
    try:
        case.validate_response(
            response, checks=[response_schema_conformance, expected_answer(caller, fuzz_run)]
        )
    except FailureGroup:
        if response.status_code < 500 and "INTERNAL_SERVER_ERROR" not in codes:
            fuzz_run.tally.non_conforming += 1
        raise


# Nothing to get wrong, nothing to look up: `tags`.
WITHOUT_ARGUMENTS = frozenset({"Query.tags"})


def test_graphql_fuzzing_reached_every_answer(backend: str, fuzz_tallies: Tallies) -> None:
    """The run above got into every resolver (answers without errors, input refused, tasks
    looked up) and was refused in every way: the fuzzing is not all validation errors."""
    tally = fuzz_tallies[f"GraphQL [{backend}]"]
    if tally.requests == 0:
        pytest.skip("test_graphql_answers_conform did not run in this session")
    assert {caller for caller in Caller if tally.callers[caller] == 0} == set()
    labels = [f"{root}.{name}" for root in schema for name in schema[root]]
    for label in labels:
        owner = tally.outcomes_of(label, Caller.OWNER)
        if label in WITHOUT_ARGUMENTS:
            assert "OK" in owner, f"{label}: the owner got only {sorted(owner)}"
            assert 401 in tally.statuses_of(label), label
            continue
        assert {"OK", "BAD_USER_INPUT"} <= owner, f"{label}: the owner got only {sorted(owner)}"
        if label not in {"Mutation.createTask", "Query.tasks", "Mutation.createTag"}:
            # The task was looked up: missing, or at another version than expected.
            assert owner & {"NOT_FOUND", "CONFLICT"}, f"{label}: the owner got {sorted(owner)}"
        assert 401 in tally.statuses_of(label), label
    anonymous = set().union(*(tally.outcomes_of(label, Caller.MISSING) for label in labels))
    stranger = set().union(*(tally.outcomes_of(label, Caller.STRANGER) for label in labels))
    assert "UNAUTHENTICATED" in anonymous
    assert "NOT_FOUND" in stranger
