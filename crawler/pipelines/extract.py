"""Extraction, the crawl's CPU-heavy stage: each fetched `Page` becomes an `Extraction`.

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
from dataclasses import dataclass
from typing import NoReturn

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.clean import Prepared, clean_prepared, prepare
from crawler.dedup.index import Prepared as IndexText
from crawler.dedup.index import Sketcher
from crawler.dedup.urls import canonical_url, public_url
from crawler.extract import extract
from crawler.items import Article, Page
from crawler.pipelines.dedup import DedupPipeline
from crawler.pipelines.pool import OrderedPool, WorkerCrashed
from crawler.report import Dropped, count

logger = logging.getLogger(__name__)

# Pages sent ahead to each worker: enough that it has work while Scrapy's thread is busy with a
# run of other events (a sitemap of links, a burst of responses) and cannot send it more.
POOL_DEPTH = 8


@dataclass(frozen=True, slots=True)
class Extraction:
    """What a worker makes of a page. `text` is the article's text once the fixed rules have
    cleaned it, and `index_text` that text made ready for the dedup index (None without a
    sketcher): it stands unless rules learned during the crawl drop more."""

    prepared: Prepared
    text: str
    index_text: IndexText | None

    @property
    def article(self) -> Article:
        """The article as extracted."""
        return self.prepared.article


def read_page(page: Page, sketcher: Sketcher | None = None) -> Extraction:
    """The article on a fetched page (pure: it runs in a worker process)."""
    found = extract(page.body, page.url, encoding=page.encoding, fetched_at=page.fetched_at)
    prepared = prepare(Article(
        url=public_url(page.url, found.canonical_url),
        canonical_url=canonical_url(page.url, found.canonical_url),
        source=page.source,
        title=found.title,
        published=found.published or page.fetched_at,
        published_estimated=found.published is None,
        author=found.author,
        original_source=found.original_source,
        lede=found.lede,
        paragraphs=found.paragraphs,
        language=found.language,
        fetched_at=page.fetched_at,
        images=found.images,
    ))
    text = clean_prepared(prepared).text
    return Extraction(prepared, text, sketcher.prepare(text) if sketcher else None)


def worker_count(setting: int | None) -> int:
    """`EXTRACT_WORKERS`, or by default a worker for each core but the one Scrapy runs on."""
    if setting is not None:
        return max(0, setting)
    return max(1, (os.cpu_count() or 1) - 1)


class ExtractPipeline:
    def __init__(
        self, workers: int, stats: StatsCollector | None = None, *,
        read: Callable[..., Extraction] = read_page, log_level: int | str = logging.INFO,
    ) -> None:
        self.workers = workers
        self.stats = stats
        self.read = read
        self.log_level = log_level
        self.crawler: Crawler | None = None
        self.pool: OrderedPool[Page, Extraction] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        settings = crawler.settings
        workers = settings.get("EXTRACT_WORKERS")
        pipeline = cls(worker_count(None if workers is None else int(workers)), crawler.stats,
                       log_level=settings.get("LOG_LEVEL", "INFO"))
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self) -> None:
        dedup = self.crawler.get_item_pipeline(DedupPipeline) if self.crawler else None
        if dedup is not None:  # texts sketched by the dedup index's own parameters
            self.read = functools.partial(self.read, sketcher=dedup.index.sketcher)
        if self.workers:
            self.pool = OrderedPool(
                self.read, self.workers, depth=POOL_DEPTH, log_level=self.log_level
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
