"""The printed tables: medians of the repeated runs, ratios, targets and pass/fail."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from bench.load import LoadResult
from bench.scenarios import P99_TARGET, RSS_GROWTH_TOLERANCE_MB, RSS_TARGET_MB
from bench.servers import Memory


@dataclass(frozen=True)
class Side:
    """The median of one implementation's repeated runs, and their totals."""

    rps: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float
    """Server CPU time per request."""
    requests: int
    bad: int

    @classmethod
    def of(cls, runs: Sequence[LoadResult]) -> Side:
        return cls(
            rps=statistics.median(run.rps for run in runs),
            p50_ms=statistics.median(run.p50_ms for run in runs),
            p99_ms=statistics.median(run.p99_ms for run in runs),
            cpu_ms=statistics.median(run.cpu_ms_per_request for run in runs),
            requests=sum(run.requests for run in runs),
            bad=sum(run.bad + run.socket_errors for run in runs),
        )


@dataclass(frozen=True)
class Comparison:
    """One row: A (ours) against B (the reference, or ours on a smaller table)."""

    label: str
    a: list[LoadResult]
    b: list[LoadResult]
    target: float | None
    """A/B requests per second must be at least this; None: shown for information."""
    p99_target: float | None = P99_TARGET

    @property
    def ratio(self) -> float:
        b = Side.of(self.b).rps
        return Side.of(self.a).rps / b if b else 0.0

    @property
    def p99_ratio(self) -> float:
        b = Side.of(self.b).p99_ms
        return Side.of(self.a).p99_ms / b if b else 0.0

    @property
    def clean(self) -> bool:
        return all(run.clean for run in [*self.a, *self.b])

    @property
    def result(self) -> str:
        if not self.clean:
            return "BAD ANSWERS"
        if self.target is None and self.p99_target is None:
            return "info"
        met = (self.target is None or self.ratio >= self.target) and (
            self.p99_target is None or self.p99_ratio <= self.p99_target
        )
        return "PASS" if met else "FAIL"


@dataclass(frozen=True)
class MemoryCheck:
    """Ours after a first and a second mixed run; the reference's for comparison."""

    first: Memory
    second: Memory
    reference: Memory
    runs: list[LoadResult]

    @property
    def clean(self) -> bool:
        return all(run.clean for run in self.runs)

    @property
    def growth_mb(self) -> float:
        return self.second.peak_mb - self.first.peak_mb

    @property
    def result(self) -> str:
        if not self.clean:
            return "BAD ANSWERS"
        fits = self.second.peak_mb <= RSS_TARGET_MB
        return "PASS" if fits and self.growth_mb < RSS_GROWTH_TOLERANCE_MB else "FAIL"


def comparison_table(rows: Sequence[Comparison], a: str = "ours", b: str = "ref") -> str:
    header = [
        "scenario",
        f"{a} req/s",
        f"{b} req/s",
        "ratio",
        "target",
        f"{a} p50/p99 ms",
        f"{b} p50/p99 ms",
        "p99 x",
        "target",
        f"CPU ms/req {a}/{b}",
        f"requests {a}/{b}",
        "bad",
        "result",
    ]
    lines = []
    for row in rows:
        ours, other = Side.of(row.a), Side.of(row.b)
        lines.append(
            [
                row.label,
                f"{ours.rps:.0f}",
                f"{other.rps:.0f}",
                f"{row.ratio:.2f}",
                "-" if row.target is None else f">={row.target:.2f}",
                f"{ours.p50_ms:.1f} / {ours.p99_ms:.1f}",
                f"{other.p50_ms:.1f} / {other.p99_ms:.1f}",
                f"{row.p99_ratio:.2f}",
                "-" if row.p99_target is None else f"<={row.p99_target:.2f}",
                f"{ours.cpu_ms:.2f} / {other.cpu_ms:.2f}",
                f"{ours.requests}/{other.requests}",
                f"{ours.bad}/{other.bad}",
                row.result,
            ]
        )
    return table(header, lines)


def memory_table(check: MemoryCheck) -> str:
    header = ["memory (one worker)", "after run 1", "after run 2", "growth", "target", "result"]
    target = f"<={RSS_TARGET_MB:.0f} MB, growth <{RSS_GROWTH_TOLERANCE_MB:.0f} MB"
    rss_growth = check.second.rss_mb - check.first.rss_mb
    rows = [
        [
            "ours peak RSS (VmHWM)",
            f"{check.first.peak_mb:.1f} MB",
            f"{check.second.peak_mb:.1f} MB",
            f"{check.growth_mb:+.1f} MB",
            target,
            check.result,
        ],
        [
            "ours RSS (VmRSS)",
            f"{check.first.rss_mb:.1f} MB",
            f"{check.second.rss_mb:.1f} MB",
            f"{rss_growth:+.1f} MB",
            "-",
            "info",
        ],
        ["reference peak RSS (VmHWM)", "-", f"{check.reference.peak_mb:.1f} MB", "-", "-", "info"],
    ]
    return table(header, rows)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell: the first left-aligned, the others right."""
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]

    def render(line: Sequence[str]) -> str:
        cells = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([render(header), rule, *(render(line) for line in rows)])
