"""What is measured, what ours is compared with, and the targets each figure is held to."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    key: str
    """The request kind in load.lua."""
    label: str


# Reads run first: later writes add tasks, and the lists should see each user's seeded tasks.
SCENARIOS = (
    Scenario("rest_list", "REST list"),
    Scenario("graphql_list", "GraphQL list"),
    Scenario("rest_create", "REST create"),
    Scenario("rest_toggle", "REST toggle"),
    Scenario("rest_update", "REST update"),
    Scenario("graphql_toggle", "GraphQL toggle"),
)
BY_KEY = {scenario.key: scenario for scenario in SCENARIOS}

MIXED = "mixed"
"""A request kind that picks one of the scenarios at random per request (the memory runs)."""

P99_TARGET = 1.5
"""Our p99 latency may be at most this many times the reference's."""


@dataclass(frozen=True)
class Reference:
    """An implementation ours is compared with: `--reference KEY`."""

    key: str
    app: str
    """Its uvicorn app factory, `module:function`."""
    targets: Mapping[str, float | None]
    """Per scenario it implements: ours/its req/s must be at least this (None: shown only).
    A scenario missing here is one it does not implement: "n/a" in the table."""
    p99_target: float | None
    """Our p99 may be at most this many times its p99 (None: shown only)."""
    command: Callable[[int], list[str]] | None = None
    """How to start it on a port, when it is not an app factory under ours' uvicorn."""


REFERENCES = {
    reference.key: reference
    for reference in (
        Reference(
            "reference",
            "bench.reference:create_app",
            {"rest_list": 0.75, "graphql_list": 0.6, "rest_create": 0.75}
            | {"rest_toggle": 0.75, "rest_update": 0.75, "graphql_toggle": 0.6},
            P99_TARGET,
        ),
        # Issue 13's yardstick: a connection answers more than the floor's plain list, hence 0.6.
        Reference(
            "floor",
            "bench.floor:create_app",
            {"rest_list": 0.7, "graphql_list": 0.6, "rest_toggle": 0.7, "graphql_toggle": None},
            None,
        ),
        Reference(
            "minimal",
            "bench.minimal:create_app",
            dict.fromkeys(("rest_list", "graphql_list", "rest_toggle", "graphql_toggle")),
            None,
        ),
        # Ours without the server limits of api/server.py: what they cost.
        Reference(
            "unguarded",
            "api.app:create_app",
            dict.fromkeys(("rest_list", "graphql_list", "rest_toggle", "graphql_toggle")),
            None,
            command=lambda port: [
                *(sys.executable, "-m", "bench.unguarded"),
                *("serve", "--no-migrate", "--host", "127.0.0.1", "--port", str(port)),
            ],
        ),
    )
}
DEFAULT_REFERENCE = "reference"

RSS_TARGET_MB = 150.0
RSS_GROWTH_TOLERANCE_MB = 3.0
"""Growth between the two memory runs below this is allocator noise, not a leak."""
SCALE_TARGET = 0.8
"""REST list at 1,000,000 tasks / at 50,000 tasks, both ours."""
