"""Strip syndication boilerplate and normalise text (the rules live in crawler.clean).

Besides the fixed rules, the pipeline learns per site during the run: a block that recurs on
many stories of one site, and a teaser that opens another known story, are dropped too. The
extraction workers have already normalised each article and matched it against the fixed rules;
only the learned rules are tried here, in the crawl's process, where the learning happens.
"""

from __future__ import annotations

from crawler.clean import BoilerplateMemory, clean_prepared, prepare
from crawler.items import Article
from crawler.pipelines.dedup import SketchedArticle
from crawler.pipelines.worker import Extraction
from crawler.report import Dropped


class CleanPipeline:
    def __init__(self) -> None:
        self.memory = BoilerplateMemory()

    def process_item(self, item: Extraction | Article) -> SketchedArticle | Article:
        prepared = item.prepared if isinstance(item, Extraction) else prepare(item)
        article = prepared.article
        self.memory.observe(article)
        cleaned = clean_prepared(prepared, extra=self.memory.rules_for(article))
        if not cleaned.paragraphs:
            raise Dropped("empty-after-cleaning", article.url)
        if isinstance(item, Extraction) and item.index_text and cleaned.text == item.text:
            return SketchedArticle(cleaned, item.index_text)  # no learned rule dropped more
        return cleaned
