"""One lxml parse per page, plus the small tree helpers every sub-extractor shares.

The tree is read-only after parsing: sub-extractors must not edit it (trafilatura works on its
own copy), so they can run in any order on the same object.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from crawler.extract.text import normalise_text

logger = logging.getLogger(__name__)

_PARSER = lxml.html.HTMLParser(
    remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False
)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# C0 controls other than tab/newline/CR are never content; libxml2 chokes on some of them.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")

NON_CONTENT_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "iframe"})
CHROME_TAGS = frozenset({"nav", "footer", "aside", "form", "menu"})
# class/id words marking page furniture around an article (sidebars, teasers, comments...).
_CHROME_WORDS = frozenset(
    {
        "nav",
        "navbar",
        "navigation",
        "menu",
        "sidebar",
        "widget",
        "footer",
        "related",
        "comment",
        "comments",
        "share",
        "sharing",
        "social",
        "newsletter",
        "promo",
        "advert",
        "advertisement",
        "ad",
        "ads",
        "teaser",
        "teasers",
        "recommended",
        "popular",
        "trending",
        "breadcrumb",
        "breadcrumbs",
        "more",
        "outbrain",
        "taboola",
        "sharedaddy",
        "jp",
        "cookie",
        "banner",
    }
)
_TOKEN_SPLIT_RE = re.compile(r"[\s_\-]+")
_VISIBLE_TEXT = lxml.etree.XPath(
    ".//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
    " or ancestor::template)]"
)


def parse_html(text: str) -> HtmlElement | None:
    """Parse a decoded page into an lxml tree; None when there is no document to speak of."""
    text = _CONTROL_RE.sub("", _XML_DECL_RE.sub("", text, count=1))
    if not text.strip():
        return None
    try:
        tree = lxml.html.document_fromstring(text, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError, TypeError) as exc:
        logger.info("unparseable HTML: %s", exc)
        return None
    return tree if isinstance(tree, HtmlElement) else None


def tag_of(el: object) -> str:
    """Lower-case tag name, '' for comments/processing instructions (whose tag is a function)."""
    tag = getattr(el, "tag", None)
    return tag.lower() if isinstance(tag, str) else ""


def class_tokens(el: HtmlElement) -> set[str]:
    """The words in an element's class and id ("entry-title main" -> {entry, title, main})."""
    raw = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return {tok for tok in _TOKEN_SPLIT_RE.split(raw) if tok}


def class_string(el: HtmlElement) -> str:
    """Class and id joined, lower-cased, for substring tests."""
    return f"{el.get('class') or ''} {el.get('id') or ''}".lower()


def visible_text(el: HtmlElement) -> str:
    """Normalised text of an element without script/style content."""
    try:
        return normalise_text("".join(_VISIBLE_TEXT(el)))
    except (lxml.etree.XPathError, ValueError):
        return ""


def in_chrome(el: HtmlElement) -> bool:
    """True when the element sits in navigation, sidebars, footers, teasers or comments."""
    node: HtmlElement | None = el
    while node is not None:
        tag = tag_of(node)
        if tag in CHROME_TAGS or tag in NON_CONTENT_TAGS or tag == "figure":
            return True
        if tag in ("body", "html"):
            return False
        if class_tokens(node) & _CHROME_WORDS:
            return True
        node = node.getparent()
    return False


def iter_elements(
    tree: HtmlElement, tags: frozenset[str], limit: int = 50_000
) -> Iterator[HtmlElement]:
    """Elements with one of `tags` in document order, at most `limit` (huge pages stay fast)."""
    for count, el in enumerate(tree.iter(*tags)):
        if count >= limit:
            logger.debug("stopped scanning after %d elements", limit)
            return
        yield el


def first_h1(tree: HtmlElement) -> HtmlElement | None:
    """The first <h1> outside page chrome, the usual home of the headline."""
    for el in tree.iter("h1"):
        if not in_chrome(el) and visible_text(el):
            return el
    return None
