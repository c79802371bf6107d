"""Crawl-delay read from robots.txt."""

from __future__ import annotations

import pytest

from crawler.politeness import MAX_CRAWL_DELAY, crawl_delay

UA = "syndigest/0.1 (+https://example.org)"


@pytest.mark.parametrize(
    ("robots", "delay"),
    [
        (b"User-agent: *\nCrawl-delay: 2.5\n", 2.5),
        (b"User-agent: syndigest\nCrawl-delay: 4\n\nUser-agent: *\nCrawl-delay: 1\n", 4.0),
        (b"User-agent: otherbot\nCrawl-delay: 9\n", None),
        (b"User-agent: *\nCrawl-delay: 86400\n", MAX_CRAWL_DELAY),
        (b"User-agent: *\nCrawl-delay: soon\n", None),
        (b"\xff\xfe binary", None),
    ],
)
def test_crawl_delay(robots: bytes, delay: float | None) -> None:
    assert crawl_delay(robots, UA) == delay
