"""Persist each assigned article; one transaction per item, so a killed crawl loses at most one."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.items import AssignedArticle
from crawler.report import count
from crawler.store import SQLiteStore


class StorePipeline:
    def __init__(self, state_dir: str, run_id: int | None, stats: StatsCollector | None = None) -> None:
        self.state_dir = state_dir
        self.run_id = run_id
        self.stats = stats
        self.store: SQLiteStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        settings = crawler.settings
        return cls(settings["SYNDIGEST_STATE"], settings.get("SYNDIGEST_RUN_ID"), crawler.stats)

    def open_spider(self) -> None:
        self.store = SQLiteStore(self.state_dir)

    def close_spider(self) -> None:
        if self.store is not None:
            self.store.close()

    def process_item(self, item: AssignedArticle) -> AssignedArticle:
        assert self.store is not None
        self.store.save(item, self.run_id)
        count(self.stats, item.article.source, "articles")
        return item
