"""db.recurrence: which rules are accepted (and in which canonical text), and the due dates
a series of recurring tasks walks through, in local time across daylight-saving changes.
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from pydantic import TypeAdapter, ValidationError

from db.errors import InvalidInput
from db.inputs import RecurrenceRule
from db.recurrence import (
    RECURRENCE_MAX,
    _stuck_without_a_day,
    next_occurrence,
    normalize_rule,
    parse_rule,
    require_due_date,
)

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
RULE = TypeAdapter(RecurrenceRule)


def walk(rule: str, first: datetime, time_zone: str = "UTC", limit: int = 8) -> list[datetime]:
    """The due dates of a series as the store makes it: one task after another, from `first`."""
    zone = ZoneInfo(time_zone)
    dues, due = [first.astimezone(UTC)], first.astimezone(UTC)
    while len(dues) < limit:
        following = next_occurrence(
            rule, due, time_zone=time_zone, start=dues[0], occurrence=len(dues)
        )
        if following is None:
            break
        assert following.tzinfo is UTC and following > due
        dues.append(following)
        due = following
    return [due.astimezone(zone) for due in dues]


def local(zone: ZoneInfo, year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone)


# --- The canonical text ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("FREQ=DAILY", "FREQ=DAILY"),
        ("freq=daily", "FREQ=DAILY"),
        ("  FREQ=WEEKLY\n", "FREQ=WEEKLY"),
        ("RRULE:FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;BYDAY=MO"),
        ("rrule:byday=fr,mo,we,mo;freq=weekly", "FREQ=WEEKLY;BYDAY=MO,WE,FR"),
        ("FREQ=DAILY;INTERVAL=1", "FREQ=DAILY"),
        ("INTERVAL=002;FREQ=MONTHLY", "FREQ=MONTHLY;INTERVAL=2"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1,15,1,15,+3,-2", "FREQ=MONTHLY;BYMONTHDAY=1,3,15,-1,-2"),
        ("FREQ=MONTHLY;BYDAY=-1FR,+1MO,1MO,-1MO", "FREQ=MONTHLY;BYDAY=-1MO,1MO,-1FR"),
        ("BYDAY=SU,SA;FREQ=YEARLY;COUNT=010", "FREQ=YEARLY;COUNT=10;BYDAY=SA,SU"),
        ("FREQ=YEARLY;BYDAY=53MO,-53SU", "FREQ=YEARLY;BYDAY=53MO,-53SU"),
        ("freq=daily;until=20261231t235959z", "FREQ=DAILY;UNTIL=20261231T235959Z"),
        (
            "BYMONTHDAY=31;INTERVAL=3;UNTIL=20301231;FREQ=MONTHLY;BYDAY=FR",
            "FREQ=MONTHLY;UNTIL=20301231;INTERVAL=3;BYDAY=FR;BYMONTHDAY=31",
        ),
    ],
)
def test_a_rule_is_stored_in_one_canonical_text(text: str, canonical: str) -> None:
    assert normalize_rule(text) == canonical
    assert normalize_rule(canonical) == canonical
    assert len(canonical) <= len(text.strip())


def test_the_pydantic_type_normalizes_and_reads_blank_as_no_recurrence() -> None:
    assert RULE.validate_python(" rrule:freq=weekly;byday=mo ") == "FREQ=WEEKLY;BYDAY=MO"
    assert RULE.validate_python("") is None
    assert RULE.validate_python("   ") is None
    assert RULE.validate_python(None) is None


@pytest.mark.parametrize("value", ["FREQ=HOURLY", "F" * (RECURRENCE_MAX + 1), 7, ["FREQ=DAILY"]])
def test_the_pydantic_type_refuses_with_a_validation_error(value: object) -> None:
    with pytest.raises(ValidationError):
        RULE.validate_python(value)


def test_the_length_cap_is_on_the_text_sent() -> None:
    longest = "FREQ=MONTHLY;BYMONTHDAY=01" + ",1" * 237
    assert len(longest) == RECURRENCE_MAX
    assert normalize_rule(longest) == "FREQ=MONTHLY;BYMONTHDAY=1"
    with pytest.raises(ValueError, match=f"at most {RECURRENCE_MAX} characters"):
        normalize_rule(longest + "0")


# --- What is refused, and the message that says why -----------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "must not be empty"),
        ("FREQ=HOURLY", "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY, not HOURLY"),
        ("FREQ=MINUTELY", "not MINUTELY"),
        ("FREQ=SECONDLY", "not SECONDLY"),
        ("FREQ=", "'FREQ=' is not a NAME=VALUE part"),
        ("FREQ", "'FREQ' is not a NAME=VALUE part"),
        ("=DAILY", "'=DAILY' is not a NAME=VALUE part"),
        ("INTERVAL=2", "FREQ is required"),
        ("FREQ=DAILY;FREQ=WEEKLY", "FREQ is given twice"),
        ("FREQ=WEEKLY;BYDAY=MO;BYDAY=TU", "BYDAY is given twice"),
        ("FREQ=DAILY;", "has an empty part"),
        (";FREQ=DAILY", "has an empty part"),
        ("FREQ=DAILY;;INTERVAL=2", "has an empty part"),
        ("FREQ=DAILY;BYSETPOS=1", "BYSETPOS is not supported: a rule may use FREQ, INTERVAL,"),
        ("FREQ=DAILY;BYHOUR=9", "BYHOUR is not supported"),
        ("FREQ=DAILY;BYMINUTE=30", "BYMINUTE is not supported"),
        ("FREQ=DAILY;BYSECOND=0", "BYSECOND is not supported"),
        ("FREQ=YEARLY;BYMONTH=3", "BYMONTH is not supported"),
        ("FREQ=YEARLY;BYYEARDAY=100", "BYYEARDAY is not supported"),
        ("FREQ=YEARLY;BYWEEKNO=20", "BYWEEKNO is not supported"),
        ("FREQ=WEEKLY;WKST=SU", "WKST is not supported"),
        ("FREQ=YEARLY;BYEASTER=0", "BYEASTER is not a rule part"),  # a dateutil extension
        ("FREQ=DAILY;X-OTHER=1", "X-OTHER is not a rule part"),
        ("FREQ=DAILY;COUNT=3;UNTIL=20300101", "COUNT and UNTIL cannot both end a series"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be a whole number from 1 to 1000, not 0"),
        ("FREQ=DAILY;INTERVAL=-1", "INTERVAL must be a whole number from 1 to 1000, not -1"),
        ("FREQ=DAILY;INTERVAL=+2", "not +2"),
        ("FREQ=DAILY;INTERVAL=1001", "not 1001"),
        ("FREQ=YEARLY;INTERVAL=99999999999999999999", "not 99999999999999999999"),
        ("FREQ=DAILY;INTERVAL=1.5", "not 1.5"),
        ("FREQ=DAILY;INTERVAL=TWO", "not TWO"),
        ("FREQ=DAILY;COUNT=0", "COUNT must be a whole number from 1 to 10000, not 0"),
        ("FREQ=DAILY;COUNT=10001", "not 10001"),
        ("FREQ=DAILY;UNTIL=2026-12-31", "UNTIL must be a date (YYYYMMDD) or a UTC date-time"),
        ("FREQ=DAILY;UNTIL=20261231T235959", "not 20261231T235959"),  # local, not UTC
        ("FREQ=DAILY;UNTIL=20260230", "not 20260230"),
        ("FREQ=DAILY;UNTIL=00000101", "not 00000101"),
        ("FREQ=DAILY;UNTIL=20261231T240000Z", "not 20261231T240000Z"),
        ("FREQ=DAILY;UNTIL=20261231T235960Z", "not 20261231T235960Z"),
        ("FREQ=DAILY;UNTIL=TOMORROW", "not TOMORROW"),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY takes MO, TU, WE, TH, FR, SA or SU, not XX"),
        ("FREQ=WEEKLY;BYDAY=MO,,TU", "BYDAY takes MO, TU, WE, TH, FR, SA or SU, not ''"),
        ("FREQ=WEEKLY;BYDAY=MONDAY", "not MONDAY"),
        ("FREQ=MONTHLY;BYDAY=MO(+1)", "not MO(+1)"),  # dateutil's own spelling
        ("FREQ=WEEKLY;BYDAY=1MO", "BYDAY ordinals like 1MO need FREQ=MONTHLY or YEARLY"),
        ("FREQ=DAILY;BYDAY=-1FR", "BYDAY ordinals like -1FR need FREQ=MONTHLY or YEARLY"),
        ("FREQ=MONTHLY;BYDAY=0MO", "BYDAY ordinals go from 1 to 5 or -5 to -1 with FREQ=MONTHLY"),
        ("FREQ=MONTHLY;BYDAY=6MO", "not 6MO"),
        ("FREQ=MONTHLY;BYDAY=-6FR", "not -6FR"),
        ("FREQ=YEARLY;BYDAY=54MO", "from 1 to 53 or -53 to -1 with FREQ=YEARLY, not 54MO"),
        ("FREQ=YEARLY;BYDAY=100MO", "not 100MO"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY takes 1 to 31 or -31 to -1 (the last day)"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "not 32"),
        ("FREQ=MONTHLY;BYMONTHDAY=-32", "not -32"),
        ("FREQ=MONTHLY;BYMONTHDAY=1.5", "not 1.5"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,", "not ''"),
        ("FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY cannot be used with FREQ=WEEKLY"),
        ("FREQ=DAILY;INTERVAL=2;BYDAY=MO", "INTERVAL above 1 cannot have BYDAY or BYMONTHDAY"),
        ("FREQ=DAILY;INTERVAL=7;BYMONTHDAY=31", "INTERVAL above 1 cannot have BYDAY"),
        ("FREQ=MONTHLY;BYDAY=MO,1SU", "BYDAY cannot mix weekdays with and without ordinals"),
        ("FREQ=YEARLY;BYDAY=-1SU,TU", "BYDAY cannot mix weekdays with and without ordinals"),
        ("FREQ=MONTHLY;BYDAY=1MO;BYMONTHDAY=20", "ordinals like 1MO cannot be combined"),
        ("FREQ=YEARLY;BYDAY=-1SU;BYMONTHDAY=1", "ordinals like 1MO cannot be combined"),
        ("DTSTART:20260101T090000Z", "must be the rule alone, no DTSTART"),
        ("RRULE:RRULE:FREQ=DAILY", "must be the rule alone"),
        ("EXRULE:FREQ=DAILY", "must be the rule alone"),
        ("DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY", "must be one line of ASCII without spaces"),
        ("FREQ=WEEKLY; BYDAY=MO", "must be one line of ASCII without spaces"),
        ("FREQ=DAILY\x00", "must be one line of ASCII"),
        ("freq=da\u0131ly", "must be one line of ASCII"),  # dotless i: upper() gives DAILY
        ("FREQ=DA\u0130LY", "must be one line of ASCII"),
        ("FREQ=DAILY;INTERVAL=\uff12", "must be one line of ASCII"),  # a full-width digit two
    ],
)
def test_a_rule_outside_the_subset_is_refused_saying_which_part_and_why(
    text: str, message: str
) -> None:
    with pytest.raises(ValueError) as refused:
        normalize_rule(text)
    assert message.replace("'", "") in str(refused.value)


def test_a_message_shows_at_most_20_characters_of_the_clients_text() -> None:
    with pytest.raises(ValueError) as refused:
        normalize_rule("FREQ=" + "X" * 400)
    assert str(refused.value) == (
        "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY, not XXXXXXXXXXXXXXXXXXXX..."
    )


def test_the_pydantic_type_says_why_too() -> None:
    with pytest.raises(ValidationError) as refused:
        RULE.validate_python("FREQ=DAILY;BYSETPOS=1")
    assert "BYSETPOS is not supported" in refused.value.errors()[0]["msg"]


def _random_rule(draw: random.Random) -> str:
    """Rule parts, most of them plausible, some not, in any order and case, sometimes damaged."""
    values = {
        "FREQ": ["DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY", ""],
        "INTERVAL": ["1", "2", "7", "12", "28", "1000", "0", "-3", "x"],
        "BYDAY": ["MO", "SU,SA", "MO,TU,WE,TH,FR", "1MO", "-1FR", "5TH", "53SA", "-53MO", "6MO"],
        "BYMONTHDAY": ["1", "31", "-1", "-31", "30,31", "15,1", "29", "0", "32"],
        "COUNT": ["1", "2", "10", "10000", "0"],
        "UNTIL": ["20261231", "20270101T000000Z", "99991231", "00010101", "20260229"],
        "BYSETPOS": ["1"],
        "WKST": ["SU"],
    }
    names = draw.sample(list(values), draw.randint(1, 4))
    if "FREQ" not in names and draw.random() < 0.9:
        names.append("FREQ")
    draw.shuffle(names)
    text = ";".join(f"{name}={draw.choice(values[name])}" for name in names)
    text = text.lower() if draw.random() < 0.2 else text
    text = "RRULE:" + text if draw.random() < 0.2 else text
    if draw.random() < 0.2:
        at = draw.randrange(len(text) + 1)
        text = text[:at] + draw.choice(";,=:+- \x00\u0131x9") + text[at + 1 :]
    return text


def test_random_rules_are_refused_with_a_value_error_or_stored_and_evaluated() -> None:
    """Hostile input: whatever is accepted is canonical and has a next date or an end."""
    draw = random.Random(14)
    accepted = set()
    for _ in range(3000):
        text = _random_rule(draw)
        try:
            canonical = normalize_rule(text)
        except ValueError:
            continue
        accepted.add(canonical)
        assert normalize_rule(canonical) == canonical
        assert len(canonical) <= len(text)
        time_zone = draw.choice(["UTC", "Europe/Berlin", "America/New_York", "Pacific/Kiritimati"])
        anywhen = datetime.fromordinal(draw.randint(1, datetime.max.toordinal())).replace(
            hour=draw.randrange(24), tzinfo=UTC
        )
        for due in (
            datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
            datetime.max.replace(tzinfo=UTC),
            anywhen,
        ):
            following = next_occurrence(canonical, due, time_zone=time_zone)
            assert following is None or (following > due and following.tzinfo is UTC)
    assert len(accepted) > 100


# --- Series: when the next occurrence is due -------------------------------------------------


def test_every_monday_at_9_in_berlin_stays_9_across_both_daylight_saving_changes() -> None:
    spring = walk("FREQ=WEEKLY;BYDAY=MO", local(BERLIN, 2026, 3, 16, 9), "Europe/Berlin", 4)
    assert spring == [
        local(BERLIN, 2026, month, day, 9) for month, day in [(3, 16), (3, 23), (3, 30), (4, 6)]
    ]
    assert [due.astimezone(UTC).hour for due in spring] == [8, 8, 7, 7]  # 2026-03-29
    autumn = walk("FREQ=WEEKLY;BYDAY=MO", local(BERLIN, 2026, 10, 19, 9), "Europe/Berlin", 3)
    assert autumn == [
        local(BERLIN, 2026, 10, 19, 9),
        local(BERLIN, 2026, 10, 26, 9),
        local(BERLIN, 2026, 11, 2, 9),
    ]
    assert [due.astimezone(UTC).hour for due in autumn] == [7, 8, 8]  # 2026-10-25


def test_every_day_at_9_in_new_york_stays_9_across_both_daylight_saving_changes() -> None:
    spring = walk("FREQ=DAILY", local(NEW_YORK, 2026, 3, 7, 9), "America/New_York", 3)
    assert [(due.day, due.hour, due.astimezone(UTC).hour) for due in spring] == [
        (7, 9, 14),
        (8, 9, 13),
        (9, 9, 13),  # 2026-03-08
    ]
    autumn = walk("FREQ=DAILY", local(NEW_YORK, 2026, 10, 31, 9), "America/New_York", 3)
    assert [(due.day, due.hour, due.astimezone(UTC).hour) for due in autumn] == [
        (31, 9, 13),
        (1, 9, 14),
        (2, 9, 14),  # 2026-11-01
    ]


def test_the_same_rule_in_utc_keeps_the_utc_hour_instead() -> None:
    first = local(NEW_YORK, 2026, 3, 7, 9).astimezone(UTC)
    assert [due.hour for due in walk("FREQ=DAILY", first, "UTC", 3)] == [14, 14, 14]


def test_a_time_in_the_spring_gap_is_read_as_before_it_and_the_series_keeps_its_time() -> None:
    dues = walk("FREQ=DAILY", local(BERLIN, 2026, 3, 28, 2, 30), "Europe/Berlin", 3)
    # 02:30 on 2026-03-29 does not exist in Berlin: RFC 5545 reads it as 02:30+01:00 (03:30).
    assert [due.astimezone(UTC) for due in dues] == [
        datetime(2026, 3, 28, 1, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        datetime(2026, 3, 30, 0, 30, tzinfo=UTC),  # 02:30 again, now CEST
    ]
    # Without the series' start, the 03:30 of the gap day would become the series' time.
    drifted = next_occurrence("FREQ=DAILY", dues[1], time_zone="Europe/Berlin", occurrence=2)
    assert drifted == datetime(2026, 3, 30, 1, 30, tzinfo=UTC)


def test_a_time_that_happens_twice_in_autumn_is_the_first_of_the_two() -> None:
    dues = walk("FREQ=DAILY", local(NEW_YORK, 2026, 10, 31, 1, 30), "America/New_York", 3)
    assert [due.astimezone(UTC) for due in dues] == [
        datetime(2026, 10, 31, 5, 30, tzinfo=UTC),
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # 01:30 EDT, not 01:30 EST an hour later
        datetime(2026, 11, 2, 6, 30, tzinfo=UTC),
    ]


@pytest.mark.parametrize("rule", ["FREQ=MONTHLY", "FREQ=MONTHLY;BYMONTHDAY=31"])
def test_monthly_on_the_31st_skips_the_months_without_one(rule: str) -> None:
    dues = walk(rule, datetime(2026, 1, 31, 9, tzinfo=UTC), limit=7)
    assert [(due.month, due.day) for due in dues] == [
        (1, 31),
        (3, 31),
        (5, 31),
        (7, 31),
        (8, 31),
        (10, 31),
        (12, 31),
    ]


def test_bymonthday_minus_one_is_the_last_day_of_each_month() -> None:
    dues = walk("FREQ=MONTHLY;BYMONTHDAY=-1", datetime(2027, 12, 31, 9, tzinfo=UTC), limit=5)
    assert [due.date().isoformat() for due in dues] == [
        "2027-12-31",
        "2028-01-31",
        "2028-02-29",
        "2028-03-31",
        "2028-04-30",
    ]


@pytest.mark.parametrize(
    ("rule", "first", "expected"),
    [
        ("FREQ=DAILY;INTERVAL=3", "2026-01-30", ["2026-02-02", "2026-02-05"]),
        ("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "2026-01-08", ["2026-01-09", "2026-01-12"]),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "2026-01-05", ["2026-01-08", "2026-01-19"]),
        ("FREQ=WEEKLY;BYDAY=MO", "2026-01-07", ["2026-01-12", "2026-01-19"]),  # from a Wednesday
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,SU", "2026-01-05", ["2026-01-11", "2026-01-19"]),
        ("FREQ=MONTHLY;BYDAY=-1FR", "2026-01-30", ["2026-02-27", "2026-03-27"]),
        ("FREQ=MONTHLY;BYDAY=2TU", "2026-01-13", ["2026-02-10", "2026-03-10"]),
        ("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", "2026-02-13", ["2026-03-13", "2026-11-13"]),
        ("FREQ=MONTHLY;INTERVAL=2", "2026-01-31", ["2026-03-31", "2026-05-31"]),
        ("FREQ=MONTHLY;BYMONTHDAY=1,15", "2026-01-15", ["2026-02-01", "2026-02-15"]),
        ("FREQ=YEARLY", "2028-02-29", ["2032-02-29", "2036-02-29"]),
        ("FREQ=YEARLY;BYDAY=-1MO", "2026-12-28", ["2027-12-27", "2028-12-25"]),
        ("FREQ=YEARLY;BYMONTHDAY=1", "2026-01-01", ["2026-02-01", "2026-03-01"]),  # per month
    ],
)
def test_next_dates(rule: str, first: str, expected: list[str]) -> None:
    dues = walk(rule, datetime.fromisoformat(f"{first}T08:15:00+00:00"), limit=3)
    assert [due.date().isoformat() for due in dues] == [first, *expected]
    assert {due.time().isoformat() for due in dues} == {"08:15:00"}


def test_count_counts_the_tasks_of_the_series() -> None:
    first = datetime(2026, 1, 1, 9, tzinfo=UTC)
    assert len(walk("FREQ=DAILY;COUNT=3", first)) == 3
    assert walk("FREQ=DAILY;COUNT=1", first) == [first]
    assert next_occurrence("FREQ=DAILY;COUNT=3", first, occurrence=3) is None
    assert next_occurrence("FREQ=DAILY;COUNT=3", first, occurrence=2) is not None


def test_a_first_due_date_the_rule_would_not_produce_is_still_the_first_of_count() -> None:
    wednesday = datetime(2026, 1, 7, 9, tzinfo=UTC)
    dues = walk("FREQ=WEEKLY;BYDAY=MO;COUNT=3", wednesday)
    assert [due.date().isoformat() for due in dues] == ["2026-01-07", "2026-01-12", "2026-01-19"]


def test_until_in_utc_includes_an_occurrence_at_that_instant_and_ends_after_it() -> None:
    first = datetime(2026, 1, 1, 9, tzinfo=UTC)
    assert len(walk("FREQ=DAILY;UNTIL=20260103T090000Z", first)) == 3
    assert len(walk("FREQ=DAILY;UNTIL=20260103T085959Z", first)) == 2
    assert walk("FREQ=DAILY;UNTIL=20251231T000000Z", first) == [first]


def test_until_as_a_date_is_the_last_local_day_in_the_tasks_time_zone() -> None:
    los_angeles = ZoneInfo("America/Los_Angeles")
    dues = walk("FREQ=DAILY;UNTIL=20260103", local(los_angeles, 2026, 1, 1, 20), los_angeles.key)
    # 20:00 in Los Angeles is the next day in UTC; the local day is what UNTIL means.
    assert [due.date().isoformat() for due in dues] == ["2026-01-01", "2026-01-02", "2026-01-03"]
    assert dues[-1].astimezone(UTC).date().isoformat() == "2026-01-04"


def test_the_time_of_day_keeps_its_microseconds_and_a_naive_due_date_is_utc() -> None:
    due = datetime(2026, 1, 1, 9, 0, 0, 123456)
    assert next_occurrence("FREQ=DAILY", due) == datetime(2026, 1, 2, 9, 0, 0, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    ("rule", "due", "time_zone"),
    [
        ("FREQ=YEARLY", datetime(9999, 6, 1, tzinfo=UTC), "UTC"),
        ("FREQ=YEARLY;INTERVAL=1000", datetime(9500, 1, 1, tzinfo=UTC), "UTC"),
        ("FREQ=DAILY", datetime(9999, 12, 31, tzinfo=UTC), "UTC"),
        ("FREQ=WEEKLY", datetime(9999, 12, 25, tzinfo=UTC), "UTC"),  # dateutil: year 10000
        ("FREQ=WEEKLY;BYDAY=SU", datetime(9999, 12, 31, tzinfo=UTC), "UTC"),
        ("FREQ=DAILY", datetime(9999, 12, 31, tzinfo=UTC), "America/New_York"),  # > 9999 in UTC
        ("FREQ=DAILY", datetime(1, 1, 1, tzinfo=UTC), "America/New_York"),  # < 1 locally
    ],
)
def test_a_series_ends_where_the_calendar_does(rule: str, due: datetime, time_zone: str) -> None:
    assert next_occurrence(rule, due, time_zone=time_zone) is None


@pytest.mark.parametrize(
    ("rule", "first"),
    [
        ("FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=31", "2026-02-02"),  # always February
        ("FREQ=MONTHLY;INTERVAL=24;BYMONTHDAY=30,-31", "2026-02-02"),
        ("FREQ=MONTHLY;INTERVAL=12;BYDAY=MO;BYMONTHDAY=31", "2026-04-01"),  # always April
        ("FREQ=MONTHLY;INTERVAL=24;BYMONTHDAY=29", "2027-02-01"),  # odd years: never leap
        ("FREQ=MONTHLY;INTERVAL=48;BYMONTHDAY=-29", "2026-02-01"),
        ("FREQ=MONTHLY;INTERVAL=24;BYDAY=5SU,-5MO", "2027-02-01"),  # a 5th needs February 29
    ],
)
def test_an_accepted_rule_without_a_day_in_its_only_month_ends_the_series(
    rule: str, first: str
) -> None:
    assert walk(rule, datetime.fromisoformat(f"{first}T09:00:00+00:00")) == [
        datetime.fromisoformat(f"{first}T09:00:00+00:00")
    ]


def test_the_shortcut_for_one_month_rules_agrees_with_python_dateutil() -> None:
    """Without days, a rule kept to one month ends its series at once (dateutil would take
    ~100 ms to find none); with some, dateutil finds the next one (quickly)."""
    stuck = []
    for interval, parts, month, year in itertools.product(
        (12, 24, 36, 48, 120),
        (
            "BYMONTHDAY=28",
            "BYMONTHDAY=29",
            "BYMONTHDAY=30,31",
            "BYMONTHDAY=-29",
            "BYDAY=5SU",
            "BYDAY=-5MO,4TU",
            "BYDAY=-5MO,5SU",
            "BYDAY=MO;BYMONTHDAY=31",
            "BYDAY=SU;BYMONTHDAY=29",
        ),
        range(1, 13),
        (2026, 2027, 2028),
    ):
        rule = parse_rule(f"FREQ=MONTHLY;INTERVAL={interval};{parts}")
        first = datetime(year, month, 1, 9)
        if _stuck_without_a_day(rule, first.date()):
            stuck.append((rule, first))
        else:
            assert rrulestr(rule.text(), dtstart=first).after(first) is not None, (rule, first)
    assert len(stuck) > 100
    for rule, first in random.Random(14).sample(stuck, 3):
        assert rrulestr(rule.text(), dtstart=first).after(first) is None, (rule, first)


@pytest.mark.parametrize(
    ("rule", "first", "expected"),
    [
        ("FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=29", "2027-02-01", "2028-02-29"),
        ("FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=31", "2026-03-01", "2026-03-31"),
        ("FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=-29", "2026-02-01", "2028-02-01"),
        ("FREQ=MONTHLY;INTERVAL=12", "2028-02-29", "2032-02-29"),
        ("FREQ=MONTHLY;INTERVAL=24;BYMONTHDAY=29", "2026-02-01", "2028-02-29"),
        ("FREQ=MONTHLY;INTERVAL=24;BYDAY=5SU", "2026-02-01", "2032-02-29"),
        ("FREQ=MONTHLY;INTERVAL=12;BYDAY=5SU,1MO", "2026-02-01", "2026-02-02"),
        ("FREQ=MONTHLY;INTERVAL=12;BYDAY=-5FR", "2026-01-01", "2026-01-02"),
    ],
)
def test_a_rule_kept_to_one_month_finds_its_days_there(
    rule: str, first: str, expected: str
) -> None:
    dues = walk(rule, datetime.fromisoformat(f"{first}T09:00:00+00:00"), limit=2)
    assert [due.date().isoformat() for due in dues] == [first, expected]


def test_an_occurrence_counts_from_one_and_a_time_zone_must_be_known() -> None:
    due = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="count from 1"):
        next_occurrence("FREQ=DAILY", due, occurrence=0)
    with pytest.raises(ValueError, match="IANA time zone name"):
        next_occurrence("FREQ=DAILY", due, time_zone="Mars/Olympus_Mons")


def test_a_recurring_task_needs_a_due_date() -> None:
    with pytest.raises(InvalidInput) as refused:
        require_due_date("FREQ=DAILY", None)
    assert (refused.value.field, refused.value.reason) == (
        "due_date",
        "is required for a recurring task",
    )
    require_due_date("FREQ=DAILY", datetime(2026, 1, 1, tzinfo=UTC))
    require_due_date(None, None)
