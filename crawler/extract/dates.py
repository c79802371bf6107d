"""Date parsing: the many formats news pages print dates in, to datetimes.

Offsets are handled here, never by python-dateutil: dateutil reads "GMT+10" the POSIX way
(ten hours *behind* GMT), the opposite of what every news site means. A text with no offset
gives a naive datetime; deciding what that means is `crawler.extract.published`'s job.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateutil_parser

from crawler.extract.months import MONTH_PATTERN, month_number
from crawler.extract.relative import parse_relative
from crawler.extract.text import normalise_text

logger = logging.getLogger(__name__)

# Common zone abbreviations (minutes east of UTC). Ambiguous ones take their news-heavy meaning:
# CST is US Central, IST is India.
TZ_ABBREVIATIONS: dict[str, int] = {
    "UTC": 0,
    "GMT": 0,
    "UT": 0,
    "Z": 0,
    "WET": 0,
    "BST": 60,
    "IST": 330,
    "CET": 60,
    "CEST": 120,
    "MEZ": 60,
    "MESZ": 120,
    "EET": 120,
    "EEST": 180,
    "MSK": 180,
    "TRT": 180,
    "EAT": 180,
    "SAST": 120,
    "WAT": 60,
    "CAT": 120,
    "GST": 240,
    "PKT": 300,
    "NPT": 345,
    "BDT": 360,
    "ICT": 420,
    "WIB": 420,
    "HKT": 480,
    "SGT": 480,
    "MYT": 480,
    "PHT": 480,
    "AWST": 480,
    "JST": 540,
    "KST": 540,
    "ACST": 570,
    "AEST": 600,
    "AEDT": 660,
    "NZST": 720,
    "NZDT": 780,
    "EDT": -240,
    "EST": -300,
    "CDT": -300,
    "CST": -360,
    "MDT": -360,
    "MST": -420,
    "PDT": -420,
    "PST": -480,
    "AKDT": -480,
    "AKST": -540,
    "HST": -600,
    "ADT": -180,
    "AST": -240,
    "NDT": -150,
    "NST": -210,
    "BRT": -180,
    "ART": -180,
}

# Generic zone names whose offset depends on daylight saving time.
_REGION_ZONES: dict[str, str] = {
    "ET": "America/New_York",
    "CT": "America/Chicago",
    "MT": "America/Denver",
    "PT": "America/Los_Angeles",
    "HKT": "Asia/Hong_Kong",
}

_LABEL_RE = re.compile(
    r"^(?:(?:first\s+)?published|posted|updated|last\s+updated|modified|date[d]?|on|at|"
    r"publicado|actualizado|veröffentlicht|aktualisiert|stand|publié|mis à jour)\b\s*[:|\-–—]?\s*",
    re.IGNORECASE,
)
_ISO_RE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})(?:[T ](?P<time>\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?))?"
    r"\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?$"
)
_GMT_OFFSET_RE = re.compile(
    r"\(?\b(?:GMT|UTC|UT)\s*(?P<sign>[+\-−–])\s*(?P<h>\d{1,2})(?:[:.]?(?P<m>\d{2}))?\b\)?"
)
_NUM_OFFSET_RE = re.compile(r"(?<=\d)\s*(?P<sign>[+\-−])(?P<h>\d{2}):?(?P<m>\d{2})\b")
_ABBR_RE = re.compile(r"\(?\b(?P<abbr>[A-Z]{1,5})\b\)?")
_DMY_RE = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\.?\s+(?:de\s+)?(?P<month>{MONTH_PATTERN})\.?,?\s+"
    r"(?:de\s+)?(?P<year>(?:19|20)\d{2})\b",
    re.IGNORECASE,
)
_MDY_RE = re.compile(
    rf"\b(?P<month>{MONTH_PATTERN})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+"
    r"(?P<year>(?:19|20)\d{2})\b",
    re.IGNORECASE,
)
_MD_RE = re.compile(
    rf"\b(?P<month>{MONTH_PATTERN})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b", re.IGNORECASE
)
_YMD_RE = re.compile(r"\b(?P<year>(?:19|20)\d{2})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})\b")
_NUMERIC_RE = re.compile(
    r"\b(?P<a>\d{1,2})(?P<sep>[./])(?P<b>\d{1,2})(?P=sep)(?P<year>(?:19|20)\d{2})\b"
)
_TIME_RE = re.compile(
    r"\b(?P<hour>\d{1,2})(?:[:.h](?P<minute>\d{2})(?::(?P<second>\d{2}))?)?\s*"
    r"(?P<ampm>[ap]\.?\s?m\b\.?)?(?:\s*(?:uhr|hrs?|h)\b)?",
    re.IGNORECASE,
)
_LEFTOVER_RE = re.compile(
    r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|urday|sday)?\b|"
    r"\b(?:at|on|um|a las|à|le|the|de|del|of|am|pm|uhr|hrs?|published|posted|updated|"
    r"last|first|date|dated|modified|stand|publicado|actualizado|veröffentlicht|aktualisiert|"
    r"time|local|às|as|em|el|la|il|le|den|der|du|alle|ore|h)\b|"
    r"\b(?:lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo|segunda|terça|"
    r"terca|quarta|quinta|sexta|feira|montag|dienstag|mittwoch|donnerstag|freitag|samstag|"
    r"sonnabend|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunedì|martedì|"
    r"mercoledì|giovedì|venerdì|sabato|domenica)\b|[\W_]+",
    re.IGNORECASE,
)
_ZONE_WORD_RE = re.compile(r"\b(?:[A-Z]{1,4}T|UTC|GMT|UT|Z)\b")
_MIN_YEAR, _MAX_YEAR = 1990, 2100


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A parsed date: `value` is aware when the text carried an offset; `has_time` False for a
    bare day (then the clock reads midnight)."""

    value: datetime
    has_time: bool

    @property
    def aware(self) -> bool:
        return self.value.tzinfo is not None


