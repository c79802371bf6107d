"""Relative publication times ("3 hours ago", "yesterday at 10:30", "hace 2 horas").

Listing-style pages print these instead of a date. They only mean something against the moment
the page was fetched, so the reference time is always passed in (never read from the clock here).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from crawler.extract.text import normalise_text

logger = logging.getLogger(__name__)

_UNITS: dict[str, timedelta] = {
    "second": timedelta(seconds=1),
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    "month": timedelta(days=30),
    "year": timedelta(days=365),
}
# Unit spellings (en, es, pt, de, fr, it) to the keys of `_UNITS`.
_UNIT_WORDS: dict[str, str] = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds", "segundo", "segundos"), "second"),
    **dict.fromkeys(("sekunde", "sekunden", "seconde", "secondes", "secondo", "secondi"), "second"),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes", "minuto", "minutos"), "minute"),
    **dict.fromkeys(("minuten", "minuti"), "minute"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "hora", "horas", "stunde"), "hour"),
    **dict.fromkeys(("stunden", "heure", "heures", "ora", "ore"), "hour"),
    **dict.fromkeys(("d", "day", "days", "día", "dia", "días", "dias", "tag", "tagen"), "day"),
    **dict.fromkeys(("jour", "jours", "giorno", "giorni"), "day"),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks", "semana", "semanas", "woche"), "week"),
    **dict.fromkeys(("wochen", "semaine", "semaines", "settimana", "settimane"), "week"),
    **dict.fromkeys(("month", "months", "mes", "meses", "monat", "monaten", "mois"), "month"),
    **dict.fromkeys(("mese", "mesi"), "month"),
    **dict.fromkeys(("year", "years", "yr", "yrs", "año", "años", "ano", "anos", "jahr"), "year"),
    **dict.fromkeys(("jahren", "an", "ans", "anno", "anni"), "year"),
}
_ONE_WORDS = frozenset({"a", "an", "one", "un", "una", "um", "uma", "einer", "einem", "une"})
_UNIT = "|".join(sorted((re.escape(w) for w in _UNIT_WORDS), key=len, reverse=True))
_COUNT = r"(?P<n>\d{1,4}|a|an|one|un|una|um|uma|einer|einem|une)"
_LABEL = (
    r"^(?:(?:first\s+)?published|posted|updated|last\s+updated|modified|actualizado|publicado|"
    r"aktualisiert|veröffentlicht|publié|mis à jour)?\s*[:|\-–—]?\s*"
)
# "3 hours ago", "5m ago", "hace 3 horas", "há 3 horas", "vor 3 Stunden", "il y a 3 heures",
# "3 ore fa": one pattern per word order, each with the same two groups.
_AGO_RES = tuple(
    re.compile(_LABEL + form.format(n=_COUNT, unit=rf"(?P<unit>{_UNIT})") + r"\.?$", re.IGNORECASE)
    for form in (
        r"{n}\s*{unit}\.?\s+ago",
        r"hace\s+{n}\s+{unit}",
        r"há\s+{n}\s+{unit}",
        r"vor\s+{n}\s+{unit}",
        r"il\s+y\s+a\s+{n}\s+{unit}",
        r"{n}\s+{unit}\s+fa",
    )
)
_NOW_RE = re.compile(
    _LABEL + r"(?:just now|moments? ago|a moment ago|right now|ahora mismo|gerade eben|"
    r"à l'instant|adesso)\.?$",
    re.IGNORECASE,
)
_DAY_RE = re.compile(
    _LABEL
    + r"(?P<day>today|yesterday|hoy|ayer|hoje|ontem|heute|gestern|aujourd'hui|hier|oggi|ieri)"
    + r"(?:\s*,?\s*(?:at|a las|às|um|à|alle)?\s*"
    + r"(?P<hour>\d{1,2})(?:[:.h](?P<minute>\d{2}))?\s*(?P<ampm>[ap]\.?\s?m\.?)?"
    + r"(?:\s*(?:uhr|h))?)?\.?$",
    re.IGNORECASE,
)
_YESTERDAY = frozenset({"yesterday", "ayer", "ontem", "gestern", "hier", "ieri"})


def is_relative_line(text: str | None) -> bool:
    """True when `text` is nothing but a relative time ("Updated 3 hours ago", "yesterday")."""
    if not text or len(text) > 60:
        return False
    s = normalise_text(text)
    return bool(_NOW_RE.match(s) or _DAY_RE.match(s) or any(r.match(s) for r in _AGO_RES))


def parse_relative(text: str | None, now: datetime) -> tuple[datetime, bool] | None:
    """(instant, has_time) for a relative time line, in `now`'s zone; None for anything else.

    `now` must be timezone-aware (the fetch time). "3 days ago" and "yesterday" name a day, not a
    moment: `has_time` is False for them and the instant is that day's midnight.
    """
    if not text or now.tzinfo is None:
        return None
    s = normalise_text(text)
    if not s or len(s) > 60:
        return None
    if _NOW_RE.match(s):
        return now, True
    match = next((m for m in (r.match(s) for r in _AGO_RES) if m), None)
    if match:
        unit = _UNIT_WORDS[match.group("unit").lower()]
        count_text = match.group("n").lower()
        count = 1 if count_text in _ONE_WORDS else int(count_text)
        instant = now - count * _UNITS[unit]
        if _UNITS[unit] >= _UNITS["day"]:
            return instant.replace(hour=0, minute=0, second=0, microsecond=0), False
        return instant.replace(microsecond=0), True
    match = _DAY_RE.match(s)
    if match:
        day = now - timedelta(days=1) if match.group("day").lower() in _YESTERDAY else now
        if match.group("hour") is None:
            return day.replace(hour=0, minute=0, second=0, microsecond=0), False
        hour, minute = int(match.group("hour")), int(match.group("minute") or 0)
        ampm = (match.group("ampm") or "").lower()
        if ampm.startswith("p") and hour < 12:
            hour += 12
        elif ampm.startswith("a") and hour == 12:
            hour = 0
        if hour > 23 or minute > 59:
            return None
        return day.replace(hour=hour, minute=minute, second=0, microsecond=0), True
    return None
