"""`python -m bench.edge_cost` keeps working: every row measured, every answer as expected (the
command fails on any other status). No timing is asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_the_edge_cost_benchmark_runs(repo_root: Path) -> None:
    command = [sys.executable, "-m", "bench.edge_cost", "--n", "20", "--rounds", "1"]
    result = subprocess.run(
        [*command, "--framework"], cwd=repo_root, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()[1:]
    assert len(rows) == 19, result.stdout
    assert any(row.startswith("middleware, log json: OPTIONS preflight") for row in rows)
    assert any(row.startswith("framework: ServerErrorMiddleware") for row in rows)
