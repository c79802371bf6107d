"""Date formats for pages and feeds, all in UTC and independent of the machine's locale.

The home page groups by UTC day, so every date a reader sees is UTC too; a date shown in one zone
and grouped in another would put a story under the wrong day. Month and day names come from
tables here, not from `strftime("%B")`, whose output depends on the locale of the build machine.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CACHED = 65536  # formatted instants kept (`rfc3339`...): more than a site's stories


def to_utc(moment: datetime) -> datetime:
    """The same instant in UTC; naive datetimes are refused (their zone is unknown)."""
    if moment.tzinfo is UTC:  # the usual case: views hold UTC datetimes
        return moment
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: a timezone is required")
    return moment.astimezone(UTC)


# The formats of an instant in UTC are cached: a page shows a story's date more than once, and
# a copy's date is mostly its story's. Equal datetimes are the same instant, so they share one
# entry whatever their zones. (Not `local_clock`: it shows the datetime's own offset.)
@functools.lru_cache(maxsize=_CACHED)
def rfc3339(moment: datetime) -> str:
    """`2025-06-02T01:30:00Z`: for `<time datetime>`, JSON Feed and the sitemap."""
    return to_utc(moment).isoformat()[:19] + "Z"  # `YYYY-MM-DDTHH:MM:SS`, then `.ffffff+00:00`


@functools.lru_cache(maxsize=_CACHED)
def human_time(moment: datetime) -> str:
    """`2 June 2025, 01:30 UTC`."""
    utc = to_utc(moment)
    return f"{utc.day} {_MONTHS[utc.month - 1]} {utc.year}, {utc.hour:02d}:{utc.minute:02d} UTC"


@functools.lru_cache(maxsize=_CACHED)
def clock(moment: datetime) -> str:
    """`01:30 UTC`: the time alone, where the day is already a heading."""
    utc = to_utc(moment)
    return f"{utc.hour:02d}:{utc.minute:02d} UTC"


def offset_label(moment: datetime) -> str:
    """`UTC+10`, `UTC+5:30`, `UTC−3` (a true minus sign): the source's own offset."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: a timezone is required")
    minutes = round(offset.total_seconds() / 60)
    sign = "+" if minutes >= 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def local_clock(moment: datetime) -> str:
    """`11:30 UTC+10`: the time as the source's own clock showed it."""
    return f"{moment:%H:%M} {offset_label(moment)}"


def human_day(day: date) -> str:
    """`Monday 2 June 2025`."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"
