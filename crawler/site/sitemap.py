"""sitemap.xml: every indexable page with its absolute URL and, where known, its last change.

`lastmod` comes from story dates, never from the build clock, so rebuilding the same stories gives
the same file and search engines are not told that nothing changed. A sitemap holds at most
50,000 URLs (sitemaps.org); a larger site gets `sitemap.xml` as a sitemap index of numbered parts
under `sitemaps/`. Written as text: with a hundred thousand pages, building an XML tree costs more
than the rest of a rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from crawler.site import paths
from crawler.site.dates import rfc3339

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
MAX_URLS = 50_000
_HEAD = "<?xml version='1.0' encoding='UTF-8'?>\n"


def sitemap_xml(entries: Sequence[tuple[str, datetime | None]]) -> bytes:
    """A urlset of `entries`: (absolute URL, last modified or None), in the order to list them."""
    lines = [_HEAD, f'<urlset xmlns="{SITEMAP_NS}">\n']
    for loc, lastmod in entries:
        lines.append(f"  <url>\n    <loc>{escape(loc)}</loc>\n")
        if lastmod is not None:
            lines.append(f"    <lastmod>{rfc3339(lastmod)}</lastmod>\n")
        lines.append("  </url>\n")
    lines.append("</urlset>\n")
    return "".join(lines).encode("utf-8")


def sitemap_index(locs: Sequence[str]) -> bytes:
    lines = [_HEAD, f'<sitemapindex xmlns="{SITEMAP_NS}">\n']
    lines += (f"  <sitemap>\n    <loc>{escape(loc)}</loc>\n  </sitemap>\n" for loc in locs)
    lines.append("</sitemapindex>\n")
    return "".join(lines).encode("utf-8")


def sitemaps(
    entries: Sequence[tuple[str, datetime | None]], url: Callable[[str], str]
) -> dict[str, bytes]:
    """The sitemap files by path: `sitemap.xml` alone, or an index of parts when too many URLs.

    `url` makes a path absolute (`SiteView.url`)."""
    if len(entries) <= MAX_URLS:
        return {paths.SITEMAP: sitemap_xml(entries)}
    parts = {
        path: sitemap_xml(entries[n * MAX_URLS : (n + 1) * MAX_URLS])
        for n, path in enumerate(_part_paths(len(entries)))
    }
    return {paths.SITEMAP: sitemap_index([url(path) for path in parts]), **parts}


def _part_paths(count: int) -> list[str]:
    return [f"sitemaps/{n}.xml" for n in range(1, (count + MAX_URLS - 1) // MAX_URLS + 1)]


def sitemap_paths(count: int) -> list[str]:
    """The paths of the files `sitemaps` makes for `count` entries."""
    return [paths.SITEMAP, *(_part_paths(count) if count > MAX_URLS else ())]
