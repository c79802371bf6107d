"""sitemap.xml: every indexable page with its absolute URL and, where known, its last change.

`lastmod` comes from story dates, never from the build clock, so rebuilding the same stories gives
the same file and search engines are not told that nothing changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from lxml import etree

from crawler.site.dates import rfc3339

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def sitemap_xml(entries: Iterable[tuple[str, datetime | None]]) -> bytes:
    """`entries` are (absolute URL, last modified or None), in the order to list them."""
    urlset = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS})
    for loc, lastmod in entries:
        url = etree.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = loc
        if lastmod is not None:
            etree.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = rfc3339(lastmod)
    return etree.tostring(urlset, xml_declaration=True, encoding="UTF-8", pretty_print=True)
