"""Metrics across `todo-api serve --workers N`: prometheus-client's multiprocess mode.

Before the workers start, the parent makes a private directory and names it in
PROMETHEUS_MULTIPROC_DIR. uvicorn spawns its workers, so each imports prometheus_client with it
set and writes its values to files of its own there; a scrape of any worker (or of the parent, on
METRICS_PORT) sums them all. Counters and histograms of a dead worker stay in the sum, so nothing
goes backwards; its pool gauges ("livesum") leave it. One worker keeps its values in memory:
the files cost about 2.5 µs more per request for a counter and a histogram, and 1 µs per pool
gauge write (`python -m bench.metrics_cost`), which one worker has no reason to pay.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, start_http_server, values
from prometheus_client.core import Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from api.settings import Settings

DIRECTORY_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
DIRECTORY_PREFIX = "todo-api-metrics-"


def multiprocess_dir() -> str | None:
    """The directory this process writes its metrics to, in multiprocess mode; else None."""
    # prometheus_client chose where values live when it was imported, from the environment.
    if not getattr(values.ValueClass, "_multiprocess", False):
        return None
    return os.environ.get(DIRECTORY_VARIABLE)


def share_metrics_across_workers(settings: Settings, workers: int) -> None:
    """With more than one worker: a fresh private directory for their metrics (removed at exit),
    and METRICS_PORT served by this process, the workers' parent, which outlives them all."""
    if workers < 2 or not settings.metrics_enabled:
        return
    directory = tempfile.mkdtemp(prefix=DIRECTORY_PREFIX)  # empty, and 0700: only we read it
    os.environ[DIRECTORY_VARIABLE] = directory
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    if settings.metrics_port is not None:
        host, port = settings.metrics_host, settings.metrics_port
        try:
            server, thread = start_http_server(
                port, addr=host, registry=workers_registry(directory)
            )
        except OSError as error:
            raise SystemExit(f"Cannot serve metrics on {host}:{port}: {error.strerror}") from None
        atexit.register(_stop, server, thread)  # runs before the rmtree: registered after it


def _stop(server: WSGIServer, thread: threading.Thread) -> None:
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def workers_registry(directory: str) -> CollectorRegistry:
    """A registry of every worker's metrics, read from their files at each scrape."""
    registry = CollectorRegistry()
    registry.register(WorkersCollector(directory))
    return registry


class WorkersCollector:
    """MultiProcessCollector's sum of the workers' files, robust to two things it is not: a file
    a worker is creating (it exists empty for a moment: prometheus/client_python#1199), and a
    worker that died unannounced (uvicorn's supervisor replaces a killed worker, telling no one):
    its live gauges are dropped here."""

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def collect(self) -> Iterable[Metric]:
        for path in glob.glob(os.path.join(self.directory, "gauge_live*_*.db")):
            pid = int(path.rsplit("_", 1)[1].removesuffix(".db"))
            if not _alive(pid):
                # Another scrape may have dropped them first.
                with contextlib.suppress(FileNotFoundError):
                    mark_process_dead(pid, self.directory)  # type: ignore[no-untyped-call]
        files = [path for path in glob.glob(os.path.join(self.directory, "*.db")) if _sized(path)]
        # prometheus_client's multiprocess module carries no annotations.
        return MultiProcessCollector.merge(files)  # type: ignore[no-untyped-call,no-any-return]


def _sized(path: str) -> bool:
    try:
        return os.path.getsize(path) > 0
    except FileNotFoundError:  # a dead worker's live gauges, just dropped
        return False


def _alive(pid: int) -> bool:
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user took the number
        return True
    return True


@asynccontextmanager
async def worker_lifetime(directory: str) -> AsyncIterator[None]:
    """While a worker serves; as it stops, its pool gauges leave the sums."""
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            mark_process_dead(os.getpid(), directory)  # type: ignore[no-untyped-call]
