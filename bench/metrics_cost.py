"""`python -m bench.metrics_cost`: what metrics cost per request, with values in memory (one
worker) and in prometheus-client's multiprocess files (`serve --workers N`, N > 1).

Per request the service does one counter.inc() and one histogram.observe() on labelled children
found once; with several workers also one gauge.set() per pool checkout and checkin. Each mode
runs in a fresh interpreter: prometheus_client picks where values live when it is imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import timeit

LOOPS = 200_000
ROUNDS = 7


def measure() -> None:
    """Print the best of ROUNDS, in ns per call, for this interpreter's mode."""
    from prometheus_client import Counter, Gauge, Histogram

    labels = ("GET", "/api/{user_id}/tasks", "200")
    counter = Counter("c", "c", ["method", "route", "status"], registry=None).labels(*labels)
    histogram = Histogram("h", "h", ["method", "route", "status"], registry=None).labels(*labels)
    gauge = Gauge("g", "g", registry=None, multiprocess_mode="livesum")

    def request() -> None:
        counter.inc()
        histogram.observe(0.004)

    mode = "files " if os.environ.get("PROMETHEUS_MULTIPROC_DIR") else "memory"
    for name, step in (("inc+observe", request), ("gauge.set", lambda: gauge.set(3))):
        best = min(timeit.repeat(step, number=LOOPS, repeat=ROUNDS)) / LOOPS
        print(f"{mode}  {name:<12} {best * 1e9:6.0f} ns")


def main() -> None:
    for multiprocess in (False, True):
        environment = dict(os.environ)
        environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
        with tempfile.TemporaryDirectory() as directory:
            if multiprocess:
                environment["PROMETHEUS_MULTIPROC_DIR"] = directory
            code = "from bench.metrics_cost import measure; measure()"
            subprocess.run([sys.executable, "-c", code], env=environment, check=True)


if __name__ == "__main__":
    main()
