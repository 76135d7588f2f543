"""Under CI=true a missing service or tool is a failure; on a developer's machine, a skip."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(available: bool, message: str) -> None:
    """Skip (locally) or fail (CI=true) the calling test when `available` is false."""
    if available:
        return
    if IN_CI:
        pytest.fail(message + " (CI=true: a missing service or tool is a failure)")
    pytest.skip(message + " (set CI=true to make this a failure)")
