"""What the schemathesis fuzz tests share: who calls, the settings, and a tally printed at the end.

PYTEST_DONT_REWRITE: no asserts here; the fuzz modules import it before pytest could rewrite it.
"""

from __future__ import annotations

import enum
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck

from api.auth.tokens import mint_token
from tests.support.auth import TEST_SECRET

OWNER = "fuzz-owner"
STRANGER = "fuzz-stranger"
# Generated examples per operation and phase: the whole fuzz run stays near a minute in CI.
MAX_EXAMPLES = 60
SEED = 20261126


FUZZ_HEALTH_CHECKS_OFF = [
    # The app and the owner's live task ids carry over from one generated case to the next.
    HealthCheck.function_scoped_fixture,
    # Generation speed is not what is tested, and a loaded CI machine must not fail the run.
    HealthCheck.too_slow,
]


class Caller(enum.Enum):
    """Who sends a request; chosen from the generated input itself, so a replay is the same call."""

    OWNER = "owner's token"
    STRANGER = "another user's token"
    MISSING = "no token"
    EXPIRED = "expired token"
    GARBAGE = "garbage token"
    FORGED = "token signed with another key"


# Tokens the service must refuse with a 401, before anything else happens.
REFUSED_TOKENS = frozenset({Caller.EXPIRED, Caller.GARBAGE, Caller.FORGED})


# Half of the calls reach the handlers; the rest are spread over the ways to be refused.
_WHEEL = (Caller.OWNER,) * 5 + tuple(caller for caller in Caller if caller is not Caller.OWNER)


def pick(parts: Any, choices: int) -> int:
    """A stable choice among `choices` for this input (hash() of a str changes per process)."""
    return zlib.crc32(repr(parts).encode("utf-8", "surrogatepass")) % choices


def caller_for(parts: Any) -> Caller:
    return _WHEEL[pick(parts, len(_WHEEL))]


def authorization(caller: Caller) -> str | None:
    """The Authorization header this caller sends (None: no header at all)."""
    match caller:
        case Caller.OWNER:
            return f"Bearer {mint_token(TEST_SECRET, OWNER)}"
        case Caller.STRANGER:
            return f"Bearer {mint_token(TEST_SECRET, STRANGER)}"
        case Caller.MISSING:
            return None
        case Caller.EXPIRED:
            return f"Bearer {mint_token(TEST_SECRET, OWNER, lifetime=timedelta(hours=-1))}"
        case Caller.GARBAGE:
            return "Bearer not.a.jwt"
        case Caller.FORGED:
            return f"Bearer {mint_token('another-secret-of-enough-length-0123456789', OWNER)}"


def fuzz_config(max_examples: int = MAX_EXAMPLES) -> schemathesis.Config:
    """Reproducible runs: a fixed seed, deterministic generation, no example database on disk."""
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "mode": "all",
                "max-examples": max_examples,
                "deterministic": True,
                "database": "none",
            },
            "phases": {"stateful": {"enabled": False}},
        }
    )


@dataclass
class Tally:
    """What one fuzz run sent and what came back."""

    requests: int = 0
    callers: Counter[Caller] = field(default_factory=Counter)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    # GraphQL: the error codes (or "OK") each caller got from each operation.
    outcomes: Counter[tuple[str, Caller, str]] = field(default_factory=Counter)
    server_errors: int = 0
    non_conforming: int = 0

    def record(self, operation: str, caller: Caller, status: int) -> None:
        self.requests += 1
        self.callers[caller] += 1
        self.statuses[operation, status] += 1
        if status >= 500:
            self.server_errors += 1

    def record_crash(self, operation: str, caller: Caller) -> None:
        """In-process, an unhandled error reaches the caller as the exception, not as a 500."""
        self.record(operation, caller, 500)

    def record_outcome(self, operation: str, caller: Caller, codes: list[str]) -> None:
        for code in codes:
            self.outcomes[operation, caller, code] += 1
        if "INTERNAL_SERVER_ERROR" in codes:
            self.server_errors += 1

    def statuses_of(self, operation: str) -> set[int]:
        return {status for (label, status) in self.statuses if label == operation}

    def outcomes_of(self, operation: str, caller: Caller) -> set[str]:
        return {code for (label, who, code) in self.outcomes if (label, who) == (operation, caller)}

    def summary(self, name: str) -> str:
        callers = ", ".join(f"{self.callers[caller]} {caller.value}" for caller in Caller)
        return (
            f"schemathesis {name}: {self.requests} requests, {self.server_errors} server errors, "
            f"{self.non_conforming} non-conforming ({callers})"
        )


@dataclass
class Tallies:
    """One tally per fuzz run, printed in the terminal summary (visible in CI logs with -q)."""

    runs: dict[str, Tally] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Tally:
        return self.runs.setdefault(name, Tally())

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        terminalreporter.section("fuzzing")
        for name, tally in self.runs.items():
            terminalreporter.write_line(tally.summary(name))


@pytest.fixture(scope="session")
def fuzz_tallies(pytestconfig: pytest.Config) -> Iterator[Tallies]:
    """The session's tallies; registered as a plugin so their lines end the pytest output."""
    tallies = Tallies()
    pytestconfig.pluginmanager.register(tallies, "fuzz-tallies")
    yield tallies
