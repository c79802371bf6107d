"""The headline, without the " - Site Name" / " | Site" decoration sites add to <title>.

Each syndicating site appends its own name; left in, it would make every copy's title differ.
"""

from __future__ import annotations

import logging
import re
from itertools import islice
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from crawler.extract.metadata import PageMeta, ld_text
from crawler.extract.parse import first_h1, visible_text
from crawler.extract.text import normalise_text

logger = logging.getLogger(__name__)

_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » ", " / ")
_KEY_RE = re.compile(r"[\W_]+")
_HOST_NOISE = ("www.", "m.", "amp.", "mobile.", "english.", "en.")
# A trailing part after " | " this short is a site or section name, not part of a headline.
_MAX_PIPE_TAIL_WORDS = 5
_MAX_H1S = 5
_MIN_H1_CHARS = 10


def site_names(meta: PageMeta) -> set[str]:
    """Names the site calls itself: og:site_name, application-name, JSON-LD publisher."""
    names = set(
        meta.all("og:site_name", "application-name", "apple-mobile-web-app-title", "twitter:site")
    )
    publisher = ld_text(meta.ld("publisher"))
    if publisher:
        names.add(publisher)
    return {n.lstrip("@") for n in names if n}


def find_title(tree: HtmlElement, meta: PageMeta, url: str) -> str:
    """og:title, JSON-LD headline, <h1>, then <title>; site-name decoration removed."""
    h1 = first_h1(tree)
    h1_text = visible_text(h1) if h1 is not None else ""
    title_el = tree.find(".//title")
    candidates = [
        meta.first("og:title"),
        ld_text(meta.ld("headline", "name")),
        h1_text,
        visible_text(title_el) if title_el is not None else "",
        meta.first("twitter:title"),
    ]
    names = site_names(meta)
    host = urlsplit(url).hostname or ""
    # Every <h1> may show the bare headline, even one a layout class calls a "sidebar".
    headings = [h1_text] + [visible_text(h) for h in islice(tree.iter("h1"), _MAX_H1S)]
    site_keys = {_key(n) for n in names} | {_host_key(host)}
    for raw in candidates:
        title = normalise_text(raw)
        if title and _key(title) in site_keys:
            continue  # og:title or <title> that is just the site's name
        if title:
            for heading in dict.fromkeys(h for h in headings if h):
                bare = _bare_heading(title, heading)
                if bare:
                    return bare
            return strip_site_name(title, names, host, h1_text)
    return ""


def _bare_heading(title: str, h1: str) -> str | None:
    """`h1` when `title` is `h1` plus a separator and decoration on either side
    ("Story - Auto News", "Opinion | Story")."""
    if len(h1) < _MIN_H1_CHARS or title == h1:
        return None
    if title.startswith(h1) and any(title[len(h1) :].startswith(sep) for sep in _SEPARATORS):
        return h1
    if title.endswith(h1) and any(title[: -len(h1)].endswith(sep) for sep in _SEPARATORS):
        return h1
    return None


def strip_site_name(title: str, names: set[str], host: str = "", h1: str = "") -> str:
    """Remove a leading or trailing site name joined by a separator ("Story - Site")."""
    if h1:
        bare = _bare_heading(title, h1)
        if bare:
            return bare
    keys = {_key(n) for n in names if _key(n)}
    host_key = _host_key(host)
    for _ in range(2):
        stripped = _strip_once(title, keys, host_key)
        if stripped == title:
            break
        title = stripped
    return title


def _strip_once(title: str, keys: set[str], host_key: str) -> str:
    for sep in _SEPARATORS:
        if sep not in title:
            continue
        head, _, tail = title.rpartition(sep)
        if head.strip() and _is_site(tail, keys, host_key):
            return head.strip()
        if (
            sep == " | "
            and head.strip()
            and len(tail.split()) <= _MAX_PIPE_TAIL_WORDS
            and len(head.split()) >= 3
        ):
            return head.strip()
        first, _, rest = title.partition(sep)
        if rest.strip() and _is_site(first, keys, host_key):
            return rest.strip()
    return title


def _is_site(part: str, keys: set[str], host_key: str) -> bool:
    key = _key(part)
    if not key:
        return False
    if key in keys:
        return True
    # "St Petersburg Star" on stpetersburgstar.com; "Coastal Herald" on coastalherald.example
    return bool(host_key) and len(key) >= 4 and (key == host_key or key in host_key.split("."))


def _key(text: str) -> str:
    return _KEY_RE.sub("", text.casefold())


def _host_key(host: str) -> str:
    host = host.lower()
    for prefix in _HOST_NOISE:
        host = host.removeprefix(prefix)
    labels = host.split(".")
    # Drop the public suffix roughly: the last label, and a second-level one like "co.uk".
    if len(labels) >= 3 and len(labels[-2]) <= 3:
        labels = labels[:-2]
    elif len(labels) >= 2:
        labels = labels[:-1]
    return ".".join(_key(label) for label in labels)
