"""Feeds, sitemaps and robots.txt -> links; anything else -> None, never an exception."""

from __future__ import annotations

import gzip

import pytest

from crawler.discover import SitemapLinks, feed_links, robots_sitemaps, sitemap_links

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>T</title>
<item><title>A</title><link>http://127.0.0.2/news/1</link></item>
<item><title>B</title><guid isPermaLink="true">http://127.0.0.2/news/2</guid></item>
<item><title>C</title><guid isPermaLink="false">urn:x</guid></item>
</channel></rss>"""

ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><link rel="self" href="http://127.0.0.2/self"/><link href="http://127.0.0.2/news/3"/></entry>
<entry><link rel="alternate" href="/news/4"/></entry></feed>"""

INDEX = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://127.0.0.2/news-sitemap.xml</loc></sitemap></sitemapindex>"""

URLSET = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc> http://127.0.0.2/news/5 </loc><news:news><news:title>x</news:title></news:news></url>
<url><loc>http://127.0.0.2/news/6</loc></url></urlset>"""


def test_rss_links_in_order_with_permalink_guids() -> None:
    assert feed_links(RSS) == ["http://127.0.0.2/news/1", "http://127.0.0.2/news/2"]


def test_atom_alternate_links_only() -> None:
    assert feed_links(ATOM) == ["http://127.0.0.2/news/3", "/news/4"]


@pytest.mark.parametrize("body", [b"", b"<html><body><p>not a feed</p></body></html>",
                                  b"\x00\x01\xff\xfe binary", b"<rss><channel><item><link>"])
def test_non_feeds_give_none_or_nothing(body: bytes) -> None:
    assert feed_links(body) in (None, [])


def test_sitemap_index_and_urlset() -> None:
    assert sitemap_links(INDEX, 10**6) == SitemapLinks(sitemaps=("http://127.0.0.2/news-sitemap.xml",))
    assert sitemap_links(URLSET, 10**6) == SitemapLinks(
        pages=("http://127.0.0.2/news/5", "http://127.0.0.2/news/6"))


def test_gzipped_sitemap_and_size_cap() -> None:
    assert sitemap_links(gzip.compress(URLSET), 10**6) == sitemap_links(URLSET, 10**6)
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")
    assert sitemap_links(bomb, 100_000) is None


def test_entities_are_not_expanded() -> None:
    billion = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
               b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
               b'<urlset><url><loc>http://x/&b;</loc></url></urlset>')
    links = sitemap_links(billion, 10**6)
    assert links is None or all("aaaaaaaaaa" not in u for u in links.pages)


def test_robots_sitemap_lines_made_absolute() -> None:
    robots = b"User-agent: *\nDisallow: /private/\nSitemap: /sitemap.xml\nSitemap: http://127.0.0.2/b.xml\n"
    assert robots_sitemaps(robots, "http://127.0.0.2/robots.txt") == [
        "http://127.0.0.2/sitemap.xml", "http://127.0.0.2/b.xml"]
