"""What is measured, and the targets each figure is held to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    key: str
    """The request kind in load.lua."""
    label: str
    target: float
    """Ours/reference requests per second must be at least this."""


# Reads run first: later writes add tasks, and the lists should see each user's seeded tasks.
SCENARIOS = (
    Scenario("rest_list", "REST list", 0.75),
    Scenario("graphql_list", "GraphQL list", 0.6),
    Scenario("rest_create", "REST create", 0.75),
    Scenario("rest_toggle", "REST toggle", 0.75),
    Scenario("rest_update", "REST update", 0.75),
    Scenario("graphql_toggle", "GraphQL toggle", 0.6),
)
BY_KEY = {scenario.key: scenario for scenario in SCENARIOS}

MIXED = "mixed"
"""A request kind that picks one of the scenarios at random per request (the memory runs)."""

P99_TARGET = 1.5
"""Our p99 latency may be at most this many times the reference's."""
RSS_TARGET_MB = 150.0
RSS_GROWTH_TOLERANCE_MB = 3.0
"""Growth between the two memory runs below this is allocator noise, not a leak."""
SCALE_TARGET = 0.8
"""REST list at 1,000,000 tasks / at 50,000 tasks, both ours."""
