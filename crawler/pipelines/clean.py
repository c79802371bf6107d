"""Strip syndication boilerplate and normalise text (the rules live in crawler.clean).

Besides the fixed rules, the pipeline learns per site during the run: a block that recurs on
many stories of one site, and a teaser that opens another known story, are dropped too.
"""

from __future__ import annotations

from crawler.clean import RULES, BoilerplateMemory, clean_article
from crawler.items import Article
from crawler.report import Dropped


class CleanPipeline:
    def __init__(self) -> None:
        self.memory = BoilerplateMemory()

    def process_item(self, item: Article) -> Article:
        self.memory.observe(item)
        cleaned = clean_article(item, rules=RULES + self.memory.rules_for(item))
        if not cleaned.paragraphs:
            raise Dropped("empty-after-cleaning", item.url)
        return cleaned
