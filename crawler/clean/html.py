"""`sanitize_html`: untrusted article HTML to a fragment safe to publish.

Every byte from a source is hostile until sanitised. nh3 (the Rust ammonia sanitiser) parses the
fragment the way a browser does, so tricks that fool regex filters (mixed case, entities, tabs
inside ``javascript:``, SVG/MathML namespace confusion, unclosed tags) reach it already decoded.
What survives is an allow-list: a few text-structure tags, ``href`` on links and ``src``/``alt``
on images. Relative URLs are made absolute against the page, and anything but http(s) is dropped.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urljoin, urlsplit

import nh3

logger = logging.getLogger(__name__)

ALLOWED_TAGS = frozenset(
    {
        "p",
        "ul",
        "ol",
        "li",
        "blockquote",
        "a",
        "img",
        "em",
        "strong",
        "h2",
        "h3",
        "h4",
        "figure",
        "figcaption",
    }
)
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}, "img": {"src", "alt"}}
# Removed with everything inside them (tags not in the allow-list otherwise keep their text).
_DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "template",
        "noscript",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "textarea",
        "select",
        "title",
        "head",
        "frameset",
        "noembed",
        "noframes",
        "xmp",
        "plaintext",
    }
)
_SCHEMES = frozenset({"http", "https"})
# XML 1.0 forbids C0 controls but tab, LF and CR, surrogates and U+FFFE/U+FFFF (one of them makes
# a whole feed unreadable); C1 controls and DEL are debris. Character references bring them back
# after parsing, so they are removed from the output.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_URL_ATTRIBUTES = frozenset({"href", "src"})


def sanitize_html(html: str, base_url: str) -> str:
    """`html` reduced to the allow-list, links absolute and ``rel="noopener noreferrer"``.

    Relative links resolve against `base_url` (the page's own address); a URL that is not
    http(s) afterwards (``javascript:``, ``data:``, ``vbscript:``, ``mailto:``...) loses its
    attribute, so the link or image stays harmless text or nothing. Characters XML forbids are
    removed, so the fragment can go into a feed. Never raises on content.
    """
    if not html:
        return ""
    base = base_url if urlsplit(base_url).scheme.lower() in _SCHEMES else None

    def resolve(url: str) -> str | None:
        return _absolute(url, base)

    try:
        cleaned = nh3.clean(
            html,
            tags=set(ALLOWED_TAGS),
            clean_content_tags=set(_DROPPED_WITH_CONTENT),
            attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
            attribute_filter=_filter_attribute,
            url_schemes=set(_SCHEMES),
            url_relative=resolve,
            link_rel="noopener noreferrer",
            strip_comments=True,
        )
    except (ValueError, TypeError):  # a bug in our options, not in the page: fail closed
        logger.exception("sanitising failed for a fragment from %s", base_url)
        return ""
    return _FORBIDDEN.sub("", cleaned)


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Drop URL attributes that are empty or not http(s) once made absolute."""
    if attribute not in _URL_ATTRIBUTES:
        return value
    value = value.strip()
    if not value:
        return None
    scheme = urlsplit(value).scheme.lower()
    if scheme and scheme not in _SCHEMES:
        return None
    return value


def _absolute(url: str, base: str | None) -> str | None:
    """A relative URL resolved against the page; None (attribute dropped) without a base."""
    if base is None:
        return None
    try:
        joined = urljoin(base, url.strip())
    except ValueError:
        return None
    return joined if urlsplit(joined).scheme.lower() in _SCHEMES else None
