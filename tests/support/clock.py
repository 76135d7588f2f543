"""A clock the test moves by hand, for code that takes a `clock` (time.monotonic by default)."""

from __future__ import annotations


class FakeClock:
    """Monotonic seconds that change only when the test says: exact edges, no sleeping."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
