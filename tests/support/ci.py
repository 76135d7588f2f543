"""Under CI=true a missing service or tool is a failure; on a developer's machine, a skip."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing(message: str) -> NoReturn:
    """Fail (CI=true) or skip (locally) the calling test: something it needs is not here."""
    if IN_CI:
        pytest.fail(message + " (CI=true: a missing service or tool is a failure)")
    pytest.skip(message + " (set CI=true to make this a failure)")


def require(available: bool, message: str) -> None:
    """`missing(message)` unless `available`."""
    if not available:
        missing(message)
