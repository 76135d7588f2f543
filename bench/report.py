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
    """One row: A (ours) against B (a reference, or ours on a smaller table)."""

    label: str
    against: str
    """B's name."""
    a: list[LoadResult]
    b: list[LoadResult]
    """Empty when B does not implement the scenario: the row is "n/a"."""
    target: float | None
    """A/B requests per second must be at least this; None: shown for information."""
    p99_target: float | None = P99_TARGET

    @property
    def implemented(self) -> bool:
        return bool(self.a and self.b)

    @property
    def ratio(self) -> float | None:
        """A/B of the median requests per second; None for "n/a"."""
        return _ratio(self.a, self.b, "rps")

    @property
    def p99_ratio(self) -> float | None:
        return _ratio(self.a, self.b, "p99_ms")

    @property
    def clean(self) -> bool:
        return all(run.clean for run in [*self.a, *self.b])

    @property
    def result(self) -> str:
        if not self.clean:
            return "BAD ANSWERS"
        if not self.implemented:
            return "n/a"
        if self.target is None and self.p99_target is None:
            return "info"
        met = (self.target is None or (self.ratio or 0) >= self.target) and (
            self.p99_target is None or (self.p99_ratio or 0) <= self.p99_target
        )
        return "PASS" if met else "FAIL"


def _ratio(a: Sequence[LoadResult], b: Sequence[LoadResult], figure: str) -> float | None:
    if not (a and b):
        return None
    denominator: float = getattr(Side.of(b), figure)
    return getattr(Side.of(a), figure) / denominator if denominator else 0.0


@dataclass(frozen=True)
class MemoryCheck:
    """Ours after a first and a second mixed run; each reference's for comparison."""

    first: Memory
    second: Memory
    references: dict[str, Memory]
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


COMPARISON_HEADER = (
    "scenario",
    "vs",
    "{a} req/s",
    "{b} req/s",
    "ratio",
    "target",
    "{a} p50/p99 ms",
    "{b} p50/p99 ms",
    "p99 x",
    "target",
    "CPU ms/req {a}/{b}",
    "requests {a}/{b}",
    "bad",
    "result",
)


def comparison_table(rows: Sequence[Comparison], a: str = "ours", b: str = "ref") -> str:
    """One line per row; a side that did not run shows "n/a" (or "-" within a pair)."""
    header = [cell.format(a=a, b=b) for cell in COMPARISON_HEADER]
    lines = []
    for row in rows:
        ours = Side.of(row.a) if row.a else None
        other = Side.of(row.b) if row.b else None
        lines.append(
            [
                row.label,
                row.against,
                _cell(ours, "{0.rps:.0f}"),
                _cell(other, "{0.rps:.0f}"),
                "n/a" if row.ratio is None else f"{row.ratio:.2f}",
                "-" if row.target is None else f">={row.target:.2f}",
                _cell(ours, "{0.p50_ms:.1f} / {0.p99_ms:.1f}"),
                _cell(other, "{0.p50_ms:.1f} / {0.p99_ms:.1f}"),
                "n/a" if row.p99_ratio is None else f"{row.p99_ratio:.2f}",
                "-" if row.p99_target is None else f"<={row.p99_target:.2f}",
                f"{_cell(ours, '{0.cpu_ms:.2f}', '-')} / {_cell(other, '{0.cpu_ms:.2f}', '-')}",
                f"{_cell(ours, '{0.requests}', '-')}/{_cell(other, '{0.requests}', '-')}",
                f"{_cell(ours, '{0.bad}', '-')}/{_cell(other, '{0.bad}', '-')}",
                row.result,
            ]
        )
    return table(header, lines)


def _cell(side: Side | None, template: str, missing: str = "n/a") -> str:
    return missing if side is None else template.format(side)


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
    ]
    for name, memory in check.references.items():
        peak = f"{memory.peak_mb:.1f} MB"
        rows.append([f"{name} peak RSS (VmHWM)", "-", peak, "-", "-", "info"])
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
