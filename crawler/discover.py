"""Discovery documents -> links: RSS/Atom feeds, sitemaps and sitemap indexes, robots.txt.

Pure functions over bytes. A document that is not what it claims to be gives `None` (the caller
reports it), never an exception.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from lxml import etree
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import sitemap_urls_from_robots

logger = logging.getLogger(__name__)

_PARSER = etree.XMLParser(
    recover=True, resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
)


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _root(body: bytes) -> etree._Element | None:
    try:
        root = etree.fromstring(body.lstrip(), _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return root


def feed_links(body: bytes) -> list[str] | None:
    """Article links of an RSS 0.9x/1.0/2.0 or Atom feed, in feed order; None if not a feed."""
    root = _root(body)
    if root is None:
        return None
    kind = _local(root.tag)
    links: list[str] = []
    if kind in ("rss", "rdf"):
        for item in root.iter():
            if _local(item.tag) != "item":
                continue
            link = next((c.text for c in item if _local(c.tag) == "link" and c.text), None)
            if link is None:
                guid = next((c for c in item if _local(c.tag) == "guid" and c.text), None)
                if guid is not None and guid.get("isPermaLink", "true") != "false":
                    link = guid.text
            if link:
                links.append(link.strip())
    elif kind == "feed":
        for entry in root:
            if _local(entry.tag) != "entry":
                continue
            for link_el in entry:
                href = link_el.get("href")
                if _local(link_el.tag) == "link" and link_el.get("rel", "alternate") == "alternate" and href:
                    links.append(href.strip())
                    break
    else:
        return None
    return links


@dataclass(frozen=True, slots=True)
class SitemapLinks:
    """A sitemap's links: `sitemaps` from an index, `pages` from a urlset."""

    sitemaps: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()


def sitemap_links(body: bytes, max_size: int) -> SitemapLinks | None:
    """Links of a sitemap or sitemap index (gzipped or not); None if it is neither."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=max_size)
        except (OSError, EOFError, ValueError) as exc:
            logger.warning("Cannot decompress sitemap: %s", exc)
            return None
    root = _root(body)
    if root is None:
        return None
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        return None
    locs: list[str] = []
    for entry in root:
        loc = next((c.text for c in entry if _local(c.tag) == "loc" and c.text), None)
        if loc:
            locs.append(loc.strip())
    if kind == "sitemapindex":
        return SitemapLinks(sitemaps=tuple(locs))
    return SitemapLinks(pages=tuple(locs))


def robots_sitemaps(body: bytes, base_url: str) -> list[str]:
    """The `Sitemap:` lines of a robots.txt, made absolute."""
    return list(sitemap_urls_from_robots(body, base_url=base_url))
