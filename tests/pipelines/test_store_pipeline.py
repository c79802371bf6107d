"""The store pipeline writes articles a batch per transaction, in arrival order; on a shared store
each article is stored, and the dedup turn ended, before the next one is matched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crawler.config import StateConfig
from crawler.items import AssignedArticle
from crawler.pipelines import store as store_pipeline
from crawler.pipelines.store import StorePipeline
from crawler.store import open_store
from tests.pipelines.test_extract_pipeline import Stats
from tests.services import postgres_dsn, postgres_server
from tests.test_store import article

__all__ = ["postgres_dsn", "postgres_server"]  # the fixtures


class Turns:
    """Stands in for the dedup pipeline: counts the turns ended."""

    def __init__(self) -> None:
        self.ended = 0

    def end_turn(self) -> None:
        self.ended += 1


def assigned(count: int) -> list[AssignedArticle]:
    return [AssignedArticle(article(n), f"s{n % 3}", n < 3) for n in range(count)]


def stored(state: Path, config: StateConfig | None = None) -> list[str]:
    with open_store(state, config) as store:
        return [copy.canonical_url for copy in store.copies_after(0)]


def pipeline(state: Path, config: StateConfig | None = None) -> tuple[StorePipeline, Stats, Turns]:
    stats, turns = Stats(), Turns()
    instance = StorePipeline(str(state), None, stats, config)
    instance.open_spider()
    instance.dedup = turns  # type: ignore[assignment]
    return instance, stats, turns


def test_articles_are_stored_a_batch_at_a_time_in_order_and_the_rest_at_close(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(store_pipeline, "BATCH_SIZE", 4)
    items = assigned(10)
    instance, stats, turns = pipeline(tmp_path)
    for item in items[:3]:
        instance.process_item(item)
    assert stored(tmp_path) == []  # not a whole batch yet
    for item in items[3:]:
        instance.process_item(item)
    assert stored(tmp_path) == [i.article.canonical_url for i in items[:8]]
    assert stats["syndigest/Alpha/articles"] == 8  # counted once stored
    instance.close_spider()
    assert stored(tmp_path) == [i.article.canonical_url for i in items]
    assert stats["syndigest/Alpha/articles"] == 10
    assert turns.ended == 10


def test_a_batch_that_cannot_be_stored_is_counted_as_errors(tmp_path: Path) -> None:
    instance, stats, _ = pipeline(tmp_path)
    for item in assigned(2):
        instance.process_item(item)
    assert instance.store is not None
    instance.store.close()  # every write now fails
    instance.flush()
    assert stats["syndigest/Alpha/error/store-failed"] == 2
    assert "syndigest/Alpha/articles" not in stats


def test_on_a_shared_store_each_article_is_stored_before_its_turn_ends(
    tmp_path: Path, postgres_dsn: str
) -> None:
    config = StateConfig(backend="postgresql", dsn=postgres_dsn)
    items = assigned(3)
    instance, stats, turns = pipeline(tmp_path, config)
    try:
        for n, item in enumerate(items, 1):
            instance.process_item(item)
            assert len(stored(tmp_path, config)) == n
            assert turns.ended == n
    finally:
        instance.close_spider()
    assert stats["syndigest/Alpha/articles"] == 3
