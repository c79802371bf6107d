"""Choosing a page's publication time among everything that looks like one.

Declared dates (JSON-LD, meta, microdata, <time>) outrank visible date lines, which outrank the
day of the story's dateline. The winner is returned in UTC so later stages compare instants.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from crawler.extract.dateline import Dateline
from crawler.extract.dates import ParsedDate, is_date_line, parse_date_detail
from crawler.extract.metadata import PageMeta, ld_text
from crawler.extract.parse import (
    Marked,
    class_tokens,
    in_chrome,
    iter_elements,
    marked_elements,
    visible_text,
)
from crawler.extract.text import normalise_text

logger = logging.getLogger(__name__)

_MIN_YEAR, _MAX_YEAR = 1990, 2100
_URL_YEAR_RE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})(?:[/_.-]?(?:0[1-9]|1[0-2])(?:[/_.-]?(?:0[1-9]|[12]\d|3[01]))?)?"
    r"(?!\d)"
)
_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "published_time",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "date",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "cxenseparse:recs:publishtime",
    "citation_publication_date",
)
_DATE_CLASS_WORDS = frozenset(
    {"date", "time", "published", "pubdate", "posted", "timestamp", "dateline", "datetime"}
)
_DIGIT_RE = re.compile(r"\d")
_MAX_ITEMPROPS = 20
_UPDATED_RE = re.compile(r"(?i)\s*(?:last\s+)?(?:updated|modified|aktualisiert|actualizado)")
_VISIBLE_TAGS = frozenset(
    {
        "time",
        "span",
        "div",
        "p",
        "small",
        "li",
        "td",
        "font",
        "em",
        "strong",
        "b",
        "i",
        "abbr",
        "header",
        "h4",
        "h5",
        "h6",
    }
)


def year_from_url(url: str) -> int | None:
    """A plausible year in the URL path (/2025/06/02/..., -20250602-), else None."""
    for match in _URL_YEAR_RE.finditer(urlsplit(url).path):
        year = int(match.group(1))
        if _MIN_YEAR <= year <= _MAX_YEAR:
            return year
    return None


def find_published(
    tree: HtmlElement,
    meta: PageMeta,
    url: str,
    dateline: Dateline | None = None,
    marked: Sequence[Marked] | None = None,
    *,
    now: datetime | None = None,
) -> datetime | None:
    """The page's publication time in UTC, or None.

    `now` (aware: when the page was fetched) lets a visible relative time ("3 hours ago") count.

    Declared dates (JSON-LD, meta, microdata, <time>) outrank visible date lines, which outrank
    the day of the story's `dateline` (whose missing year comes from another date on the page,
    else the URL). A naive time borrows the offset of another source showing the same wall clock;
    only when no source has an offset is it taken as UTC.
    """
    return resolve_published(
        published_candidates(tree, meta, marked, now=now), dateline=dateline, url=url
    )


def published_candidates(
    tree: HtmlElement,
    meta: PageMeta,
    marked: Sequence[Marked] | None = None,
    *,
    now: datetime | None = None,
) -> list[ParsedDate]:
    """Every date the page declares or shows, best first (the tree-reading half of
    `find_published`, so a caller can read the tree before pruning it)."""
    candidates = list(_declared(tree, meta, marked_elements(tree) if marked is None else marked))
    if candidates and candidates[0].aware:
        return candidates[:1]  # nothing can outrank it
    return candidates + _visible(tree, now)


def resolve_published(
    candidates: Sequence[ParsedDate], *, dateline: Dateline | None = None, url: str = ""
) -> datetime | None:
    """The publication instant in UTC from `published_candidates` and the story's dateline."""
    found = list(candidates)
    if found and found[0].aware:
        return found[0].value.astimezone(UTC)
    if dateline is not None:
        day = dateline_date(dateline, context=found[0].value if found else None, url=url)
        if day is not None:
            found.append(ParsedDate(day, False))
    if not found:
        return None
    return _resolve(found).astimezone(UTC)


