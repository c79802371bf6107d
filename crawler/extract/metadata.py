"""Machine-readable page metadata: <meta> tags, <link rel>, JSON-LD, <html lang>.

Read once into a `PageMeta` so each field extractor asks for names instead of re-walking the tree.
JSON-LD on real sites is often sloppy (trailing commas, HTML comments, control characters), so the
parser is forgiving and skips what it cannot read.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml.html import HtmlElement

from crawler.extract.parse import iter_elements
from crawler.extract.text import normalise_text

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {
        "newsarticle",
        "article",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "askpublicnewsarticle",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "report",
        "techarticle",
    }
)
_PAGE_TYPES = frozenset({"webpage", "itempage", "collectionpage"})
_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")
_MAX_LD_CHARS = 2_000_000
_MAX_LD_DEPTH = 6


@dataclass(slots=True)
class PageMeta:
    """Everything declared about the page, as opposed to what it shows."""

    meta: dict[str, list[str]] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=dict)
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    article: dict[str, Any] | None = None
    html_lang: str | None = None
    base_href: str | None = None

    def first(self, *names: str) -> str | None:
        """The first non-empty content among meta `names` (lower-case), in the order asked."""
        for name in names:
            for value in self.meta.get(name, ()):
                if value:
                    return value
        return None

    def all(self, *names: str) -> list[str]:
        """Every non-empty content among meta `names`, in the order asked."""
        return [v for name in names for v in self.meta.get(name, ()) if v]

    def ld(self, *keys: str) -> Any:
        """The first present key of the main JSON-LD article object, or None."""
        if not self.article:
            return None
        for key in keys:
            value = self.article.get(key)
            if value not in (None, "", [], {}):
                return value
        return None


def read_metadata(tree: HtmlElement) -> PageMeta:
    """Collect meta tags, link rels, JSON-LD objects and the document language."""
    page = PageMeta()
    page.html_lang = (tree.get("lang") or tree.get("xml:lang") or "").strip() or None
    for el in iter_elements(tree, frozenset({"meta"}), limit=5_000):
        content = el.get("content")
        if content is None:
            continue
        content = normalise_text(content)
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = (el.get(attr) or "").strip().lower()
            if key:
                page.meta.setdefault(key, []).append(content)
    for el in iter_elements(tree, frozenset({"link"}), limit=5_000):
        href = (el.get("href") or "").strip()
        for rel in (el.get("rel") or "").lower().split():
            if href:
                page.links.setdefault(rel, []).append(href)
    for el in iter_elements(tree, frozenset({"base"}), limit=10):
        if el.get("href"):
            page.base_href = el.get("href", "").strip()
            break
    for el in iter_elements(tree, frozenset({"script"}), limit=5_000):
        if "ld+json" in (el.get("type") or "").lower():
            page.jsonld.extend(_walk(_load_json(el.text or "")))
    page.article = _pick_article(page.jsonld)
    return page


def ld_types(obj: dict[str, Any]) -> set[str]:
    """The lower-cased @type values of a JSON-LD object (a string or a list)."""
    raw = obj.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {v.lower().rsplit("/", 1)[-1] for v in values if isinstance(v, str)}


def ld_text(value: Any) -> str | None:
    """A display string from a JSON-LD value: a string, a {name}/{@value} object, or a list."""
    if isinstance(value, str):
        return normalise_text(value) or None
    if isinstance(value, dict):
        for key in ("name", "@value", "text", "url", "@id"):
            text = ld_text(value.get(key))
            if text:
                return text
        return None
    if isinstance(value, list):
        for item in value:
            text = ld_text(item)
            if text:
                return text
    return None


def ld_names(value: Any) -> list[str]:
    """All names in a JSON-LD value that may hold several people or organisations."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, dict):
            name = ld_text(item.get("name"))
        elif isinstance(item, str):
            name = normalise_text(item) or None
        else:
            name = None
        if name:
            names.append(name)
    return names


def _load_json(text: str) -> Any:
    """json.loads that tolerates the usual JSON-LD sloppiness; None when hopeless."""
    text = text.strip()
    if not text or len(text) > _MAX_LD_CHARS:
        return None
    for candidate in (text, _repair(text)):
        try:
            return json.loads(candidate, strict=False)
        except (ValueError, RecursionError):
            continue
    logger.debug("skipping unreadable JSON-LD block (%d chars)", len(text))
    return None


def _repair(text: str) -> str:
    text = text.replace("<!--", "").replace("-->", "")
    text = text.replace("<![CDATA[", "").replace("]]>", "")
    return _TRAILING_COMMA_RE.sub(r"\1", text).strip().rstrip(";,")


def _walk(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every typed object in a JSON-LD document: top level, @graph members, mainEntity."""
    if depth > _MAX_LD_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk(item, depth + 1)
    elif isinstance(data, dict):
        if "@type" in data:
            yield data
        for key in ("@graph", "mainEntity", "itemListElement"):
            if key in data:
                yield from _walk(data[key], depth + 1)


def _pick_article(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The object describing the article itself: an *Article type, best one with a headline."""
    articles = [o for o in objects if ld_types(o) & ARTICLE_TYPES]
    if articles:
        articles.sort(key=lambda o: ("headline" not in o, "articleBody" not in o))
        return articles[0]
    pages = [o for o in objects if ld_types(o) & _PAGE_TYPES and ("datePublished" in o)]
    return pages[0] if pages else None
