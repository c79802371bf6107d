"""Persist each assigned article; one transaction per item, so a killed crawl loses at most one.

Directly follows the dedup pipeline, and ends the turn it took on a shared store (`end_turn`).
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.config import StateConfig
from crawler.items import AssignedArticle
from crawler.pipelines.dedup import DedupPipeline
from crawler.report import count
from crawler.store import Store, open_store


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

    def close_spider(self) -> None:
        if self.store is not None:
            self.store.close()

    def process_item(self, item: AssignedArticle) -> AssignedArticle:
        assert self.store is not None
        try:
            self.store.save(item, self.run_id)
        finally:
            if self.dedup is not None:
                self.dedup.end_turn()
        count(self.stats, item.article.source, "articles")
        return item
