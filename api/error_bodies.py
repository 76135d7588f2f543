"""What every error answer says: FastAPI's `detail` and one human-readable sentence, `message`.

Kept apart from api.errors (the handlers) so the ASGI middlewares, which answer before any
handler runs, write the same body.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# Where FastAPI found a request value: the first item of a validation problem's `loc`.
_SOURCES = frozenset({"body", "query", "path", "header", "cookie"})


def error_body(message: str) -> dict[str, str]:
    """`{"detail": message, "message": message}`: the body of every error that is a sentence."""
    return {"detail": message, "message": message}


def problem_message(problem: Mapping[str, Any]) -> str:
    """One validation problem as `field: what is wrong`, in our validation's own words.

    `{"loc": ["body", "title"], "msg": "String should have at most 200 characters"}` is
    `title: String should have at most 200 characters`; a ValueError of db.inputs says its own
    message, without pydantic's "Value error, " before it.
    """
    error = (problem.get("ctx") or {}).get("error")
    reason = str(error) if isinstance(error, Exception) else str(problem.get("msg", "invalid"))
    return f"{problem_field(problem.get('loc', ()), problem.get('type'))}: {reason}"


def problem_field(loc: Sequence[str | int], kind: object = None) -> str:
    """The field a problem is about, as the client named it.

    The source (`body`, `query`, ...) goes: `title`, `limit`, `task_id`, `idempotency-key`.
    Nested fields join with dots and list positions take brackets (`tag_ids[1]`,
    `items[0].title`). The body as a whole (missing, not an object, not JSON) is `body`.
    """
    if not loc:
        return "body"
    if kind == "json_invalid" or len(loc) == 1:
        return str(loc[0])
    source, *parts = loc
    field = "" if source in _SOURCES else str(source)
    for part in parts:
        if isinstance(part, int):
            field += f"[{part}]"
        else:
            field += f".{part}" if field else str(part)
    return field if not field.startswith("[") else f"{source}{field}"
