"""Persist each assigned article, a batch per transaction (a commit per article cost more than
the rest of the pipelines together).

A batch is written once it holds `BATCH_SIZE` articles, at least every `BATCH_SECONDS`, and when
the crawl closes. Batches are written in the order their articles arrived, so a killed crawl
leaves a prefix of what it stored: the articles of its last, unwritten batch are not recorded as
seen, and the next run fetches them again, as it does every page a killed run had not reached.

Directly follows the dedup pipeline, and ends the turn it took on a shared store (`end_turn`):
there each article is stored at once, in its own transaction, for the turn covers matching it
and storing it.
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from twisted.internet import task

from crawler.config import StateConfig
from crawler.items import AssignedArticle
from crawler.pipelines.dedup import DedupPipeline
from crawler.report import count
from crawler.store import Store, open_store

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
BATCH_SECONDS = 1.0


class StorePipeline:
    def __init__(
        self, state_dir: str, run_id: int | None, stats: StatsCollector | None = None,
        state: StateConfig | None = None,
    ) -> None:
        self.state_dir = state_dir
        self.run_id = run_id
        self.stats = stats
        self.state = state
        self.store: Store | None = None
        self.crawler: Crawler | None = None
        self.dedup: DedupPipeline | None = None
        self.batch: list[AssignedArticle] = []
        self.batch_size = BATCH_SIZE
        self._timer: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        settings = crawler.settings
        pipeline = cls(settings["SYNDIGEST_STATE"], settings.get("SYNDIGEST_RUN_ID"),
                       crawler.stats, settings["SYNDIGEST_CONFIG"].state)
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self) -> None:
        self.store = open_store(self.state_dir, self.state)
        if self.crawler is not None:
            self.dedup = self.crawler.get_item_pipeline(DedupPipeline)
        if self.store.shared:
            self.batch_size = 1
        else:
            self._timer = task.LoopingCall(self.flush)
            self._timer.start(BATCH_SECONDS, now=False)

    def close_spider(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        if self.store is not None:
            self.flush()
            self.store.close()

    def process_item(self, item: AssignedArticle) -> AssignedArticle:
        self.batch.append(item)
        try:
            if len(self.batch) >= self.batch_size:
                self.flush()
        finally:
            if self.dedup is not None:
                self.dedup.end_turn()
        return item

    def flush(self) -> None:
        """Store the batch in one transaction. If that fails, its articles are counted as errors
        of their sources and fetched again next run."""
        batch, self.batch = self.batch, []
        if not batch or self.store is None:
            return
        try:
            self.store.save_many(batch, self.run_id)
        except Exception:
            logger.exception("storing %d articles failed", len(batch))
            for item in batch:
                article = item.article
                count(self.stats, article.source, "error/store-failed", example=article.url)
            return
        for item in batch:
            count(self.stats, item.article.source, "articles")
