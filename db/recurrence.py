"""Recurring tasks: what a recurrence rule may be, and when the next occurrence is due.

A rule is a subset of RFC 5545's RRULE: FREQ (DAILY, WEEKLY, MONTHLY or YEARLY), INTERVAL,
BYDAY, BYMONTHDAY, and COUNT or UNTIL. It is kept in one canonical text: upper case, without the
"RRULE:" that calendar libraries put in front (accepted), parts in the RFC's grammar order with
FREQ first, lists sorted without repeats, INTERVAL=1 left out. Two combinations the RFC allows
are refused, because they can describe no day at all, and python-dateutil finds that out only
by walking the calendar to the year 9999 (close to a second): INTERVAL above 1 with BYDAY or
BYMONTHDAY under FREQ=DAILY, and BYDAY ordinals (1MO) together with BYMONTHDAY. BYDAY may not
mix weekdays with and without ordinals (MO,1SU): dateutil reads that as days that are both.

Each occurrence is a task. The next one is the rule's first occurrence after the current due
date, evaluated in local time in the task's time zone, at the local time of day of the series'
start (its first due date): a 02:30 that fell into a daylight-saving gap (then 03:30) stays
02:30 afterwards. A local time that does not exist or exists twice is read as RFC 5545 says
(the offset before the gap; the first of the two). COUNT counts tasks: the current task's place
in the series (1 for the first) ends it, so the first due date is the first occurrence even when
the rule would not produce it, as in the RFC.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from dateutil.rrule import rrulestr

from db.errors import InvalidInput
from db.timestamps import as_utc
from db.timezones import DEFAULT_TIME_ZONE, zone

RECURRENCE_MAX = 500  # a canonical rule is never longer than the text it came from
INTERVAL_MAX = 1000
COUNT_MAX = 10_000
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
PARTS = ("FREQ", "UNTIL", "COUNT", "INTERVAL", "BYDAY", "BYMONTHDAY")  # the RFC's order
# The rest of RFC 5545's parts, refused with "is not supported" (others are unknown).
_OTHER_RFC_PARTS = frozenset(
    ("BYSECOND", "BYMINUTE", "BYHOUR", "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST")
)
_ORDINAL_MAX = {"MONTHLY": 5, "YEARLY": 53}  # weeks in a month, in a year
_TEXT = re.compile(r"[\x21-\x7e]+")
_WHOLE = re.compile(r"[0-9]{1,9}")
_WEEKDAY = re.compile(r"([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_MONTH_DAY = re.compile(r"[+-]?[0-9]{1,2}")
_UNTIL = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})(?:T([0-9]{2})([0-9]{2})([0-9]{2})Z)?")
_PROBE = datetime(2026, 1, 1, 9)  # a start to read a rule against (any will do)


@dataclass(frozen=True)
class Rule:
    """A rule of the subset, its lists in canonical order; `until` is a date or aware UTC."""

    freq: str
    interval: int = 1
    byday: tuple[str, ...] = ()
    bymonthday: tuple[int, ...] = ()
    count: int | None = None
    until: date | datetime | None = None

    def text(self, *, bounds: bool = True) -> str:
        """The canonical text; without COUNT and UNTIL when `bounds` is false."""
        parts = [f"FREQ={self.freq}"]
        if bounds and self.until is not None:
            parts.append(f"UNTIL={_until_text(self.until)}")
        if bounds and self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.byday:
            parts.append("BYDAY=" + ",".join(self.byday))
        if self.bymonthday:
            parts.append("BYMONTHDAY=" + ",".join(map(str, self.bymonthday)))
        return ";".join(parts)


def parse_rule(text: str) -> Rule:
    """The rule `text` states; ValueError saying which part is refused and why."""
    text = text.strip()
    if not text:
        raise ValueError("must not be empty")
    if len(text) > RECURRENCE_MAX:
        raise ValueError(f"must be at most {RECURRENCE_MAX} characters")
    if not _TEXT.fullmatch(text):
        raise ValueError("must be one line of ASCII without spaces, like FREQ=WEEKLY;BYDAY=MO")
    body = text.upper().removeprefix("RRULE:")
    if ":" in body:
        raise ValueError("must be the rule alone, no DTSTART: the series starts at the due date")
    parts = _parts(body)
    if "FREQ" not in parts:
        raise ValueError("FREQ is required, like FREQ=WEEKLY")
    freq = parts["FREQ"]
    if freq not in FREQUENCIES:
        raise ValueError(f"FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY, not {_shown(freq)}")
    if "COUNT" in parts and "UNTIL" in parts:
        raise ValueError("COUNT and UNTIL cannot both end a series (RFC 5545): keep one")
    rule = Rule(
        freq=freq,
        interval=_whole("INTERVAL", parts.get("INTERVAL", "1"), INTERVAL_MAX),
        byday=_weekdays(parts["BYDAY"], freq) if "BYDAY" in parts else (),
        bymonthday=_month_days(parts["BYMONTHDAY"], freq) if "BYMONTHDAY" in parts else (),
        count=_whole("COUNT", parts["COUNT"], COUNT_MAX) if "COUNT" in parts else None,
        until=_until(parts["UNTIL"]) if "UNTIL" in parts else None,
    )
    _check_combination(rule)
    return rule


def normalize_rule(text: str) -> str:
    """The canonical text of the rule `text`; ValueError saying which part is refused and why."""
    rule = parse_rule(text)
    # python-dateutil evaluates rules: it must read every canonical one (with an UNTIL in UTC,
    # only against a start in a time zone).
    utc = isinstance(rule.until, datetime)
    rrulestr(rule.text(), dtstart=_PROBE.replace(tzinfo=UTC) if utc else _PROBE)
    return rule.text()


def require_due_date(recurrence: str | None, due_date: datetime | None) -> None:
    """InvalidInput when a task would recur without a due date (its series starts there)."""
    if recurrence is not None and due_date is None:
        raise InvalidInput("due_date", "is required for a recurring task")


def next_occurrence(
    rule: str,
    due: datetime,
    *,
    time_zone: str = DEFAULT_TIME_ZONE,
    start: datetime | None = None,
    occurrence: int = 1,
) -> datetime | None:
    """The due date (aware UTC) after `due` in the series, or None once the series has ended.

    `start` is the series' first due date (default `due`), `occurrence` the current task's place
    in the series (1 for the first); see the module's docstring.
    """
    if occurrence < 1:
        raise ValueError("occurrences count from 1")
    parsed = parse_rule(rule)
    if parsed.count is not None and occurrence >= parsed.count:
        return None
    tz = zone(time_zone)
    try:
        local_due = as_utc(due).astimezone(tz)
        local_start = as_utc(due if start is None else start).astimezone(tz)
    except OverflowError:  # within a day of the years 1 and 9999
        return None
    current = datetime.combine(local_due.date(), local_start.time().replace(microsecond=0, fold=0))
    if _stuck_without_a_day(parsed, current.date()):
        return None
    following = _after(parsed, current)
    if following is None:
        return None
    local = following.replace(microsecond=local_start.microsecond, tzinfo=tz)
    try:
        utc = local.astimezone(UTC)
    except OverflowError:
        return None
    return utc if _within(parsed.until, local, utc) else None


def _after(rule: Rule, current: datetime) -> datetime | None:
    """The rule's first local time after `current` (naive), None past the year 9999."""
    # The start matters only as a time of day here: the phase of INTERVAL and the days that
    # FREQ alone implies (WEEKLY on the start's weekday...) are the current occurrence's.
    try:
        return rrulestr(f"{rule.text(bounds=False)};WKST=MO", dtstart=current).after(current)
    except ValueError:
        if current.year < 9999:
            raise
        return None  # dateutil's weeks at the end of 9999 run into the year 10000


