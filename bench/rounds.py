"""Run a request kind against several servers in turn (A B A B ...), so drift hits all alike."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bench.load import Load, LoadResult, run_wrk
from bench.servers import Server


@dataclass(frozen=True)
class Target:
    name: str
    server: Server
    data_file: Path


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def alternate(
    label: str,
    kind: str,
    targets: Sequence[Target],
    load: Load,
    *,
    repeat: int,
    warmup: float,
) -> list[list[LoadResult]]:
    """`repeat` rounds of one run per target, after a warm-up of each; runs per target."""
    if warmup > 0:
        for target in targets:
            run_wrk(target.server.url, kind, target.data_file, replace(load, duration=warmup))
    results: list[list[LoadResult]] = [[] for _ in targets]
    for round_number in range(1, repeat + 1):
        for target, runs in zip(targets, results, strict=True):
            result = measured_run(target, kind, load)
            runs.append(result)
            progress(
                f"  {label}: {target.name} {round_number}/{repeat}: {result.rps:.0f} req/s,"
                f" p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms,"
                f" CPU {result.cpu_ms_per_request:.2f} ms/req,"
                f" bad {result.bad + result.socket_errors}"
            )
    return results


def measured_run(target: Target, kind: str, load: Load) -> LoadResult:
    """One wrk run, with the CPU time the server spent on it."""
    cpu_before = target.server.cpu_seconds()
    result = run_wrk(target.server.url, kind, target.data_file, load)
    return replace(result, server_cpu_seconds=target.server.cpu_seconds() - cpu_before)
