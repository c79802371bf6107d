"""sitemap.xml: every indexable page, split into parts under an index past 50,000 URLs."""

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from crawler.items import Story
from crawler.site import sitemap
from crawler.site.build import BuildResult

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def locs(path: Path, tag: str) -> list[str]:
    root = etree.fromstring(path.read_bytes(), etree.XMLParser(recover=False))
    assert root.tag == f"{NS}{tag}"
    return [loc.text or "" for loc in root.iter(f"{NS}loc")]


def test_a_large_site_gets_a_sitemap_index(
    tmp_path: Path,
    stories: list[Story],
    build: Callable[..., BuildResult],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    whole = tmp_path / "whole"
    build(stories, whole)
    every = locs(whole / "sitemap.xml", "urlset")
    monkeypatch.setattr(sitemap, "MAX_URLS", 7)
    split = tmp_path / "split"
    build(stories, split)
    parts = locs(split / "sitemap.xml", "sitemapindex")
    assert len(parts) == -(-len(every) // 7) > 1
    listed = []
    for n, part in enumerate(parts, start=1):
        assert part == f"https://digest.example.org/news/sitemaps/{n}.xml"
        listed += locs(split / f"sitemaps/{n}.xml", "urlset")
    assert listed == every