def dateline_date(
    dateline: Dateline, *, context: datetime | None = None, url: str = ""
) -> datetime | None:
    """The (naive, midnight) day a dateline names: "June 2 (ANI)" takes its year from
    `context` (another date on the page), else from the URL, else there is no date."""
    if not (dateline.month and dateline.day):
        return None
    year = dateline.year or _year_for(dateline.month, context, url)
    if year is None:
        return None
    try:
        return datetime(year, dateline.month, dateline.day)
    except ValueError:
        logger.debug("impossible dateline day %s-%s", dateline.month, dateline.day)
        return None


def _year_for(month: int, context: datetime | None, url: str) -> int | None:
    """The year of a month-and-day dateline: from another date on the page, else the URL."""
    if context is not None:
        year = context.year
        if month == 12 and context.month == 1:
            return year - 1
        if month == 1 and context.month == 12:
            return year + 1
        return year
    return year_from_url(url)


def _resolve(candidates: list[ParsedDate]) -> datetime:
    best = candidates[0]
    if best.aware:
        return best.value
    for other in candidates[1:]:
        if not other.aware:
            continue
        wall = other.value.replace(tzinfo=None)
        if best.has_time and wall == best.value:
            return other.value
        if not best.has_time and wall.date() == best.value.date():
            return other.value
    # No offset anywhere for this moment: UTC is the least-bad assumption.
    logger.debug("naive publication time %s taken as UTC", best.value)
    return best.value.replace(tzinfo=UTC)


def _declared(tree: HtmlElement, meta: PageMeta, marked: Sequence[Marked]) -> Iterable[ParsedDate]:
    for value in (meta.ld("datePublished", "dateCreated"), *_other_ld_dates(meta)):
        parsed = parse_date_detail(ld_text(value)) if value else None
        if parsed:
            yield parsed
    for value in meta.all(*_PUBLISHED_META):
        parsed = parse_date_detail(value)
        if parsed:
            yield parsed
    published = [m.el for m in marked if m.itemprop == "datepublished"]
    for el in published[:_MAX_ITEMPROPS]:
        parsed = parse_date_detail(el.get("content") or el.get("datetime") or visible_text(el))
        if parsed:
            yield parsed
    times = [
        el for el in iter_elements(tree, frozenset({"time"}), limit=2_000) if el.get("datetime")
    ]
    times.sort(key=lambda el: (el.get("pubdate") is None, in_chrome(el)))
    for el in times:
        parsed = parse_date_detail(el.get("datetime"))
        if parsed:
            yield parsed


def _other_ld_dates(meta: PageMeta) -> list[object]:
    if meta.article is not None:
        return []
    return [o.get("datePublished") for o in meta.jsonld if o.get("datePublished")]


def _visible(tree: HtmlElement, now: datetime | None = None) -> list[ParsedDate]:
    """Date lines a reader sees ("02 Jun 2025, 11:30 GMT+10").

    Date-classed elements are read whole; elsewhere each text node (a line between <br>s in
    legacy markup) must be nothing but a date. "Updated ..." lines come last.
    """
    classed: list[ParsedDate] = []
    updated: list[ParsedDate] = []
    plain: list[ParsedDate] = []
    for el in iter_elements(tree, _VISIBLE_TAGS, limit=20_000):
        tokens = class_tokens(el)
        if len(el) <= 4 and (tokens & _DATE_CLASS_WORDS or el.tag == "time"):
            texts = [visible_text(el)]
            bucket = classed
        elif len(plain) < 3:
            texts = [t for t in (el.text, *(c.tail for c in el)) if t and _DIGIT_RE.search(t)]
            texts = [normalise_text(t) for t in texts]
            texts = [t for t in texts if is_date_line(t, now=now)]
            bucket = plain
        else:
            continue
        for text in texts:
            if not 6 <= len(text) <= 100 or in_chrome(el):
                continue
            parsed = parse_date_detail(text, now=now)
            if parsed is None:
                continue
            if _UPDATED_RE.match(text):
                updated.append(parsed)
            else:
                bucket.append(parsed)
    return [*classed, *plain, *updated]
