"""`extract`: one page's bytes to an `Extracted` record, never raising.

The page is decoded and parsed once; every sub-extractor reads the same tree. Body paragraphs are
then tidied of what extraction itself identified (headline, standfirst, credit line, dateline),
leaving site boilerplate to `crawler.clean`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from crawler.extract.agencies import credit_from_line
from crawler.extract.authors import find_author
from crawler.extract.body import body_paragraphs
from crawler.extract.credits import find_credit, find_dateline
from crawler.extract.dateline import Dateline
from crawler.extract.dates import find_published, is_date_line
from crawler.extract.decode import decode_html
from crawler.extract.language import find_language
from crawler.extract.lede import find_standfirst
from crawler.extract.links import base_url, find_canonical, find_images
from crawler.extract.metadata import read_metadata
from crawler.extract.parse import parse_html
from crawler.extract.text import text_key
from crawler.extract.titles import find_title, site_names
from crawler.items import Extracted

logger = logging.getLogger(__name__)

# Pages beyond this are cut before parsing; no article needs more and parsing time grows with it.
MAX_BODY_BYTES = 8 * 1024 * 1024
_BINARY_SAMPLE = 4096
_LEAD_WINDOW = 4


def extract(body: bytes, url: str, *, encoding: str | None = None) -> Extracted:
    """Read one article page. `encoding` is the HTTP Content-Type charset, if any.

    Never raises: unreadable input (empty, binary, not HTML) gives an `Extracted` with empty
    title and paragraphs, and the reason is logged.
    """
    try:
        return _extract(body, url, encoding)
    except Exception:  # the crawl must go on whatever one page contains
        logger.exception("extraction failed for %s", url)
        return empty_extracted(url)


def empty_extracted(url: str) -> Extracted:
    """The record for a page with nothing readable in it."""
    return Extracted(url=url, canonical_url=url, title="", published=None, author=None,
                     original_source=None, lede="", paragraphs=(), language=None)


def _extract(body: bytes, url: str, encoding: str | None) -> Extracted:
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

    meta = read_metadata(tree)
    base = base_url(meta, url)
    title = find_title(tree, meta, url)
    author, byline_agency = find_author(tree, meta, site_names(meta))
    raw = body_paragraphs(tree, url, meta)
    found = find_dateline(raw)
    dateline = found[1] if found else None
    credit = find_credit(raw, dateline, tree, meta, byline_agency)
    standfirst = find_standfirst(tree, meta)
    paragraphs = tidy_paragraphs(raw, title=title, standfirst=standfirst, author=author,
                                 dateline=found)
    if not paragraphs:
        logger.info("no article body found in %s", url)
    return Extracted(
        url=url,
        canonical_url=find_canonical(meta, url, base),
        title=title,
        published=find_published(tree, meta, url, dateline),
        author=author,
        original_source=credit,
        lede=standfirst or (paragraphs[0] if paragraphs else ""),
        paragraphs=tuple(paragraphs),
        language=find_language(meta),
        images=find_images(tree, meta, base),
    )


def tidy_paragraphs(
    raw: Sequence[str],
    *,
    title: str,
    standfirst: str | None,
    author: str | None,
    dateline: tuple[int, Dateline] | None,
) -> list[str]:
    """Body paragraphs without what extraction accounted for elsewhere.

    Removed: the dateline prefix (the rest of its paragraph stays), credit lines, and, among
    the opening paragraphs, copies of the headline or standfirst, bare date lines and bylines.
    """
    paragraphs = list(raw)
    if dateline is not None:
        index, line = dateline
        rest = paragraphs[index][line.end:].lstrip()
        paragraphs[index] = rest
    drop_keys = {text_key(t) for t in (title, standfirst) if t}
    byline_keys = {text_key(author), text_key(f"By {author}")} if author else set()
    tidy: list[str] = []
    for index, text in enumerate(paragraphs):
        if not text or credit_from_line(text):
            continue
        if index < _LEAD_WINDOW + (dateline[0] if dateline else 0):
            key = text_key(text)
            if key in drop_keys or key in byline_keys or is_date_line(text):
                continue
        tidy.append(text)
    return tidy


def _looks_binary(text: str) -> bool:
    """Binary data decoded as text: NULs or mostly replacement characters, and no markup."""
    sample = text[:_BINARY_SAMPLE]
    if not sample:
        return True
    junk = sample.count("\x00") + sample.count("\ufffd")
    return "<" not in text[: 64 * 1024] or junk > len(sample) // 10
