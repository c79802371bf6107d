"""Drop what is not an article, with a reason: no title, no body, a stub, or too old."""

from __future__ import annotations

from datetime import timedelta

from scrapy.crawler import Crawler

from crawler.config import Config
from crawler.items import Article
from crawler.pipelines.worker import Extraction
from crawler.report import Dropped

MIN_WORDS = 40  # shorter "articles" are listing stubs, photo captions or error pages


class ValidatePipeline:
    def __init__(self, config: Config, min_words: int = MIN_WORDS) -> None:
        self.config = config
        self.min_words = min_words

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler.settings["SYNDIGEST_CONFIG"])

    def process_item(self, item: Extraction | Article) -> Extraction | Article:
        article = item.article if isinstance(item, Extraction) else item
        if not article.title.strip():
            raise Dropped("no-title", article.url)
        if not article.paragraphs:
            raise Dropped("no-body", article.url)
        words = self._words(article.paragraphs)
        if words < self.min_words:
            raise Dropped("too-short", f"{article.url} has {words} words")
        max_age = self.config.source(article.source).max_age_days
        too_old = (max_age is not None
                   and article.fetched_at - article.published > timedelta(days=max_age))
        if too_old and not article.published_estimated:
            raise Dropped("too-old", f"{article.url} published {article.published.isoformat()}")
        return item

    def _words(self, paragraphs: tuple[str, ...]) -> int:
        """The words of the text, counted only as far as `min_words` (splitting a whole text
        cost more than the rest of validating it); exact when the text is shorter."""
        words = 0
        for paragraph in paragraphs:
            words += len(paragraph.split())
            if words >= self.min_words:
                break
        return words
