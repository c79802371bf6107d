"""Who the story really comes from: the credited wire agency of a syndicated page.

Evidence, strongest first: a closing credit paragraph ("(RT.com)"), the dateline of the opening
paragraph ("BEIJING, June 2 (Xinhua) --"), a syndication meta tag, a credit line shown with the
headline ("RT.com" above it), a byline naming an agency, then JSON-LD organisations. Mentions
inside sentences ("according to Reuters") are never credits.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from lxml.html import HtmlElement

from crawler.extract.agencies import credit_from_line, normalise_agency
from crawler.extract.dateline import Dateline
from crawler.extract.metadata import PageMeta, ld_names
from crawler.extract.parse import (
    Marked,
    class_tokens,
    first_h1,
    in_chrome,
    marked_elements,
    marked_with,
    tag_of,
    visible_text,
)

logger = logging.getLogger(__name__)

_CREDIT_CLASS_WORDS = frozenset(
    {
        "source",
        "credit",
        "credits",
        "agency",
        "provider",
        "syndication",
        "syndicated",
        "origin",
        "wire",
        "via",
        "copyright",
    }
)
_NOT_ARTICLE_CREDIT = frozenset(
    {
        "photo",
        "image",
        "img",
        "caption",
        "figure",
        "video",
        "media",
        "tag",
        "tags",
        "topic",
        "topics",
        "category",
    }
)
_TEXT_TAGS = frozenset(
    {
        "p",
        "div",
        "span",
        "strong",
        "b",
        "em",
        "i",
        "small",
        "a",
        "h4",
        "h5",
        "h6",
        "font",
        "td",
        "cite",
    }
)
_MAX_BARE_CREDIT_CHARS = 40
_SYNDICATION_META = (
    "original-source",
    "syndication-source",
    "dc.source",
    "dcterms.source",
    "article:source",
    "source",
)


def find_credit(
    paragraphs: Sequence[str],
    dateline: Dateline | None,
    tree: HtmlElement | None,
    meta: PageMeta,
    byline_agency: str | None = None,
    marked: Sequence[Marked] | None = None,
    *,
    page_credit: str | None = None,
) -> str | None:
    """The canonical name of the credited agency, or None when the page credits nobody.

    `marked` is `marked_elements(tree)` when the caller already has it. A caller that has
    already searched the tree (`credit_in_page`, before pruning it) passes `tree=None` and the
    result as `page_credit`.
    """
    for text in reversed(paragraphs):
        agency = credit_from_line(text)
        if agency:
            return agency
    if dateline and dateline.agency:
        agency = normalise_agency(dateline.agency)
        if agency:
            return agency
    for value in meta.all(*_SYNDICATION_META):
        agency = normalise_agency(value)
        if agency:
            return agency
    if tree is not None:
        page_credit = credit_in_page(tree, marked_elements(tree) if marked is None else marked)
    agency = page_credit
    if agency:
        return agency
    if byline_agency:
        return byline_agency
    for key in (
        "sourceOrganization",
        "provider",
        "author",
        "publisher",
        "copyrightHolder",
        "creator",
    ):
        for name in ld_names(meta.ld(key)):
            agency = normalise_agency(name)
            if agency:
                return agency
    return None


def credit_in_page(tree: HtmlElement, marked: Sequence[Marked]) -> str | None:
    """A credit line shown near the headline: a credit-classed element or a bare agency name."""
    for m in marked_with(marked, _TEXT_TAGS, _CREDIT_CLASS_WORDS):
        el = m.el
        if m.tokens & _NOT_ARTICLE_CREDIT:
            continue
        text = visible_text(el)
        if text and len(text) <= 60 and not _in_caption(el) and not in_chrome(el):
            agency = credit_from_line(text)
            if agency:
                return agency
    region = _article_region(tree)
    if region is None:
        return None
    for el in region.iter(*_TEXT_TAGS):
        if len(el) > 2 or class_tokens(el) & _NOT_ARTICLE_CREDIT:
            continue
        # Raw text, spaces collapsed: a bare agency name is short and has no script inside.
        text = " ".join(el.text_content().split())
        if not text or len(text) > _MAX_BARE_CREDIT_CHARS:
            continue
        agency = normalise_agency(text)
        if agency and not _in_caption(el) and not in_chrome(el):
            return agency
    return None


def _article_region(tree: HtmlElement) -> HtmlElement | None:
    """The block around the headline: <article>, or the h1's grandparent."""
    for el in tree.iter("article"):
        if not in_chrome(el):
            return el
    h1 = first_h1(tree)
    if h1 is None:
        return None
    parent = h1.getparent()
    if parent is None:
        return None
    grandparent = parent.getparent()
    if grandparent is not None and tag_of(grandparent) not in ("body", "html"):
        return grandparent
    return parent


def _in_caption(el: HtmlElement) -> bool:
    node: HtmlElement | None = el
    while node is not None:
        if tag_of(node) in ("figure", "figcaption", "li", "ul", "ol", "nav"):
            return True
        node = node.getparent()
    return False
