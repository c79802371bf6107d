"""Extraction, the crawl's CPU-heavy stage: each fetched `Page` becomes an `Extraction`
(`crawler.pipelines.worker.read_page`).

That is the article, prepared for cleaning (normalised and matched against the fixed boilerplate
rules), and its text made ready for the dedup index as the fixed rules leave it. It runs in
worker processes (`crawler.pipelines.pool.OrderedPool`), so the crawl uses more than the one core
Scrapy runs on. Extractions are passed on in the order their pages arrived, so the stages after
this one see what they would see with extraction inline: cleaning learns a site's boilerplate
from the pages before, and a story takes the id of its first copy. `EXTRACT_WORKERS = 0`
extracts inline, on Scrapy's thread.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from typing import NoReturn

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.items import Page
from crawler.pipelines.dedup import DedupPipeline
from crawler.pipelines.pool import OrderedPool, WorkerCrashed
from crawler.pipelines.worker import Extraction, read_page
from crawler.report import Dropped, count

logger = logging.getLogger(__name__)

# Pages sent ahead to each worker: enough that it has work while Scrapy's thread is busy with a
# run of other events (a sitemap of links, a burst of responses) and cannot send it more.
POOL_DEPTH = 8


def worker_count(setting: int | None) -> int:
    """`EXTRACT_WORKERS`, or by default a worker for each core but the one Scrapy runs on."""
    if setting is not None:
        return max(0, setting)
    return max(1, (os.cpu_count() or 1) - 1)


class ExtractPipeline:
    def __init__(
        self, workers: int, stats: StatsCollector | None = None, *,
        read: Callable[..., Extraction] = read_page, log_level: int | str = logging.INFO,
        log_format: tuple[str, str | None] = (logging.BASIC_FORMAT, None),
    ) -> None:
        self.workers = workers
        self.stats = stats
        self.read = read
        self.log_level = log_level
        self.log_format = log_format
        self.crawler: Crawler | None = None
        self.pool: OrderedPool[Page, Extraction] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        settings = crawler.settings
        workers = settings.get("EXTRACT_WORKERS")
        pipeline = cls(worker_count(None if workers is None else int(workers)), crawler.stats,
                       log_level=settings.get("LOG_LEVEL", "INFO"),
                       log_format=(settings["LOG_FORMAT"], settings["LOG_DATEFORMAT"]))
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self) -> None:
        dedup = self.crawler.get_item_pipeline(DedupPipeline) if self.crawler else None
        if dedup is not None:  # texts sketched by the dedup index's own parameters
            self.read = functools.partial(self.read, sketcher=dedup.index.sketcher)
        if self.workers:
            self.pool = OrderedPool(
                self.read, self.workers, depth=POOL_DEPTH, log_level=self.log_level,
                log_format=self.log_format,
            )
            logger.info("Extracting in %d worker processes", self.workers)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.close()

    async def process_item(self, item: Page) -> Extraction:
        try:
            extraction = self.read(item) if self.pool is None else await self.pool.run(item)
        except WorkerCrashed:
            self._failed(item, "extraction-crashed")
        except Exception:
            logger.exception("%s: extracting %s failed", item.source, item.url)
            self._failed(item, "extraction-failed")
        count(self.stats, item.source, "extracted")
        return extraction

    def _failed(self, page: Page, reason: str) -> NoReturn:
        """Counted as an error of the source, with the URL; the page is fetched again next run."""
        logger.error("%s: %s not kept: %s", page.source, page.url, reason)
        count(self.stats, page.source, f"error/{reason}", example=page.url)
        raise Dropped(reason, page.url)
