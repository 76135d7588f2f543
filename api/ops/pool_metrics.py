"""The database pool's gauges: read at scrape time in one process, written as the pool changes
when several workers share their metrics (a scrape cannot read another worker's engine)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from prometheus_client import Gauge
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import Pool, QueuePool

POOL_GAUGES = (
    ("db_pool_size", "Connections the pool keeps open."),
    ("db_pool_checked_out", "Connections in use right now."),
    ("db_pool_overflow", "Connections open beyond the pool size."),
)


def pool_readings(pool: Pool) -> tuple[int, int, int] | None:
    """Size, checked out and overflow, in POOL_GAUGES' order; None for a pool that keeps no
    counts (NullPool, StaticPool)."""
    if not isinstance(pool, QueuePool):
        return None
    # SQLAlchemy's overflow() is negative while the pool is not full yet.
    return pool.size(), pool.checkedout(), max(pool.overflow(), 0)


class PoolCollector:
    """The engine's pool, read when Prometheus scrapes (one process)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def collect(self) -> Iterable[Metric]:
        readings = pool_readings(self.engine.pool)
        if readings is None:
            return
        for (name, documentation), reading in zip(POOL_GAUGES, readings, strict=True):
            yield GaugeMetricFamily(name, documentation, value=reading)


class PoolGauges:
    """The engine's pool, written to this worker's file on every checkout and checkin; a scrape
    sums the live workers' values (multiprocess mode "livesum": a dead worker's are dropped)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._scheduled = False
        counted = pool_readings(engine.pool) is not None
        self.gauges = [
            Gauge(name, documentation, registry=None, multiprocess_mode="livesum")
            for name, documentation in (POOL_GAUGES if counted else ())
        ]
        self._written: list[int | None] = [None] * len(self.gauges)
        if counted:
            event.listen(engine.sync_engine, "checkout", self._changed)
            event.listen(engine.sync_engine, "checkin", self._changed)
            self.refresh()

    def _changed(self, *_: object) -> None:
        # The checkin event comes before the pool takes the connection back: read once it has.
        if self._scheduled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on the event loop's thread
            self.refresh()
            return
        self._scheduled = True
        loop.call_soon(self.refresh)

    def refresh(self) -> None:
        """Write the readings that changed since the last write (each write is a file's)."""
        self._scheduled = False
        readings = pool_readings(self.engine.pool) or (0, 0, 0)
        for index, (gauge, reading) in enumerate(zip(self.gauges, readings, strict=True)):
            if self._written[index] != reading:
                gauge.set(reading)
                self._written[index] = reading
