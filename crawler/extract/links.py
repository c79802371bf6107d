"""URLs a page declares about itself: its canonical address and its images.

A canonical pointing to another site is ignored: a syndicated copy often names the original as
canonical, but the digest must keep each copy's own address (dedup groups them later).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml.html import HtmlElement

from crawler.extract.metadata import PageMeta
from crawler.extract.parse import class_string, in_chrome, iter_elements

logger = logging.getLogger(__name__)

_HOST_PREFIXES = ("www.", "m.", "amp.", "mobile.")
_SKIP_IMAGE_RE = re.compile(
    r"logo|icon|avatar|sprite|pixel|spacer|blank\.gif|gravatar|emoji|badge|placeholder|masthead|"
    r"/ads?/|doubleclick|tracking|1x1|transparent",
    re.IGNORECASE,
)
_MAX_IMAGES = 12
_MIN_IMAGE_SIDE = 50


def base_url(meta: PageMeta, url: str) -> str:
    """The URL relative links resolve against (<base href> when present)."""
    if meta.base_href:
        joined = urljoin(url, meta.base_href)
        if urlsplit(joined).scheme in ("http", "https"):
            return joined
    return url


def same_site(a: str, b: str) -> bool:
    """Same host, ignoring www./m./amp. prefixes (an AMP copy may live on amp.example.com)."""
    return _bare_host(a) == _bare_host(b) != ""


def _bare_host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix):
            return host[len(prefix) :]
    return host


def absolute(href: str | None, base: str) -> str | None:
    """`href` made absolute against `base`; None unless it is http(s). Fragment dropped."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("data:", "javascript:", "mailto:")):
        return None
    try:
        joined = urldefrag(urljoin(base, href)).url
    except ValueError:
        return None
    return joined if urlsplit(joined).scheme in ("http", "https") else None


def find_canonical(meta: PageMeta, url: str, base: str) -> str:
    """<link rel=canonical> or og:url, absolute and on the page's own site; else `url`."""
    for href in (*meta.links.get("canonical", ()), *meta.all("og:url")):
        candidate = absolute(href, base)
        if candidate and same_site(candidate, url):
            return candidate
        if candidate:
            logger.debug("ignoring off-site canonical %s for %s", candidate, url)
    return url


def find_images(tree: HtmlElement, meta: PageMeta, base: str) -> tuple[str, ...]:
    """og:image / twitter:image / JSON-LD image, then images in the article, deduplicated."""
    found: list[str] = []
    declared = meta.all(
        "og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"
    )
    declared += _ld_images(meta.ld("image", "thumbnailUrl"))
    for href in declared:
        _add(found, absolute(href, base))
    for el in iter_elements(tree, frozenset({"img", "amp-img"}), limit=5_000):
        if len(found) >= _MAX_IMAGES:
            break
        if in_chrome(el) and not _in_article_figure(el):
            continue
        src = el.get("src") or el.get("data-src") or el.get("data-lazy-src") or ""
        if not src and el.get("srcset"):
            src = el.get("srcset", "").split(",")[0].split()[0]
        if _SKIP_IMAGE_RE.search(src) or _SKIP_IMAGE_RE.search(class_string(el)):
            continue
        if _too_small(el):
            continue
        _add(found, absolute(src, base))
    return tuple(found[:_MAX_IMAGES])


def _add(found: list[str], url: str | None) -> None:
    if url and url not in found:
        found.append(url)


def _too_small(el: HtmlElement) -> bool:
    for attr in ("width", "height"):
        value = (el.get(attr) or "").strip().rstrip("px")
        if value.isdigit() and int(value) < _MIN_IMAGE_SIDE:
            return True
    return False


def _in_article_figure(el: HtmlElement) -> bool:
    """Figures are chrome for text purposes but their images belong to the article."""
    node = el.getparent()
    while node is not None:
        if node.tag == "figure":
            return not in_chrome(node.getparent()) if node.getparent() is not None else True
        node = node.getparent()
    return False


def _ld_images(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    urls = []
    for item in items:
        if isinstance(item, str):
            urls.append(item)
        elif isinstance(item, dict):
            for key in ("url", "contentUrl", "@id"):
                if isinstance(item.get(key), str):
                    urls.append(item[key])
                    break
    return urls
