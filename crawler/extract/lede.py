"""The standfirst: the summary a page shows between headline and body, if it shows one.

Only a summary shown *apart* from the body counts; a meta description that merely repeats the
first body paragraph is not a standfirst (then the lede is that first paragraph).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from lxml.etree import XPath
from lxml.html import HtmlElement

from crawler.extract.authors import split_byline
from crawler.extract.dateline import parse_dateline
from crawler.extract.dates import is_date_line, parse_date
from crawler.extract.metadata import PageMeta, ld_text
from crawler.extract.parse import (
    Marked,
    elements_showing,
    first_h1,
    in_chrome,
    marked_elements,
    tag_of,
    visible_text,
)
from crawler.extract.text import text_key

logger = logging.getLogger(__name__)

_STRONG_WORDS = frozenset(
    {
        "standfirst",
        "dek",
        "subtitle",
        "subheadline",
        "subhead",
        "summary",
        "strapline",
        "excerpt",
        "deck",
        "kicker",
        "sapo",
        "entradilla",
        "teaser",
        "description",
        "abstract",
        "sub",
        "intro",
        "lede",
        "lead",
    }
)
# Standfirsts with these words are usually the first body paragraph styled apart.
_WEAK_WORDS = frozenset({"intro", "lede", "lead"})
# Summaries of something else: an author bio, a photo caption, a comment.
# ("speakable" marks body sentences for voice assistants, whatever else the class says.)
_EXCLUDED_WORDS = frozenset(
    {
        "author",
        "bio",
        "caption",
        "photo",
        "image",
        "comment",
        "video",
        "related",
        "card",
        "speakable",
    }
)
_TAGS = frozenset({"p", "h2", "h3", "div", "span", "strong", "em", "section", "header"})
_MIN_CHARS, _MAX_CHARS = 30, 800
_FOLLOWING_PARAGRAPHS = XPath("following::p[position() <= 3]")
_MAX_FURNITURE = 4
_MAX_FURNITURE_CHARS = 120
_DESCRIPTION_TAGS = frozenset({"p", "h2", "h3", "div", "span"})
_MIN_STANDFIRST_WORDS = 4
_SHORT_WORDS = 16
_MIN_TITLE_KEY = 15
_BYLINE_RE = re.compile(
    r"^(?:by|von|por|par|di)\s+\S|\b(?:writer|correspondent|reporter|columnist|contributor|"
    r"editor)s?\b\s*$|@",
    re.IGNORECASE,
)
_MENU_SEPARATOR_RE = re.compile(r"\s[*•|·]\s")
_PROMO_RE = re.compile(
    r"\b(?:subscribe|sign up|newsletter|log ?in|register now|cookies?|commission|affiliate|"
    r"advertisement|sponsored)\b",
    re.IGNORECASE,
)


def find_standfirst(
    tree: HtmlElement,
    meta: PageMeta,
    marked: Sequence[Marked] | None = None,
    title: str = "",
) -> str | None:
    """The standfirst text, or None when the page shows no summary apart from its body.

    `marked` is `marked_elements(tree)` when the caller already has it; `title` (the headline)
    lets a header block that repeats it be recognised as something other than a summary.
    Whatever the route, a byline, a date line, a menu or a promo is never a standfirst.
    """
    title_key = text_key(title) if title else ""
    for m in marked_elements(tree) if marked is None else marked:
        if m.tag not in _TAGS:
            continue
        itemprop = m.itemprop
        if not (m.mentions(_STRONG_WORDS) or itemprop in ("description", "alternativeheadline")):
            continue
        el, tokens = m.el, m.tokens
        if tokens & _EXCLUDED_WORDS or ("teaser" in tokens and "article" not in tokens):
            continue
        weak_only = not tokens & (_STRONG_WORDS - _WEAK_WORDS)
        if weak_only and _is_body_paragraph(el):
            continue
        text = _acceptable(el)
        if text and plausible_standfirst(text, title_key):
            return text
    for route in (_after_headline, _italic_opening):
        text = route(tree)
        if text and plausible_standfirst(text, title_key):
            return text
    text = _visible_description(tree, meta)
    return text if text and plausible_standfirst(text, title_key) else None


def plausible_standfirst(text: str, title_key: str = "") -> bool:
    """Could `text` be a summary? Not a byline ("By ...", "Jane Doe, AP Sports Writer"), a date
    line, a menu in Title Case, a promo, or a header block that contains the headline."""
    words = text.split()
    if _BYLINE_RE.search(text) or _PROMO_RE.search(text):
        return False
    if len(words) < _MIN_STANDFIRST_WORDS or is_date_line(text):
        return False
    if len(words) < _SHORT_WORDS and parse_date(text) is not None:
        return False  # "JANE DOENov. 20, 2019 Updated: ..." header furniture
    if all(w[:1].isupper() or not w[:1].isalpha() for w in words):
        return False  # "History Science Innovation Arts & Culture Travel"
    if text.startswith(("*", "•", "|")) or len(_MENU_SEPARATOR_RE.findall(text)) >= 2:
        return False  # "Complete D.C. Coverage * Weekly Video * More."
    if title_key and len(title_key) >= _MIN_TITLE_KEY and title_key in text_key(text):
        return False
    _, agency = split_byline(text)
    return not (agency and len(words) < _SHORT_WORDS)


def _acceptable(el: HtmlElement) -> str | None:
    if in_chrome(el) or len(el.findall(".//p")) > 1:
        return None
    text = visible_text(el)
    return text if _MIN_CHARS <= len(text) <= _MAX_CHARS else None


def _after_headline(tree: HtmlElement) -> str | None:
    """The first <h2>/<p> after the <h1>, if it stands alone (not the start of the body).

    Only short furniture (date, byline, credit, share buttons) may sit between the two; anything
    holding paragraphs means the body has started and there is no standfirst.
    """
    h1 = first_h1(tree)
    if h1 is None:
        return None
    sibling = h1.getnext()
    for _ in range(_MAX_FURNITURE):
        if sibling is None:
            return None
        tag = tag_of(sibling)
        text = visible_text(sibling)
        if tag in ("h2", "p") and _MIN_CHARS <= len(text) <= _MAX_CHARS:
            if _is_body_paragraph(sibling) or in_chrome(sibling):
                return None
            return text
        if sibling.find(".//p") is not None or len(text) > _MAX_FURNITURE_CHARS:
            return None
        sibling = sibling.getnext()
    return None


def _italic_opening(tree: HtmlElement) -> str | None:
    """A first paragraph set wholly in italics, the WordPress way of showing a standfirst
    (``<p><em>...</em></p>``), when more paragraphs follow it. Bold openings are not taken:
    many sites bold the first sentence of the story itself."""
    h1 = first_h1(tree)
    if h1 is None:
        return None
    for p in _FOLLOWING_PARAGRAPHS(h1):
        text = visible_text(p)
        if len(text) < _MIN_CHARS or in_chrome(p):
            continue
        children = [c for c in p if isinstance(c.tag, str)]
        only_italic = (
            len(children) == 1
            and tag_of(children[0]) in ("em", "i")
            and not (p.text or "").strip()
            and not (children[0].tail or "").strip()
        )
        follows = p.getnext()
        if (
            only_italic
            and len(text) <= _MAX_CHARS
            and follows is not None
            and tag_of(follows) == "p"
        ):
            return None if parse_dateline(text) else text
        return None
    return None


def _visible_description(tree: HtmlElement, meta: PageMeta) -> str | None:
    """The meta/og/JSON-LD description, if an element outside the body shows that same text."""
    description = meta.first("og:description", "description", "twitter:description") or ld_text(
        meta.ld("description")
    )
    if not description or len(description) < _MIN_CHARS:
        return None
    for el in elements_showing(tree, description, _DESCRIPTION_TAGS):
        if not in_chrome(el):
            return None if _is_body_paragraph(el) else visible_text(el)
    return None


def _is_body_paragraph(el: HtmlElement) -> bool:
    """A <p> among several sibling <p>s is body copy, whatever its class says."""
    parent = el.getparent()
    if tag_of(el) != "p" or parent is None:
        return False
    return sum(1 for sib in parent if tag_of(sib) == "p") >= 3
