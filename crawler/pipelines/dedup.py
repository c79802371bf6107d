"""Assign each article to a story: a page seen before is dropped, a copy joins its story.

The index is seeded from the store when the crawl opens, so a copy found in a later run joins
the story created in an earlier one and the story keeps its id.
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.dedup.ids import new_story_id
from crawler.dedup.index import StoryIndex
from crawler.items import Article, AssignedArticle
from crawler.report import Dropped, count
from crawler.store import SQLiteStore

logger = logging.getLogger(__name__)


class DedupPipeline:
    def __init__(self, state_dir: str, stats: StatsCollector | None = None) -> None:
        self.state_dir = state_dir
        self.stats = stats
        self.index = StoryIndex()
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(crawler.settings["SYNDIGEST_STATE"], crawler.stats)

    def open_spider(self) -> None:
        with SQLiteStore(self.state_dir) as store:
            loaded = 0
            for story_id, text in store.story_texts():
                self.index.add(story_id, text)
                loaded += 1
            self.seen = store.all_urls()
        logger.info("Dedup index seeded with %d stored copies", loaded)

    def process_item(self, item: Article) -> AssignedArticle:
        if item.canonical_url in self.seen or item.url in self.seen:
            raise Dropped("duplicate-url", f"{item.url} is {item.canonical_url}")
        self.seen.update((item.url, item.canonical_url))
        story_id = self.index.match(item.text)
        new = story_id is None
        if story_id is None:
            story_id = new_story_id(item.canonical_url)
        self.index.add(story_id, item.text)
        count(self.stats, item.source, "new_stories" if new else "copies")
        return AssignedArticle(article=item, story_id=story_id, new_story=new)
