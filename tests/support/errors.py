"""The body of an error answer that is one sentence (every status but 412 and a 422's list)."""

from __future__ import annotations


def error_json(sentence: str) -> dict[str, str]:
    """`{"detail": sentence, "message": sentence}`, as every such answer says it."""
    return {"detail": sentence, "message": sentence}
