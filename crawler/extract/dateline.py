"""Wire datelines: ``Kyiv [Ukraine], June 2 (ANI):``, ``BEIJING, June 2 (Xinhua) --``,
``LONDON (Reuters) -``, ``Madrid, 2 jun (EFE).-`` and the agency-less ``SEOUL, South Korea:``.

A dateline tells us the credited agency and the day of the story, and it must be cut from the
first paragraph because each syndicating site formats it differently (it would defeat dedup).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from crawler.extract.agencies import normalise_agency
from crawler.extract.months import MONTH_PATTERN, month_number

logger = logging.getLogger(__name__)

_SEP = r"(?P<sep>\.?\s*(?:--|—|–|-|:)|\.)?"
_DATED_RE = re.compile(
    rf"""^(?P<place>[^\W\d_][^\n:]{{0,80}}?)\s*,\s*
    (?:(?P<month>{MONTH_PATTERN})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?
      |(?P<day2>\d{{1,2}})\.?\s+(?:de\s+)?(?P<month2>{MONTH_PATTERN})\.?)
    (?:,?\s+(?P<year>(?:19|20)\d{{2}}))?
    \s*\((?P<agency>[^()\n]{{1,40}})\)\s*{_SEP}\s*""",
    re.IGNORECASE | re.VERBOSE,
)
_UNDATED_RE = re.compile(
    r"""^(?P<place>[A-ZÀ-Þ][\w .,'’\[\]-]{1,60}?)\s*\((?P<agency>[^()\n]{1,40})\)\s*
    (?P<sep>--|—|–|-|:|\.-)\s*""",
    re.VERBOSE,
)
# Big News Network style: "SEOUL, South Korea: ..." / "WASHINGTON, D.C.: ...".
_CAPS_RE = re.compile(
    r"^(?P<place>[A-Z][A-Z.'’-]{2,}(?:[ -][A-Z][A-Z.'’-]+){0,3}(?:,\s*[A-Z][A-Za-z.'’ -]{1,30}?)?)"
    r"\s*:\s+(?=\S)"
)
_NOT_PLACES = frozenset(
    {
        "NOTE",
        "EDITOR'S NOTE",
        "EDITOR’S NOTE",
        "UPDATE",
        "UPDATED",
        "BREAKING",
        "WATCH",
        "READ",
        "ALSO READ",
        "PHOTO",
        "PHOTOS",
        "VIDEO",
        "LIVE",
        "EXCLUSIVE",
        "CORRECTION",
        "ANALYSIS",
        "OPINION",
        "FILE",
        "SOURCE",
        "SOURCES",
        "RELATED",
        "WARNING",
        "FACT CHECK",
        "FACTBOX",
        "TIMELINE",
        "EXPLAINER",
        "Q&A",
        "FAQ",
    }
)


@dataclass(frozen=True, slots=True)
class Dateline:
    """A parsed dateline; `end` is where the story text starts in the paragraph."""

    place: str
    month: int | None
    day: int | None
    year: int | None
    agency: str | None
    end: int


def parse_dateline(text: str) -> Dateline | None:
    """The dateline at the start of `text`, or None.

    A dated dateline (``..., June 2 (X):``) is accepted whatever X is; an undated one
    (``LONDON (Reuters) -``) only when X is a known agency, because "The firm (Acme) - ..." is
    not a dateline. `Dateline.agency` is the canonical agency name when X is known, else X.
    """
    match = _DATED_RE.match(text)
    if match:
        month = month_number(match.group("month") or match.group("month2"))
        day = int(match.group("day") or match.group("day2"))
        year = int(match.group("year")) if match.group("year") else None
        if month and 1 <= day <= 31:
            raw = match.group("agency").strip()
            return Dateline(
                match.group("place").strip(),
                month,
                day,
                year,
                normalise_agency(raw) or raw,
                match.end(),
            )
    match = _UNDATED_RE.match(text)
    if match:
        agency = normalise_agency(match.group("agency"))
        if agency:
            return Dateline(match.group("place").strip(), None, None, None, agency, match.end())
    match = _CAPS_RE.match(text)
    if match and match.group("place").split(",")[0].strip() not in _NOT_PLACES:
        return Dateline(match.group("place").strip(), None, None, None, None, match.end())
    return None


def strip_dateline(text: str) -> str:
    """`text` without a leading dateline; unchanged when there is none or nothing follows it."""
    dateline = parse_dateline(text)
    if dateline is None or dateline.end >= len(text):
        return text
    return text[dateline.end :].lstrip()
