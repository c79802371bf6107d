"""The story's author: a person's name, never the wire agency (that is the credit) nor the site.

Bylines arrive as "By Jane Doe | June 2, 2025", "Jane Doe, AFP", "Posted by admin" or a JSON-LD
Person; `split_byline` folds them to a name plus, when present, the agency named beside it.
"""

from __future__ import annotations

import logging
import re

from lxml.html import HtmlElement

from crawler.extract.agencies import credit_from_line, normalise_agency
from crawler.extract.dates import is_date_line
from crawler.extract.metadata import PageMeta, ld_names, ld_types
from crawler.extract.parse import class_tokens, iter_elements, tag_of, visible_text
from crawler.extract.text import normalise_text

logger = logging.getLogger(__name__)

_META_AUTHOR = (
    "author",
    "article:author",
    "dc.creator",
    "dcterms.creator",
    "parsely-author",
    "sailthru.author",
    "byl",
    "cxenseparse:author",
)
_BY_PREFIX_RE = re.compile(
    r"^(?:(?:posted|written|reported|words|text|story|compiled|edited)\s+by|by|von|por|par|di|"
    r"author|autor|auteur|text|writer|reporter)\s*[:\-–—]?\s+",
    re.IGNORECASE,
)
_SEGMENT_RE = re.compile(r"\s+[|•·—–-]\s+|\s*\|\s*")
_AGENCY_SUFFIX_RE = re.compile(r"^(?P<name>.+?)\s*(?:,|/|\(|\bfor\b)\s*(?P<agency>[^,()/]+?)\)?$")
_TRAILING_WHEN_RE = re.compile(r"\s+(?:on|at|updated|published|posted)\s+", re.IGNORECASE)
_GENERIC = frozenset(
    {
        "admin",
        "administrator",
        "webmaster",
        "editor",
        "user",
        "root",
        "staff",
        "guest",
        "anonymous",
        "unknown",
        "null",
        "none",
    }
)
_AUTHOR_WORDS = frozenset({"author", "byline", "writer", "reporter", "by", "creator"})
_NAME_WORDS = frozenset({"name", "fn"})
_TEXT_TAGS = frozenset(
    {
        "a",
        "span",
        "div",
        "p",
        "strong",
        "b",
        "em",
        "address",
        "cite",
        "small",
        "h4",
        "h5",
        "h6",
        "li",
    }
)


def split_byline(raw: str | None) -> tuple[str | None, str | None]:
    """(person, agency) from a byline; either may be None. "By Jane Doe, AFP" -> both."""
    text = normalise_text(raw)
    if not text or text.startswith(("http://", "https://", "www.")):
        return None, None
    for _ in range(2):
        text = _BY_PREFIX_RE.sub("", text, count=1).strip()
    segments = [s for s in _SEGMENT_RE.split(text) if s.strip()]
    if not segments:
        return None, None
    head = segments[0].strip(" ,;:")
    when = _TRAILING_WHEN_RE.search(head)
    if when and is_date_line(head[when.end() :]):
        head = head[: when.start()].strip(" ,;:")
    agency = credit_from_line(head)
    if agency:
        return None, agency
    match = _AGENCY_SUFFIX_RE.match(head)
    if match and normalise_agency(match.group("agency")):
        head, agency = match.group("name").strip(" ,;:"), normalise_agency(match.group("agency"))
    if agency is None:
        agency = next((a for a in map(credit_from_line, segments[1:]) if a), None)
    return (head if _plausible_name(head) else None), agency


def _plausible_name(name: str) -> bool:
    if not 2 <= len(name) <= 80 or len(name.split()) > 8:
        return False
    if "@" in name or "://" in name or name.lower().startswith("www."):
        return False
    if not re.search(r"[^\W\d_]", name) or sum(c.isdigit() for c in name) > 0:
        return False
    return name.casefold() not in _GENERIC and not is_date_line(name)


def find_author(
    tree: HtmlElement, meta: PageMeta, site_names: set[str]
) -> tuple[str | None, str | None]:
    """(author, agency found in a byline). Site names and agencies are never authors."""
    author: str | None = None
    byline_agency: str | None = None
    site_keys = {n.casefold() for n in site_names}
    for raw_names in _candidates(tree, meta):
        people = []
        for raw in raw_names:
            person, agency = split_byline(raw)
            byline_agency = byline_agency or agency
            if person and person.casefold() not in site_keys and person not in people:
                people.append(person)
        if people and author is None:
            author = ", ".join(people)
    return author, byline_agency


def _candidates(tree: HtmlElement, meta: PageMeta) -> list[list[str]]:
    """Author name groups in trust order: JSON-LD, meta, rel=author, itemprop, byline classes."""
    groups: list[list[str]] = []
    author = meta.ld("author", "creator")
    if author is not None:
        items = author if isinstance(author, list) else [author]
        people = [i for i in items if not (isinstance(i, dict) and "organization" in ld_types(i))]
        orgs = [i for i in items if isinstance(i, dict) and "organization" in ld_types(i)]
        if people:
            groups.append(ld_names(people))
        if orgs:
            groups.append(ld_names(orgs))
    for value in meta.all(*_META_AUTHOR):
        groups.append([value])
    for el in iter_elements(tree, frozenset({"a", "link"}), limit=20_000):
        if "author" in (el.get("rel") or "").lower().split() and tag_of(el) == "a":
            groups.append([visible_text(el)])
    for el in iter_elements(tree, _TEXT_TAGS, limit=20_000):
        prop = (el.get("itemprop") or "").lower()
        if prop == "author":
            named = [c for c in el.iter() if (c.get("itemprop") or "").lower() == "name"]
            groups.append([visible_text(named[0] if named else el)])
            continue
        tokens = class_tokens(el)
        if tokens & _AUTHOR_WORDS and (tokens & _NAME_WORDS or len(el) <= 2):
            text = visible_text(el)
            if 0 < len(text) <= 100:
                groups.append([text])
    return groups
