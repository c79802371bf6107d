"""Per-source counters of a crawl: progress while it runs, a summary when it ends.

Every stage counts what it keeps and what it does not, under `syndigest/<source>/<what>` in
Scrapy's stats, so nothing is dropped silently: the summary lists each reason with its count.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from typing import Any
from urllib.parse import unquote

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from twisted.internet import task

logger = logging.getLogger(__name__)

PREFIX = "syndigest/"
PROGRESS_INTERVAL = 5.0


EXAMPLES = "syndigest-examples/"
TIMES = "syndigest-times/"
MAX_EXAMPLES = 3


def _key(prefix: str, source: str, what: str) -> str:
    """A stats key; `/` in a source's name (``News/24``) is escaped so the name reads back whole."""
    return f"{prefix}{source.replace('%', '%25').replace('/', '%2F')}/{what}"


def count(
    stats: StatsCollector | None, source: str, what: str, by: int = 1, example: str | None = None
) -> None:
    """Count one event of a source; keep the first few example URLs of each kind."""
    if stats is None:
        return
    stats.inc_value(_key(PREFIX, source, what), by)
    if example is not None:
        examples = stats.get_value(_key(EXAMPLES, source, what), [])
        if len(examples) < MAX_EXAMPLES:
            stats.set_value(_key(EXAMPLES, source, what), [*examples, example])


class Dropped(DropItem):
    """A page not kept, with a short reason slug that the summary groups by."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def _by_source(stats: dict[str, Any], prefix: str) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = defaultdict(dict)
    for key, value in stats.items():
        if key.startswith(prefix):
            source, _, what = key[len(prefix):].partition("/")
            table[unquote(source)][what] = value
    return dict(sorted(table.items()))


def summarise(stats: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Scrapy's flat stats -> {source: {counter: n}} for the syndigest counters."""
    return _by_source(stats, PREFIX)


def examples(stats: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    """{source: {counter: [example URL, ...]}}."""
    return _by_source(stats, EXAMPLES)


def timings(stats: dict[str, Any]) -> dict[str, dict[str, float]]:
    """{source: {"first": t, "last": t}}: monotonic times of its first and last response."""
    return _by_source(stats, TIMES)


class CrawlReport:
    """Counts responses and dropped items per source, and logs progress every few seconds."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self._loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlReport:
        ext = cls(crawler)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(
            ext.request_reached_downloader, signal=signals.request_reached_downloader
        )
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def request_reached_downloader(self, request: Request, spider: Spider) -> None:
        source = request.meta.get("source")
        if source:
            count(self.stats, source, "requests")

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        source = request.meta.get("source")
        if source and self.stats is not None:
            count(self.stats, source, "pages")
            count(self.stats, source, f"status/{response.status}")
            now = time.monotonic()
            self.stats.set_value(_key(TIMES, source, "last"), now)
            if self.stats.get_value(_key(TIMES, source, "first")) is None:
                self.stats.set_value(_key(TIMES, source, "first"), now)

    def item_dropped(self, item: Any, response: Response, exception: Exception, spider: Spider) -> None:
        article = getattr(item, "article", item)  # an Article, or an AssignedArticle wrapping one
        source: str = getattr(article, "source", "?")
        reason = getattr(exception, "reason", type(exception).__name__)
        count(self.stats, source, f"dropped/{reason}", example=getattr(article, "url", None))
        if reason == "duplicate-url":
            count(self.stats, source, "duplicates")

    def spider_opened(self, spider: Spider) -> None:
        self._loop = task.LoopingCall(self._progress)
        self._loop.start(PROGRESS_INTERVAL, now=False)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()

    def _progress(self) -> None:
        assert self.stats is not None
        table = summarise(self.stats.get_stats())
        totals: dict[str, int] = defaultdict(int)
        for counters in table.values():
            for key in ("pages", "articles", "new_stories", "copies"):
                totals[key] += counters.get(key, 0)
        logger.info(
            "progress: %d pages, %d articles, %d new stories, %d syndicated copies",
            totals["pages"], totals["articles"], totals["new_stories"], totals["copies"],
        )
