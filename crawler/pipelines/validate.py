"""Drop what is not an article, with a reason: no title, no body, a stub, or too old."""

from __future__ import annotations

from datetime import timedelta

from scrapy.crawler import Crawler

from crawler.config import Config
from crawler.items import Article
from crawler.report import Dropped

MIN_WORDS = 40  # shorter "articles" are listing stubs, photo captions or error pages


class ValidatePipeline:
    def __init__(self, config: Config, min_words: int = MIN_WORDS) -> None:
        self.config = config
        self.min_words = min_words

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler.settings["SYNDIGEST_CONFIG"])

    def process_item(self, item: Article) -> Article:
        if not item.title.strip():
            raise Dropped("no-title", item.url)
        if not item.paragraphs:
            raise Dropped("no-body", item.url)
        words = len(item.text.split())
        if words < self.min_words:
            raise Dropped("too-short", f"{item.url} has {words} words")
        max_age = self.config.source(item.source).max_age_days
        too_old = max_age is not None and item.fetched_at - item.published > timedelta(days=max_age)
        if too_old and not item.published_estimated:
            raise Dropped("too-old", f"{item.url} published {item.published.isoformat()}")
        return item