def parse_date(
    text: str | None, *, default_year: int | None = None, now: datetime | None = None
) -> datetime | None:
    """Parse one date string; aware when it states an offset or zone, naive otherwise.

    `default_year` completes day-and-month-only text ("June 2, 10:00"); without it such text
    gives None rather than dateutil's habit of silently using the current year. `now` (aware:
    the fetch time) resolves relative text ("3 hours ago", "yesterday at 10:30"); without it
    such text gives None.
    """
    parsed = parse_date_detail(text, default_year=default_year, now=now)
    return parsed.value if parsed else None


def parse_date_detail(
    text: str | None, *, default_year: int | None = None, now: datetime | None = None
) -> ParsedDate | None:
    """Like `parse_date` but also says whether a time of day was present."""
    result = _parse(text, default_year=default_year)
    if result is not None:
        return result[0]
    if now is not None:
        relative = parse_relative(text, now)
        if relative is not None:
            return ParsedDate(*relative)
    return None


def is_date_line(text: str, *, now: datetime | None = None) -> bool:
    """True when `text` is nothing but a date (with optional time, zone and label); with `now`,
    a relative time line ("3 hours ago") counts too."""
    if not text or len(text) > 80:
        return False
    if now is not None and parse_relative(text, now) is not None:
        return True
    result = _parse(text)
    if result is None:
        return False
    return not _LEFTOVER_RE.sub("", _ZONE_WORD_RE.sub("", result[1]))


def _parse(text: str | None, *, default_year: int | None = None) -> tuple[ParsedDate, str] | None:
    """(parsed date, text left over after removing what was understood) or None."""
    if not text:
        return None
    s = normalise_text(text)
    if not s or len(s) > 200:
        return None
    for _ in range(3):
        s = _LABEL_RE.sub("", s, count=1)
    iso = _ISO_RE.match(s)
    if iso:
        parsed = _parse_iso(iso)
        return (parsed, "") if parsed is not None else None
    s, tz = _take_zone(s)
    found = _take_date(s, default_year)
    if found is None:
        return _dateutil_fallback(s, tz)
    (year, month, day), rest = found
    hour = minute = second = 0
    has_time = False
    time_match = _find_time(rest)
    if time_match:
        hour, minute, second = time_match[0]
        rest = rest[: time_match[1]] + " " + rest[time_match[2] :]
        has_time = True
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    try:
        value = datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError:
        return None
    return ParsedDate(value, has_time), rest


def _parse_iso(match: re.Match[str]) -> ParsedDate | None:
    raw = match.group(0).replace(",", ".").replace(" ", "T", 1)
    tz = match.group("tz")
    if tz and tz != "Z" and len(tz) == 3:  # "+10" -> "+10:00"
        raw += ":00"
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if not _MIN_YEAR <= value.year <= _MAX_YEAR:
        return None
    return ParsedDate(value, match.group("time") is not None)


