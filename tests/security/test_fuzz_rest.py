"""Schemathesis over /openapi.json: every route, good and bad tokens, both backends, in-process.

No answer may be a 5xx, and every answer must match the document: a documented status code, the
documented content type, a body of the documented schema, the documented headers. Callers other
than the owner must be refused (401 or 403) before anything is read or written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import settings
from schemathesis import Case, CheckContext, CheckFunction, Response
from schemathesis.checks import (
    allow_header_conformance,
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from schemathesis.core import NOT_SET
from schemathesis.errors import FailureGroup

from api.app import create_app
from api.settings import Settings
from tests.support.auth import TEST_SECRET
from tests.support.fuzz import (
    FUZZ_HEALTH_CHECKS_OFF,
    OWNER,
    REFUSED_TOKENS,
    STRANGER,
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

SEEDED_TASKS = 4
SEEDED_TAGS = 3
USER_PATHS = "/api/{user_id}/"
TASKS_PATH = "/api/{user_id}/tasks"
TAGS_PATH = "/api/{user_id}/tags"


def _document() -> dict[str, Any]:
    """The OpenAPI document the app serves; building it touches no database."""
    settings = Settings(
        _env_file=None, database_url="sqlite:///:memory:", better_auth_secret=TEST_SECRET
    )
    return create_app(settings).openapi()


DOCUMENT = _document()
# Loaded at import so that pytest collects one test per operation (and per backend).
schema = schemathesis.openapi.from_dict(DOCUMENT, config=fuzz_config())


def documented_headers_sent(_: CheckContext, response: Response, case: Case[Any]) -> None:
    """Every header the document names for this answer is sent (ETag, X-Total-Count,
    WWW-Authenticate): stricter than response_headers_conformance, which needs `required`."""
    # Methods the path does not have (the coverage phase sends them too) document nothing.
    operation = DOCUMENT["paths"][case.path].get(case.method.lower(), {"responses": {}})
    documented = operation["responses"].get(str(response.status_code), {}).get("headers", {})
    missing = [name for name in documented if name.lower() not in response.headers]
    assert not missing, f"{response.status_code} without its documented headers {missing}"


CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    documented_headers_sent,
    # The coverage phase also sends methods no route has: 405 with an exact Allow header.
    unsupported_method,
    allow_header_conformance,
]
# 422 can come first: FastAPI reads a JSON body before it runs any dependency.
REFUSALS = {Caller.STRANGER: {403, 405, 422}} | {
    caller: {401, 405, 422} for caller in (Caller.MISSING, *REFUSED_TOKENS)
}


def refused(caller: Caller) -> CheckFunction:
    """A check that `caller` was turned away if it is not the owner."""

    def refused_caller(_: CheckContext, response: Response, case: Case[Any]) -> None:
        expected = REFUSALS.get(caller)
        if expected is not None and case.path.startswith(USER_PATHS):
            assert response.status_code in expected, (
                f"{caller.value}: {response.status_code}, expected one of {sorted(expected)}"
            )

    return refused_caller


@dataclass
class Run:
    """One operation's fuzz run: its app, the owner's tasks and tags that exist now, what was
    sent."""

    app: FastAPI
    tally: Tally
    live_ids: list[int] = field(default_factory=list)
    live_tag_ids: list[int] = field(default_factory=list)


@pytest.fixture
def fuzz_run(
    make_settings: Callable[..., Settings], backend: str, fuzz_tallies: Tallies, app: FastAPI
) -> Run:
    """An app of its own, with a few of the owner's tasks: schemathesis serves it on its own
    event loop thread. The session's `app` is requested so the tasks table is emptied after."""
    run = Run(app=create_app(make_settings()), tally=fuzz_tallies[f"REST [{backend}]"])
    create = schema[TASKS_PATH]["POST"]
    for number in range(SEEDED_TASKS):
        seed = create.Case(
            path_parameters={"user_id": OWNER},
            headers={"Authorization": authorization(Caller.OWNER)},
            body={"title": f"Seeded {number}", "priority": "high"},
            media_type="application/json",
        )
        response = seed.call(app=run.app)
        if response.status_code != 201:
            pytest.fail(f"seeding answered {response.status_code}: {response.text}")
        run.live_ids.append(response.json()["id"])
    for number in range(SEEDED_TAGS):
        seed = schema[TAGS_PATH]["POST"].Case(
            path_parameters={"user_id": OWNER},
            headers={"Authorization": authorization(Caller.OWNER)},
            body={"name": f"Seeded {number}"},
            media_type="application/json",
        )
        response = seed.call(app=run.app)
        if response.status_code != 201:
            pytest.fail(f"seeding answered {response.status_code}: {response.text}")
        run.live_tag_ids.append(response.json()["id"])
    return run


