"""`extract`: one page's bytes to an `Extracted` record, never raising.

The page is decoded and parsed once; every sub-extractor reads the same tree (pruned of scripts
and styles once the metadata is read). Body paragraphs are then tidied of what extraction itself
identified (headline, standfirst, credit line, dateline), leaving site boilerplate to
`crawler.clean`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime

from crawler.extract.agencies import credit_from_line
from crawler.extract.authors import find_author, split_byline
from crawler.extract.body import body_paragraphs
from crawler.extract.credits import credit_in_page, find_credit
from crawler.extract.dateline import Dateline, parse_dateline
from crawler.extract.dates import is_date_line
from crawler.extract.decode import decode_html
from crawler.extract.language import choose_language, detect_language, find_language
from crawler.extract.lede import find_standfirst
from crawler.extract.links import base_url, find_canonical, find_images
from crawler.extract.metadata import read_metadata
from crawler.extract.parse import marked_elements, parse_html, prune_chrome, prune_invisible
from crawler.extract.published import published_candidates, resolve_published
from crawler.extract.relative import is_relative_line
from crawler.extract.text import text_key
from crawler.extract.titles import find_title, site_names
from crawler.items import Extracted

logger = logging.getLogger(__name__)

# Pages beyond this are cut before parsing; no article needs more and parsing time grows with it.
MAX_BODY_BYTES = 8 * 1024 * 1024
_BINARY_SAMPLE = 4096
_TAG_SEARCH_CHARS = 64 * 1024
_HTML_TAG_RE = re.compile(
    r"<(?:!doctype|html|head|body|meta|title|p|div|span|article|main|section|table|br|h[1-6]|a|"
    r"ul|li|img|script|link)\b",
    re.IGNORECASE,
)
_LEAD_WINDOW = 5
_DATELINE_WINDOW = 3
_FULL_PARAGRAPH = 80
# "By Jane Doe", "By Jane Doe, AFP", "Von Jana Roth": short, so a sentence starting "By" passes.
_BYLINE_RE = re.compile(r"^(?:by|von|por|par)\s+[^\W\d_][^.!?]{1,60}$", re.IGNORECASE)


def extract(
    body: bytes, url: str, *, encoding: str | None = None, fetched_at: datetime | None = None
) -> Extracted:
    """Read one article page. `encoding` is the HTTP Content-Type charset, if any.

    `fetched_at` (timezone-aware) is when the page was fetched: with it, a page dated only
    "3 hours ago" gets a publication time; without it, such a page has none.

    Never raises on page content: unreadable input (empty, binary, not HTML) gives an `Extracted`
    with empty title and paragraphs, and the reason is logged. A naive `fetched_at` is a caller
    bug and raises ValueError.
    """
    if fetched_at is not None and fetched_at.tzinfo is None:
        raise ValueError("fetched_at must be timezone-aware")
    try:
        return _extract(body, url, encoding, fetched_at)
    except Exception:  # the crawl must go on whatever one page contains
        logger.exception("extraction failed for %s", url)
        return empty_extracted(url)


def empty_extracted(url: str) -> Extracted:
    """The record for a page with nothing readable in it."""
    return Extracted(
        url=url,
        canonical_url=url,
        title="",
        published=None,
        author=None,
        original_source=None,
        lede="",
        paragraphs=(),
        language=None,
    )


def _extract(body: bytes, url: str, encoding: str | None, fetched_at: datetime | None) -> Extracted:
    if not isinstance(body, (bytes, bytearray)) or not body.strip():
        logger.info("empty page %s", url)
        return empty_extracted(url)
    if len(body) > MAX_BODY_BYTES:
        logger.info("page %s is %d bytes; reading the first %d", url, len(body), MAX_BODY_BYTES)
        body = body[:MAX_BODY_BYTES]
    decoded = decode_html(bytes(body), encoding)
    if _looks_binary(decoded.text):
        logger.info("page %s is not HTML text (decoded as %s)", url, decoded.encoding)
        return empty_extracted(url)
    tree = parse_html(decoded.text)
    if tree is None:
        logger.info("page %s has no parseable HTML", url)
        return empty_extracted(url)

    # Everything read from the whole page first; then what trafilatura would discard goes,
    # so the body extraction (most of the time spent here) works on a smaller tree.
    meta = read_metadata(tree)
    prune_invisible(tree)
    base = base_url(meta, url)
    title = find_title(tree, meta, url)
    marked = marked_elements(tree)
    author, byline_agency = find_author(tree, meta, site_names(meta), marked)
    standfirst = find_standfirst(tree, meta, marked, title)
    page_credit = credit_in_page(tree, marked)
    dates = published_candidates(tree, meta, marked, now=fetched_at)
    images = find_images(tree, meta, base)
    del marked  # holds elements the pruning below removes
    prune_chrome(tree)
    raw = body_paragraphs(tree, url, meta)
    lead = _lead_bylines(raw)
    if author is None:
        author = next((person for person, _ in lead if person), None)
    byline_agency = byline_agency or next((agency for _, agency in lead if agency), None)
    paragraphs = drop_known_lines(raw, title=title, standfirst=standfirst)
    found = find_dateline(paragraphs)
    dateline = found[1] if found else None
    credit = find_credit(raw, dateline, None, meta, byline_agency, page_credit=page_credit)
    if found is not None:
        index, line = found
        paragraphs[index] = paragraphs[index][line.end :].lstrip()
    if not paragraphs:
        logger.info("no article body found in %s", url)
    return Extracted(
        url=url,
        canonical_url=find_canonical(meta, url, base),
        title=title,
        published=resolve_published(dates, dateline=dateline, url=url),
        author=author,
        original_source=credit,
        lede=standfirst or (paragraphs[0] if paragraphs else ""),
        paragraphs=tuple(paragraphs),
        language=choose_language(
            find_language(meta), detect_language([standfirst or "", *paragraphs])
        ),
        images=images,
    )


def drop_known_lines(raw: Sequence[str], *, title: str, standfirst: str | None) -> list[str]:
    """Body paragraphs without what extraction accounts for elsewhere.

    Credit lines go wherever they are; among the opening paragraphs, so do copies of the
    headline or standfirst, bare date lines and bylines. Dateline prefixes are cut by the caller.
    """
    drop_keys = {text_key(t) for t in (title, standfirst) if t}
    kept: list[str] = []
    for index, text in enumerate(raw):
        if not text or credit_from_line(text):
            continue
        if index < _LEAD_WINDOW and len(raw) > 1 and _is_lead_furniture(text, drop_keys):
            continue
        kept.append(text)
    return kept


def find_dateline(paragraphs: Sequence[str]) -> tuple[int, Dateline] | None:
    """(index, dateline) of the story's opening dateline, if it has one.

    Looks at the first few paragraphs but stops at the first full paragraph without one: a
    dateline further down belongs to a quote or a teaser. The agency-less "SEOUL, South Korea:"
    form counts only at the very top.
    """
    for index, text in enumerate(paragraphs[:_DATELINE_WINDOW]):
        dateline = parse_dateline(text)
        if dateline is not None and dateline.end < len(text) and (dateline.agency or index == 0):
            return index, dateline
        if len(text) >= _FULL_PARAGRAPH:
            return None
    return None


def _is_lead_furniture(text: str, drop_keys: set[str]) -> bool:
    """Headline, standfirst, date line or byline repeated above the story."""
    return (
        text_key(text) in drop_keys
        or is_date_line(text)
        or is_relative_line(text)
        or _BYLINE_RE.match(text) is not None
    )


def _lead_bylines(raw: Sequence[str]) -> list[tuple[str | None, str | None]]:
    """(person, agency) from "By ..." lines at the top of the body (pages without byline markup)."""
    return [split_byline(t) for t in raw[:_LEAD_WINDOW] if _BYLINE_RE.match(t)]


def _looks_binary(text: str) -> bool:
    """Not an HTML page: no HTML tag near the top, or mostly NULs/replacement characters."""
    sample = text[:_BINARY_SAMPLE]
    if not sample.strip():
        return True
    junk = sample.count("\x00") + sample.count("\ufffd")
    if junk > len(sample) // 10:
        return True
    return _HTML_TAG_RE.search(text, 0, _TAG_SEARCH_CHARS) is None
