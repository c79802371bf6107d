"""The extract pipeline: pages in, extractions out, the same in worker processes as inline and
in the order the pages came; a page that kills its worker is reported with its URL. Texts the
workers sketch for the dedup index give the stories the texts themselves give."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.config import Config, SourceConfig
from crawler.items import AssignedArticle, Page
from crawler.pipelines.clean import CleanPipeline
from crawler.pipelines.dedup import DedupPipeline, SketchedArticle
from crawler.pipelines.extract import Extraction, ExtractPipeline, read_page, worker_count
from crawler.pipelines.validate import ValidatePipeline
from crawler.report import Dropped
from tests.spiders.test_digest_crawl import page

ROOT = Path(__file__).resolve().parents[2]
WHEN = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
DEADLY = "http://127.0.0.41/news/deadly"
BROKEN = "http://127.0.0.41/news/broken"


@pytest.fixture(autouse=True)
def _importable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers import this module's functions by name: the project root must be on their path."""
    monkeypatch.syspath_prepend(str(ROOT))


class Stats(dict[str, Any]):
    """The three calls `crawler.report.count` makes of Scrapy's stats collector."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self[key] = self.get(key, start) + count

    def get_value(self, key: str, default: Any = None) -> Any:
        return self.get(key, default)

    def set_value(self, key: str, value: Any) -> None:
        self[key] = value


def pages(count: int) -> list[Page]:
    return [Page(f"http://127.0.0.41/news/{n}", "Fixture", page(f"Story {n}", f"Topic{n}", 2 + n % 5)[2],
                 "utf-8", WHEN) for n in range(count)]


def read_or_die(item: Page, sketcher: object = None) -> Extraction:
    """`read_page`, except that one page kills the worker process and another raises."""
    if item.url == DEADLY:
        os._exit(9)
    if item.url == BROKEN:
        raise RuntimeError("extractor bug")
    return read_page(item)


async def through(pipeline: ExtractPipeline, items: list[Page]) -> list[Extraction | Dropped]:
    """Every item through the pipeline at once, as Scrapy would hand them over."""
    pipeline.open_spider()
    try:
        async def one(item: Page) -> Extraction | Dropped:
            try:
                return await pipeline.process_item(item)
            except Dropped as dropped:
                return dropped

        return list(await asyncio.gather(*(one(item) for item in items)))
    finally:
        pipeline.close_spider()


def test_workers_give_what_inline_extraction_gives_in_page_order() -> None:
    items = pages(40)
    inline = asyncio.run(through(ExtractPipeline(0), items))
    pooled = asyncio.run(through(ExtractPipeline(2), items))
    assert pooled == inline
    assert [p.article.url for p in pooled if isinstance(p, Extraction)] == [i.url for i in items]
    assert all(p.article.title == f"Story {n}" for n, p in enumerate(pooled) if isinstance(p, Extraction))


@pytest.mark.parametrize("workers", [0, 1])
def test_a_failed_page_is_an_error_of_its_source_with_its_url(workers: int) -> None:
    items = pages(6)
    items.insert(3, Page(BROKEN, "Fixture", b"<p>x</p>", None, WHEN))
    if workers:
        items.insert(1, Page(DEADLY, "Fixture", b"<p>x</p>", None, WHEN))
    stats = Stats()
    results = asyncio.run(through(ExtractPipeline(workers, stats, read=read_or_die), items))
    failed = {item.url: result.reason for item, result in zip(items, results, strict=True)
              if isinstance(result, Dropped)}
    assert failed == ({BROKEN: "extraction-failed", DEADLY: "extraction-crashed"} if workers
                      else {BROKEN: "extraction-failed"})
    for url, reason in failed.items():
        assert stats[f"syndigest-examples/Fixture/error/{reason}"] == [url]
    assert stats["syndigest/Fixture/extracted"] == 6  # every other page, nothing twice


def test_default_worker_count_leaves_a_core_to_scrapy() -> None:
    assert worker_count(None) == max(1, (os.cpu_count() or 1) - 1)
    assert worker_count(0) == 0 and worker_count(3) == 3


def test_texts_sketched_in_workers_join_the_same_stories(tmp_path: Path) -> None:
    """Through validate, clean and dedup: the extractions (texts sketched by the index's own
    sketcher) and the plain articles get the same story for every page."""
    items = pages(30) + pages(30)  # every page twice: the second time it is a copy
    items = [Page(f"{item.url}-{n}", item.source, item.body, item.encoding, WHEN)
             for n, item in enumerate(items)]

    def stories(sketched: bool) -> list[tuple[str, bool]]:
        dedup = DedupPipeline(str(tmp_path / f"state-{sketched}"))
        dedup.open_spider()
        stages = (ValidatePipeline(Config(sources=(SourceConfig("Fixture"),))), CleanPipeline(), dedup)
        sketcher = dedup.index.sketcher if sketched else None
        found = []
        for item in items:
            extraction = read_page(item, sketcher)
            passed: object = extraction if sketched else extraction.article
            for stage in stages:
                passed = stage.process_item(passed)  # type: ignore[attr-defined]
                if sketched and stage is stages[1]:
                    assert isinstance(passed, SketchedArticle)
            assert isinstance(passed, AssignedArticle)
            found.append((passed.story_id, passed.new_story))
        return found

    sketched = stories(sketched=True)
    assert sketched == stories(sketched=False)
    assert [new for _, new in sketched] == [True] * 30 + [False] * 30
