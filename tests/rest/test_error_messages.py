"""Every error body has FastAPI's `detail` and one sentence, `message`; REST_ERROR_DETAIL=text
makes a 422's `detail` that sentence too. /openapi.json describes the body each mode sends.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.error_bodies import problem_field
from api.settings import Settings
from db.errors import InvalidInput
from tests.support.auth import auth
from tests.support.databases import services_of
from tests.support.errors import error_json
from tests.support.jwks_server import app_client
from tests.support.openapi import answer_schema, violations
from tests.support.rest_client import create, tasks_url

JSON = {"Content-Type": "application/json"}

# A bad request of each kind, and the sentence its 422 says: (method, path after the user's
# tasks URL, keyword arguments of the request, message).
INVALID: list[tuple[str, str, dict[str, Any], str]] = [
    ("POST", "", {"json": {"title": ""}}, "title: String should have at least 1 character"),
    (
        "POST",
        "",
        {"json": {"title": "x" * 201}},
        "title: String should have at most 200 characters",
    ),
    ("POST", "", {"json": {"title": "a\u0000b"}}, "title: may not contain NUL characters"),
    (
        "POST",
        "",
        {"json": {"title": "ok", "priority": "urgent"}},
        "priority: Input should be 'low', 'medium' or 'high'",
    ),
    ("PUT", "/{id}", {"json": {"title": None}}, "title: may not be null"),
    (
        "PATCH",
        "/{id}/toggle",
        {"json": {"completed": "yes"}},
        "completed: Input should be a valid boolean",
    ),
    ("GET", "?limit=0", {}, "limit: Input should be greater than or equal to 1"),
    ("GET", "?search=a%00", {}, "search: may not contain NUL characters"),
    (
        "GET",
        "/abc",
        {},
        "task_id: Input should be a valid integer, unable to parse string as an integer",
    ),
    (
        "POST",
        "",
        {"json": {"title": "ok"}, "headers": {"Idempotency-Key": "has space"}},
        "idempotency-key: String should match pattern '^[\\x21-\\x7e]+$'",
    ),
    ("POST", "", {"headers": JSON}, "body: Field required"),
    (
        "POST",
        "",
        {"content": b"[1]", "headers": JSON},
        "body: Input should be a valid dictionary or object to extract fields from",
    ),
    ("POST", "", {"content": b'{"title": ', "headers": JSON}, "body: JSON decode error"),
    ("POST", "", {"content": b'{"title": "caf\xe9"}', "headers": JSON}, "body: JSON decode error"),
]  # fmt: skip
INVALID_IDS = [
    "empty-title", "long-title", "nul-title", "priority", "null-title", "toggle-body", "limit",
    "nul-search", "task-id", "idempotency-key", "no-body", "not-an-object", "bad-json",
    "not-utf8",
]  # fmt: skip


@pytest.fixture
async def text_detail(make_settings: Callable[..., Settings]) -> AsyncIterator[httpx.AsyncClient]:
    """An app with REST_ERROR_DETAIL=text on the test database."""
    async with app_client(make_settings(rest_error_detail="text")) as http:
        yield http


async def send_invalid(
    http: httpx.AsyncClient, method: str, suffix: str, request: dict[str, Any]
) -> httpx.Response:
    user = f"err-{uuid.uuid4().hex[:8]}"
    task = await create(http, user)
    headers = {**auth(user), **request.get("headers", {})}
    url = tasks_url(user) + suffix.replace("{id}", str(task["id"]))
    options = {key: value for key, value in request.items() if key != "headers"}
    return await http.request(method, url, headers=headers, **options)


@pytest.mark.parametrize(("method", "suffix", "request_", "message"), INVALID, ids=INVALID_IDS)
async def test_a_422_says_its_first_problem_with_its_field(
    client: httpx.AsyncClient, method: str, suffix: str, request_: dict[str, Any], message: str
) -> None:
    response = await send_invalid(client, method, suffix, request_)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["message"] == message
    assert isinstance(body["detail"], list) and body["detail"][0]["loc"][0] in {
        "body", "query", "path", "header"
    }  # fmt: skip


@pytest.mark.parametrize(("method", "suffix", "request_", "message"), INVALID, ids=INVALID_IDS)
async def test_with_text_detail_a_422s_detail_is_the_sentence(
    text_detail: httpx.AsyncClient,
    method: str,
    suffix: str,
    request_: dict[str, Any],
    message: str,
) -> None:
    response = await send_invalid(text_detail, method, suffix, request_)
    assert response.status_code == 422, response.text
    assert response.json() == error_json(message)


async def test_the_message_is_the_first_of_several_problems(client: httpx.AsyncClient) -> None:
    user = f"err-{uuid.uuid4().hex[:8]}"
    response = await client.post(
        tasks_url(user), json={"title": "", "priority": "urgent"}, headers=auth(user)
    )
    body = response.json()
    assert [problem["loc"] for problem in body["detail"]] == [
        ["body", "title"],
        ["body", "priority"],
    ]
    assert body["message"] == "title: String should have at least 1 character"


async def test_input_that_is_not_json_encodable_still_gets_its_sentence(
    client: httpx.AsyncClient,
) -> None:
    """A NaN is echoed in no `detail` (not JSON); the sentence names the field all the same."""
    user = f"err-{uuid.uuid4().hex[:8]}"
    response = await client.post(
        tasks_url(user), content=b'{"title": NaN}', headers={**auth(user), **JSON}
    )
    assert response.status_code == 422, response.text
    assert response.json()["message"] == "title: Input should be a valid string"
    assert "input" not in response.json()["detail"][0]  # the answer without the input


# Every other error status a REST client can meet, with the sentence it says.
async def test_every_other_error_is_one_sentence_in_detail_and_message(
    client: httpx.AsyncClient,
) -> None:
    user = f"err-{uuid.uuid4().hex[:8]}"
    task = await create(client, user)
    url = tasks_url(user, task["id"])
    key = {**auth(user), "Idempotency-Key": f"key-{user}"}
    await client.post(tasks_url(user), json={"title": "first"}, headers=key)
    answers = {
        401: await client.get(tasks_url(user)),
        403: await client.get(tasks_url("someone-else"), headers=auth(user)),
        404: await client.get(tasks_url(user, task["id"] + 10_000), headers=auth(user)),
        405: await client.post(url, headers=auth(user)),
        409: await client.post(tasks_url(user), json={"title": "other"}, headers=key),
    }
    sentences = {
        401: "Missing bearer token",
        403: "The user_id in the path is not the user this token belongs to",
        404: f"Task {task['id'] + 10_000} not found",
        405: "Method Not Allowed",
        409: "This Idempotency-Key was used with a different request",
    }
    for status, answer in answers.items():
        assert (answer.status_code, answer.json()) == (status, error_json(sentences[status]))
    unknown = await client.get("/no/such/path")
    assert (unknown.status_code, unknown.json()) == (404, error_json("Not Found"))
    bad_token = await client.get(tasks_url(user), headers={"Authorization": "Bearer x.y.z"})
    assert bad_token.status_code == 401
    assert bad_token.json()["message"] == bad_token.json()["detail"] != ""


async def test_a_412_answers_the_current_task_not_a_sentence(client: httpx.AsyncClient) -> None:
    user = f"err-{uuid.uuid4().hex[:8]}"
    task = await create(client, user)
    stale = await client.put(
        tasks_url(user, task["id"]),
        json={"title": "late"},
        headers={**auth(user), "If-Match": '"99"'},
    )
    assert stale.status_code == 412
    assert stale.json() == task


async def test_a_body_over_the_limit_says_so_in_both_fields(
    make_settings: Callable[..., Settings],
) -> None:
    async with app_client(make_settings(max_body_bytes=64)) as http:
        response = await http.post(
            tasks_url("alice"), json={"title": "x" * 100}, headers=auth("alice")
        )
    assert (response.status_code, response.json()) == (
        413,
        error_json("Request body is larger than 64 bytes"),
    )


@pytest.mark.parametrize("style", ["list", "text"])
async def test_a_domain_invalid_input_is_a_422_like_the_others(
    make_settings: Callable[..., Settings], style: str
) -> None:
    """db's InvalidInput (a value the shape checks let through) answers as a query problem."""
    app = create_app(make_settings(rest_error_detail=style))

    @app.get("/probe")
    async def probe() -> None:
        raise InvalidInput("after", "is not a cursor of this list")

    async with app_client(app) as http:
        response = await http.get("/probe")
    await services_of(app).engine.dispose()
    assert response.status_code == 422
    message = "after: is not a cursor of this list"
    if style == "text":
        assert response.json() == error_json(message)
    else:
        problem = {"loc": ["query", "after"], "msg": "is not a cursor of this list"}
        assert response.json() == {
            "detail": [{**problem, "type": "value_error"}],
            "message": message,
        }


