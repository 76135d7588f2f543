"""`python -m bench.graphql_cost` runs: both sides answer the same page, in process and over ASGI.

It replaces `db.listing.list_page` (and the floor's `Backend.page`) with a fixed page: when the
data layer changes shape, this says so before someone needs the figures. No timing is asserted.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_the_graphql_cost_benchmark_runs_and_both_sides_answer_alike(repo_root: Path) -> None:
    command = [sys.executable, "-m", "bench.graphql_cost", "--rounds", "1", "--per-round", "1"]
    done = subprocess.run(command, cwd=repo_root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = [line.split()[:2] for line in done.stdout.splitlines()]
    assert rows == [
        ["schema", "ours"],
        ["schema", "floor"],
        ["schema", "ours/floor"],
        ["http", "ours"],
        ["http", "floor"],
        ["http", "ours/floor"],
    ]
