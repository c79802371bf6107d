"""Strip syndication boilerplate and normalise text (the rules live in crawler.clean)."""

from __future__ import annotations

from crawler.clean import clean_article
from crawler.items import Article
from crawler.report import Dropped


class CleanPipeline:
    def process_item(self, item: Article) -> Article:
        cleaned = clean_article(item)
        if not cleaned.paragraphs:
            raise Dropped("empty-after-cleaning", item.url)
        return cleaned
