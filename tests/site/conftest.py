"""Stories for the site tests: fixed dates, hostile text, a story with five copies, three days."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from crawler.config import Config, SiteConfig, SourceConfig
from crawler.items import Copy, Story
from crawler.site import BuildResult, build_site
from crawler.status import SourceHealth

AEST = timezone(timedelta(hours=10))
# 02 Jun 2025, 11:30 GMT+10 is 01:30 UTC on 2 June.
T0 = datetime(2025, 6, 2, 11, 30, tzinfo=AEST)
BASE_URL = "https://digest.example.org/news/"
SITES = ("Daily Gazette", "Eurasia Review", "Mumbai Mirror", "Pacific Times", "The Wire Desk")


def make_copies(count: int, published: datetime, story: str) -> tuple[Copy, ...]:
    return tuple(
        Copy(
            url=f"https://site{i}.example/news/{story}",
            source=SITES[i],
            title=f"{SITES[i]} copy of {story}",
            published=published + timedelta(minutes=7 * i),
        )
        for i in range(count)
    )


def make_story(**changes: Any) -> Story:
    base = Story(
        id="plain",
        title="A plain story",
        url="https://site0.example/news/plain",
        source=SITES[0],
        published=T0,
        published_estimated=False,
        original_source="Xinhua",
        author=None,
        lede="A plain lede.",
        paragraphs=("A plain paragraph.",),
        language="en",
        first_seen=T0,
        copies=make_copies(1, T0, "plain"),
    )
    return replace(base, **changes)


@pytest.fixture
def t0() -> datetime:
    return T0


@pytest.fixture
def story_factory() -> Callable[..., Story]:
    return make_story


def sample_stories() -> list[Story]:
    """Three stories on three days; one of them hostile in every field a source controls."""
    return [
        make_story(
            id="kyiv-talks",
            title="Kyiv and Moscow trade accusations over stalled talks",
            url="https://site0.example/news/kyiv-talks",
            published=T0,
            original_source="RT.com",
            author="Jane Doe",
            lede="Delegations met for less than two hours before talks broke off.",
            paragraphs=(
                "Delegations met for less than two hours before talks broke off.",
                "The second round ended without a date for the next meeting.",
                "Observers said the prisoner exchange would go ahead regardless.",
            ),
            first_seen=T0 + timedelta(hours=1),
            copies=make_copies(5, T0, "kyiv-talks"),
        ),
        make_story(
            id="monsoon",
            title="<script>alert(1)</script> Monsoon reaches Kerala\x07 early",
            url="javascript:alert(1)",
            source=SITES[2],
            # published runs ahead of first_seen: the shown date must be clamped to first_seen
            published=T0 - timedelta(hours=20),
            first_seen=T0 - timedelta(days=1),
            original_source="PTI",
            lede="The monsoon arrived <b>three days</b> early\x00.",
            paragraphs=(
                "Rain <script>alert(2)</script> lashed the coast\x1b.",
                "Farmers welcomed it. Überraschung — 早い。",
            ),
            copies=(
                Copy(
                    url="javascript:alert(3)",
                    source=SITES[2],
                    title="<img src=x onerror=alert(4)>",
                    published=T0 - timedelta(days=1),
                ),
                *make_copies(2, T0 - timedelta(days=1), "monsoon"),
            ),
        ),
        make_story(
            id="rail-link",
            title="New rail link opens between Kunming and Vientiane",
            url="https://site3.example/news/rail-link",
            source=SITES[3],
            published=T0 - timedelta(days=1, hours=2),
            first_seen=T0 - timedelta(days=1, hours=1),
            original_source=None,
            lede="",
            paragraphs=("A cross-border passenger service began on Sunday.",),
            language="fr",
            copies=make_copies(1, T0 - timedelta(days=1, hours=2), "rail-link"),
        ),
    ]


@pytest.fixture
def stories() -> list[Story]:
    return sample_stories()


def sample_config() -> Config:
    return Config(
        site=SiteConfig(title="Test Digest", base_url=BASE_URL, feed_items=50),
        sources=(
            SourceConfig(name="Daily Gazette", feeds=("https://site0.example/rss.xml",)),
            SourceConfig(
                name="Eurasia Review",
                feeds=("https://site1.example/feed/", "https://site1.example/asia/feed/"),
            ),
            SourceConfig(name="Pacific Times", sitemaps=("https://site3.example/sitemap.xml",)),
        ),
    )


@pytest.fixture
def config() -> Config:
    return sample_config()


@pytest.fixture
def build(config: Config) -> Callable[..., BuildResult]:
    """Build without fsync (throwaway folders), with the test config unless one is given."""

    def run(
        stories: list[Story], out_dir: Path, cfg: Config | None = None, **options: Any
    ) -> BuildResult:
        return build_site(stories, cfg or config, out_dir, durable=False, **options)

    return run


@pytest.fixture
def site(tmp_path: Path, stories: list[Story], build: Callable[..., BuildResult]) -> Path:
    out = tmp_path / "output"
    build(stories, out)
    return out


def sample_health() -> list[SourceHealth]:
    """The sample sources' health: one yielding, one failing for three runs, one never crawled."""
    return [
        SourceHealth("Daily Gazette", "ok", T0, (3, 0, 5, 2), None),
        SourceHealth(
            "Eurasia Review", "failed", T0 - timedelta(hours=3), (4, 6, 0, 0, 0),
            "failing: no answer in the last 3 run(s)",
        ),
        SourceHealth("Pacific Times", "new", None, (), None),
    ]



def search_bundles(site: Path) -> list[Path]:
    """The search index's shards, as the search page lists them (newest first)."""
    page = (site / "search/index.html").read_text(encoding="utf-8")
    match = re.search(r'data-bundles="([^"]*)"', page)
    assert match, "the search page names no index"
    return [site / folder for folder in match.group(1).split()]


def indexed_pages(site: Path) -> int:
    """How many stories the search index holds, over all its shards."""
    return sum(
        json.loads((bundle / "entry.json").read_bytes())["stories"]
        for bundle in search_bundles(site)
    )
