"""The database pool's gauges: read at scrape time in one process, written after each request
when several workers share their metrics (a scrape cannot read another worker's pool)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import Gauge
from prometheus_client.core import GaugeMetricFamily, Metric

POOL_GAUGES = (
    ("db_pool_size", "Connections the pool keeps open."),
    ("db_pool_checked_out", "Connections in use right now."),
    ("db_pool_overflow", "Connections open beyond the pool size."),
)


PoolReadings = Callable[[], tuple[int, int, int] | None]
"""Size, checked out and overflow, in POOL_GAUGES' order (db.store.Store.pool_readings); None
for a pool that keeps no counts."""


class PoolCollector:
    """The store's pool, read when Prometheus scrapes (one process)."""

    def __init__(self, readings: PoolReadings) -> None:
        self.readings = readings

    def collect(self) -> Iterable[Metric]:
        readings = self.readings()
        if readings is None:
            return
        for (name, documentation), reading in zip(POOL_GAUGES, readings, strict=True):
            yield GaugeMetricFamily(name, documentation, value=reading)


class PoolGauges:
    """The store's pool, written to this worker's file after each request when it changed; a
    scrape sums the live workers' values (multiprocess mode "livesum": a dead worker's are
    dropped)."""

    def __init__(self, readings: PoolReadings) -> None:
        self.readings = readings
        counted = readings() is not None
        self.gauges = [
            Gauge(name, documentation, registry=None, multiprocess_mode="livesum")
            for name, documentation in (POOL_GAUGES if counted else ())
        ]
        self._written: list[int | None] = [None] * len(self.gauges)
        if counted:
            self.refresh()

    def refresh(self) -> None:
        """Write the readings that changed since the last write (each write is a file's)."""
        readings = self.readings() or (0, 0, 0)
        for index, (gauge, reading) in enumerate(zip(self.gauges, readings, strict=True)):
            if self._written[index] != reading:
                gauge.set(reading)
                self._written[index] = reading