def _stuck_without_a_day(rule: Rule, day: date) -> bool:
    """Whether a MONTHLY rule kept to one month (INTERVAL a multiple of 12) names no day that
    month has in the years it reaches: BYMONTHDAY=31 in April, 29 or 5SU in February of no
    leap year. The accepted rules with no occurrence at all that would cost dateutil the most
    to find out: it looks up to the year 9999 (~100 ms).
    """
    if rule.freq != "MONTHLY" or rule.interval % 12:
        return False
    longest = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[day.month - 1]
    if day.month == 2 and day.year % math.gcd(rule.interval // 12, 4):
        longest = 28  # years apart by a multiple of 4 (or 2) from a year that is not leap
    if rule.bymonthday:
        return all(abs(number) > longest for number in rule.bymonthday)
    fifths = [weekday for weekday in rule.byday if weekday[:-2] in ("5", "-5")]
    return longest < 29 and bool(fifths) and len(fifths) == len(rule.byday)


def _within(until: date | datetime | None, local: datetime, utc: datetime) -> bool:
    """Whether an occurrence is on or before UNTIL: a date in local time, a date-time in UTC."""
    if isinstance(until, datetime):
        return utc <= until
    return until is None or local.date() <= until


def _parts(body: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for item in body.split(";"):
        name, equals, value = item.partition("=")
        if not item:
            raise ValueError("has an empty part: a ';' at the end or two in a row")
        if not (name and equals and value):
            raise ValueError(f"{_shown(item)} is not a NAME=VALUE part")
        if name not in PARTS:
            raise ValueError(_unsupported(name))
        if name in parts:
            raise ValueError(f"{name} is given twice")
        parts[name] = value
    return parts


def _unsupported(name: str) -> str:
    if name in _OTHER_RFC_PARTS:
        why = f"{name} is not supported"
    else:
        why = f"{_shown(name)} is not a rule part"
    return f"{why}: a rule may use FREQ, INTERVAL, BYDAY, BYMONTHDAY, COUNT and UNTIL"


def _shown(value: str) -> str:
    """A piece of the client's rule for a message: at most 20 characters of it."""
    return value if len(value) <= 20 else value[:20] + "..."


def _whole(name: str, value: str, maximum: int) -> int:
    number = int(value) if _WHOLE.fullmatch(value) else 0
    if not 1 <= number <= maximum:
        raise ValueError(f"{name} must be a whole number from 1 to {maximum}, not {_shown(value)}")
    return number


def _weekdays(value: str, freq: str) -> tuple[str, ...]:
    days: set[tuple[int, int]] = set()  # (weekday, ordinal or 0)
    for item in value.split(","):
        match = _WEEKDAY.fullmatch(item)
        if match is None:
            raise ValueError(f"BYDAY takes MO, TU, WE, TH, FR, SA or SU, not {_shown(item)}")
        ordinal = int(match[1] or 0)
        limit = _ORDINAL_MAX.get(freq, 0)
        if match[1] is not None and not limit:
            raise ValueError(f"BYDAY ordinals like {_shown(item)} need FREQ=MONTHLY or YEARLY")
        if match[1] is not None and not 1 <= abs(ordinal) <= limit:
            raise ValueError(
                f"BYDAY ordinals go from 1 to {limit} or -{limit} to -1 with FREQ={freq}, "
                f"not {_shown(item)}"
            )
        days.add((WEEKDAYS.index(match[2]), ordinal))
    if len({ordinal == 0 for _, ordinal in days}) > 1:
        raise ValueError(
            "BYDAY cannot mix weekdays with and without ordinals, like MO,1SU "
            "(python-dateutil reads that as days that are both)"
        )
    return tuple(f"{ordinal or ''}{WEEKDAYS[weekday]}" for weekday, ordinal in sorted(days))


def _month_days(value: str, freq: str) -> tuple[int, ...]:
    if freq == "WEEKLY":
        raise ValueError("BYMONTHDAY cannot be used with FREQ=WEEKLY (RFC 5545)")
    days: set[int] = set()
    for item in value.split(","):
        day = int(item) if _MONTH_DAY.fullmatch(item) else 0
        if not 1 <= abs(day) <= 31:
            raise ValueError(
                f"BYMONTHDAY takes 1 to 31 or -31 to -1 (the last day), not {_shown(item)}"
            )
        days.add(day)
    return tuple(sorted(days, key=lambda day: (day < 0, abs(day))))


def _until(value: str) -> date | datetime:
    match = _UNTIL.fullmatch(value)
    numbers = [int(part) for part in match.groups() if part] if match else []
    try:
        if len(numbers) == 3:
            return date(*numbers)
        if len(numbers) == 6:
            year, month, day, hour, minute, second = numbers
            return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:  # not a day or time of the calendar
        pass
    raise ValueError(
        "UNTIL must be a date (YYYYMMDD) or a UTC date-time (YYYYMMDDTHHMMSSZ), "
        f"not {_shown(value)}"
    )


def _until_text(until: date | datetime) -> str:
    day = f"{until.year:04}{until.month:02}{until.day:02}"
    if isinstance(until, datetime):
        return f"{day}T{until.hour:02}{until.minute:02}{until.second:02}Z"
    return day


def _check_combination(rule: Rule) -> None:
    """Refuse the combinations that can describe no day at all (see the module's docstring)."""
    if rule.freq == "DAILY" and rule.interval > 1 and (rule.byday or rule.bymonthday):
        raise ValueError(
            "FREQ=DAILY with an INTERVAL above 1 cannot have BYDAY or BYMONTHDAY "
            "(such a rule can match no day); use FREQ=WEEKLY or MONTHLY"
        )
    if rule.bymonthday and any(not day.isalpha() for day in rule.byday):
        raise ValueError(
            "BYDAY ordinals like 1MO cannot be combined with BYMONTHDAY "
            "(such a rule can match no day)"
        )