def _aim(case: Case[Any], run: Run) -> Caller:
    """Send the case as a caller chosen from its own input, mostly at the owner's own tasks."""
    body = None if case.body is NOT_SET else case.body  # NOT_SET's repr has its address
    # Not the Authorization header: coverage cases are shared between backends, so one may
    # still carry the (time-dependent) token an earlier run set on it.
    headers = {
        name: value for name, value in case.headers.items() if name.lower() != "authorization"
    }
    generated = (case.operation.label, case.path_parameters, case.query, headers, body)
    caller = caller_for(generated)
    user_id = case.path_parameters.get("user_id")
    # A stranger names the owner half of the time, and any other generated user otherwise.
    elsewhere = caller is Caller.STRANGER and not pick(generated, 2) and user_id != STRANGER
    if user_id is not None and not elsewhere:
        case.path_parameters["user_id"] = OWNER
    # Two in three integer ids name a task (a tag) that exists; the rest stay as generated (404s).
    for name, live in (("task_id", run.live_ids), ("tag_id", run.live_tag_ids)):
        value = case.path_parameters.get(name)
        if isinstance(value, int) and live and pick((generated, name), 3):
            case.path_parameters[name] = live[pick(generated, len(live))]
    # A body's tag ids name the owner's tags one time in two (then the write can go through).
    tag_ids = case.body.get("tag_ids") if isinstance(case.body, dict) else None
    if isinstance(tag_ids, list) and run.live_tag_ids and pick((generated, "tag_ids"), 2):
        case.body["tag_ids"] = run.live_tag_ids[: pick(generated, len(run.live_tag_ids) + 1)]
    # One validator in three names version 1, the seeded tasks' own until they change: 304s
    # and conditional writes that go through.
    for name in ("If-None-Match", "If-Match"):
        if name in case.headers and not pick((generated, name), 3):
            case.headers[name] = '"1"'
    header = authorization(caller)
    if header is None:
        case.headers.pop("Authorization", None)
    else:
        case.headers["Authorization"] = header
    return caller


def _track(case: Case[Any], run: Run, status: int, body: Any) -> None:
    live = run.live_tag_ids if case.path.startswith(TAGS_PATH) else run.live_ids
    if case.method == "POST" and status == 201 and body["id"] not in live:
        live.append(body["id"])  # not again when a retry replays an Idempotency-Key
    elif case.method == "DELETE" and status == 200:
        live.remove(body["deleted_id"])


@schema.parametrize()
@settings(suppress_health_check=FUZZ_HEALTH_CHECKS_OFF)
def test_rest_answers_conform(case: Case[Any], fuzz_run: Run) -> None:
    caller = _aim(case, fuzz_run)
    try:
        response = case.call(app=fuzz_run.app)
    except Exception:
        fuzz_run.tally.record_crash(case.operation.label, caller)
        raise
    if "Authorization" not in response.request.headers:
        caller = Caller.MISSING  # a coverage case that leaves the security header out
    fuzz_run.tally.record(case.operation.label, caller, response.status_code)
    if response.status_code in {200, 201} and case.path.startswith(USER_PATHS):
        _track(case, fuzz_run, response.status_code, response.json())
    try:
        case.validate_response(response, checks=[*CHECKS, refused(caller)])
    except FailureGroup:
        if response.status_code < 500:
            fuzz_run.tally.non_conforming += 1
        raise