@pytest.mark.parametrize(
    ("loc", "kind", "field"),
    [
        (["body", "title"], "string_too_short", "title"),
        (["query", "limit"], "greater_than_equal", "limit"),
        (["path", "task_id"], "int_parsing", "task_id"),
        (["header", "idempotency-key"], "string_pattern_mismatch", "idempotency-key"),
        (["body"], "missing", "body"),
        (["body", 0], "json_invalid", "body"),
        (["body", "tag_ids", 1], "int_parsing", "tag_ids[1]"),
        (["body", "items", 0, "title"], "missing", "items[0].title"),
        (["body", 2], "int_parsing", "body[2]"),
        (["after"], "value_error", "after"),
        ([], "missing", "body"),
    ],
)
def test_the_field_is_named_as_the_client_sent_it(
    loc: list[str | int], kind: str, field: str
) -> None:
    assert problem_field(loc, kind) == field


# --- OpenAPI ----------------------------------------------------------------------------

OPERATION = ("/api/{user_id}/tasks", "post")


async def _invalid_answer(http: httpx.AsyncClient) -> Any:
    return (await http.post(tasks_url("alice"), json={"title": ""}, headers=auth("alice"))).json()


async def test_openapi_describes_the_list_detail_and_the_message(client: httpx.AsyncClient) -> None:
    schema = await answer_schema(client, *OPERATION, 422)
    described = schema["components"]["schemas"]["HTTPValidationError"]
    assert described["required"] == ["detail", "message"]
    assert described["properties"]["detail"]["type"] == "array"
    assert described["properties"]["message"]["type"] == "string"
    answer = await _invalid_answer(client)
    assert not violations(schema, answer)
    assert violations(schema, error_json(answer["message"]))


