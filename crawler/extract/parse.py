"""One lxml parse per page, plus the small tree helpers every sub-extractor shares.

The tree is edited once, by `prune_invisible` after the metadata has been read (scripts, styles
and templates hold nothing a reader sees, and cost every later pass time); from then on it is
read-only: sub-extractors must not edit it (trafilatura works on its own copy), so they can run
in any order on the same object.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from crawler.extract.text import normalise_text, text_key

logger = logging.getLogger(__name__)

_PARSER = lxml.html.HTMLParser(
    remove_comments=True,
    remove_pis=True,
    collect_ids=False,
    default_doctype=False,
    encoding="utf-8",
)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# Never content: C0 controls other than tab/newline/CR (libxml2 chokes on some of them), and the
# noncharacters U+FFFE/U+FFFF, raw or as references (trafilatura gives up on the whole body).
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|&#(?:[xX]0*[fF]{3}[eEfF]|0*6553[45]);?")

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
_TEXT_CONTAINING = lxml.etree.XPath("//text()[contains(., $needle)]")
_MIN_NEEDLE = 4
_MAX_CLIMB = 4
_VISIBLE_TEXT = lxml.etree.XPath(
    ".//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
    " or ancestor::template)]"
)


def parse_html(text: str) -> HtmlElement | None:
    """Parse a decoded page into an lxml tree; None when there is no document to speak of.

    The text is handed to libxml2 as UTF-8 bytes with the encoding stated: a third faster than
    parsing a Python str, and no meta charset inside the page can override it.
    """
    text = _CONTROL_RE.sub("", _XML_DECL_RE.sub("", text, count=1))
    if not text.strip():
        return None
    try:
        tree = lxml.html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=_PARSER)
    except (lxml.etree.ParserError, ValueError, TypeError) as exc:
        logger.info("unparseable HTML: %s", exc)
        return None
    return tree if isinstance(tree, HtmlElement) else None


class Marked(NamedTuple):
    """An element carrying a class, id or itemprop: what most field finders look for.

    `classes` is its class and id, lower-cased; `tokens` splits them into words on demand
    (cached: class strings repeat across a page and across a site).
    """

    el: HtmlElement
    tag: str
    classes: str
    itemprop: str

    @property
    def tokens(self) -> frozenset[str]:
        return _tokens(self.classes) if self.classes else _NO_TOKENS

    def mentions(self, words: frozenset[str]) -> bool:
        """True when one of the class/id words is in `words`."""
        return bool(self.classes) and not _tokens(self.classes).isdisjoint(words)


_MARKED = lxml.etree.XPath("//*[@class or @id or @itemprop]")


def marked_elements(tree: HtmlElement, limit: int = 50_000) -> tuple[Marked, ...]:
    """Every element with a class, id or itemprop, in document order, read in one pass.

    Walking a large page costs a Python object per element; the finders for standfirst, author
    and credit share this one walk (filtered in libxml2) instead of each making its own.
    """
    found: list[Marked] = []
    for el in _MARKED(tree)[:limit]:  # "*" matches elements only, and lxml.html lower-cases tags
        get = el.get
        css = get("class")
        ident = get("id")
        prop = get("itemprop")
        classes = f"{css or ''} {ident or ''}".lower() if css or ident else ""
        found.append(Marked(el, el.tag, classes, prop.strip().lower() if prop else ""))
    return tuple(found)


def marked_with(
    marked: Sequence[Marked], tags: frozenset[str], words: frozenset[str]
) -> Iterator[Marked]:
    """The marked elements with one of `tags` and one of `words` in their class/id."""
    for m in marked:
        if m.tag in tags and m.mentions(words):
            yield m


_NO_TOKENS: frozenset[str] = frozenset()


@functools.lru_cache(maxsize=16384)
def _tokens(raw: str) -> frozenset[str]:
    """Class strings repeat across a page's elements and across a site's pages: cached."""
    return frozenset(raw.lower().replace("-", " ").replace("_", " ").split())


# Elements no reader sees and no field is read from once the metadata is in hand.
_INVISIBLE_TAGS = ("script", "style", "noscript", "template", "svg", "iframe")


def prune_invisible(tree: HtmlElement) -> None:
    """Remove scripts, styles, templates, SVG and iframes from the tree, in place.

    Call after `crawler.extract.metadata.read_metadata`. JSON-LD blocks stay (trafilatura reads
    them to recognise forum threads). Text after a removed element is kept. Every later pass
    (trafilatura's class-name XPaths above all) runs on a smaller tree; what it extracts is the
    same, since each of these is discarded before extraction anyway.
    """
    doomed = [
        el
        for el in tree.iter(*_INVISIBLE_TAGS)
        if not (el.tag == "script" and "ld+json" in (el.get("type") or "").lower())
    ]
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


# What trafilatura deletes before extracting anyway (navigation, sidebars, footers, controls,
# media players), removed once the fields that might live there have been read.
_CHROME_TAGS_TO_PRUNE = (
    "nav",
    "aside",
    "footer",
    "button",
    "select",
    "input",
    "textarea",
    "picture",
    "video",
    "audio",
    "canvas",
    "object",
    "embed",
)


def prune_chrome(tree: HtmlElement) -> None:
    """Remove navigation, sidebars, footers and form controls from the tree, in place.

    Call once every reader of those parts (author, credit, dates, images) is done, just before
    the body is extracted: trafilatura discards all of them anyway, and its class-name XPaths
    and tree copies run 15% faster on what is left. (<form> stays: some sites wrap the whole
    page in one.)
    """
    for el in list(tree.iter(*_CHROME_TAGS_TO_PRUNE)):
        if el.getparent() is not None:
            el.drop_tree()


def tag_of(el: object) -> str:
    """Lower-case tag name, '' for comments/processing instructions (whose tag is a function)."""
    tag = getattr(el, "tag", None)
    return tag.lower() if isinstance(tag, str) else ""


def class_tokens(el: HtmlElement) -> frozenset[str]:
    """The words in an element's class and id ("entry-title main" -> {entry, title, main})."""
    css = el.get("class")
    ident = el.get("id")
    if not css and not ident:
        return _NO_TOKENS
    return _tokens(f"{css or ''} {ident or ''}")


def class_string(el: HtmlElement) -> str:
    """Class and id joined, lower-cased, for substring tests."""
    return f"{el.get('class') or ''} {el.get('id') or ''}".lower()


def visible_text(el: HtmlElement) -> str:
    """Normalised text of an element without script/style content.

    On a tree `prune_invisible` has run on there is nothing to leave out, and the plain text
    (one libxml2 call) is taken; scripts are looked for only in unpruned trees.
    """
    try:
        if el.find(".//script") is None and el.find(".//style") is None:
            return normalise_text(el.text_content())
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
    """The first <h1> outside page chrome, the usual home of the headline. An <h1> that links
    to the home page (or sits in such a link) is the site's logo, not a headline."""
    for el in tree.iter("h1"):
        if not in_chrome(el) and not is_home_link(el) and visible_text(el):
            return el
    return None


_HOME_PATHS = frozenset({"", "/", "/index.html", "/index.htm", "/index.php", "./"})


def is_home_link(el: HtmlElement) -> bool:
    """True when `el` is inside, or holds, a link to the site's front page."""
    parent = el.getparent()
    links = [
        *el.iter("a"),
        *(
            a
            for a in (parent, parent.getparent() if parent is not None else None)
            if a is not None and a.tag == "a"
        ),
    ]
    for link in links:
        href = (link.get("href") or "").strip()
        if href and not urlsplit(href).query and urlsplit(href).path in _HOME_PATHS:
            return True
    return False


def elements_showing(
    tree: HtmlElement, text: str, tags: frozenset[str], max_children: int = 3
) -> list[HtmlElement]:
    """Elements with one of `tags` and at most `max_children` children whose visible text is
    `text` (compared by `crawler.extract.text.text_key`), in document order.

    Found from the text nodes holding one distinctive word of `text` (a libxml2 search), then
    up through a few ancestors, instead of normalising the text of every element on the page.
    """
    key = text_key(text)
    needle = _needle(text)
    if not key or not needle:
        return []
    found: list[HtmlElement] = []
    seen: set[HtmlElement] = set()
    try:
        hits = _TEXT_CONTAINING(tree, needle=needle)
    except (lxml.etree.XPathError, ValueError):
        return []
    for hit in hits:
        owner = hit.getparent() if isinstance(hit, lxml.etree._ElementUnicodeResult) else None
        if owner is not None and hit.is_tail:
            owner = owner.getparent()
        chain: list[HtmlElement] = []
        node = owner
        while node is not None and len(chain) < _MAX_CLIMB:
            chain.append(node)
            node = node.getparent()
        for el in reversed(chain):  # outermost first: document order
            if el in seen or tag_of(el) not in tags or len(el) > max_children:
                continue
            seen.add(el)
            if text_key(visible_text(el)) == key:
                found.append(el)
    return found


def _needle(text: str) -> str | None:
    """A word of `text` unlikely to be split by markup: the longest of its first few words."""
    words = [w.strip(".,;:!?\"'“”‘’()[]") for w in text.split()[:8]]
    words = [w for w in words if len(w) >= _MIN_NEEDLE and "'" not in w]
    return max(words, key=len) if words else None