def test_rest_fuzzing_reached_every_answer(backend: str, fuzz_tallies: Tallies) -> None:
    """The run above got past authentication and validation into every handler, and was refused
    in every way: the fuzzing is not all 401s and 422s."""
    tally = fuzz_tallies[f"REST [{backend}]"]
    if tally.requests == 0:
        pytest.skip("test_rest_answers_conform did not run in this session")
    assert {caller for caller in Caller if tally.callers[caller] == 0} == set()
    for path, methods in DOCUMENT["paths"].items():
        for method in methods:
            statuses = tally.statuses_of(f"{method.upper()} {path}")
            if not path.startswith("/api/"):
                assert 200 in statuses, path
                continue
            success = 201 if method == "post" else 200
            expected = {success, 401, 403}
            if "{task_id}" in path or "{tag_id}" in path:
                expected |= {404}
            if _can_be_invalid(methods[method]):
                expected |= {422}
            assert expected <= statuses, f"{method.upper()} {path}: only {sorted(statuses)}"
    writes = [f"{method} {TASKS_PATH}/{{task_id}}" for method in ("PUT", "PATCH", "DELETE")]
    assert 412 in set().union(*map(tally.statuses_of, writes)), "no stale If-Match was refused"


def _can_be_invalid(operation: dict[str, Any]) -> bool:
    """Whether some input of the operation can fail validation: a body, a query parameter, a
    typed path parameter (not a header, not the user_id, which any text is)."""
    parameters = operation.get("parameters", [])
    return "requestBody" in operation or any(
        parameter["in"] in ("query", "path") and parameter["name"] != "user_id"
        for parameter in parameters
    )


# What the fuzzing found, pinned down (fixed in api/errors.py).


@pytest.mark.parametrize(
    "body",
    [b'{"title": "caf\xe9"}', b"[" * 100_000 + b"]" * 100_000],
    ids=["not-utf-8", "nested-past-the-recursion-limit"],
)
async def test_an_undecodable_body_is_a_422_like_malformed_json(
    client: httpx.AsyncClient, body: bytes
) -> None:
    response = await client.post(
        f"/api/{OWNER}/tasks",
        content=body,
        headers={
            "Authorization": str(authorization(Caller.OWNER)),
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 422  # FastAPI's own answer was an undocumented 400
    assert response.json() == {
        "detail": [{"type": "json_invalid", "loc": ["body"], "msg": "JSON decode error"}],
        "message": "body: JSON decode error",
    }


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (f"/api/{OWNER}/tasks", "GET, POST"),
        (f"/api/{OWNER}/tasks/1", "GET, PUT, PATCH, DELETE"),
        (f"/api/{OWNER}/tasks/1/toggle", "PATCH"),
        (f"/api/{OWNER}/tasks/1/tags", "PUT"),
        (f"/api/{OWNER}/tags", "GET, POST"),
        (f"/api/{OWNER}/tags/1", "PUT, PATCH, DELETE"),
    ],
)
async def test_a_405_allows_every_method_of_the_path(
    client: httpx.AsyncClient, path: str, allowed: str
) -> None:
    response = await client.request("TRACE", path)
    assert response.status_code == 405
    # FastAPI named only the methods of the first route of the path (`Allow: GET`).
    assert response.headers["Allow"] == allowed


BODY_LIMIT = 1024
WITH_BODIES = [
    f"{method.upper()} {path}"
    for path, methods in DOCUMENT["paths"].items()
    for method, operation in methods.items()
    if "requestBody" in operation
]


@pytest.mark.parametrize("label", WITH_BODIES)
def test_an_oversized_body_is_a_documented_answer(label: str) -> None:
    """Fuzzing keeps bodies small, so the body limit's 413 is checked here, with a small limit."""
    settings = Settings(
        _env_file=None,
        database_url="sqlite:///:memory:",
        better_auth_secret=TEST_SECRET,
        max_body_bytes=BODY_LIMIT,
    )
    operation = schema.find_operation_by_label(label)
    assert operation is not None
    case = operation.Case(
        path_parameters={"user_id": OWNER, "task_id": 1, "tag_id": 1},
        headers={"Authorization": authorization(Caller.OWNER)},
        body={"title": "x", "description": "x" * BODY_LIMIT},
        media_type="application/json",
    )
    response = case.call(app=create_app(settings))
    assert response.status_code == 413
    case.validate_response(response, checks=CHECKS)