def _offset(sign: str, hours: str, minutes: str | None) -> timezone | None:
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if delta > timedelta(hours=14):
        return None
    return timezone(-delta if sign in "-−–" else delta)


def _zone(abbr: str) -> tzinfo | None:
    """A tzinfo for a zone abbreviation: a fixed offset, or a DST-aware region for "ET"."""
    if abbr in _REGION_ZONES:
        try:
            return ZoneInfo(_REGION_ZONES[abbr])
        except ZoneInfoNotFoundError:  # no tz database on this host: fall through to fixed
            logger.debug("no tz database entry for %s", abbr)
    minutes = TZ_ABBREVIATIONS.get(abbr)
    return timezone(timedelta(minutes=minutes)) if minutes is not None else None


def _take_zone(s: str) -> tuple[str, tzinfo | None]:
    """Remove and interpret the zone: "GMT+10" (+10:00, the human reading), "+1000", "EDT"."""
    match = _GMT_OFFSET_RE.search(s)
    if match:
        tz: tzinfo | None = _offset(match.group("sign"), match.group("h"), match.group("m"))
        return s[: match.start()] + " " + s[match.end() :], tz
    match = _NUM_OFFSET_RE.search(s)
    if match and re.search(r"\d:\d{2}", s[: match.start()]):
        tz = _offset(match.group("sign"), match.group("h"), match.group("m"))
        return s[: match.start()] + " " + s[match.end() :], tz
    for match in _ABBR_RE.finditer(s):
        abbr = match.group("abbr")
        if abbr == "Z" and not s[: match.start()][-1:].isdigit():
            continue
        tz = _zone(abbr)
        if tz is not None:
            return s[: match.start()] + " " + s[match.end() :], tz
    return s, None


def _take_date(s: str, default_year: int | None) -> tuple[tuple[int, int, int], str] | None:
    """(year, month, day) and the text around it, from the first date-shaped part of `s`."""
    for regex in (_DMY_RE, _MDY_RE, _YMD_RE):
        match = regex.search(s)
        if match:
            month = match.group("month")
            number = int(month) if month.isdigit() else month_number(month)
            if number and 1 <= number <= 12:
                ymd = (int(match.group("year")), number, int(match.group("day")))
                return ymd, s[: match.start()] + " " + s[match.end() :]
    match = _NUMERIC_RE.search(s)
    if match:
        a, b = int(match.group("a")), int(match.group("b"))
        # Dots are European day.month; slashes are month/day unless that is impossible.
        day, month = (a, b) if match.group("sep") == "." or a > 12 else (b, a)
        if 1 <= month <= 12:
            return (int(match.group("year")), month, day), s[: match.start()] + " " + s[
                match.end() :
            ]
    if default_year is not None:
        match = _MD_RE.search(s)
        if match:
            number = month_number(match.group("month"))
            if number:
                ymd = (default_year, number, int(match.group("day")))
                return ymd, s[: match.start()] + " " + s[match.end() :]
    return None


def _find_time(s: str) -> tuple[tuple[int, int, int], int, int] | None:
    """((hour, minute, second), start, end) of the first clock time in `s`."""
    for match in _TIME_RE.finditer(s):
        if match.group("minute") is None and not match.group("ampm"):
            continue  # a bare number is not a time
        hour = int(match.group("hour"))
        minute = int(match.group("minute") or 0)
        second = int(match.group("second") or 0)
        ampm = (match.group("ampm") or "").lower()
        if ampm.startswith("p") and hour < 12:
            hour += 12
        elif ampm.startswith("a") and hour == 12:
            hour = 0
        if hour < 24 and minute < 60 and second < 60:
            return (hour, minute, second), match.start(), match.end()
    return None


def _dateutil_fallback(s: str, tz: tzinfo | None) -> tuple[ParsedDate, str] | None:
    """Last try for odd formats; only with an explicit four-digit year, zones already removed."""
    if not re.search(r"\b(?:19|20)\d{2}\b", s) or len(re.findall(r"\d+", s)) < 3:
        return None  # a year alone ("2025") or a year and a number is not a date
    try:
        value = dateutil_parser.parse(s, ignoretz=True, default=datetime(2000, 1, 1))
    except (ValueError, OverflowError, TypeError):
        return None
    if not _MIN_YEAR <= value.year <= _MAX_YEAR:
        return None
    has_time = bool(re.search(r"\d:\d{2}", s))
    return ParsedDate(value.replace(tzinfo=tz), has_time), ""
