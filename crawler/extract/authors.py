"""The story's author: a person's name, never the wire agency (that is the credit) nor the site.

Bylines arrive as "By Jane Doe | June 2, 2025", "Jane Doe, AFP", "Posted by admin" or a JSON-LD
Person; `split_byline` folds them to a name plus, when present, the agency named beside it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from lxml.etree import XPath
from lxml.html import HtmlElement

from crawler.extract.agencies import credit_from_line, normalise_agency
from crawler.extract.dates import is_date_line
from crawler.extract.metadata import PageMeta, ld_names, ld_types
from crawler.extract.parse import Marked, class_tokens, marked_elements, visible_text
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
        "by",
        "name",
        "author",
        "гость",
        "invitado",
        "convidado",
        "gast",
        "invité",
        "ospite",
        "redacción",
        "redação",
        "redaktion",
        "rédaction",
        "redazione",
    }
)
_REL_AUTHOR = XPath("//a[@rel]")
# "Photo Desk", "Web Team", "News Bureau", "Staff Reports", "Detroit News wire service", "jdadmin",
# "Powered by WordPress.com", "Name (required)": a desk, an account or a form label, no person.
_NOT_A_PERSON_RE = re.compile(
    r"\b(?:desk|team|bureau|newsroom|staff|agencies|editorial|correspondents|staff reports?|"
    r"wire services?|wire reports?)$|admin$|^powered by\b|\((?:required|wajib|obligatorio|"
    r"requis|erforderlich|obrigatório)\)",
    re.IGNORECASE,
)
_COMMENT_WORDS = frozenset({"comment", "comments", "respond", "reply", "discussion"})
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
    if _NOT_A_PERSON_RE.search(name):
        return False
    return name.casefold() not in _GENERIC and not is_date_line(name)


def find_author(
    tree: HtmlElement,
    meta: PageMeta,
    site_names: set[str],
    marked: Sequence[Marked] | None = None,
) -> tuple[str | None, str | None]:
    """(author, agency found in a byline). Site names and agencies are never authors.

    `marked` is `marked_elements(tree)` when the caller already has it.
    """
    author: str | None = None
    byline_agency: str | None = None
    site_keys = {n.casefold() for n in site_names}
    for raw_names in _candidates(tree, meta, marked_elements(tree) if marked is None else marked):
        people = []
        for raw in raw_names:
            person, agency = split_byline(raw)
            byline_agency = byline_agency or agency
            if person and person.casefold() not in site_keys and person not in people:
                people.append(person)
        if people and author is None:
            author = ", ".join(people)
    return author, byline_agency


def _candidates(tree: HtmlElement, meta: PageMeta, marked: Sequence[Marked]) -> list[list[str]]:
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
    for el in _REL_AUTHOR(tree):
        if "author" in (el.get("rel") or "").lower().split():
            groups.append([visible_text(el)])
    for m in marked:
        if m.tag not in _TEXT_TAGS:
            continue
        el = m.el
        if m.itemprop == "author":
            named = [c for c in el.iter() if (c.get("itemprop") or "").lower() == "name"]
            groups.append([visible_text(named[0] if named else el)])
            continue
        if m.mentions(_AUTHOR_WORDS) and (m.tokens & _NAME_WORDS or len(el) <= 2):
            if _in_form_or_comments(el):
                continue
            text = visible_text(el)
            if 0 < len(text) <= 100:
                groups.append([text])
    return groups


def _in_form_or_comments(el: HtmlElement) -> bool:
    """A comment form's "Name" field or a commenter's name, not the story's byline."""
    for node in (el, *el.iterancestors()):
        if node.tag == "form" or class_tokens(node) & _COMMENT_WORDS:
            return True
    return False
