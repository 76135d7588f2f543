"""Time zones are IANA names (Europe/Berlin): which names are accepted, and loading one.

zoneinfo reads the operating system's database and falls back to the `tzdata` package, a
dependency so that a server without a database knows them too.
"""

from __future__ import annotations

import functools
import zoneinfo

DEFAULT_TIME_ZONE = "UTC"
TIME_ZONE_MAX = 64  # the longest IANA name, America/Argentina/ComodRivadavia, has 32
# Files zoneinfo lists that are not places: the server's own setting and "zone not set".
_NOT_ZONES = frozenset({"localtime", "Factory"})


@functools.cache
def _names() -> dict[str, str]:
    """Every accepted name by its lower case spelling (reading the list takes ~20 ms)."""
    return {name.lower(): name for name in zoneinfo.available_timezones() - _NOT_ZONES}


def time_zone_name(name: str) -> str:
    """The IANA spelling of `name` (matched ignoring case); ValueError for anything else."""
    found = _names().get(name.lower()) if len(name) <= TIME_ZONE_MAX else None
    if found is None:
        raise ValueError("must be an IANA time zone name, like Europe/Berlin or UTC")
    return found


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The time zone named `name` (an accepted name, as time_zone_name returns it)."""
    return zoneinfo.ZoneInfo(time_zone_name(name))
