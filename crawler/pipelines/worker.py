"""What an extraction worker process does: a fetched `Page` in, an `Extraction` out.

Apart from `crawler.pipelines.extract` so that a worker imports neither Scrapy nor datasketch
(seconds of start-up, during which the crawl's pages wait for the worker): only extraction,
cleaning and the dedup sketch.
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.clean import Prepared, clean_prepared, prepare
from crawler.dedup.index import Prepared as IndexText
from crawler.dedup.index import Sketcher
from crawler.dedup.urls import canonical_url, public_url
from crawler.extract import extract
from crawler.items import Article, Page


@dataclass(frozen=True, slots=True)
class Extraction:
    """What a worker makes of a page. `text` is the article's text once the fixed rules have
    cleaned it, and `index_text` that text made ready for the dedup index (None without a
    sketcher): it stands unless rules learned during the crawl drop more."""

    prepared: Prepared
    text: str
    index_text: IndexText | None

    @property
    def article(self) -> Article:
        """The article as extracted."""
        return self.prepared.article


def read_page(page: Page, sketcher: Sketcher | None = None) -> Extraction:
    """The article on a fetched page (pure: it runs in a worker process)."""
    found = extract(page.body, page.url, encoding=page.encoding, fetched_at=page.fetched_at)
    prepared = prepare(found.article(
        page.source, page.fetched_at, url=public_url(page.url, found.canonical_url),
        canonical_url=canonical_url(page.url, found.canonical_url),
    ))
    text = clean_prepared(prepared).text
    return Extraction(prepared, text, sketcher.prepare(text) if sketcher else None)
