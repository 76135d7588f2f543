"""Check an answer against the schema the served /openapi.json gives for it."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema_rs


async def answer_schema(
    http: httpx.AsyncClient, path: str, method: str, status: int
) -> dict[str, Any]:
    """The JSON schema of one documented answer, its `$ref`s resolvable (the components with it)."""
    document = (await http.get("/openapi.json")).json()
    answer = document["paths"][path][method]["responses"][str(status)]
    schema: dict[str, Any] = answer["content"]["application/json"]["schema"]
    return {**schema, "components": document["components"]}


def violations(schema: dict[str, Any], instance: object) -> list[str]:
    """How `instance` breaks `schema` (empty when it conforms)."""
    validator = jsonschema_rs.Draft202012Validator(schema)
    return [error.message for error in validator.iter_errors(instance)]
