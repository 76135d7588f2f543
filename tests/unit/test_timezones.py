"""db.timezones: which time zone names are accepted, also where the OS has no zone database."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import resources

import pytest
from pydantic import TypeAdapter, ValidationError

from db.inputs import TimeZoneName
from db.timezones import TIME_ZONE_MAX, time_zone_name, zone

TIME_ZONE = TypeAdapter(TimeZoneName)
TZDATA_NAMES = resources.files("tzdata").joinpath("zones").read_text().split()


@pytest.mark.parametrize(
    ("name", "iana"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("AMERICA/NEW_YORK", "America/New_York"),
        (" UTC ", "UTC"),
        ("utc", "UTC"),
        ("US/Eastern", "US/Eastern"),  # a link the IANA database keeps for old names
        ("America/Argentina/ComodRivadavia", "America/Argentina/ComodRivadavia"),
    ],
)
def test_a_name_is_kept_in_its_iana_spelling(name: str, iana: str) -> None:
    assert TIME_ZONE.validate_python(name) == iana


@pytest.mark.parametrize(
    "name",
    [
        "",
        "   ",
        "Mars/Olympus_Mons",
        "Berlin",
        "localtime",  # the server's own setting, not a place
        "Factory",
        "posixrules",
        "right/Europe/Berlin",
        "posix/Europe/Berlin",
        "/usr/share/zoneinfo/UTC",
        "../../../etc/passwd",
        "Europe/../Europe/Berlin",
        "Europe/Berlin\x00",
        "Europe/Berlin/",
        "zone.tab",
        "+01:00",
        "x" * (TIME_ZONE_MAX + 1),
        None,
        1,
    ],
)
def test_anything_else_is_refused(name: object) -> None:
    with pytest.raises(ValidationError):
        TIME_ZONE.validate_python(name)


def test_the_message_says_what_a_name_looks_like() -> None:
    with pytest.raises(ValueError, match="must be an IANA time zone name, like Europe/Berlin"):
        time_zone_name("CEST")


def test_every_name_of_the_tzdata_package_is_accepted() -> None:
    assert len(TZDATA_NAMES) > 500
    refused = {name for name in TZDATA_NAMES if name != "Factory"} - {
        time_zone_name(name) for name in TZDATA_NAMES if name != "Factory"
    }
    assert refused == set()


@pytest.fixture
def no_system_zone_database() -> Iterator[None]:
    zoneinfo.reset_tzpath(to=[])
    try:
        yield
    finally:
        zoneinfo.reset_tzpath()


@pytest.mark.usefixtures("no_system_zone_database")
def test_zones_load_from_the_tzdata_package_where_the_os_has_no_database() -> None:
    berlin = zoneinfo.ZoneInfo.no_cache("Europe/Berlin")
    assert datetime(2026, 7, 1, 12, tzinfo=berlin).astimezone(UTC).hour == 10


def test_zone_loads_a_zone_by_any_accepted_spelling() -> None:
    assert zone("europe/berlin") is zoneinfo.ZoneInfo("Europe/Berlin")