async def test_openapi_describes_the_text_detail_when_it_is_on(
    text_detail: httpx.AsyncClient,
) -> None:
    schema = await answer_schema(text_detail, *OPERATION, 422)
    schemas = schema["components"]["schemas"]
    assert schemas["HTTPValidationError"]["properties"]["detail"]["type"] == "string"
    assert "ValidationError" not in schemas  # nothing answers the list any more
    answer = await _invalid_answer(text_detail)
    assert not violations(schema, answer)
    assert violations(schema, {"detail": [], "message": answer["message"]})


@pytest.mark.parametrize("style", ["list", "text"])
async def test_openapi_describes_the_message_of_every_other_error(
    make_settings: Callable[..., Settings], style: str
) -> None:
    async with app_client(make_settings(rest_error_detail=style)) as http:
        schema = await answer_schema(http, "/api/{user_id}/tasks/{task_id}", "get", 404)
        answer = (await http.get(tasks_url("alice", 123_456), headers=auth("alice"))).json()
    assert schema["$ref"] == "#/components/schemas/ErrorDetail"
    assert schema["components"]["schemas"]["ErrorDetail"]["required"] == ["detail", "message"]
    assert not violations(schema, answer)
    assert violations(schema, {"detail": answer["detail"]})


def test_an_unknown_error_detail_style_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="rest_error_detail"):
        Settings(_env_file=None, rest_error_detail="html")
