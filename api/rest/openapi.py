"""The OpenAPI document as this app's settings shape the answers it describes.

FastAPI builds the document from the routes, which are the same in every app. Two settings
change what they answer: REST_LIST_SHAPE=envelope puts a list in `{"tasks": [...], "count": n}`,
REST_ERROR_DETAIL=text makes a 422's `detail` the sentence. Every 422 carries `message` too.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from fastapi import FastAPI, Query
from pydantic import BaseModel

from api.settings import ErrorDetailStyle, ListShape, Settings

# Each list route's operationId, and the key its items go under in the envelope
# (the `key` its route gives api.rest.task_json.list_answer).
LISTS = {"read_tasks": "tasks", "read_tags": "tags"}

_MESSAGE = {
    "type": "string",
    "title": "Message",
    "description": "The first problem, with its field: `title: String should have at least 1 "
    "character`, `limit: Input should be less than or equal to 100`.",
}


def describe_settings(app: FastAPI, settings: Settings) -> None:
    """Make `app.openapi()` describe the list shape and the 422 body these settings give."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:  # built once; FastAPI keeps it
            return app.openapi_schema
        document = build()
        describe_query_models(document)
        describe_validation_errors(document, settings.rest_error_detail)
        if settings.rest_list_shape is ListShape.ENVELOPE:
            describe_envelopes(document)
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def describe_query_models(document: dict[str, Any]) -> None:
    """The query parameters of routes that parse their query model themselves (api.rest.params),
    exactly as FastAPI describes such a model: FastAPI never sees them in the route."""
    from api.rest.params import QUERY_MODELS

    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    for path in document["paths"].values():
        for operation in path.values():
            model = QUERY_MODELS.get(operation.get("operationId"))
            if model is None:
                continue
            parameters, model_schemas = _described_by_fastapi(model)
            existing = operation.setdefault("parameters", [])
            at = sum(1 for parameter in existing if parameter["in"] == "path")
            existing[at:at] = parameters
            for name, schema in model_schemas.items():
                schemas.setdefault(name, schema)


@cache
def _described_by_fastapi(model: type[BaseModel]) -> tuple[list[Any], dict[str, Any]]:
    """A query model's parameters and the schemas they refer to, from FastAPI itself."""

    async def described(params: Any) -> None:
        """Never called: FastAPI describes its parameters."""

    # Set at runtime: this module's annotations are strings, and `model` is a variable.
    described.__annotations__ = {"params": Annotated[model, Query()], "return": None}
    scratch = FastAPI()
    scratch.get("/")(described)
    document = scratch.openapi()
    schemas = document.get("components", {}).get("schemas", {})
    return document["paths"]["/"]["get"]["parameters"], schemas


def describe_validation_errors(document: dict[str, Any], style: ErrorDetailStyle) -> None:
    """FastAPI's HTTPValidationError with `message`; with `text`, `detail` is that sentence."""
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    error = schemas.get("HTTPValidationError")
    if error is None:
        return
    if style is ErrorDetailStyle.TEXT:
        error["properties"]["detail"] = {**_MESSAGE, "title": "Detail"}
        schemas.pop("ValidationError", None)  # referred to by HTTPValidationError alone
    error["properties"]["message"] = _MESSAGE
    error["required"] = ["detail", "message"]


def describe_envelopes(document: dict[str, Any]) -> None:
    """Each list's 200 as `{key: [...], "count": total}`, a schema named like `TasksEnvelope`."""
    schemas: dict[str, Any] = document["components"]["schemas"]
    for path in document["paths"].values():
        for operation in path.values():
            key = LISTS.get(operation.get("operationId", ""))
            if key is None:
                continue
            answer = operation["responses"]["200"]
            content = answer["content"]["application/json"]
            name = f"{key.capitalize()}Envelope"
            schemas[name] = {
                "type": "object",
                "title": name,
                "properties": {
                    key: {**content["schema"], "title": key.capitalize()},
                    "count": {
                        "type": "integer",
                        "title": "Count",
                        "description": "How many match the filters, on every page "
                        "(as X-Total-Count)",
                    },
                },
                "required": [key, "count"],
            }
            content["schema"] = {"$ref": f"#/components/schemas/{name}"}
            answer["description"] = f"A page of {key} in an envelope, with the total"
