"""Per-source counters of a crawl: progress while it runs, a summary when it ends.

Every stage counts what it keeps and what it does not, under `syndigest/<source>/<what>` in
Scrapy's stats, so nothing is dropped silently: the summary lists each reason with its count.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from twisted.internet import task

logger = logging.getLogger(__name__)

PREFIX = "syndigest/"
PROGRESS_INTERVAL = 5.0


def count(stats: StatsCollector | None, source: str, what: str, by: int = 1) -> None:
    if stats is not None:
        stats.inc_value(f"{PREFIX}{source}/{what}", by)


class Dropped(DropItem):
    """A page not kept, with a short reason slug that the summary groups by."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def summarise(stats: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Scrapy's flat stats -> {source: {counter: n}} for the syndigest counters."""
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for key, value in stats.items():
        if key.startswith(PREFIX) and isinstance(value, int):
            source, _, what = key[len(PREFIX):].partition("/")
            table[source][what] = value
    return dict(sorted(table.items()))


def format_summary(table: dict[str, dict[str, int]]) -> str:
    """A plain-text table: one line per source, then every not-kept reason with its count."""
    columns = ("pages", "articles", "new_stories", "copies", "duplicates", "errors")
    lines = [f"{'source':24} " + " ".join(f"{c:>11}" for c in columns)]
    for source, counters in table.items():
        errors = sum(v for k, v in counters.items() if k.startswith("error/"))
        values = {**counters, "errors": errors}
        lines.append(f"{source[:24]:24} " + " ".join(f"{values.get(c, 0):>11}" for c in columns))
    reasons = [
        f"  {source}: {what} = {n}"
        for source, counters in table.items()
        for what, n in sorted(counters.items())
        if what.startswith(("skipped/", "dropped/", "error/"))
    ]
    if reasons:
        lines.append("not kept, by reason:")
        lines.extend(reasons)
    return "\n".join(lines)


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
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        source = request.meta.get("source")
        if source:
            count(self.stats, source, "pages")
            count(self.stats, source, f"status/{response.status}")

    def item_dropped(self, item: Any, response: Response, exception: Exception, spider: Spider) -> None:
        article = getattr(item, "article", item)  # an Article, or an AssignedArticle wrapping one
        source: str = getattr(article, "source", "?")
        reason = getattr(exception, "reason", type(exception).__name__)
        count(self.stats, source, f"dropped/{reason}")
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
