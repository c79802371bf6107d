"""The SQLite state: stories keep their id and first-seen time; runs are recorded."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.items import Article, AssignedArticle
from crawler.store import DB_NAME, SQLiteStore, StoreError

T0 = datetime(2025, 6, 2, 1, 30, tzinfo=UTC)


def article(n: int, source: str = "Alpha", **changes: object) -> Article:
    base = Article(
        url=f"http://127.0.0.2/news/{n}?utm_source=x",
        canonical_url=f"http://127.0.0.2/news/{n}",
        source=source,
        title=f"Story {n} — Ünïcode",
        published=T0 + timedelta(hours=n),
        published_estimated=False,
        author=None,
        original_source="ANI",
        lede="Lede.",
        paragraphs=("First paragraph.", "Second paragraph."),
        language="en",
        fetched_at=T0 + timedelta(days=1),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_saved_articles_come_back_grouped_by_story(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path) as store:
        run = store.begin_run(T0)
        store.save(AssignedArticle(article(1), "s1", True), run)
        copy = article(2, source="Beta", fetched_at=T0 + timedelta(days=2))
        store.save(AssignedArticle(copy, "s1", False), run)
        store.save(AssignedArticle(article(3), "s3", True), run)
    with SQLiteStore(tmp_path) as store:
        grouped = store.articles_by_story()
        assert set(grouped) == {"s1", "s3"}
        first_seen, copies = grouped["s1"]
        assert first_seen == T0 + timedelta(days=1)
        assert [c.source for c in copies] == ["Alpha", "Beta"]
        assert copies[0] == article(1)
        assert store.known_url("http://127.0.0.2/news/1")
        assert store.known_url("http://127.0.0.2/news/1?utm_source=x")
        assert not store.known_url("http://127.0.0.2/news/9")
        assert sorted(store.story_texts())[0] == ("s1", "First paragraph.\n\nSecond paragraph.")


def test_story_first_seen_never_changes(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path) as store:
        store.save(AssignedArticle(article(1), "s1", True), None)
        late = article(5, fetched_at=T0 + timedelta(days=30))
        store.save(AssignedArticle(late, "s1", True), None)
        assert store.articles_by_story()["s1"][0] == T0 + timedelta(days=1)


def test_runs_are_recorded(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path) as store:
        run = store.begin_run(T0)
        store.finish_run(run, T0 + timedelta(minutes=3), "ok", {"pages": 4})
        (recorded,) = store.runs()
    assert recorded["status"] == "ok" and recorded["stats"] == {"pages": 4}


def test_corrupt_database_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open"):
        SQLiteStore(tmp_path)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    SQLiteStore(tmp_path).close()
    db = sqlite3.connect(tmp_path / DB_NAME)
    db.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer"):
        SQLiteStore(tmp_path)
