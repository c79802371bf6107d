"""Assign each article to a story: a page seen before is dropped, a copy joins its story.

The index is seeded from the store when the crawl opens, so a copy found in a later run joins
the story created in an earlier one and the story keeps its id. When crawler processes share the
store (PostgreSQL), matching a copy and storing it is one turn under the store's lock
(`Store.hold`): this takes the turn and first catches up with the copies the others stored; the
store pipeline, which follows directly, ends the turn once the copy is stored (`end_turn`).
"""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.config import StateConfig
from crawler.dedup.ids import new_story_id
from crawler.dedup.index import Prepared, StoryIndex
from crawler.items import Article, AssignedArticle
from crawler.report import Dropped, count
from crawler.store import Store, open_store

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SketchedArticle:
    """A clean article whose text an extraction worker has already made ready for the index."""

    article: Article
    text: Prepared  # the article's text, in the form `StoryIndex.match` takes ready-made


class DedupPipeline:
    def __init__(
        self, state_dir: str, stats: StatsCollector | None = None, state: StateConfig | None = None
    ) -> None:
        self.state_dir = state_dir
        self.stats = stats
        self.state = state
        self.index = StoryIndex()
        self.seen: set[str] = set()
        self.position = 0  # the last stored copy the index has seen
        self.shared: Store | None = None  # the store, while other processes write to it too

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        settings = crawler.settings
        return cls(settings["SYNDIGEST_STATE"], crawler.stats, settings["SYNDIGEST_CONFIG"].state)

    def open_spider(self) -> None:
        store = open_store(self.state_dir, self.state)
        loaded = self.catch_up(store)
        if store.shared:
            self.shared = store
        else:
            store.close()
        logger.info("Dedup index seeded with %d stored copies", loaded)
        # The seeded index, and all that was loaded before it (modules, config, the spider), lives
        # as long as the crawl: frozen, the collector no longer walks it on each full collection,
        # which had come to take hundreds of ms each, a pause in which the workers sat idle.
        # Full collections are also made ten times rarer (Python's default: every 10th collection
        # of the middle generation); a crawl's garbage is mostly freed by reference counting.
        gc.freeze()
        first, second, _ = gc.get_threshold()
        gc.set_threshold(first, second, 100)

    def close_spider(self) -> None:
        if self.shared is not None:
            self.shared.close()  # lets go of any lock still held

    def catch_up(self, store: Store) -> int:
        """Index the copies stored since the last look (ours are indexed already)."""
        copies = store.copies_after(self.position)
        for copy in copies:
            if copy.canonical_url not in self.seen:
                self.index.add(copy.story_id, copy.text)
                self.seen.update((copy.url, copy.canonical_url))
            self.position = copy.position
        return len(copies)

    def end_turn(self) -> None:
        """The copy matched last is stored (or failed to be): other processes may take a turn."""
        if self.shared is not None:
            self.shared.release()

    def process_item(self, item: Article | SketchedArticle) -> AssignedArticle:
        article = item.article if isinstance(item, SketchedArticle) else item
        if self.shared is not None:
            self.shared.hold()
            self.catch_up(self.shared)
        if article.canonical_url in self.seen or article.url in self.seen:
            self.end_turn()
            raise Dropped("duplicate-url", f"{article.url} is {article.canonical_url}")
        self.seen.update((article.url, article.canonical_url))
        story_id = self.index.match(item.text)
        new = story_id is None
        if story_id is None:
            story_id = new_story_id(article.canonical_url)
        self.index.add(story_id, item.text)
        count(self.stats, article.source, "new_stories" if new else "copies")
        return AssignedArticle(article=article, story_id=story_id, new_story=new)
